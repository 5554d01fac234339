from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..data import OTHER_LANGUAGES, UN_LANGUAGES, country_codes, language_name
from ..forms import MultiCheckboxField, options
from ..i18n import current_locale
from ..models import Programme

SLUG = Regexp(r"^[a-z0-9][a-z0-9-]{1,62}$",
              message=_l("Use 2 to 63 lower-case letters, digits and hyphens."))


class ProgrammeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    slug = StringField(_l("Short name in addresses"), validators=[DataRequired(), SLUG],
                       description=_l("For example now4wrc27."))
    network = StringField(_l("Network"), validators=[Length(max=160)])
    description = TextAreaField(_l("Description"), validators=[Length(max=10000)])
    applications_open = DateField(_l("Applications open"), validators=[Optional()])
    applications_close = DateField(_l("Applications close"), validators=[Optional()])
    starts_on = DateField(_l("Programme starts"), validators=[Optional()])
    ends_on = DateField(_l("Programme ends"), validators=[Optional()])
    mentor_capacity_default = IntegerField(
        _l("Mentees per mentor, by default"), default=2,
        validators=[DataRequired(), NumberRange(min=1, max=20)])
    mentor_capacity_max = IntegerField(
        _l("Mentees per mentor, at most"), default=4,
        validators=[DataRequired(), NumberRange(min=1, max=20)])
    min_sessions_per_month = IntegerField(
        _l("Sessions expected per month"), default=1,
        validators=[NumberRange(min=0, max=10)])
    reminder_interval_days = IntegerField(
        _l("Remind a pair after this many days without a session"), default=30,
        validators=[DataRequired(), NumberRange(min=1, max=365)])
    women_target_percent = IntegerField(
        _l("Target share of women (percent)"), default=30,
        validators=[InputRequired(), NumberRange(min=0, max=100)],
        description=_l("Shown as a line on the dashboard's gender charts."))
    guidance = TextAreaField(
        _l("Guidance for pairs"), validators=[Length(max=10000)],
        description=_l("Sent to every mentor and mentee when their pair is announced."))
    languages = MultiCheckboxField(_l("Languages"),
                                   validators=[DataRequired(_l("Choose at least one language."))])
    default_locale = SelectField(_l("Default language"))
    topics = TextAreaField(_l("Topics, one per line"),
                           validators=[DataRequired(_l("Give at least one topic."))])
    regions = TextAreaField(
        _l("Regions, one per line"),
        description=_l("code | name | ISO country codes separated by spaces. "
                       "Leave empty for the six regional telecommunication organisations."))
    submit = SubmitField(_l("Save programme"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = current_locale()
        self.languages.choices = options([(c, language_name(c, locale))
                                  for c in UN_LANGUAGES + OTHER_LANGUAGES])
        self.default_locale.choices = options([(c, language_name(c, locale)) for c in UN_LANGUAGES])

    def load(self, programme: Programme) -> None:
        self.topics.data = "\n".join(topic.label for topic in programme.topics)
        self.languages.data = programme.language_codes
        self.regions.data = "\n".join(f"{r.code} | {r.name} | {r.countries}"
                                      for r in programme.regions)

    def validate_topics(self, field):
        labels = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if any(len(label) > 160 for label in labels):
            raise ValidationError(_l("A topic can have at most 160 characters."))

    def parsed_regions(self) -> list[tuple[str, str, str]] | None:
        if not (self.regions.data or "").strip():
            return None
        regions = []
        known = set(country_codes())
        seen: set[str] = set()
        for number, line in enumerate(self.regions.data.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 3 or not re.fullmatch(r"[A-Za-z0-9-]{1,16}", parts[0]) \
                    or not parts[1]:
                raise ValidationError(_l("Line %(line)d: write code | name | countries.",
                                         line=number))
            codes = parts[2].upper().split()
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise ValidationError(_l("Line %(line)d: unknown country codes %(codes)s.",
                                         line=number, codes=", ".join(unknown)))
            twice = seen.intersection(codes)
            if twice:
                raise ValidationError(_l("Line %(line)d: %(codes)s are already in another "
                                         "region.", line=number, codes=", ".join(sorted(twice))))
            seen.update(codes)
            regions.append((parts[0].upper(), parts[1], " ".join(codes)))
        return regions

    def validate_regions(self, field):
        self.parsed_regions()

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "name", "slug", "network", "description", "applications_open", "applications_close",
            "starts_on", "ends_on", "mentor_capacity_default", "mentor_capacity_max",
            "min_sessions_per_month", "default_locale", "guidance", "reminder_interval_days",
            "women_target_percent")} | {
            "description": self.description.data or "", "network": self.network.data or "",
            "guidance": self.guidance.data or "",
            "min_sessions_per_month": self.min_sessions_per_month.data or 0}

    def topic_list(self) -> list[str]:
        return [line.strip() for line in (self.topics.data or "").splitlines() if line.strip()]


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validators=[DataRequired()])
    submit = SubmitField(_l("Change status"))


class CopyForm(FlaskForm):
    name = StringField(_l("Name of the new cycle"), validators=[DataRequired(), Length(max=160)])
    slug = StringField(_l("Short name in addresses"), validators=[DataRequired(), SLUG])
    submit = SubmitField(_l("Copy settings to a new cycle"))


class CoordinatorForm(FlaskForm):
    email = EmailField(_l("Email address of their account"),
                       validators=[DataRequired(), Email()])
    region = SelectField(_l("Scope"), coerce=int)
    submit = SubmitField(_l("Add coordinator"))

    def __init__(self, programme: Programme, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = options([(0, _l("The whole programme"))] + [
            (r.id, _l("Region: %(name)s", name=r.code)) for r in programme.regions])
