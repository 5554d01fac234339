"""Forms of the matching and pairs pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import options

WEIGHT = [InputRequired(_l("Give a number from 0 to 100.")),
          NumberRange(min=0, max=100, message=_l("Give a number from 0 to 100."))]


class SettingsForm(FlaskForm):
    """The engine's weights and rules, each with what it does."""

    topics = IntegerField(_l("Topics"), validators=WEIGHT, description=_l(
        "How much the mentor's expertise covers the mentee's wanted topics; her first topics "
        "count most."))
    language = IntegerField(_l("Language"), validators=WEIGHT, description=_l(
        "Whether the mentor speaks the mentee's first language. Some common language is always "
        "required."))
    wishes = IntegerField(_l("Mentee's wishes"), validators=WEIGHT, description=_l(
        "Whether the mentor is among the mentors the mentee asked for, by rank."))
    region = IntegerField(_l("Region"), validators=WEIGHT, description=_l(
        "Same or other region, as the mentee prefers (else the default below)."))
    timezone = IntegerField(_l("Time zone"), validators=WEIGHT, description=_l(
        "How close their working hours are (hours apart, around the clock)."))
    experience = IntegerField(_l("Experience"), validators=WEIGHT, description=_l(
        "Whether the mentor is ahead by the years set below."))
    default_region_preference = RadioField(
        _l("Region, for mentees with no preference"),
        choices=options([("none", _l("No preference")), ("same", _l("Same region")),
                         ("other", _l("Another region"))]))
    experience_ahead = DecimalField(
        _l("Years ahead for full experience credit"), places=1,
        validators=[InputRequired(), NumberRange(min=0, max=40)])
    min_experience_gap = DecimalField(
        _l("Required years ahead (hard rule, optional)"), places=1,
        validators=[Optional(), NumberRange(min=0, max=40)],
        description=_l("Leave empty for no minimum."))
    objective = RadioField(
        _l("What matching puts first"),
        choices=options([("score", _l("Best total score")), ("wishes", _l("Wishes first"))]),
        default="score",
        description=_l("\"Wishes first\" matches as many mentees as possible, then gives as "
                       "many as it can their first wish, then their second, and so on; the "
                       "scores decide the rest. It cannot be combined with fair mode."))
    forbid_same_organisation = BooleanField(_l("Never pair two people of the same organisation"))
    require_woman_mentor_when_asked = BooleanField(
        _l("A mentee who asks for a woman mentor only gets one"))
    submit = SubmitField(_l("Save settings"))

    def rules(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "topics", "language", "wishes", "region", "timezone", "experience",
            "default_region_preference", "forbid_same_organisation",
            "require_woman_mentor_when_asked")}
        data["experience_ahead"] = float(self.experience_ahead.data)
        gap = self.min_experience_gap.data
        data["min_experience_gap"] = float(gap) if gap is not None else None
        return data


class RunForm(FlaskForm):
    fair = BooleanField(_l("Fair mode: first raise the lowest pair score as high as it can go"))
    stable = BooleanField(
        _l("Stable matching: no mentee and mentor who would both rather be together"),
        description=_l("Usually a lower total than the best matching; the pairs page shows "
                       "what it costs."))
    submit = SubmitField(_l("Run matching"))


class RejectForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Length(max=500)])
    submit = SubmitField(_l("Reject"))


class ApproveAboveForm(FlaskForm):
    score = IntegerField(_l("Approve every proposal scoring at least"),
                         validators=[InputRequired(), NumberRange(
                             min=0, max=1000, message=_l("Give a score from 0 to 1000."))])
    submit = SubmitField(_l("Approve"))


class ManualForm(FlaskForm):
    mentee = SelectField(_l("Mentee"), coerce=int, validators=[DataRequired()])
    mentor = SelectField(_l("Mentor"), coerce=int, validators=[DataRequired()])
    override = BooleanField(_l("I confirm this pair although it breaks a hard rule"))
    reason = TextAreaField(_l("Reason"), validators=[Length(max=1000)],
                           description=_l("Required when the pair breaks a hard rule."))
    submit = SubmitField(_l("Approve this pair"))


class SwapForm(FlaskForm):
    other = SelectField(_l("Swap mentors with"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Swap mentors"))
