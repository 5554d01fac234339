"""What coordinators see of pairs at work: sessions, silence, disputes (never notes).

"Silent" and "never met" are defined here once, as SQL expressions, for the coordinators'
"pairs at work" page, the reminders (through :func:`activity`) and the dashboard's counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Confirmation, Enrolment, Meeting, Pairing, PairingStatus
from ..models.aliases import MENTEE
from .scope import Scope

#: A pair that has not met this many days after its announcement "never met" (and is reminded).
NEVER_MET_DAYS = 14


def _began_by(day: date, pairing=Pairing) -> ColumnElement[bool]:
    # Announced on or before that day (UTC), compared as timestamps: SQLite's CAST(... AS
    # DATE) yields the year as a number, which sorts below every date.
    began = func.coalesce(pairing.announced_at, pairing.created_at)
    return began < datetime.combine(day + timedelta(days=1), time.min, UTC)


def never_met(last, today: date, pairing=Pairing) -> ColumnElement[bool]:
    """An active pair without a session (``last``, its last session's day, is NULL) that was
    announced at least NEVER_MET_DAYS days before ``today``. ``pairing`` has the pair's
    columns: the table, or a subquery's ``c``."""
    return ((pairing.status == PairingStatus.ACTIVE) & last.is_(None)
            & _began_by(today - timedelta(days=NEVER_MET_DAYS), pairing))


def silent(last, today: date, interval_days: int, pairing=Pairing) -> ColumnElement[bool]:
    """An active pair whose last session, or announcement if it never met, is at least the
    programme's reminder interval before ``today`` (``pairing`` as for ``never_met``)."""
    cutoff = today - timedelta(days=interval_days)
    return ((pairing.status == PairingStatus.ACTIVE)
            & or_(last <= cutoff, last.is_(None) & _began_by(cutoff, pairing)))


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 where the condition holds, else 0 (to select or to sum, alike on both databases)."""
    return case((condition, 1), else_=0)


@dataclass
class PairActivity:
    pairing: Pairing
    sessions: int
    minutes: int
    confirmed: int
    disputed: int
    last: date | None
    silent: bool
    never_met: bool


def activity(scope: Scope, today: date, *, only: str = "") -> list[PairActivity]:
    """Announced pairs in scope with their session figures, in one aggregate query."""
    programme = scope.programme
    stats = (select(Meeting.pairing_id,
                    func.count(Meeting.id).label("sessions"),
                    func.coalesce(func.sum(Meeting.duration_minutes), 0).label("minutes"),
                    func.sum(case((Meeting.confirmation == Confirmation.CONFIRMED, 1),
                                  else_=0)).label("confirmed"),
                    func.sum(case((Meeting.confirmation == Confirmation.DISPUTED, 1),
                                  else_=0)).label("disputed"),
                    func.max(Meeting.held_on).label("last"))
             .group_by(Meeting.pairing_id).subquery())
    mentee = MENTEE
    interval = programme.reminder_interval_days
    query = (select(Pairing, stats.c.sessions, stats.c.minutes, stats.c.confirmed,
                    stats.c.disputed, stats.c.last,
                    flag(silent(stats.c.last, today, interval)),
                    flag(never_met(stats.c.last, today)))
             .join(mentee, Pairing.mentee_id == mentee.id)
             .outerjoin(stats, stats.c.pairing_id == Pairing.id)
             .where(Pairing.programme_id == programme.id,
                    Pairing.status.in_([PairingStatus.ACTIVE, PairingStatus.COMPLETED,
                                        PairingStatus.ENDED]))
             .options(joinedload(Pairing.mentee).joinedload(Enrolment.user),
                      joinedload(Pairing.mentor).joinedload(Enrolment.user),
                      joinedload(Pairing.mentee).joinedload(Enrolment.region))
             .order_by(stats.c.last.is_not(None), stats.c.last, Pairing.id))
    if scope.region is not None:
        query = query.where(mentee.region_id == scope.region.id)
    rows = []
    for (pairing, sessions, minutes, confirmed, disputed, last, is_silent,
         is_never_met) in db.session.execute(query):
        item = PairActivity(
            pairing=pairing, sessions=sessions or 0, minutes=minutes or 0,
            confirmed=confirmed or 0, disputed=disputed or 0, last=last,
            silent=bool(is_silent), never_met=bool(is_never_met),
        )
        if only == "silent" and not item.silent:
            continue
        if only == "never-met" and not item.never_met:
            continue
        if only == "disputed" and not item.disputed:
            continue
        if only == "ended" and pairing.status != PairingStatus.ENDED:
            continue
        rows.append(item)
    return rows


def disputes(scope: Scope) -> list[Meeting]:
    mentee = MENTEE
    query = (select(Meeting).join(Pairing, Meeting.pairing_id == Pairing.id)
             .join(mentee, Pairing.mentee_id == mentee.id)
             .where(Pairing.programme_id == scope.programme.id,
                    Meeting.confirmation == Confirmation.DISPUTED)
             .order_by(Meeting.held_on.desc()))
    if scope.region is not None:
        query = query.where(mentee.region_id == scope.region.id)
    return list(db.session.scalars(query))
