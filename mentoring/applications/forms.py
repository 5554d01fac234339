from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from ..forms import GoesBack, options


class DecisionForm(GoesBack, FlaskForm):
    """Accept, waitlist or decline one or many applications, with an optional message."""

    #: The service checks every id against the coordinator's scope (all or nothing).
    ids = SelectMultipleField(_l("Applications"), coerce=int, validate_choice=False,
                              validators=[DataRequired(_l("Select at least one application."))])
    DECISIONS = (("accepted", _l("Accept")), ("waitlisted", _l("Waitlist")),
                 ("declined", _l("Decline")))
    decision = RadioField(
        _l("Decision"), choices=options(DECISIONS),
        validators=[DataRequired(_l("Choose a decision."))],
    )
    message = TextAreaField(_l("Message to the applicants (optional)"),
                            validators=[Length(max=2000)],
                            description=_l("Added to the email each applicant receives."))
    submit = SubmitField(_l("Apply decision"))

    def __init__(self, *args, choices=(), single=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.ids.choices = options(choices)
        if single:  # one application's page speaks of one applicant
            self.message.label.text = _l("Message to the applicant (optional)")
            self.message.description = _l("Added to the email the applicant receives.")


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a file.")),
                    FileAllowed(["csv", "txt"], _l("Upload a .csv file."))],
        description=_l("UTF-8, with a heading row. Up to 2 MB."),
    )
    submit = SubmitField(_l("Import"))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Name or email"))
