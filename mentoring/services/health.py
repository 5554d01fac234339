"""Health of the parts the service needs, for ``/healthz`` and the operator."""

from __future__ import annotations

import logging

import redis
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

log = logging.getLogger("mentoring.health")


def check() -> dict[str, str]:
    """{"database": "ok"} (and "redis" when ``REDIS_URL`` is set), or "unavailable" for what
    does not answer (the reason goes to the log only)."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError:
        log.exception("health check: the database does not answer")
        db.session.rollback()
        checks["database"] = "unavailable"
    url = current_app.config.get("REDIS_URL")
    if url:
        try:
            redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
            checks["redis"] = "ok"
        except redis.RedisError:
            log.exception("health check: Redis does not answer")
            checks["redis"] = "unavailable"
    return checks
