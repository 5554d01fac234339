"""Rematch the waiting: while a programme matches or runs, propose mentors to the mentees
who wait, on the places still free, longest waiting first.

A mentee *waits* when she is accepted, has no live pair (approved or active) and no open
proposal (the coordinators decide on that first; rejecting it puts her back), and did not
decline: her last pair that ended early ended with "match me again"
(she asked, or the coordinator who ended it ticked it), or was ended by her mentor, or she
never had one that ended or completed (unmatched by the run, a late applicant, a rejected
proposal). She
waits since that pair ended, else since she was accepted.

A rematch is a matching run of its own (``MatchingRun.settings["rematch"]``): the local
re-solve a mentor's decline uses too (``matching.solve_locally``: the waiting mentees only,
on each mentor's places less those her live pairs and open proposals hold, nothing else
moves, previous partners and forbidden pairs left out), with the days waited as the
engine's priority. Its proposals go through the usual approve and announce.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, case, exists, func, insert, select

from ..extensions import db
from ..matching import gc_paused
from ..models import (
    Enrolment,
    EnrolmentStatus,
    MatchingRun,
    Pairing,
    PairingStatus,
    ProgrammeStatus,
    Region,
    Role,
    User,
)
from ..models._types import utcnow
from . import Forbidden, Refused, audit, partners, revision_cache
from .matching import diff, latest_run, one_run_at_a_time, rules_for, solve_locally
from .scope import Scope


@dataclass(frozen=True, slots=True)
class Waiting:
    """A mentee waiting for a mentor: since when, and why ("ended": her pair ended and she
    is to be matched again; "new": she never had a pair that ended)."""

    id: int
    name: str
    region: str
    since: datetime
    why: str


#: The code that counts the waiting (part of the cached count's key).
_CODE = revision_cache.code_of(sys.modules[__name__], partners)


@cache
def _waiting(regional: bool):
    """The waiting mentees (see the module) as one query, built once (bound parameters:
    ``programme_id``, and ``region_id`` when ``regional``): id, name, region code, since when
    and why; its size does not change the number of queries."""
    ends = partners.last_ends(bindparam("programme_id"))
    free = (select(Enrolment.id, Enrolment.user_id, Enrolment.region_id)
            .where(Enrolment.programme_id == bindparam("programme_id"),
                   Enrolment.role == Role.MENTEE,
                   Enrolment.status == EnrolmentStatus.ACCEPTED, Enrolment.live_pairs == 0,
                   ~exists().where(Pairing.mentee_id == Enrolment.id,
                                   Pairing.status == PairingStatus.PROPOSED)))
    if regional:
        free = free.where(Enrolment.region_id == bindparam("region_id"))
    free = free.add_columns(
        func.coalesce(ends.c.ended_at, Enrolment.decided_at, Enrolment.created_at)
        .label("since"),
        case((ends.c.last_end_id.is_(None), "new"), else_="ended").label("why"),
    ).outerjoin(ends, ends.c.mentee_id == Enrolment.id).where(partners.matched_again(ends))
    free = free.subquery()
    return (select(free.c.id, User.name, Region.code, free.c.since, free.c.why)
            .join(User, User.id == free.c.user_id)
            .outerjoin(Region, Region.id == free.c.region_id)
            .subquery())


@cache
def _count_waiting(regional: bool):
    found = _waiting(regional)
    return select(func.count(), func.min(found.c.since))


@cache
def _list_waiting(regional: bool):
    found = _waiting(regional)
    return select(found).order_by(found.c.since, found.c.id)


def _params(scope: Scope) -> dict:
    return {"programme_id": scope.programme.id,
            "region_id": scope.region.id if scope.region is not None else None}


def waiting(scope: Scope) -> list[Waiting]:
    """The mentees in scope who wait (see the module), longest waiting first."""
    return [Waiting(row.id, row.name, row.code or "", row.since, row.why)
            for row in db.session.execute(_list_waiting(scope.is_regional), _params(scope))]


def check_can_rematch(scope: Scope) -> list[Waiting]:
    """The waiting mentees a rematch would match. Forbidden for a regional co-chair (a
    rematch is a matching run, and the free places are the whole programme's); Refused
    outside "matching" and "running", or when nobody waits."""
    if scope.is_regional:
        raise Forbidden("a regional co-chair cannot run a rematch")
    found = waiting(scope)
    problem = not_now(scope, len(found))
    if problem:
        raise Refused(problem)
    return found


def not_now(scope: Scope, count: int) -> str | None:
    """Why ``count`` waiting mentees cannot be rematched now, or None."""
    if scope.programme.status not in (ProgrammeStatus.MATCHING, ProgrammeStatus.RUNNING):
        return _("Waiting mentees are rematched only while the programme is matching or "
                 "running.")
    if not count:
        return _("No mentee is waiting for a mentor.")
    if scope.programme.status == ProgrammeStatus.MATCHING and latest_run(scope.programme) is None:
        return _("Run matching first: a rematch is for the mentees it leaves waiting.")
    return None


@dataclass(frozen=True, slots=True)
class Summary:
    """What the pairs page says of the waiting: how many, since when, and whether the
    reader may rematch them now."""

    count: int
    since: datetime | None
    can_rematch: bool


def summary(scope: Scope, found=revision_cache.READ) -> Summary:
    """How many mentees in scope wait, the longest since when, and whether a rematch can
    run now for this reader (never for a regional co-chair). Nothing before the programme's
    first matching run: every accepted mentee waits for that one. ``found``: the programme's
    revision, when the caller has read it."""
    programme = scope.programme
    if programme.status not in (ProgrammeStatus.MATCHING, ProgrammeStatus.RUNNING) or (
            programme.status == ProgrammeStatus.MATCHING and latest_run(programme) is None):
        return Summary(0, None, False)
    count, since = revision_cache.cached(scope, f"waiting:{_CODE}", lambda: tuple(
        db.session.execute(_count_waiting(scope.is_regional), _params(scope)).one()),
        found=found)
    return Summary(count, since, not scope.is_regional and not_now(scope, count) is None)


def run(actor, scope: Scope, *, now: datetime | None = None) -> MatchingRun:
    """Rematch the waiting mentees (see the module), in the caller's transaction; ``now``
    counts the days waited (the priority)."""
    found = check_can_rematch(scope)
    one_run_at_a_time(scope.programme)
    with gc_paused():
        return _rematch(actor, scope.programme, found, now or utcnow())


def _rematch(actor, programme, found: list[Waiting], now: datetime) -> MatchingRun:
    started = time.perf_counter()
    by_time = {w.id: w for w in found}
    position = {w.id: k for k, w in enumerate(found, start=1)}
    # Whole days waited: mentees who started waiting the same day share a priority.
    local = solve_locally(programme, [w.id for w in found], priority={
        w.id: (now.date() - w.since.date()).days for w in found})
    result = local.result

    matching_run = MatchingRun(
        programme_id=programme.id, run_by_id=actor.id,
        settings={"rules": rules_for(programme).to_dict(), "fair": False, "rematch": True,
                  "new_partners_only": programme.new_partners_only})
    db.session.add(matching_run)
    db.session.flush()
    rows = []
    for pair in result.pairs:
        waited = by_time[pair.mentee_id]
        told = {"code": "rematch", "since": waited.since.date().isoformat(),
                "position": position[pair.mentee_id], "waiting": len(found)}
        rows.append({"change": "new", "programme_id": programme.id, "run_id": matching_run.id,
                     "source": "rematch", **local.proposal(pair, told)})
    if rows:
        db.session.execute(insert(Pairing.__table__), rows)
    matching_run.unmatched = local.unmatched()
    # The waiting had no proposal: each one made is new.
    matching_run.diff = diff({}, {pair.mentee_id: pair.mentor_id for pair in result.pairs})
    summary = result.summary
    matching_run.summary = {
        "matched": summary.matched, "unmatched": summary.unmatched, "total": summary.total,
        "lowest": summary.lowest, "mean": summary.mean, "method": result.method,
        "mentees": len(local.mentees), "mentors": len(local.mentors), "waiting": len(found),
        "free_places": sum(p.capacity for p in result.model.mentors),
        "earlier_partners": len(local.earlier),
    }
    db.session.flush()
    matching_run.duration_ms = round((time.perf_counter() - started) * 1000)
    audit.record("matching.rematch", actor=actor, programme=programme, target=matching_run,
                 after={**matching_run.summary, "diff": matching_run.diff})
    return matching_run
