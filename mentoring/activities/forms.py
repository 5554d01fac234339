"""The activity form: it reads the fields' types; services.activities judges the values."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Optional

from ..applications.forms import ImportForm
from ..forms import MultiCheckboxField, options, timezone_options
from ..labels import ACTIVITY_KINDS, AUDIENCES
from ..services.activities import Plan


class Needed:
    """Marks a field required (for the browser and the label); the service says what is
    wrong, so the form and a direct call give the same messages."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        pass


class ActivityForm(FlaskForm):
    kind = SelectField(_l("Kind"), validators=[Needed()])
    title = StringField(_l("Title"), validators=[Needed()])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    day = DateField(_l("Day"), validators=[Needed(), Optional()])
    at = TimeField(_l("Starts at"), validators=[Needed(), Optional()])
    timezone = SelectField(_l("Time zone of that time"), validators=[Needed()])
    duration_minutes = IntegerField(_l("Length (minutes)"), validators=[Needed(), Optional()])
    location = StringField(_l("Online link or place"), validators=[Optional()])
    capacity = IntegerField(_l("Places (empty: no limit)"), validators=[Optional()])
    audience = SelectField(_l("Who may come"), validators=[Needed()])
    region_id = SelectField(_l("Region"), validators=[Optional()])
    closes_day = DateField(_l("Registration closes on (empty: when it starts)"),
                           validators=[Optional()])
    closes_at = TimeField(_l("at"), validators=[Optional()])

    def __init__(self, programme, regional: bool, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = options(ACTIVITY_KINDS.items())
        self.audience.choices = options(AUDIENCES.items())
        self.timezone.choices = timezone_options()
        self.region_id.choices = options(
            [("", _l("Every region"))] + [(str(r.id), r.display_name) for r in programme.regions])
        if regional:
            del self.region_id  # a co-chair's activities are her region's

    def plan(self) -> Plan:
        region = self._fields.get("region_id")
        return Plan(
            kind=self.kind.data, title=self.title.data or "",
            description=self.description.data or "", day=self.day.data, at=self.at.data,
            timezone=self.timezone.data or "", duration_minutes=self.duration_minutes.data,
            location=self.location.data or "", capacity=self.capacity.data,
            audience=self.audience.data,
            region_id=int(region.data) if region is not None and region.data else None,
            closes_day=self.closes_day.data, closes_at=self.closes_at.data)

    def fill(self, activity, zone) -> None:
        """The form's fields from an activity (its times in its own zone)."""
        local = activity.starts_at.astimezone(zone)
        self.kind.data, self.title.data = str(activity.kind), activity.title
        self.description.data, self.location.data = activity.description, activity.location
        self.day.data, self.at.data = local.date(), local.time().replace(second=0)
        self.timezone.data, self.duration_minutes.data = activity.timezone, \
            activity.duration_minutes
        self.capacity.data, self.audience.data = activity.capacity, str(activity.audience)
        if "region_id" in self:
            self.region_id.data = str(activity.region_id or "")
        if activity.registration_closes_at:
            closes = activity.registration_closes_at.astimezone(zone)
            self.closes_day.data, self.closes_at.data = closes.date(), closes.time()


class AttendanceForm(FlaskForm):
    """One box per person registered: ticked when she came."""

    came = MultiCheckboxField(_l("Who came"), coerce=int)

    def __init__(self, registered, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.came.choices = options((r.id, r.user.name) for r in registered)
        if not self.is_submitted():
            self.came.data = [r.id for r in registered if r.attended]


class FeedbackForm(FlaskForm):
    rating = RadioField(_l("How useful was it for you?"), coerce=int, validators=[Needed()],
                        validate_choice=False,
                        choices=options([(5, _l("5 — very useful")), (4, "4"), (3, "3"),
                                         (2, "2"), (1, _l("1 — not useful"))]))
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional()])


class AttendanceFileForm(ImportForm):
    """An attendance file to read (then shown ticked on the attendance list to save)."""

    submit = SubmitField(_l("Read the file"))
