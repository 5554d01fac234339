"""The circle forms: they read the fields' types; services.circles judges the values."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import MultiCheckboxField, options
from ..meetings.forms import SessionWhenForm
from ..models.circle import CIRCLE_NAME_MAX, MAX_CIRCLE_CAPACITY
from ..services.circles import DEFAULT_CAPACITY, CircleData


def _person(enrolment) -> str:
    region = enrolment.region.display_name if enrolment.region else ""
    return f"{enrolment.user.name} · {region}" if region else enrolment.user.name


def _capacity():
    return IntegerField(_l("Capacity (most mentees)"), default=DEFAULT_CAPACITY, validators=[
        InputRequired(_l("Give the circle's capacity.")),
        NumberRange(min=1, max=MAX_CIRCLE_CAPACITY,
                    message=_l("Give a capacity from 1 to %(max)d mentees."))])


class CircleForm(FlaskForm):
    """Form or change a circle by hand: the choices are the scope's accepted applicants in
    no other circle."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the circle a name.")),
                                               Length(max=CIRCLE_NAME_MAX)])
    capacity = _capacity()
    # The service judges the people chosen (another circle, another region, not accepted),
    # so a stale page gets its reason rather than "not a valid choice".
    mentors = MultiCheckboxField(_l("Mentors (one or two)"), coerce=int, validate_choice=False)
    mentees = MultiCheckboxField(_l("Mentees"), coerce=int, validate_choice=False)

    def __init__(self, mentors, mentees, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mentors.choices = options((e.id, _person(e)) for e in mentors)
        self.mentees.choices = options((e.id, _person(e)) for e in mentees)

    def data_for_service(self) -> CircleData:
        return CircleData(name=self.name.data or "", capacity=self.capacity.data,
                          mentor_ids=list(self.mentors.data or []),
                          mentee_ids=list(self.mentees.data or []))


class ProposeForm(FlaskForm):
    """The mentors who lead circles, and the circles' capacity."""

    capacity = _capacity()
    mentors = MultiCheckboxField(_l("Mentors who lead a circle"), coerce=int,
                                 validate_choice=False, validators=[
                                     DataRequired(_l("Choose the mentors who lead a circle."))])

    def __init__(self, mentors, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mentors.choices = options((e.id, _person(e)) for e in mentors)


class CircleMeetingForm(SessionWhenForm):
    notes = TextAreaField(_l("Notes (the circle's members see them)"),
                          validators=[Optional(), Length(max=10000)])
