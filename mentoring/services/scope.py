"""Who may act on what: the coordinator's ``Scope``, a plain value built at the boundary.

A route builds it from the signed-in person (``permissions.coordinator_required``); a command
or a background job builds it from the user it acts for. Services take it as an argument and
filter every query through it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Coordinator, Enrolment, Programme, Region, User
from . import Forbidden, NotFound, found


@dataclass(frozen=True)
class Scope:
    """What a coordinator may see of a programme: all of it, or one region."""

    programme: Programme
    #: None for a programme coordinator or an admin; a region for a regional co-chair.
    region: Region | None = None

    @property
    def is_regional(self) -> bool:
        return self.region is not None

    def covers(self, enrolment: Enrolment) -> bool:
        if enrolment.programme_id != self.programme.id:
            return False
        return self.region is None or enrolment.region_id == self.region.id


def coordinator_scope(programme: Programme, user: User | None) -> Scope | None:
    """The scope ``user`` has on ``programme``, or None when they do not coordinate it."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_admin:
        return Scope(programme)
    role = db.session.scalar(
        select(Coordinator).where(
            Coordinator.programme_id == programme.id, Coordinator.user_id == user.id
        )
    )
    if role is None:
        return None
    return Scope(programme, role.region)


def programme_by_slug(slug: str) -> Programme:
    """A programme by its short name; NotFound when there is none."""
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if programme is None:
        raise NotFound(slug)
    return programme


def coordinated_programme(slug: str, user: User | None) -> Scope:
    """A programme for its coordinator: NotFound when unknown, Forbidden when not theirs.

    Every coordinator page starts here: the programme and the person's role on it (with its
    region) come in one query, not one each."""
    if user is None or not user.is_authenticated or user.is_admin:
        programme = programme_by_slug(slug)
        if user is None or not user.is_authenticated:
            raise Forbidden(slug)
        return Scope(programme)
    row = db.session.execute(
        select(Programme, Coordinator)
        .outerjoin(Coordinator, and_(Coordinator.programme_id == Programme.id,
                                     Coordinator.user_id == user.id))
        .where(Programme.slug == slug)
        .options(joinedload(Coordinator.region))
    ).first()
    if row is None:
        raise NotFound(slug)
    if row.Coordinator is None:
        raise Forbidden(slug)
    return Scope(row.Programme, row.Coordinator.region)


def enrolment_in_scope(scope: Scope, enrolment_id: int) -> Enrolment:
    """An application the coordinator may act on: NotFound when unknown, Forbidden outside."""
    enrolment = found(Enrolment, enrolment_id)
    if not scope.covers(enrolment):
        raise Forbidden(enrolment_id)
    return enrolment


def own_enrolment(user: User, enrolment_id: int) -> Enrolment:
    """The person's own application: NotFound when unknown, Forbidden when someone else's."""
    enrolment = found(Enrolment, enrolment_id)
    if enrolment.user_id != user.id:
        raise Forbidden(enrolment_id)
    return enrolment


def coordinates_any(user: User | None) -> bool:
    """Whether ``user`` coordinates at least one programme (what ``coordinated_programmes``
    would list), in a one-row query."""
    if user is None or not user.is_authenticated:
        return False
    query = (select(Programme.id) if user.is_admin
             else select(Coordinator.id).where(Coordinator.user_id == user.id))
    return db.session.scalar(query.limit(1)) is not None


def coordinated_programmes(user: User | None) -> list[Programme]:
    """Programmes the user coordinates (all of them for an admin)."""
    if user is None or not user.is_authenticated:
        return []
    if user.is_admin:
        return list(db.session.scalars(select(Programme).order_by(Programme.name)))
    return list(
        db.session.scalars(
            select(Programme)
            .join(Coordinator)
            .where(Coordinator.user_id == user.id)
            .order_by(Programme.name)
        )
    )
