"""Health of the parts the service needs, for ``/healthz`` and the operator."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

log = logging.getLogger("mentoring.health")


def check() -> dict[str, str]:
    """{"database": "ok"} or the name of what failed (the reason goes to the log only)."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError:
        log.exception("health check: the database does not answer")
        db.session.rollback()
        checks["database"] = "unavailable"
    return checks
