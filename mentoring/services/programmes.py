"""Programmes: create, edit, move through their statuses, copy to a new cycle, coordinators."""

from __future__ import annotations

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
from . import ServiceError, audit
from .accounts import user_by_email

#: Settings copied to a new cycle and compared in the audit trail.
SETTINGS = (
    "name", "slug", "description", "network", "applications_open", "applications_close",
    "starts_on", "ends_on", "mentor_capacity_default", "mentor_capacity_max",
    "min_sessions_per_month", "default_locale", "guidance", "matching_rules",
    "reminder_interval_days", "women_target_percent",
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
        raise ServiceError(_("Another programme already uses this short name."), "slug")


def _check_settings(values: dict[str, Any]) -> None:
    if values["mentor_capacity_default"] > values["mentor_capacity_max"]:
        raise ServiceError(
            _("The default capacity cannot be above the maximum."), "mentor_capacity_default"
        )
    opens, closes = values.get("applications_open"), values.get("applications_close")
    if opens and closes and closes < opens:
        raise ServiceError(
            _("Applications cannot close before they open."), "applications_close"
        )
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts and ends and ends < starts:
        raise ServiceError(_("The programme cannot end before it starts."), "ends_on")


def _set_lists(
    programme: Programme,
    *,
    regions: list[tuple[str, str, str]],
    languages: list[str],
    topics: list[str],
) -> None:
    if not languages:
        raise ServiceError(_("Choose at least one language."), "languages")
    if not topics:
        raise ServiceError(_("Give at least one topic."), "topics")
    codes = [code for code, _name, _countries in regions]
    if len(set(codes)) != len(codes):
        raise ServiceError(_("Two regions have the same code."), "regions")
    # Keep rows whose key survives so applications keep pointing at them.
    by_code = {region.code: region for region in programme.regions}
    programme.regions = []
    for position, (code, name, countries) in enumerate(regions):
        region = by_code.get(code) or Region(code=code)
        region.name, region.position, region.countries = name, position, countries
        programme.regions.append(region)
    by_language = {language.code: language for language in programme.languages}
    programme.languages = []
    for position, code in enumerate(dict.fromkeys(languages)):
        language = by_language.get(code) or ProgrammeLanguage(code=code)
        language.position = position
        programme.languages.append(language)
    by_label = {topic.label: topic for topic in programme.topics}
    programme.topics = []
    for position, label in enumerate(dict.fromkeys(t.strip() for t in topics if t.strip())):
        topic = by_label.get(label) or Topic(label=label)
        topic.position = position
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


def update(actor, programme: Programme, *, regions=None, languages, topics, **values) -> None:
    """Save an admin's edits to a programme's settings and lists."""
    _check_slug(values["slug"], programme)
    _check_settings(values)
    before = snapshot(programme)
    for name, value in values.items():
        setattr(programme, name, value)
    _set_lists(
        programme,
        regions=regions
        if regions is not None
        else [(r.code, r.name, r.countries) for r in programme.regions],
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
        raise ServiceError(
            _("A programme in status %(current)s cannot move to %(target)s.",
              current=status_label(programme.status), target=status_label(status))
        )
    from ..models import Pairing, PairingStatus

    if status == ProgrammeStatus.CLOSED:
        waiting = db.session.scalar(select(func.count()).select_from(Pairing).where(
            Pairing.programme_id == programme.id, Pairing.status == PairingStatus.APPROVED))
        if waiting:
            # They were never told: closing would leave them in limbo.
            raise ServiceError(ngettext(
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
        raise ServiceError(
            _("No account uses this email address. Ask the person to register first."), "email"
        )
    region = None
    if region_id:
        region = db.session.get(Region, region_id)
        if region is None or region.programme_id != programme.id:
            raise ServiceError(_("Choose a region of this programme."), "region")
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
        raise ServiceError(_("This coordinator is not on this programme."))
    audit.record("coordinator.remove", actor=actor, programme=programme, target=role,
                 before={"user": role.user.email})
    db.session.delete(role)
    db.session.flush()
