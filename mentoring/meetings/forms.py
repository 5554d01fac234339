from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import MultiCheckboxField, options
from ..labels import meeting_format_label
from ..models import MAX_MINUTES, MeetingFormat
from ..services.meetings import SessionData


def format_choices():
    return options([(value.value, LazyString(meeting_format_label, value))
                    for value in MeetingFormat])


class SessionWhenForm(FlaskForm):
    """The date and length of a session, a pair's or a circle's."""

    held_on = DateField(_l("Date of the session"), validators=[DataRequired(
        _l("Give the date of the session."))])
    duration_minutes = IntegerField(
        _l("Duration in minutes"), validators=[
            InputRequired(_l("Give the duration in minutes.")),
            NumberRange(min=1, max=MAX_MINUTES,
                        message=_l("Give a duration from 1 minute to 12 hours (720 minutes)."))])


class MeetingForm(SessionWhenForm):
    format = RadioField(_l("How you met"), choices=format_choices(),
                        validators=[DataRequired(_l("Choose how you met."))])
    topics = MultiCheckboxField(_l("Topics discussed"), coerce=int)
    notes = TextAreaField(_l("Notes (only the two of you see them)"),
                          validators=[Length(max=10000)])
    next_steps = TextAreaField(_l("Next steps (only the two of you see them)"),
                               validators=[Length(max=5000)])
    next_planned_on = DateField(_l("Next session planned for (optional)"),
                                validators=[Optional()])
    same_day_ok = HiddenField()
    submit = SubmitField(_l("Save the session"))

    def __init__(self, programme, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics.choices = options([(t.id, t.display_label) for t in programme.topics])

    def data_for_service(self) -> SessionData:
        return SessionData(
            held_on=self.held_on.data, duration_minutes=self.duration_minutes.data,
            format=MeetingFormat(self.format.data), topic_ids=list(self.topics.data or []),
            notes=self.notes.data or "", next_steps=self.next_steps.data or "",
            next_planned_on=self.next_planned_on.data)


class DisputeForm(FlaskForm):
    note = TextAreaField(_l("What is not right?"), validators=[
        DataRequired(_l("Say briefly what is not right.")), Length(max=2000)])
    submit = SubmitField(_l("Send to the coordinators"))


class FeedbackForm(FlaskForm):
    rating = RadioField(_l("How useful was this session?"), coerce=int,
                        validators=[Optional()],
                        choices=options([(5, _l("5 — very useful")), (4, "4"), (3, "3"),
                                         (2, "2"), (1, _l("1 — not useful"))]))
    comment = TextAreaField(_l("Comment (only the two of you see it)"),
                            validators=[Length(max=4000)])
    submit = SubmitField(_l("Send feedback"))


class EndForm(FlaskForm):
    reason = TextAreaField(_l("Why are you ending the pair?"), validators=[
        DataRequired(_l("Give a reason: the coordinators read it.")), Length(max=2000)])
    rematch = BooleanField(_l("I would like to be matched with another mentor"))
    submit = SubmitField(_l("End the pair"))
