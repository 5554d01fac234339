"""The meeting and role forms: they read the fields' types; services.outcomes judges values."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import Optional

from ..activities.forms import Needed
from ..applications.forms import ImportForm
from ..forms import options
from ..labels import MEETING_ROLES


class ItuMeetingForm(FlaskForm):
    name = StringField(_l("Name (such as WRC-23, CPM23-2, Study Group 4)"),
                       validators=[Needed()])
    starts_on = DateField(_l("Starts on"), validators=[Needed(), Optional()])
    ends_on = DateField(_l("Ends on (optional)"), validators=[Optional()], description=_l(
        "Its last day, for a meeting of several days. The outcomes page counts a role as "
        "before the programme when the meeting ended before the programme started."))


class MeetingRoleForm(FlaskForm):
    meeting = SelectField(_l("ITU meeting"), validators=[Needed()])
    role = SelectField(_l("Role"), validators=[Needed()])

    def __init__(self, meetings, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting.choices = options([("", "—")] + [(str(m.id), m.name) for m in meetings])
        self.role.choices = options([("", "—")] + list(MEETING_ROLES.items()))

    def meeting_id(self) -> int | None:
        return int(self.meeting.data) if (self.meeting.data or "").isdigit() else None


class RolesFileForm(ImportForm):
    """A file of roles at ITU meetings to read (then shown, and recorded once confirmed)."""

    submit = SubmitField(_l("Read the file"))


class ConfirmRolesForm(FlaskForm):
    """Records the roles a file's preview showed (the plan it sealed rides along)."""

    plan = HiddenField()
    submit = SubmitField(_l("Record these roles"))
