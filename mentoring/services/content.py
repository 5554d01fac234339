"""Programme content in other languages: name, description, guidance, regions, topics, surveys,
and the title and description of each group activity.

The programme's own columns hold its default language; each other interface language has an
optional version, kept in the ``translations`` of the programme, region, topic and survey
question, and activity (``{"fr": {"title": ..., "description": ...}}``). An empty field means
"show the default language".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Activity, Programme, Region, Survey
from . import NotFound, Refused, audit
from . import surveys as survey_service
from .activities import DESCRIPTION_MAX, TITLE_MAX

#: Longest text per kind of field (as the default-language columns allow).
LIMITS = {"name": 160, "description": 5000, "guidance": 5000, "region": 160, "topic": 160,
          "question": 300, "activity_title": TITLE_MAX, "activity_description": DESCRIPTION_MAX}
#: Kinds kept with their line breaks; the others are one line.
MULTILINE = {"description", "guidance", "activity_description"}
#: An activity's fields, as its ``translations`` name them.
ACTIVITY_FIELDS = ("title", "description")


@dataclass
class Item:
    """One translatable text: its form key, the default-language original and the version."""

    key: str
    kind: str
    original: str
    value: str = ""


@dataclass
class Content:
    """Everything translatable in a programme, grouped as the page shows it."""

    locale: str
    general: list[Item] = field(default_factory=list)
    regions: list[Item] = field(default_factory=list)
    topics: list[Item] = field(default_factory=list)
    questions: dict[str, list[Item]] = field(default_factory=dict)
    #: Per activity (latest first), its title and description.
    activities: list[tuple[Activity, list[Item]]] = field(default_factory=list)

    def items(self) -> list[Item]:
        out = self.general + self.regions + self.topics
        for group in self.questions.values():
            out += group
        for _activity, group in self.activities:
            out += group
        return out


def target_locales(programme: Programme) -> list[str]:
    """The interface languages a coordinator can write the programme's content in."""
    return [code for code in current_app.config["LANGUAGES"] if code != programme.default_locale]


def _surveys(programme: Programme) -> dict[str, Survey]:
    return {kind: survey_service.survey_for(programme, kind) for kind in survey_service.KINDS}


def _activities(programme: Programme, region: Region | None) -> list[Activity]:
    query = select(Activity).where(Activity.programme_id == programme.id)
    if region is not None:  # a co-chair reads her region's and the programme-wide ones
        query = query.where(Activity.region_id.is_(None) | (Activity.region_id == region.id))
    return list(db.session.scalars(query.order_by(Activity.starts_at.desc(), Activity.id)))


def content(programme: Programme, locale: str, region: Region | None = None) -> Content:
    """The programme's texts with their current version in ``locale`` (for a co-chair's
    ``region``, of the activities she may read only)."""
    if locale not in target_locales(programme):
        raise NotFound(locale)
    out = Content(locale)
    version = programme.translations.get(locale) or {}
    for name in ("name", "description", "guidance"):
        out.general.append(Item(name, name, getattr(programme, name), version.get(name, "")))
    out.regions = [Item(f"region-{r.id}", "region", r.name, r.translations.get(locale, ""))
                   for r in programme.regions]
    out.topics = [Item(f"topic-{t.id}", "topic", t.label, t.translations.get(locale, ""))
                  for t in programme.topics]
    for kind, survey in _surveys(programme).items():
        out.questions[kind] = [
            Item(f"survey-{kind}-{index}", "question", q["text"],
                 (q.get("translations") or {}).get(locale, ""))
            for index, q in enumerate(survey.questions)]
    for activity in _activities(programme, region):
        version = (activity.translations or {}).get(locale) or {}
        out.activities.append((activity, [
            Item(f"activity-{activity.id}-{name}", f"activity_{name}", getattr(activity, name),
                 version.get(name, "") if isinstance(version, dict) else "")
            for name in ACTIVITY_FIELDS]))
    return out


def save(actor, programme: Programme, locale: str, values: dict[str, str]) -> Content:
    """Store the versions in ``locale`` (``values`` by form key; missing or blank = none).

    Raises Refused naming every field that is too long (`errors`); nothing is saved then.
    """
    texts = content(programme, locale)
    before = {item.key: item.value for item in texts.items() if item.value}
    too_long: dict[str, str] = {}
    for item in texts.items():
        raw = values.get(item.key, "")
        item.value = raw.strip() if item.kind in MULTILINE else " ".join(raw.split())
        if len(item.value) > LIMITS[item.kind]:
            too_long[item.key] = _("At most %(max)d characters.", max=LIMITS[item.kind])
    if too_long:
        first = next(iter(too_long))
        raise Refused(too_long[first], first, too_long)
    general = {item.key: item.value for item in texts.general if item.value}
    programme.translations = _with(programme.translations, locale, general or None)
    for region, item in zip(programme.regions, texts.regions, strict=True):
        region.translations = _with(region.translations, locale, item.value or None)
    for topic, item in zip(programme.topics, texts.topics, strict=True):
        topic.translations = _with(topic.translations, locale, item.value or None)
    for kind, survey in _surveys(programme).items():
        questions = []
        for question, item in zip(survey.questions, texts.questions[kind], strict=True):
            question = dict(question)
            question["translations"] = _with(question.get("translations") or {}, locale,
                                             item.value or None)
            questions.append(question)
        survey.questions = questions  # a new list, so the JSON column is written
        survey_service.stored(survey)
    for activity, items in texts.activities:
        version = {name: item.value for name, item in zip(ACTIVITY_FIELDS, items, strict=True)
                   if item.value}
        activity.translations = _with(activity.translations, locale, version or None)
    audit.record("programme.translations", actor=actor, programme=programme, target=programme,
                 before={"locale": locale, **before},
                 after={"locale": locale, **{i.key: i.value for i in texts.items() if i.value}})
    return texts


def _with(translations: dict | None, locale: str, value) -> dict:
    """A copy of ``translations`` with ``locale`` set to ``value`` (removed when None)."""
    out = dict(translations or {})
    if value is None:
        out.pop(locale, None)
    else:
        out[locale] = value
    return out
