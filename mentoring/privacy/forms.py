from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired


class EraseAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()],
                             description=_l("To be sure it is you."),
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Erase my account"))
