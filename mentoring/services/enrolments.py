"""Applications: apply, edit, withdraw, and coordinators' decisions."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, and_, bindparam, func, literal, or_, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..data import country_codes, timezones
from ..extensions import db
from ..gender import SELF_DESCRIBED_MAX, Gender
from ..models import (
    DECISIONS,
    Enrolment,
    EnrolmentLanguage,
    EnrolmentStatus,
    EnrolmentTopic,
    Programme,
    Region,
    RegionPreference,
    Role,
    Topic,
    User,
)
from ..models._types import utcnow
from . import Forbidden, Refused, audit, mail, outcomes, revision_cache
from .links import external_url
from .scope import Scope
from .text import text_problem

#: The code of these figures (part of their cached key).
_CODE = revision_cache.code_of(sys.modules[__name__])

#: The longest answer each free-text field keeps: the form's, the import's and the database's.
TEXT_LIMITS = {"organisation": 200, "itu_meetings": 2000, "goals": 4000,
               "gender_self_described": SELF_DESCRIBED_MAX, "bio": 500}
_MULTILINE = ("itu_meetings", "goals", "bio")
YEARS_MAX = 80


@dataclass
class Application:
    """What a delegate tells a programme, whether from the form or from an import."""

    country: str
    languages: list[str]
    topic_ids: list[int]
    timezone: str = "UTC"
    organisation: str = ""
    years_experience: int = 0
    itu_meetings: str = ""
    goals: str = ""
    capacity: int | None = None
    region_preference: RegionPreference = RegionPreference.NONE
    wants_woman_mentor: bool = False
    gender: Gender | None = None
    #: The person's own words, kept only when `gender` is self-described.
    gender_self_described: str = ""
    #: Only used when the programme does not map the country to a region.
    region_id: int | None = None
    #: A mentor lets mentees see her and ask for her (`services.wishes`), with a short bio.
    listed: bool = False
    bio: str = ""
    #: Her roles at the programme's ITU meetings before it, as (meeting id, role), given on
    #: the form (`services.outcomes`); None where not asked (an import), which keeps them.
    itu_baseline: list[tuple[int, str]] | None = None


def snapshot(enrolment: Enrolment) -> dict:
    return {
        "status": str(enrolment.status),
        "country": enrolment.country,
        "region": enrolment.region.code if enrolment.region else None,
        "organisation": enrolment.organisation,
        "languages": enrolment.language_codes,
        "topics": [link.topic_id for link in enrolment.topics],
        "years_experience": enrolment.years_experience,
        "timezone": enrolment.timezone,
        "capacity": enrolment.capacity,
        "listed": enrolment.listed,
    }


def field_problem(name: str, value: str) -> str | None:
    """Why one free-text answer of an application cannot be kept (translated), or None."""
    return text_problem(value, TEXT_LIMITS[name], multiline=name in _MULTILINE)


def years_problem(years: int | None) -> str | None:
    if years is None or not 0 <= years <= YEARS_MAX:
        return _("Years of experience must be between 0 and 80.")
    return None


def capacity_problem(programme: Programme, capacity: int | None) -> str | None:
    if capacity is None or not 1 <= capacity <= programme.mentor_capacity_max:
        return _("A mentor can take between 1 and %(max)d mentees in this programme.",
                 max=programme.mentor_capacity_max)
    return None


def gender_problem(gender: Gender | None, self_described: str) -> str | None:
    if gender == Gender.SELF_DESCRIBED and not self_described.strip():
        return _("Describe your gender in your own words, or choose another answer.")
    return None


def application_problems(programme: Programme, role: Role, data: Application) -> dict[str, str]:
    """Everything wrong with an application, field by field (translated): the one set of rules
    the form, the CSV import and `apply`/`update` follow. Empty when it can be saved."""
    problems: dict[str, str | None] = {}
    problems["country"] = (None if data.country in country_codes()
                           else _("Choose a country from the list."))
    region = programme.region_for_country(data.country)
    if region is None and data.region_id is not None and data.region_id not in {
        r.id for r in programme.regions
    }:
        problems["region_id"] = _("Choose one of the programme's regions.")
    problems["organisation"] = field_problem("organisation", data.organisation)
    problems["timezone"] = (None if data.timezone in timezones()
                            else _("Choose a time zone from the list."))
    unknown = set(data.languages) - set(programme.language_codes)
    if not data.languages or unknown:
        problems["languages"] = _("Choose at least one of the programme's languages.")
    topic_ids = {topic.id for topic in programme.topics}
    if not data.topic_ids or set(data.topic_ids) - topic_ids:
        problems["topics"] = _("Choose at least one of the programme's topics.")
    elif len(set(data.topic_ids)) != len(data.topic_ids):
        problems["topics"] = _("Each topic can be chosen only once.")
    problems["years_experience"] = years_problem(data.years_experience)
    if role == Role.MENTOR:
        problems["capacity"] = capacity_problem(programme, data.capacity)
    problems["itu_meetings"] = field_problem("itu_meetings", data.itu_meetings)
    problems["goals"] = field_problem("goals", data.goals)
    problems["bio"] = field_problem("bio", data.bio)
    if data.itu_baseline is not None:
        problems["itu_baseline"] = outcomes.baseline_problem(programme, data.itu_baseline,
                                                             utcnow().date())
    problems["gender_self_described"] = (
        gender_problem(data.gender, data.gender_self_described)
        or field_problem("gender_self_described", data.gender_self_described))
    return {field: problem for field, problem in problems.items() if problem}


def _validate(programme: Programme, role: Role, data: Application) -> None:
    problems = application_problems(programme, role, data)
    if problems:
        field, message = next(iter(problems.items()))
        raise Refused(message, field, errors=problems)


def _fill(enrolment: Enrolment, programme: Programme, data: Application) -> None:
    region = programme.region_for_country(data.country)
    enrolment.country = data.country
    enrolment.region_id = region.id if region else data.region_id
    enrolment.organisation = data.organisation.strip()
    enrolment.years_experience = data.years_experience
    enrolment.itu_meetings = data.itu_meetings.strip()
    enrolment.timezone = data.timezone
    enrolment.goals = data.goals.strip()
    if enrolment.role == Role.MENTOR:
        enrolment.capacity = data.capacity
        enrolment.listed, enrolment.bio = data.listed, data.bio.strip()
        enrolment.region_preference = RegionPreference.NONE
        enrolment.wants_woman_mentor = False
    else:
        enrolment.capacity = None
        enrolment.region_preference = data.region_preference
        enrolment.wants_woman_mentor = data.wants_woman_mentor
    enrolment.gender = data.gender
    enrolment.gender_self_described = (
        data.gender_self_described.strip() if data.gender == Gender.SELF_DESCRIBED else "")
    enrolment.languages = [EnrolmentLanguage(code=code) for code in dict.fromkeys(data.languages)]
    existing = {link.topic_id: link for link in enrolment.topics}
    links = []
    for rank, topic_id in enumerate(data.topic_ids, start=1):
        link = existing.get(topic_id) or EnrolmentTopic(topic_id=topic_id)
        link.rank = rank
        links.append(link)
    enrolment.topics = links


def existing_enrolment(programme: Programme, user: User, role: Role) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.programme_id == programme.id,
            Enrolment.user_id == user.id,
            Enrolment.role == role,
        )
    )


def apply(user: User, programme: Programme, role: Role, data: Application, *,
          source: str = "form") -> Enrolment:
    """Submit an application; one per person, programme and role (held by the database too)."""
    if source == "form" and not programme.accepts_applications():
        raise Refused(_("This programme is not taking applications."))
    if existing_enrolment(programme, user, role) is not None:
        raise Refused(already_applied_message(role))
    _validate(programme, role, data)
    enrolment = Enrolment(programme=programme, user=user, role=role, source=source,
                          consent_at=utcnow())
    _fill(enrolment, programme, data)
    db.session.add(enrolment)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        # Two submissions at once: the unique constraint keeps the second out.
        raise Refused(already_applied_message(role)) from error
    audit.record("enrolment.apply", actor=user, programme=programme, target=enrolment,
                 after=snapshot(enrolment))
    if data.itu_baseline is not None:
        outcomes.set_baseline(enrolment, data.itu_baseline)
    return enrolment


def already_applied_message(role: Role) -> str:
    if role == Role.MENTOR:
        return _("You have already applied to this programme as a mentor.")
    return _("You have already applied to this programme as a mentee.")


def update(user: User, enrolment: Enrolment, data: Application) -> None:
    """The applicant edits her application while it is waiting for a decision."""
    if not enrolment.is_editable:
        raise Refused(_("This application can no longer be changed."))
    _validate(enrolment.programme, enrolment.role, data)
    before = snapshot(enrolment)
    _fill(enrolment, enrolment.programme, data)
    db.session.flush()
    audit.record("enrolment.update", actor=user, programme=enrolment.programme, target=enrolment,
                 before=before, after=snapshot(enrolment))
    if data.itu_baseline is not None:
        outcomes.set_baseline(enrolment, data.itu_baseline)


def withdraw(user: User, enrolment: Enrolment) -> None:
    if not enrolment.can_withdraw:
        raise Refused(_("This application is already withdrawn."))
    before = str(enrolment.status)
    enrolment.status = EnrolmentStatus.WITHDRAWN
    audit.record("enrolment.withdraw", actor=user, programme=enrolment.programme,
                 target=enrolment, before={"status": before}, after={"status": "withdrawn"})


def check_can_decide(scope: Scope, enrolment_ids: list[int], status: EnrolmentStatus, *,
                     for_update: bool = False) -> list[Enrolment]:
    """The applications to decide, in id order: Forbidden when one is not in the scope,
    Refused for a decision that is not one or a withdrawn application."""
    if status not in DECISIONS:
        raise Refused(_("Choose accept, waitlist or decline."))
    if not enrolment_ids:
        raise Refused(_("Select at least one application."))
    query = select(Enrolment).where(Enrolment.id.in_(set(enrolment_ids))).order_by(Enrolment.id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    enrolments = db.session.scalars(query).all()
    if len(enrolments) != len(set(enrolment_ids)) or not all(scope.covers(e) for e in enrolments):
        raise Forbidden("outside scope")
    if any(e.status == EnrolmentStatus.WITHDRAWN for e in enrolments):
        raise Refused(_("A withdrawn application cannot be decided."))
    return enrolments


def decide(actor: User, scope: Scope, enrolment_ids: list[int], status: EnrolmentStatus,
           message: str = "") -> list[Enrolment]:
    """Accept, waitlist or decline applications in the coordinator's scope; email each person.

    All or nothing: one application outside the scope, or withdrawn, refuses the whole batch.
    Each is locked first, so a decision made twice at once emails each person once.
    """
    enrolments = check_can_decide(scope, enrolment_ids, status, for_update=True)
    now = utcnow()
    changed = []
    for enrolment in enrolments:
        if enrolment.status == status and enrolment.decision_message == message.strip():
            continue  # a second click of the same decision sends nothing twice
        before = str(enrolment.status)
        enrolment.status = status
        enrolment.decision_message = message.strip()
        enrolment.decided_at = now
        enrolment.decided_by_id = actor.id
        audit.record("enrolment.decide", actor=actor, programme=scope.programme,
                     target=enrolment, before={"status": before},
                     after={"status": str(status), "message": enrolment.decision_message})
        mail.queue_template(enrolment.user, "decision", kind="decision",
                            link=external_url("enrolment.my_programmes"),
                            locale=scope.programme.default_locale, enrolment=enrolment,
                            programme=scope.programme, status=str(status),
                            message=enrolment.decision_message)
        changed.append(enrolment)
    db.session.flush()
    return changed


@dataclass
class Filters:
    role: str = ""
    status: str = ""
    region_id: int | None = None
    topic_id: int | None = None
    q: str = ""


def applications_query(scope: Scope, filters: Filters) -> Select:
    """Applications in the coordinator's scope matching the filters, newest first."""
    query = select(Enrolment).where(Enrolment.programme_id == scope.programme.id)
    if scope.region is not None:
        query = query.where(Enrolment.region_id == scope.region.id)
    if filters.role in {r.value for r in Role}:
        query = query.where(Enrolment.role == Role(filters.role))
    if filters.status in {s.value for s in EnrolmentStatus}:
        query = query.where(Enrolment.status == EnrolmentStatus(filters.status))
    if filters.region_id:
        query = query.where(Enrolment.region_id == filters.region_id)
    if filters.topic_id:
        query = query.where(
            Enrolment.id.in_(
                select(EnrolmentTopic.enrolment_id).where(
                    EnrolmentTopic.topic_id == filters.topic_id
                )
            )
        )
    if filters.q.strip():
        needle = "%" + filters.q.strip().lower().replace("%", r"\%").replace("_", r"\_") + "%"
        # The person is joined only to search her name or address: a page's keys are
        # sorted over the applications alone.
        query = query.join(User, Enrolment.user_id == User.id).where(
            or_(
                func.lower(User.name).like(needle, escape="\\"),
                func.lower(User.email).like(needle, escape="\\"),
            )
        )
    return query.order_by(Enrolment.created_at.desc(), Enrolment.id.desc())


def neighbours(scope: Scope, filters: Filters, enrolment: Enrolment
               ) -> tuple[int | None, int | None]:
    """The ids of the applications just before and just after ``enrolment`` in the list's
    order (newest first) with these filters: two one-row queries at any size. The
    application itself need not match the filters (a decision may have moved it out)."""
    ids = applications_query(scope, filters).order_by(None).with_only_columns(Enrolment.id)
    at, own = enrolment.created_at, enrolment.id
    newer = or_(Enrolment.created_at > at, and_(Enrolment.created_at == at, Enrolment.id > own))
    older = or_(Enrolment.created_at < at, and_(Enrolment.created_at == at, Enrolment.id < own))
    before = db.session.scalar(ids.where(newer).order_by(
        Enrolment.created_at.asc(), Enrolment.id.asc()).limit(1))
    after = db.session.scalar(ids.where(older).order_by(
        Enrolment.created_at.desc(), Enrolment.id.desc()).limit(1))
    return before, after


def with_details(query: Select) -> Select:
    """Load each application's person, region, languages and topics in a fixed number of queries."""
    return query.options(
        joinedload(Enrolment.user),
        joinedload(Enrolment.region),
        selectinload(Enrolment.languages),
        selectinload(Enrolment.topics),
    )


def listed(query: Select) -> Select:
    """The applications list's rows as plain columns (no model objects to build): the
    application's own (``id``, ``role``, ``status``, ``country``, ``years_experience``), the
    applicant's ``name`` and ``email`` and the ``region``'s code (None without one), for the
    applications ``query`` selects (its WHERE clause: the page's keys); not her own words
    (goals, messages), which cost more to read than the rest of the row. Her languages and
    topics come from :func:`languages_and_topics`."""
    return _LISTED.where(query.whereclause)


#: Built once, as the query of :func:`languages_and_topics`.
_LISTED = (select(Enrolment.id, Enrolment.role, Enrolment.status, Enrolment.country,
                  Enrolment.years_experience, User.name, User.email,
                  Region.code.label("region"))
           .select_from(Enrolment).join(User, Enrolment.user_id == User.id)
           .outerjoin(Region, Enrolment.region_id == Region.id))


#: Built once (the page's ids are bound when it runs): building a UNION costs more than
#: reading its rows.
_LANGUAGES_AND_TOPICS = union_all(
    select(literal(0).label("kind"), EnrolmentLanguage.enrolment_id, literal(0).label("rank"),
           EnrolmentLanguage.code.label("text"))
    .where(EnrolmentLanguage.enrolment_id.in_(bindparam("ids", expanding=True))),
    select(literal(1), EnrolmentTopic.enrolment_id, EnrolmentTopic.rank, Topic.label)
    .join(Topic, EnrolmentTopic.topic_id == Topic.id)
    .where(EnrolmentTopic.enrolment_id.in_(bindparam("ids", expanding=True))),
).order_by("kind", "enrolment_id", "rank", "text")


def languages_and_topics(enrolment_ids: list[int]
                         ) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Each application's language codes (alphabetical, as ``Enrolment.language_codes``)
    and topic labels (by rank, as ``Enrolment.topic_labels``), in one query for a page."""
    languages: dict[int, list[str]] = {i: [] for i in enrolment_ids}
    topics: dict[int, list[str]] = {i: [] for i in enrolment_ids}
    if not enrolment_ids:
        return languages, topics
    for kind, enrolment_id, _rank, text in db.session.execute(
            _LANGUAGES_AND_TOPICS, {"ids": enrolment_ids}):
        (topics if kind else languages)[enrolment_id].append(text)
    return languages, topics


def counted(filters: Filters, counts: dict[tuple[str, str], int]) -> int | None:
    """How many applications ``applications_query`` finds, read from ``status_counts`` (same
    scope) when the filters name only a role and a status; None when another filter (region,
    topic, a name) needs a count of its own."""
    if filters.region_id or filters.topic_id or filters.q.strip():
        return None
    roles = {r.value for r in Role}
    statuses = {s.value for s in EnrolmentStatus}
    return sum(count for (role, status), count in counts.items()
               if (filters.role not in roles or role == filters.role)
               and (filters.status not in statuses or status == filters.status))


def status_counts(scope: Scope, found=revision_cache.READ) -> dict[tuple[str, str], int]:
    """Applications per (role, status) in the scope, for the counts above the list (cached
    under the programme's data revision; ``found``: the revision, when the caller has read
    it)."""
    return revision_cache.cached(scope, f"application-statuses:{_CODE}",
                                 lambda: _status_counts(scope), found=found)


def _status_counts(scope: Scope) -> dict[tuple[str, str], int]:
    query = (
        select(Enrolment.role, Enrolment.status, func.count())
        .where(Enrolment.programme_id == scope.programme.id)
        .group_by(Enrolment.role, Enrolment.status)
    )
    if scope.region is not None:
        query = query.where(Enrolment.region_id == scope.region.id)
    return {(str(role), str(status)): count for role, status, count in db.session.execute(query)}
