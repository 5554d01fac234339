from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
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
from ..services.programmes import RegionRow, Removal, TopicRow

SLUG = Regexp(r"^[a-z0-9][a-z0-9-]{1,62}$",
              message=_l("Use 2 to 63 lower-case letters, digits and hyphens."))


REGION_CODE = re.compile(r"[A-Za-z0-9-]{1,16}")


def _required(field) -> None:
    if not (field.data or "").strip():
        raise ValidationError(field.gettext("This field is required."))


def _country_list(text: str | None) -> list[str]:
    return (text or "").upper().split()


class TopicRowForm(Form):
    """An existing topic: renaming it here renames it wherever it is used."""

    id = HiddenField()
    label = StringField(_l("Topic"))
    remove = BooleanField(_l("Remove"))

    def validate_label(self, field):
        if self.remove.data:
            return
        _required(field)
        if len(field.data.strip()) > 160:
            raise ValidationError(_l("A topic can have at most 160 characters."))


class RegionRowForm(Form):
    """An existing region: a new code or name keeps its applicants and co-chairs."""

    id = HiddenField()
    code = StringField(_l("Code"))
    name = StringField(_l("Name"))
    countries = StringField(_l("ISO country codes, separated by spaces"))
    remove = BooleanField(_l("Remove"))

    def validate_code(self, field):
        if self.remove.data:
            return
        _required(field)
        if not REGION_CODE.fullmatch(field.data.strip()):
            raise ValidationError(_l("Use up to 16 letters, digits and hyphens."))

    def validate_name(self, field):
        if not self.remove.data:
            _required(field)
            if len(field.data.strip()) > 160:
                raise ValidationError(_l("At most %(max)d characters.", max=160))

    def validate_countries(self, field):
        if self.remove.data:
            return
        known = set(country_codes())
        unknown = [code for code in _country_list(field.data) if code not in known]
        if unknown:
            raise ValidationError(_l("Unknown country codes %(codes)s.",
                                     codes=", ".join(unknown)))


def _row_id(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


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
    new_partners_only = BooleanField(
        _l("New partners only"), default=True,
        description=_l("Matching never pairs two people who were a pair in an earlier cycle "
                       "of this programme (the one it was copied from, and before)."))
    guidance = TextAreaField(
        _l("Guidance for pairs"), validators=[Length(max=10000)],
        description=_l("Sent to every mentor and mentee when their pair is announced."))
    languages = MultiCheckboxField(_l("Languages"),
                                   validators=[DataRequired(_l("Choose at least one language."))])
    default_locale = SelectField(_l("Default language"))
    #: The programme's topics, one row each with its id (only when editing).
    topic_rows = FieldList(FormField(TopicRowForm), label=_l("Topics"),
                           description=_l("A new name applies wherever the topic is used."))
    topics = TextAreaField(_l("Topics, one per line"))
    #: The programme's regions, one row each with its id (only when editing).
    region_rows = FieldList(FormField(RegionRowForm), label=_l("Regions"),
                            description=_l("A new code or name keeps the region's applicants "
                                           "and co-chairs."))
    regions = TextAreaField(
        _l("Regions, one per line"),
        description=_l("code | name | ISO country codes separated by spaces. "
                       "Leave empty for the six regional telecommunication organisations."))
    #: Shown when the admin removed something in use: she ticks each one to confirm.
    confirm_removal = MultiCheckboxField(_l("Remove even though it is in use"),
                                         validate_choice=False)
    submit = SubmitField(_l("Save programme"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = current_locale()
        self.languages.choices = options([(c, language_name(c, locale))
                                  for c in UN_LANGUAGES + OTHER_LANGUAGES])
        self.default_locale.choices = options([(c, language_name(c, locale)) for c in UN_LANGUAGES])
        self.confirm_removal.choices = []
        for field in (self.topics, self.regions):
            if not isinstance(field.data, str):  # the programme's rows, not typed text
                field.data = ""
        if kwargs.get("obj") is not None:
            self.topics.label.text = _l("New topics, one per line")
            self.regions.label.text = _l("New regions, one per line")
            self.regions.description = _l("code | name | ISO country codes separated by "
                                          "spaces.")
        self._name_rows()

    def load(self, programme: Programme) -> None:
        self.languages.data = programme.language_codes
        for topic in programme.topics:
            self.topic_rows.append_entry({"id": topic.id, "label": topic.label})
        for region in programme.regions:
            self.region_rows.append_entry({"id": region.id, "code": region.code,
                                           "name": region.name, "countries": region.countries})
        self._name_rows()

    def _name_rows(self) -> None:
        """Each "Remove" box says what it removes (one page has many)."""
        for entry in self.topic_rows:
            entry.form.remove.label.text = _l("Remove %(name)s", name=entry.form.label.data or "")
        for entry in self.region_rows:
            entry.form.remove.label.text = _l("Remove %(name)s", name=entry.form.code.data or "")

    def offer_removals(self, removals) -> None:
        """Offer to confirm each removal that applications, sessions or co-chairs use."""
        self.confirm_removal.choices = options(
            [(removal.key, removal_text(removal)) for removal in removals if removal.in_use])

    def validate_topics(self, field):
        labels = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if any(len(label) > 160 for label in labels):
            raise ValidationError(_l("A topic can have at most 160 characters."))
        if not labels and not self._kept(self.topic_rows):
            raise ValidationError(_l("Give at least one topic."))

    @staticmethod
    def _kept(rows):
        return [entry.form for entry in rows if not entry.form.remove.data]

    def validate_region_rows(self, field):
        seen: set[str] = set()
        twice: set[str] = set()
        for row in self._kept(field):
            codes = set(_country_list(row.countries.data))
            twice |= seen & codes
            seen |= codes
        if twice:
            raise ValidationError(_l("%(codes)s are in more than one region.",
                                     codes=", ".join(sorted(twice))))

    def parsed_regions(self, strict: bool = True) -> list[tuple[str, str, str]]:
        """The new regions typed in the text box (``strict``: a bad line raises)."""
        regions = []
        known = set(country_codes())
        seen = {code for row in self._kept(self.region_rows)
                for code in _country_list(row.countries.data)}
        for number, line in enumerate((self.regions.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 3 or not REGION_CODE.fullmatch(parts[0]) or not parts[1]:
                if not strict:
                    continue
                raise ValidationError(_l("Line %(line)d: write code | name | countries.",
                                         line=number))
            codes = _country_list(parts[2])
            unknown = [c for c in codes if c not in known]
            if unknown and strict:
                raise ValidationError(_l("Line %(line)d: unknown country codes %(codes)s.",
                                         line=number, codes=", ".join(unknown)))
            twice = seen.intersection(codes)
            if twice and strict:
                raise ValidationError(_l("Line %(line)d: %(codes)s are already in another "
                                         "region.", line=number, codes=", ".join(sorted(twice))))
            seen.update(codes)
            regions.append((parts[0].upper(), parts[1], " ".join(codes)))
        return regions

    def validate_regions(self, field):
        self.parsed_regions()

    def lists(self) -> dict:
        """Topics, regions and languages for the service: kept rows with their ids, in page
        order, then the new ones. Regions are None when the page has none at all (a new
        programme then gets the six regional organisations; an edit keeps its regions)."""
        topics = [TopicRow(row.label.data or "", _row_id(row.id.data))
                  for row in self._kept(self.topic_rows)]
        topics += [TopicRow(line) for line in (self.topics.data or "").splitlines()]
        regions = [RegionRow((row.code.data or "").strip().upper(), (row.name.data or "").strip(),
                             " ".join(_country_list(row.countries.data)), _row_id(row.id.data))
                   for row in self._kept(self.region_rows)]
        regions += [RegionRow(*region) for region in self.parsed_regions(strict=False)]
        if not regions and not self.region_rows.entries:
            regions = None
        return {"topics": topics, "regions": regions, "languages": self.languages.data or []}

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "name", "slug", "network", "description", "applications_open", "applications_close",
            "starts_on", "ends_on", "mentor_capacity_default", "mentor_capacity_max",
            "min_sessions_per_month", "default_locale", "guidance", "reminder_interval_days",
            "women_target_percent", "new_partners_only")} | {
            "description": self.description.data or "", "network": self.network.data or "",
            "guidance": self.guidance.data or "",
            "min_sessions_per_month": self.min_sessions_per_month.data or 0}


def removal_text(removal: Removal) -> str:
    """What removing a used topic, region or language would take away, in a few sentences."""
    if removal.kind == "topic":
        sentences = [_("Remove the topic %(name)s?", name=removal.name)]
        if removal.applications:
            sentences.append(ngettext("%(num)d application chose it.",
                                      "%(num)d applications chose it.", removal.applications))
        if removal.sessions:
            sentences.append(ngettext("It was discussed in %(num)d session.",
                                      "It was discussed in %(num)d sessions.", removal.sessions))
    elif removal.kind == "region":
        sentences = [_("Remove the region %(name)s?", name=removal.name)]
        if removal.applications:
            sentences.append(ngettext("%(num)d application is in it.",
                                      "%(num)d applications are in it.", removal.applications))
        if removal.co_chairs:
            sentences.append(ngettext("%(num)d regional co-chair loses the role.",
                                      "%(num)d regional co-chairs lose the role.",
                                      removal.co_chairs))
    else:
        sentences = [_("Remove the language %(name)s?",
                       name=language_name(removal.name, current_locale()))]
        sentences.append(ngettext("%(num)d application speaks it.",
                                  "%(num)d applications speak it.", removal.applications))
    if removal.quotas:
        sentences.append(ngettext("%(num)d matching quota names it and is deleted with it.",
                                  "%(num)d matching quotas name it and are deleted with it.",
                                  removal.quotas))
    return " ".join(sentences)


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


class RetryEmailsForm(FlaskForm):
    """The failed emails an admin sends again."""

    ids = SelectMultipleField(coerce=int, validate_choice=False, validators=[
        DataRequired(_l("Tick at least one email."))])
