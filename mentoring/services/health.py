"""Health of the parts the service needs, for ``/healthz`` and the operator.

``check()`` answers what ``/healthz`` shows: the database and Redis ("ok" or "unavailable";
either down makes the service unhealthy) and the queue, which an operator can alert on but
which never makes the service unhealthy by itself (a backlog is work waiting, not a fault):

- ``outbox``: messages due and not sent, messages given up (``failed``), and the age in
  seconds of the oldest due one (0 when none is due);
- with ``REDIS_URL``: ``broker``, the tasks waiting in Celery's queue, and ``jobs``, the
  background jobs queued and running, with the age of the oldest queued one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import redis
from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import Job, JobStatus, OutboxEmail
from ..models._types import utcnow

log = logging.getLogger("mentoring.health")

OK = "ok"
UNAVAILABLE = "unavailable"

#: The parts without which the service does not work: /healthz is 503 when one is down.
VITAL = ("database", "redis")


def check() -> dict[str, Any]:
    """{"database": "ok", "redis": "ok", "queue": {...}} ("redis" and the queue's broker and
    jobs only when ``REDIS_URL`` is set); "unavailable" for what does not answer (the reason
    goes to the log only)."""
    checks: dict[str, Any] = {"database": _database()}
    url = current_app.config.get("REDIS_URL")
    if url:
        checks["redis"] = _redis(url)
    database_up = checks["database"] == OK
    queue: dict[str, Any] = {"outbox": _read(outbox_depth) if database_up else UNAVAILABLE}
    if url:
        queue["broker"] = _broker() if checks["redis"] == OK else UNAVAILABLE
        queue["jobs"] = _read(_jobs) if database_up else UNAVAILABLE
    checks["queue"] = queue
    return checks


def healthy(checks: dict[str, Any]) -> bool:
    """Whether every vital part answers (the queue's state does not count)."""
    return all(checks[part] == OK for part in VITAL if part in checks)


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return OK
    except SQLAlchemyError:
        log.exception("health check: the database does not answer")
        db.session.rollback()
        return UNAVAILABLE


def _read(figures):
    """The queue's figures, or "unavailable" (say, before the migrations made its tables)."""
    try:
        return figures()
    except SQLAlchemyError:
        log.exception("health check: the queue's figures cannot be read")
        db.session.rollback()
        return UNAVAILABLE


def _redis(url: str) -> str:
    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
        return OK
    except redis.RedisError:
        log.exception("health check: Redis does not answer")
        return UNAVAILABLE


def _age(since: datetime | None, now: datetime) -> int:
    return max(int((now - since).total_seconds()), 0) if since is not None else 0


def outbox_depth() -> dict[str, int]:
    """{"due": messages due and not sent, "failed": messages given up, "oldest_due_seconds":
    how long ago the oldest due one was queued (0 when none)}."""
    now = utcnow()
    due, oldest = db.session.execute(
        select(func.count(), func.min(OutboxEmail.created_at))
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None),
               OutboxEmail.next_attempt_at <= now)).one()
    failed = db.session.scalar(select(func.count()).select_from(OutboxEmail)
                               .where(OutboxEmail.failed_at.is_not(None)))
    return {"due": due, "failed": failed, "oldest_due_seconds": _age(oldest, now)}


def _jobs() -> dict[str, int]:
    now = utcnow()
    counts = dict(db.session.execute(
        select(Job.status, func.count()).where(Job.status.in_([JobStatus.QUEUED,
                                                               JobStatus.RUNNING]))
        .group_by(Job.status)).all())
    oldest = db.session.scalar(select(func.min(Job.created_at))
                               .where(Job.status == JobStatus.QUEUED))
    return {"queued": counts.get(JobStatus.QUEUED, 0), "running": counts.get(JobStatus.RUNNING, 0),
            "oldest_queued_seconds": _age(oldest, now)}


def _broker() -> dict[str, int] | str:
    """{"messages": tasks waiting in Celery's default queue (not yet taken by a worker)}."""
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
            # Declaring is idempotent (the worker declares the same queue) and, unlike a
            # passive declare, answers 0 for a queue nothing was ever sent to.
            declared = connection.default_channel.queue_declare(
                queue=celery.conf.task_default_queue, passive=False)
        return {"messages": declared.message_count}
    except Exception:  # noqa: BLE001 - whatever the broker's client raises, report it
        log.exception("health check: the job queue's broker does not answer")
        return UNAVAILABLE
