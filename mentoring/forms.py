"""Form pieces shared by the blueprints."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from .data import timezones
from .i18n import current_locale, timezone_label


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (accessible, no script) for choosing several values."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConfirmForm(FlaskForm):
    """An empty form: protects a POST-only button (withdraw, remove, sign out) with CSRF."""

    submit = SubmitField(_l("Confirm"))


class GoesBack:
    """A form posted from a list page: ``back`` is that page (with its filters)."""

    back = HiddenField()

    def back_url(self, prefix: str, default: str) -> str:
        """``back`` when it is a page under ``prefix`` on this site, else ``default``."""
        back = self.back.data or ""
        if back.startswith(prefix) and "//" not in back and "\\" not in back:
            return back
        return default


class ActionForm(GoesBack, ConfirmForm):
    """A button on a list (approve, lock, forbid, end), with an optional reason."""

    reason = StringField(_l("Reason"), validators=[Length(max=2000)])
class Checked:
    """A validator that asks a service's check, so a form says what the service and the CSV
    import say; `flags` (maxlength, min, max) go to the browser as attributes."""

    def __init__(self, check, **flags):
        self.check = check
        self.field_flags = flags

    def __call__(self, form, field):
        if field.data is None or field.data == "":
            return  # a missing answer is for DataRequired / InputRequired to judge
        problem = self.check(field.data)
        if problem:
            raise ValidationError(problem)


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def timezone_options() -> list[SelectChoice]:
    """The IANA time zones, each with its place in the page's language, after an empty choice."""
    locale = current_locale()
    return options([("", "—")] + [(tz, timezone_label(tz, locale)) for tz in timezones()])


def error_links(form) -> list[tuple[str | None, str, str]]:
    """Each error of ``form`` as (the id of the input to go to, the field's label, the
    message), in the form's order, for the error summary's links. Radio buttons and checkbox
    lists lead to their first choice, lists of rows to the row's own input; an error with no
    field to show (the form's own, a missing CSRF token) has no id."""
    found: list[tuple[str | None, str, str]] = []

    def visit(field) -> None:
        if field.type in ("FieldList",):
            for message in field.errors:
                if isinstance(message, str):
                    found.append((f"{field.id}-group", field.label.text, message))
            for entry in field.entries:
                visit(entry)
            return
        if field.type == "FormField":
            for sub in field:
                visit(sub)
            return
        if not field.errors:
            return
        if field.type in ("CSRFTokenField", "HiddenField", "SubmitField"):
            target = None
        elif field.type in ("RadioField", "MultiCheckboxField"):
            target = f"{field.id}-0"
        else:
            target = field.id
        for message in field.errors:
            if isinstance(message, str):
                found.append((target, str(field.label.text), message))

    for field in form:
        visit(field)
    for message in getattr(form, "form_errors", ()):
        found.append((None, "", message))
    return found
