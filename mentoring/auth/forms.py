from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, ValidationError

from ..data import language_name
from ..forms import Checked, options, timezone_options
from ..services.accounts import (
    EMAIL_MAX,
    NAME_MAX,
    email_problem,
    name_problem,
    password_problems,
)

#: The rules of a person's name and email, shared with the service and the CSV import.
_NAME = Checked(name_problem, maxlength=NAME_MAX)
_EMAIL = Checked(email_problem, maxlength=EMAIL_MAX)


class _NameAndEmail:
    # Defined before the password fields: WTForms orders fields as they were created, and a
    # person gives her name and address before choosing a password.
    name = StringField(_l("Full name"), validators=[DataRequired(), _NAME],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email address"), validators=[DataRequired(), _EMAIL],
                       render_kw={"autocomplete": "email"})


class _NewPassword:
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired()],
        description=_l("At least 10 characters. A few unrelated words make a strong password."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field):
        email = getattr(getattr(self, "email", None), "data", "") or getattr(self, "_email", "")
        name = getattr(getattr(self, "name", None), "data", "") or ""
        problems = password_problems(field.data or "", email=email or "", name=name)
        if problems:
            raise ValidationError(" ".join(problems))


class RegisterForm(_NameAndEmail, _NewPassword, FlaskForm):
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email()],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email()],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Email me a link"))


class ResetPasswordForm(_NewPassword, FlaskForm):
    submit = SubmitField(_l("Set password"))


class ChangePasswordForm(_NewPassword, FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Change password"))


class AccountForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), _NAME])
    email = EmailField(_l("Email address"), validators=[DataRequired(), _EMAIL],
                       description=_l("If you change it, we send a link to confirm the new one."))
    current_password = PasswordField(
        _l("Current password"),
        description=_l("Needed only to change your email address."),
        render_kw={"autocomplete": "current-password"})
    locale = SelectField(_l("Interface language"))
    timezone = SelectField(_l("Time zone"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = options([("", _l("As my browser asks"))] + [
            (code, language_name(code, code)) for code in current_app.config["LANGUAGES"]
        ])
        self.timezone.choices = timezone_options()


class EmailChoicesForm(FlaskForm):
    """Which automatic emails a person wants (the unsubscribe links turn them off too)."""

    reminder_emails = BooleanField(
        _l("Email me reminders about my pair"),
        description=_l("When no session has been logged for a while, or none at all."))
    digest_emails = BooleanField(
        _l("Email me the weekly digest"),
        description=_l("For coordinators: the pairs that have gone silent or never met."))
    submit = SubmitField(_l("Save email choices"))


class NextForm(FlaskForm):
    """A button that returns to the page it was on (``next``, checked by ``safe_next``)."""

    next = HiddenField()


class LanguageForm(NextForm):
    """The header's language switcher: one button per interface language."""

    locale = HiddenField(validators=[DataRequired()])

    def validate_locale(self, field):
        if field.data not in current_app.config["LANGUAGES"]:
            raise ValidationError(_l("Choose one of the languages offered."))
