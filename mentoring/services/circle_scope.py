"""Which mentoring circles a coordinator sees, and the mentees in none: the one rule the
circles pages (`services/circles.py`) and the dashboard's figures share. A leaf module (the
dashboard cannot import the circles' service, which imports the pairs')."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Circle, CircleMember, CircleStatus, Enrolment, EnrolmentStatus, Role
from .scope import Scope


def _outside(region_id: int):
    """A member of the circle outside the region (or of no region). Correlated with the
    circle only, so a query that reads members and people itself may use it too."""
    return (select(CircleMember.id).join(Enrolment, Enrolment.id == CircleMember.enrolment_id)
            .where(CircleMember.circle_id == Circle.id,
                   or_(Enrolment.region_id.is_(None), Enrolment.region_id != region_id))
            .correlate(Circle).exists())


def in_scope(query, scope: Scope):
    """``query`` (of circles) kept to the circles the coordinator sees: the programme's, and
    for a regional co-chair the formed ones whose every member is of her region. The one
    rule for the circles pages and the dashboard's figures."""
    query = query.where(Circle.programme_id == scope.programme.id)
    if scope.is_regional:
        query = query.where(~_outside(scope.region.id), Circle.status == CircleStatus.FORMED)
    return query


def without_circle(scope: Scope) -> int:
    """How many accepted mentees of the scope are in no circle."""
    taken = select(CircleMember.user_id).where(
        CircleMember.programme_id == scope.programme.id)
    query = select(func.count()).select_from(Enrolment).where(
        Enrolment.programme_id == scope.programme.id, Enrolment.role == Role.MENTEE,
        Enrolment.status == EnrolmentStatus.ACCEPTED, Enrolment.user_id.not_in(taken))
    if scope.is_regional:
        query = query.where(Enrolment.region_id == scope.region.id)
    return db.session.scalar(query)
