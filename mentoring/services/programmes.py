"""Programmes: create, edit, move through their statuses, copy to a new cycle, coordinators."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ..data import REGIONAL_ORGANISATIONS, UN_LANGUAGES
from ..extensions import db
from ..labels import programme_status_label as status_label
from ..models import (
    STATUS_ORDER,
    Coordinator,
    Programme,
    ProgrammeLanguage,
    ProgrammeStatus,
    Region,
    Topic,
)
from . import Refused, audit
from .accounts import user_by_email

#: Settings copied to a new cycle and compared in the audit trail.
SETTINGS = (
    "name", "slug", "description", "network", "applications_open", "applications_close",
    "starts_on", "ends_on", "mentor_capacity_default", "mentor_capacity_max",
    "min_sessions_per_month", "default_locale", "guidance", "matching_rules",
    "matching_objective", "reminder_interval_days", "women_target_percent", "new_partners_only",
)


def snapshot(programme: Programme) -> dict[str, Any]:
    """The programme's settings as plain JSON values (for the audit trail)."""
    values: dict[str, Any] = {}
    for name in SETTINGS:
        value = getattr(programme, name)
        values[name] = value.isoformat() if isinstance(value, date) else value
    values["status"] = str(programme.status)
    values["regions"] = [region.code for region in programme.regions]
    values["languages"] = programme.language_codes
    values["topics"] = [topic.label for topic in programme.topics]
    return values


def default_regions() -> list[tuple[str, str, str]]:
    """The six regional telecommunication organisations with their countries."""
    return list(REGIONAL_ORGANISATIONS)


def _check_slug(slug: str, programme: Programme | None = None) -> None:
    existing = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if existing is not None and existing is not programme:
        raise Refused(_("Another programme already uses this short name."), "slug")


def _check_settings(values: dict[str, Any]) -> None:
    if values["mentor_capacity_default"] > values["mentor_capacity_max"]:
        raise Refused(
            _("The default capacity cannot be above the maximum."), "mentor_capacity_default"
        )
    opens, closes = values.get("applications_open"), values.get("applications_close")
    if opens and closes and closes < opens:
        raise Refused(
            _("Applications cannot close before they open."), "applications_close"
        )
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts and ends and ends < starts:
        raise Refused(_("The programme cannot end before it starts."), "ends_on")


@dataclass
class TopicRow:
    """A topic as the admin's form leaves it; ``id`` is None for a new one."""

    label: str
    id: int | None = None


@dataclass
class RegionRow:
    """A region as the admin's form leaves it; ``id`` is None for a new one."""

    code: str
    name: str
    countries: str
    id: int | None = None


@dataclass
class Removal:
    """A topic, region or language an edit takes off the programme, and what uses it."""

    #: "topic-<id>", "region-<id>" or "language-<code>": what the admin ticks to confirm.
    key: str
    kind: str
    name: str
    applications: int = 0
    sessions: int = 0
    co_chairs: int = 0
    #: Quotas that name it, deleted with it (`services.quotas`).
    quotas: int = 0

    @property
    def in_use(self) -> bool:
        return bool(self.applications or self.sessions or self.co_chairs or self.quotas)


def _topic_rows(topics) -> list[TopicRow]:
    rows = [t if isinstance(t, TopicRow) else TopicRow(label=t) for t in topics]
    return [TopicRow(row.label.strip(), row.id) for row in rows if row.label.strip()]


def _region_rows(regions) -> list[RegionRow]:
    return [r if isinstance(r, RegionRow) else RegionRow(*r) for r in regions]


def _plan(existing: list, rows: list, key: str, kind: str) -> tuple[list, list]:
    """Pair each row with the existing item it keeps (by id; a row without one takes an
    unclaimed item with the same ``key``, so a pasted list keeps its links), drop repeated
    new rows, and list the existing items no row keeps."""
    by_id = {item.id: item for item in existing}
    # An id not (or no longer) on this programme makes a new item.
    rows = [row if row.id in by_id else replace(row, id=None) for row in rows]
    claimed = {row.id for row in rows if row.id is not None}
    by_key = {getattr(item, key): item for item in existing if item.id not in claimed}
    value = (lambda row: row.label) if kind == "topic" else (lambda row: row.code)
    seen = {value(row) for row in rows if row.id is not None}
    planned = []
    for row in rows:
        if row.id is None:
            if value(row) in seen:
                continue
            seen.add(value(row))
        item = by_id[row.id] if row.id is not None else by_key.pop(value(row), None)
        planned.append((item, row))
    kept = {id(item) for item, _row in planned if item is not None}
    return planned, [item for item in existing if id(item) not in kept]


def removals(programme: Programme, *, topics=None, regions=None, languages=None
             ) -> list[Removal]:
    """What saving these lists would take off the programme, with the applications,
    sessions and regional co-chairs that use each (one GROUP BY query per kind)."""
    from ..models import Enrolment, EnrolmentLanguage, EnrolmentTopic, MeetingTopic

    out: list[Removal] = []
    if topics is not None:
        _planned, gone = _plan(list(programme.topics), _topic_rows(topics), "label", "topic")
        ids = [topic.id for topic in gone]
        chosen = _counts(select(EnrolmentTopic.topic_id, func.count())
                         .where(EnrolmentTopic.topic_id.in_(ids))
                         .group_by(EnrolmentTopic.topic_id))
        discussed = _counts(select(MeetingTopic.topic_id, func.count())
                            .where(MeetingTopic.topic_id.in_(ids))
                            .group_by(MeetingTopic.topic_id))
        named = _quotas_naming(ids, "topic")
        out += [Removal(f"topic-{t.id}", "topic", t.label, chosen.get(t.id, 0),
                        sessions=discussed.get(t.id, 0), quotas=named.get(t.id, 0))
                for t in gone]
    if regions is not None:
        _planned, gone = _plan(list(programme.regions), _region_rows(regions), "code",
                               "region")
        ids = [region.id for region in gone]
        members = _counts(select(Enrolment.region_id, func.count())
                          .where(Enrolment.region_id.in_(ids)).group_by(Enrolment.region_id))
        chairs = _counts(select(Coordinator.region_id, func.count())
                         .where(Coordinator.region_id.in_(ids))
                         .group_by(Coordinator.region_id))
        named = _quotas_naming(ids, "region")
        out += [Removal(f"region-{r.id}", "region", r.code, members.get(r.id, 0),
                        co_chairs=chairs.get(r.id, 0), quotas=named.get(r.id, 0))
                for r in gone]
    if languages is not None:
        gone_codes = [code for code in programme.language_codes if code not in languages]
        speakers = _counts(select(EnrolmentLanguage.code, func.count())
                           .join(Enrolment, Enrolment.id == EnrolmentLanguage.enrolment_id)
                           .where(Enrolment.programme_id == programme.id,
                                  EnrolmentLanguage.code.in_(gone_codes))
                           .group_by(EnrolmentLanguage.code))
        out += [Removal(f"language-{code}", "language", code, speakers.get(code, 0))
                for code in gone_codes]
    return out


def _quotas_naming(ids: list[int], kind: str) -> dict[int, int]:
    """Per region (or topic) id, how many quotas name it on either side."""
    from ..models import MatchingQuota

    counts: dict[int, int] = {}
    for side in ("mentee", "mentor"):
        column = getattr(MatchingQuota, f"{side}_{kind}_id")
        for key, count in _counts(select(column, func.count()).where(column.in_(ids))
                                  .group_by(column)).items():
            counts[key] = counts.get(key, 0) + count
    return counts


def _counts(query) -> dict:
    return dict(db.session.execute(query).all())


def _rename(planned: list, attribute: str, value) -> None:
    """Give kept rows their new names. Names are unique in a programme, so renamed rows
    first take a placeholder: two topics may swap their labels in one save."""
    renamed = [(item, row) for item, row in planned
               if item is not None and getattr(item, attribute) != value(row)]
    if not renamed:
        return
    for item, _row in renamed:
        setattr(item, attribute, f"~{item.id}")
    db.session.flush()
    for item, row in renamed:
        setattr(item, attribute, value(row))


def _set_lists(
    programme: Programme,
    *,
    regions,
    languages: list[str],
    topics,
) -> None:
    """Set the programme's regions, languages and topics in the given order. Rows keep the
    existing item they name by id, so a renamed topic or region keeps its applications,
    sessions, co-chairs and versions in other languages."""
    topic_rows = _topic_rows(topics)
    region_rows = _region_rows(regions)
    if not languages:
        raise Refused(_("Choose at least one language."), "languages")
    if not topic_rows:
        raise Refused(_("Give at least one topic."), "topics")
    codes = [row.code for row in region_rows]
    if len(set(codes)) != len(codes):
        raise Refused(_("Two regions have the same code."), "regions")
    kept_labels = [row.label for row in topic_rows if row.id is not None]
    if len(set(kept_labels)) != len(kept_labels):
        raise Refused(_("Two topics have the same name."), "topics")

    planned_regions, _gone = _plan(list(programme.regions), region_rows, "code", "region")
    planned_topics, _gone = _plan(list(programme.topics), topic_rows, "label", "topic")
    if programme.id is not None:
        _rename(planned_regions, "code", lambda row: row.code)
        _rename(planned_topics, "label", lambda row: row.label)

    programme.regions = []
    for position, (region, row) in enumerate(planned_regions):
        region = region or Region(code=row.code)
        region.code, region.name = row.code, row.name
        region.position, region.countries = position, row.countries
        programme.regions.append(region)
    by_language = {language.code: language for language in programme.languages}
    programme.languages = []
    for position, code in enumerate(dict.fromkeys(languages)):
        language = by_language.get(code) or ProgrammeLanguage(code=code)
        language.position = position
        programme.languages.append(language)
    programme.topics = []
    for position, (topic, row) in enumerate(planned_topics):
        topic = topic or Topic(label=row.label)
        topic.label, topic.position = row.label, position
        programme.topics.append(topic)


def create(actor, *, regions=None, languages=None, topics: list[str], **values) -> Programme:
    """A new programme in draft status; regions and languages default to the ITU ones."""
    _check_slug(values["slug"])
    _check_settings(values)
    programme = Programme(**values)
    db.session.add(programme)
    _set_lists(
        programme,
        regions=regions if regions is not None else default_regions(),
        languages=languages if languages is not None else list(UN_LANGUAGES),
        topics=topics,
    )
    db.session.flush()
    audit.record("programme.create", actor=actor, programme=programme, target=programme,
                 after=snapshot(programme))
    return programme


def update(actor, programme: Programme, *, regions=None, languages, topics,
           confirmed: Collection[str] = (), **values) -> None:
    """Save an admin's edits to a programme's settings and lists.

    ``topics`` and ``regions`` are rows (``TopicRow``, ``RegionRow``) naming what they keep by
    id; ``regions=None`` keeps the current ones. A topic, region or language that applications,
    sessions or co-chairs use is removed only when its ``Removal.key`` is in ``confirmed``."""
    _check_slug(values["slug"], programme)
    _check_settings(values)
    unconfirmed = [removal for removal in removals(
        programme, topics=topics, regions=regions, languages=languages)
        if removal.in_use and removal.key not in confirmed]
    if unconfirmed:
        raise Refused(_("Some of what you removed is still in use. Tick each one below "
                             "that you want to remove anyway, then save again."),
                           "confirm_removal")
    before = snapshot(programme)
    for name, value in values.items():
        setattr(programme, name, value)
    _set_lists(
        programme,
        regions=regions
        if regions is not None
        else [RegionRow(r.code, r.name, r.countries, r.id) for r in programme.regions],
        languages=languages,
        topics=topics,
    )
    db.session.flush()
    audit.record("programme.update", actor=actor, programme=programme, target=programme,
                 before=before, after=snapshot(programme))


def allowed_statuses(programme: Programme) -> list[ProgrammeStatus]:
    """The statuses a programme can move to now: the next one, or back one step."""
    index = STATUS_ORDER.index(programme.status)
    moves = []
    if index > 0:
        moves.append(STATUS_ORDER[index - 1])
    if index + 1 < len(STATUS_ORDER):
        moves.append(STATUS_ORDER[index + 1])
    return moves


def set_status(actor, programme: Programme, status: ProgrammeStatus) -> None:
    if status not in allowed_statuses(programme):
        raise Refused(
            _("A programme in status %(current)s cannot move to %(target)s.",
              current=status_label(programme.status), target=status_label(status))
        )
    from ..models import Pairing, PairingStatus

    if status == ProgrammeStatus.CLOSED:
        waiting = db.session.scalar(select(func.count()).select_from(Pairing).where(
            Pairing.programme_id == programme.id, Pairing.status == PairingStatus.APPROVED))
        if waiting:
            # They were never told: closing would leave them in limbo.
            raise Refused(ngettext(
                "%(num)d approved pair has not been announced: announce or reject it before "
                "closing the programme.",
                "%(num)d approved pairs have not been announced: announce or reject them before "
                "closing the programme.", waiting))
    before = str(programme.status)
    programme.status = status
    if status == ProgrammeStatus.CLOSED:
        # The programme's end completes every pair still at work.
        from .meetings import complete

        for pairing in db.session.scalars(select(Pairing).where(
                Pairing.programme_id == programme.id, Pairing.status == PairingStatus.ACTIVE)):
            complete(actor, pairing, coordinator=True)
    audit.record("programme.status", actor=actor, programme=programme, target=programme,
                 before={"status": before}, after={"status": str(status)})


def copy_to_new_cycle(actor, programme: Programme, *, name: str, slug: str) -> Programme:
    """A new draft programme with the same settings, regions, languages and topics (with their
    versions in other languages); no people."""
    values = {field: getattr(programme, field) for field in SETTINGS}
    values.update(name=name, slug=slug)
    # Dates belong to the old cycle; the admin sets the new ones.
    for field in ("applications_open", "applications_close", "starts_on", "ends_on"):
        values[field] = None
    copy = create(
        actor,
        regions=[(r.code, r.name, r.countries) for r in programme.regions],
        languages=programme.language_codes,
        topics=[topic.label for topic in programme.topics],
        **values,
    )
    copy.previous_id = programme.id
    # Content in other languages comes along, except the name: the new cycle has a new one.
    kept = {locale: {k: v for k, v in texts.items() if k != "name"}
            for locale, texts in programme.translations.items()}
    copy.translations = {locale: texts for locale, texts in kept.items() if texts}
    regions = {region.code: region for region in programme.regions}
    for region in copy.regions:
        if region.code in regions:
            region.translations = dict(regions[region.code].translations)
    topics = {topic.label: topic for topic in programme.topics}
    for topic in copy.topics:
        if topic.label in topics:
            topic.translations = dict(topics[topic.label].translations)
    audit.record("programme.copy", actor=actor, programme=copy, target=copy,
                 before={"from": programme.slug})
    return copy


def assign_coordinator(actor, programme: Programme, email: str, region_id: int | None):
    """Make an existing user a coordinator of the programme (or of one of its regions)."""
    user = user_by_email(email)
    if user is None:
        raise Refused(
            _("No account uses this email address. Ask the person to register first."), "email"
        )
    if not user.is_verified:
        # Rights go only to an address its owner has proven to hold.
        raise Refused(_("This person has not confirmed this email address yet: ask them to "
                        "open the link we sent them, then try again."), "email")
    region = None
    if region_id:
        region = db.session.get(Region, region_id)
        if region is None or region.programme_id != programme.id:
            raise Refused(_("Choose a region of this programme."), "region")
    role = db.session.scalar(
        select(Coordinator).where(
            Coordinator.programme_id == programme.id, Coordinator.user_id == user.id
        )
    )
    if role is None:
        role = Coordinator(programme=programme, user=user)
        db.session.add(role)
    role.region = region
    db.session.flush()
    audit.record("coordinator.assign", actor=actor, programme=programme, target=role,
                 after={"user": user.email, "region": region.code if region else None})
    return role


def remove_coordinator(actor, programme: Programme, coordinator_id: int) -> None:
    role = db.session.get(Coordinator, coordinator_id)
    if role is None or role.programme_id != programme.id:
        raise Refused(_("This coordinator is not on this programme."))
    audit.record("coordinator.remove", actor=actor, programme=programme, target=role,
                 before={"user": role.user.email})
    db.session.delete(role)
    db.session.flush()
