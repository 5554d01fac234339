"""The access checks at the request boundary: decorators that run before any work.

The rules themselves (who coordinates what) live in ``services.scope``; these helpers apply
them to the signed-in person. A refusal raises the services' ``NotFound`` / ``Forbidden``,
which the error handlers turn into 404 / 403.
"""

from __future__ import annotations

from functools import wraps

from flask import g
from flask_login import current_user, login_required

from .models import Enrolment, Programme
from .services import Forbidden
from .services import scope as rules
from .services.scope import Scope, enrolment_in_scope

__all__ = ["Scope", "admin_required", "coordinated_programmes", "coordinates_any",
           "coordinator_required", "coordinator_scope", "enrolment_in_scope", "own_enrolment"]


def admin_required(view):
    """Only site admins; others get 403, anonymous users the sign-in page."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            raise Forbidden(view.__name__)
        return view(*args, **kwargs)

    return wrapped


def coordinator_scope(programme: Programme, user=None) -> Scope | None:
    """The scope the signed-in person (or ``user``) has on ``programme``, or None."""
    return rules.coordinator_scope(programme, user or current_user)


def coordinated_programmes(user=None):
    """Programmes the signed-in person (or ``user``) coordinates."""
    return rules.coordinated_programmes(user or current_user)


def coordinates_any(user=None) -> bool:
    """Whether the signed-in person (or ``user``) coordinates any programme: the header's
    "Coordinate" link. A coordinator page already knows (its scope), so it asks nothing."""
    if user is None and g.get("coordinator_scope") is not None:
        return True
    return rules.coordinates_any(user or current_user)


def own_enrolment(enrolment_id: int) -> Enrolment:
    """The signed-in delegate's own application: 404 when unknown, 403 when someone else's."""
    return rules.own_enrolment(current_user, enrolment_id)


def coordinator_required(view):
    """For ``/coordinate/<slug>/...`` routes: passes the Scope as ``scope``."""

    @wraps(view)
    @login_required
    def wrapped(slug, *args, **kwargs):
        scope = g.coordinator_scope = rules.coordinated_programme(slug, current_user)
        return view(scope, *args, **kwargs)

    return wrapped
