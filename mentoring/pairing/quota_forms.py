"""The form of one quota: which pairs it counts and its bound. Choices come from the
programme's regions, languages and topics and the one gender definition; whether a rule is
valid is the engine's parser's to say (`services.quotas.save`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from ..data import language_name
from ..forms import options
from ..gender import LABELS, Gender
from ..locales import current_locale
from ..models import CrossRegion, Programme, QuotaUnit
from ..services.quotas import QuotaValues

SIDES = ("mentee", "mentor")
FILTERS = ("region", "gender", "language", "topic")


def _number(value):
    return int(value) if value not in (None, "") else 0


class QuotaForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=80)],
                       description=_l("How the pages and refusals name this quota, e.g. "
                                      "“Women mentors”."))
    mentee_region = SelectField(_l("Mentee's region"), coerce=_number)
    mentee_gender = SelectField(_l("Mentee's gender"))
    mentee_language = SelectField(_l("Mentee speaks"))
    mentee_topic = SelectField(_l("Mentee wants the topic"), coerce=_number)
    mentor_region = SelectField(_l("Mentor's region"), coerce=_number)
    mentor_gender = SelectField(_l("Mentor's gender"))
    mentor_language = SelectField(_l("Mentor speaks"))
    mentor_topic = SelectField(_l("Mentor offers the topic"), coerce=_number)
    cross_region = RadioField(_l("Regions of the two"), default=CrossRegion.ANY.value,
                              choices=options([
                                  (CrossRegion.ANY.value, _l("Any")),
                                  (CrossRegion.DIFFERENT.value, _l("Different regions")),
                                  (CrossRegion.SAME.value, _l("The same region"))]))
    bound = RadioField(_l("Bound"), default="at_least", choices=options([
        ("at_least", _l("At least")), ("at_most", _l("At most"))]))
    value = IntegerField(_l("Value"), validators=[Optional()])
    unit = RadioField(_l("Counted as"), default=QuotaUnit.COUNT.value, choices=options([
        (QuotaUnit.COUNT.value, _l("A number of pairs")),
        (QuotaUnit.PERCENT.value, _l("A percentage"))]))
    of = RadioField(_l("A percentage of"), default="pairs", choices=options([
        ("pairs", _l("All matched pairs")),
        ("group", _l("The accepted mentees who pass the mentee filters above"))]))
    submit = SubmitField(_l("Save quota"))

    def for_programme(self, programme: Programme) -> QuotaForm:
        """Offer the programme's own regions, languages and topics."""
        anyone = [(0, _l("Any"))]
        regions = anyone + [(r.id, r.code) for r in programme.regions]
        topics = anyone + [(t.id, t.display_label) for t in programme.topics]
        languages = [("", _l("Any"))] + [(code, language_name(code, current_locale()))
                                         for code in programme.language_codes]
        genders = [("", _l("Any"))] + [(g.value, LABELS[g]) for g in Gender]
        for side in SIDES:
            self[f"{side}_region"].choices = options(regions)
            self[f"{side}_topic"].choices = options(topics)
            self[f"{side}_language"].choices = options(languages)
            self[f"{side}_gender"].choices = options(genders)
        return self

    def fill(self, values: QuotaValues) -> None:
        """Show a stored quota's values."""
        self.name.data = values.name
        for side in SIDES:
            self[f"{side}_region"].data = getattr(values, f"{side}_region_id") or 0
            self[f"{side}_topic"].data = getattr(values, f"{side}_topic_id") or 0
            self[f"{side}_language"].data = getattr(values, f"{side}_language") or ""
            gender = getattr(values, f"{side}_gender")
            self[f"{side}_gender"].data = gender.value if gender else ""
        self.cross_region.data = values.cross_region.value
        self.bound.data = "at_least" if values.at_least else "at_most"
        self.value.data = values.value
        self.unit.data = values.unit.value
        self.of.data = "group" if values.of_group else "pairs"

    def values(self) -> QuotaValues:
        """The quota the form describes."""
        chosen = {}
        for side in SIDES:
            chosen[f"{side}_region_id"] = self[f"{side}_region"].data or None
            chosen[f"{side}_topic_id"] = self[f"{side}_topic"].data or None
            chosen[f"{side}_language"] = self[f"{side}_language"].data or ""
            gender = self[f"{side}_gender"].data
            chosen[f"{side}_gender"] = Gender(gender) if gender else None
        return QuotaValues(
            name=self.name.data or "", cross_region=CrossRegion(self.cross_region.data),
            at_least=self.bound.data != "at_most", value=self.value.data,
            unit=QuotaUnit(self.unit.data), of_group=self.of.data == "group", **chosen)
