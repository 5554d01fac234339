"""Who may do what: every route checks through these helpers, before any work."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from .extensions import db
from .models import Coordinator, Enrolment, Programme, Region


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


def admin_required(view):
    """Only site admins; others get 403, anonymous users the sign-in page."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def coordinator_scope(programme: Programme, user=None) -> Scope | None:
    """The scope ``user`` has on ``programme``, or None when they do not coordinate it."""
    user = user or current_user
    if not user.is_authenticated:
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


def coordinated_programme(slug: str) -> Scope:
    """Load a programme for its coordinator: 404 when unknown, 403 when not theirs."""
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if programme is None:
        abort(404)
    scope = coordinator_scope(programme)
    if scope is None:
        abort(403)
    return scope


def enrolment_in_scope(scope: Scope, enrolment_id: int) -> Enrolment:
    """An application the coordinator may act on: 404 when unknown, 403 outside the scope."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    if not scope.covers(enrolment):
        abort(403)
    return enrolment


def own_enrolment(enrolment_id: int) -> Enrolment:
    """The signed-in delegate's own application: 404 when unknown, 403 when someone else's."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    if enrolment.user_id != current_user.id:
        abort(403)
    return enrolment


def coordinated_programmes(user=None) -> list[Programme]:
    """Programmes the user coordinates (all of them for an admin)."""
    user = user or current_user
    if not user.is_authenticated:
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


def coordinator_required(view):
    """For ``/coordinate/<slug>/...`` routes: passes the Scope as ``scope``."""

    @wraps(view)
    @login_required
    def wrapped(slug, *args, **kwargs):
        return view(coordinated_programme(slug), *args, **kwargs)

    return wrapped
