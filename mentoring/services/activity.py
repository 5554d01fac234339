"""What coordinators see of pairs at work: sessions, silence, disputes (never notes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import Confirmation, Enrolment, Meeting, Pairing, PairingStatus
from .scope import Scope


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
    mentee = aliased(Enrolment)
    query = (select(Pairing, stats.c.sessions, stats.c.minutes, stats.c.confirmed,
                    stats.c.disputed, stats.c.last)
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
    interval = timedelta(days=programme.reminder_interval_days)
    rows = []
    for pairing, sessions, minutes, confirmed, disputed, last in db.session.execute(query):
        began = (pairing.announced_at or pairing.created_at).date()
        active = pairing.status == PairingStatus.ACTIVE
        item = PairActivity(
            pairing=pairing, sessions=sessions or 0, minutes=minutes or 0,
            confirmed=confirmed or 0, disputed=disputed or 0, last=last,
            silent=active and (last or began) <= today - interval,
            never_met=active and not sessions and began <= today - timedelta(days=14),
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
    mentee = aliased(Enrolment)
    query = (select(Meeting).join(Pairing, Meeting.pairing_id == Pairing.id)
             .join(mentee, Pairing.mentee_id == mentee.id)
             .where(Pairing.programme_id == scope.programme.id,
                    Meeting.confirmation == Confirmation.DISPUTED)
             .order_by(Meeting.held_on.desc()))
    if scope.region is not None:
        query = query.where(mentee.region_id == scope.region.id)
    return list(db.session.scalars(query))
