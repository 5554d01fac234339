"""The mentor's answer and the coordinators' setting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional


class AnswerForm(FlaskForm):
    """Accept, or decline with a reason (the service asks for the reason on a decline)."""

    reason = TextAreaField(_l("If you decline: why?"), validators=[Length(max=1000)],
                           description=_l("The coordinators read it; the mentee does not."))
    accept = SubmitField(_l("Accept"))
    decline = SubmitField(_l("Decline"))


class SettingForm(FlaskForm):
    ask = BooleanField(_l("Ask mentors before announcing"), description=_l(
        "Each approved pair goes first to its mentor, who accepts or declines with a reason. "
        "Pairs approved before this is turned on are announced as before."))
    deadline = DateField(_l("Last day mentors may answer"), validators=[Optional()],
                         description=_l("The day before, mentors who have not answered are "
                                        "reminded. After it, pairs without an answer may be "
                                        "announced."))
    submit = SubmitField(_l("Save"))
