"""Read-only queries behind the pairs pages: a fixed number of SQL queries per page."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import (
    AuditEvent,
    Enrolment,
    EnrolmentStatus,
    EnrolmentTopic,
    MatchingRun,
    Meeting,
    Pairing,
    PairingStatus,
    Region,
    Role,
    User,
)
from ..models.aliases import MENTEE, MENTEE_USER
from . import revision_cache
from .scope import Scope

#: The code of these figures (part of their cached key).
_CODE = revision_cache.code_of(sys.modules[__name__])

#: What "current" shows: every pair still in play.
CURRENT = (PairingStatus.PROPOSED, PairingStatus.APPROVED, PairingStatus.ACTIVE)
SORTS = {"score": "score", "-score": "-score", "name": "name"}


@dataclass
class PairFilters:
    status: str = ""
    below: int | None = None
    region_id: int | None = None
    topic_id: int | None = None
    sort: str = "score"


def pairs_query(scope: Scope, filters: PairFilters) -> Select:
    """Pairs in the coordinator's scope, filtered and sorted (``with_people`` loads both
    people). The mentee is joined only when a filter or the order needs her, so that a page's
    keys are sorted over the pairs alone."""
    query = select(Pairing).where(Pairing.programme_id == scope.programme.id)
    if filters.status in {s.value for s in PairingStatus}:
        query = query.where(Pairing.status == PairingStatus(filters.status))
    else:
        query = query.where(Pairing.status.in_(CURRENT))
    sort = SORTS.get(filters.sort, "score")
    region_ids = {r for r in (scope.region.id if scope.region is not None else None,
                              filters.region_id) if r}
    if region_ids or sort == "name":
        mentee = MENTEE
        query = query.join(mentee, Pairing.mentee_id == mentee.id)
        for region_id in region_ids:
            query = query.where(mentee.region_id == region_id)
    if filters.below is not None:
        query = query.where(Pairing.score < filters.below)
    if filters.topic_id:
        query = query.where(Pairing.mentee_id.in_(select(EnrolmentTopic.enrolment_id).where(
            EnrolmentTopic.topic_id == filters.topic_id)))
    if sort == "name":
        mentee_user = MENTEE_USER
        query = query.join(mentee_user, mentee.user_id == mentee_user.id)
        return query.order_by(mentee_user.name.asc(), Pairing.id)
    if sort == "-score":
        return query.order_by(Pairing.score.desc(), Pairing.id)
    return query.order_by(Pairing.score.asc(), Pairing.id)


def counted(filters: PairFilters, counts: dict[str, int]) -> int | None:
    """How many pairs ``pairs_query`` finds, read from ``status_counts`` (same scope) when
    the filters name only a status; None when another filter needs a count of its own."""
    if filters.below is not None or filters.region_id or filters.topic_id:
        return None
    if filters.status in {s.value for s in PairingStatus}:
        return counts.get(filters.status, 0)
    return sum(counts.get(status.value, 0) for status in CURRENT)


def with_people(query: Select) -> Select:
    """Load both people of each pair (the columns the pairs page and its CSV show: name,
    address, region) in the same query. Every pair has both people (inner joins): with
    outer joins PostgreSQL walked thousands of applications to find a page's 50 mentors.
    The rest of an application (its goals, its topics and languages) is not read: loading
    it cost more than the page's own rows."""
    options = []
    for person in (Pairing.mentee, Pairing.mentor):
        enrolment = joinedload(person, innerjoin=True)
        options += [enrolment.load_only(Enrolment.user_id, Enrolment.region_id),
                    enrolment.joinedload(Enrolment.user, innerjoin=True).load_only(
                        User.name, User.email),
                    enrolment.joinedload(Enrolment.region)]
    return query.options(*options)


def _listed() -> Select:
    columns, joined = [], Pairing.__table__
    for role, person in (("mentee", Pairing.mentee_id), ("mentor", Pairing.mentor_id)):
        enrolment = aliased(Enrolment, name=f"{role}_enrolment")
        user, region = aliased(User, name=f"{role}_user"), aliased(Region, name=f"{role}_region")
        columns += [user.name.label(f"{role}_name"), user.email.label(f"{role}_email"),
                    region.code.label(f"{role}_region")]
        joined = (joined.join(enrolment, person == enrolment.id)
                  .join(user, enrolment.user_id == user.id)
                  .outerjoin(region, enrolment.region_id == region.id))
    return select(
        Pairing.id, Pairing.status, Pairing.locked, Pairing.score, Pairing.parts,
        Pairing.alternatives, Pairing.broken, Pairing.change, Pairing.previous_mentor_id,
        Pairing.source, Pairing.override_reason, *columns).select_from(joined)


#: Built once: the aliases and joins cost more to build than the page's rows to read.
_LISTED = _listed()


def listed(query: Select) -> Select:
    """The pairs list's rows as plain columns (no model objects to build), for the pairs
    ``query`` selects (its WHERE clause: the page's keys): the pair's own, and each
    person's name, address and region code as ``mentee_name``, ``mentee_email``,
    ``mentee_region`` and the same for ``mentor_``. Every pair has both people (inner
    joins); a person may have no region (None)."""
    return _LISTED.where(query.whereclause)


def names(enrolment_ids) -> dict[int, str]:
    """Names for enrolment ids (alternatives and unmatched lists), in one query."""
    ids = set(enrolment_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Enrolment.id, User.name).join(User, Enrolment.user_id == User.id)
        .where(Enrolment.id.in_(ids))).all())


@dataclass
class MentorLoad:
    enrolment: Enrolment
    live: int
    proposed: int

    @property
    def capacity(self) -> int:
        return self.enrolment.capacity or 0


def mentor_load(scope: Scope) -> list[MentorLoad]:
    """Every accepted mentor with her live and proposed pairs against her capacity."""
    proposed = (select(Pairing.mentor_id, func.count().label("n"))
                .where(Pairing.programme_id == scope.programme.id,
                       Pairing.status == PairingStatus.PROPOSED)
                .group_by(Pairing.mentor_id).subquery())
    rows = db.session.execute(
        select(Enrolment, func.coalesce(proposed.c.n, 0))
        .outerjoin(proposed, proposed.c.mentor_id == Enrolment.id)
        .where(Enrolment.programme_id == scope.programme.id, Enrolment.role == Role.MENTOR,
               Enrolment.status == EnrolmentStatus.ACCEPTED)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.region))
        .order_by(case((Enrolment.live_pairs >= Enrolment.capacity, 0), else_=1),
                  Enrolment.id)
    ).all()
    return [MentorLoad(enrolment, enrolment.live_pairs, proposed_count)
            for enrolment, proposed_count in rows]


def unmatched(scope: Scope, run: MatchingRun | None) -> list[dict]:
    """The latest run's unmatched mentees in scope who still have no pair."""
    if run is None or not run.unmatched:
        return []
    ids = [item["mentee"] for item in run.unmatched]
    still = db.session.scalars(
        select(Enrolment).where(Enrolment.id.in_(ids), Enrolment.live_pairs == 0)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.region))).all()
    open_ids = set(db.session.scalars(select(Pairing.mentee_id).where(
        Pairing.mentee_id.in_(ids), Pairing.status == PairingStatus.PROPOSED)))
    by_id = {e.id: e for e in still if e.id not in open_ids and scope.covers(e)}
    return [{**item, "enrolment": by_id[item["mentee"]]} for item in run.unmatched
            if item["mentee"] in by_id]


def status_counts(scope: Scope, found=revision_cache.READ) -> dict[str, int]:
    """Pairs per status in the scope (cached under the programme's data revision; ``found``:
    the revision, when the caller has read it)."""
    return revision_cache.cached(scope, f"pair-statuses:{_CODE}", lambda: _status_counts(scope),
                                 found=found)


def _status_counts(scope: Scope) -> dict[str, int]:
    query = (select(Pairing.status, func.count())
             .where(Pairing.programme_id == scope.programme.id).group_by(Pairing.status))
    if scope.region is not None:  # the mentee is read only for a co-chair's region
        mentee = MENTEE
        query = query.join(mentee, Pairing.mentee_id == mentee.id).where(
            mentee.region_id == scope.region.id)
    return {str(status): count for status, count in db.session.execute(query)}


def open_proposals(scope: Scope, exclude: int | None = None) -> list[Pairing]:
    """Open proposals in scope, by mentee name (for the swap form)."""
    mentee = MENTEE
    query = (select(Pairing).join(mentee, Pairing.mentee_id == mentee.id)
             .join(User, mentee.user_id == User.id)
             .where(Pairing.programme_id == scope.programme.id,
                    Pairing.status == PairingStatus.PROPOSED)
             .options(joinedload(Pairing.mentee).joinedload(Enrolment.user),
                      joinedload(Pairing.mentor).joinedload(Enrolment.user))
             .order_by(User.name, Pairing.id))
    if exclude is not None:
        query = query.where(Pairing.id != exclude)
    if scope.region is not None:
        query = query.where(mentee.region_id == scope.region.id)
    return list(db.session.scalars(query))


def people_for_manual(scope: Scope) -> tuple[list[Enrolment], list[Enrolment]]:
    """Accepted mentees in scope without a live pair, and accepted mentors with a place."""
    base = (select(Enrolment).join(User, Enrolment.user_id == User.id)
            .where(Enrolment.programme_id == scope.programme.id,
                   Enrolment.status == EnrolmentStatus.ACCEPTED)
            .options(joinedload(Enrolment.user), joinedload(Enrolment.region))
            .order_by(User.name))
    mentees_query = base.where(Enrolment.role == Role.MENTEE, Enrolment.live_pairs == 0)
    if scope.region is not None:
        mentees_query = mentees_query.where(Enrolment.region_id == scope.region.id)
    mentors_query = base.where(and_(Enrolment.role == Role.MENTOR,
                                    Enrolment.live_pairs < Enrolment.capacity))
    return list(db.session.scalars(mentees_query)), list(db.session.scalars(mentors_query))


def audit_query(scope: Scope, action: str = "") -> Select:
    """The programme's audit trail, newest first; for a regional co-chair only the events
    about her region's people (see :func:`_in_region`)."""
    query = (select(AuditEvent).where(AuditEvent.programme_id == scope.programme.id)
             .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc()))
    if scope.region is not None:
        query = query.where(_in_region(scope))
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    return query


def _in_region(scope: Scope):
    """Events whose target is an application, a pair or a session of a mentee or applicant of
    the co-chair's region. Events about the programme itself (settings, status, matching runs,
    surveys, coordinators, imports) are the programme coordinators' only: their before/after
    speak of every region. An event whose target is gone (a deleted session) is hidden too:
    its region can no longer be told."""
    mentee = MENTEE
    enrolments = select(Enrolment.id).where(Enrolment.programme_id == scope.programme.id,
                                            Enrolment.region_id == scope.region.id)
    pairings = (select(Pairing.id).join(mentee, Pairing.mentee_id == mentee.id)
                .where(Pairing.programme_id == scope.programme.id,
                       mentee.region_id == scope.region.id))
    meetings = select(Meeting.id).where(Meeting.pairing_id.in_(pairings))
    return or_(
        and_(AuditEvent.target_type == "enrolment", AuditEvent.target_id.in_(enrolments)),
        and_(AuditEvent.target_type == "pairing", AuditEvent.target_id.in_(pairings)),
        and_(AuditEvent.target_type == "meeting", AuditEvent.target_id.in_(meetings)),
    )


def my_pairs(user) -> list[Pairing]:
    """The announced pairs a person is in, as mentee or mentor."""
    mine = select(Enrolment.id).where(Enrolment.user_id == user.id)
    return list(db.session.scalars(
        select(Pairing).where(Pairing.status == PairingStatus.ACTIVE,
                              (Pairing.mentee_id.in_(mine)) | (Pairing.mentor_id.in_(mine)))
        .options(joinedload(Pairing.mentee).joinedload(Enrolment.user),
                 joinedload(Pairing.mentor).joinedload(Enrolment.user),
                 joinedload(Pairing.mentee).selectinload(Enrolment.languages),
                 joinedload(Pairing.mentor).selectinload(Enrolment.languages),
                 joinedload(Pairing.mentee).selectinload(Enrolment.topics),
                 joinedload(Pairing.mentor).selectinload(Enrolment.topics))
        .order_by(Pairing.id)))
