"""Failed sign-ins, counted for an address from one client and for the address from everywhere.

Five failures from one client pause sign-in to that address from that client only, so that a
stranger guessing from their own computer cannot lock the owner out of hers. Many more
failures from everywhere (``LOGIN_ACCOUNT_MAX_FAILURES``) pause the address everywhere: that
stops guessing spread over many computers. Both work the same for an address without an
account, so that a pause tells nothing about who has one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import SignInFailure
from ..models.sign_in import EVERYWHERE


def is_paused(email: str, client: str, now: datetime) -> bool:
    """Whether sign-in to ``email`` from ``client`` is paused, from there or everywhere."""
    rows = db.session.scalars(select(SignInFailure).where(
        SignInFailure.email == email, SignInFailure.client.in_([client, EVERYWHERE])))
    return any(row.is_locked(now) for row in rows)


def record(email: str, client: str, now: datetime) -> bool:
    """Count one failure; returns True when it pauses the address everywhere."""
    config = current_app.config
    memory = timedelta(seconds=config["LOGIN_FAILURE_MEMORY_SECONDS"])
    lock = timedelta(seconds=config["LOGIN_LOCK_SECONDS"])
    # Forget old failures of every address, so that the table stays small.
    db.session.execute(delete(SignInFailure).where(
        SignInFailure.last_failed_at < now - memory,
        or_(SignInFailure.locked_until.is_(None), SignInFailure.locked_until < now)))
    paused_everywhere = False
    for where, limit in ((client, config["LOGIN_MAX_FAILURES"]),
                         (EVERYWHERE, config["LOGIN_ACCOUNT_MAX_FAILURES"])):
        row = _row(email, where, now)
        if row.last_failed_at < now - memory:
            row.failures = 0
        row.failures += 1
        row.last_failed_at = now
        if row.failures >= limit:
            row.failures = 0
            row.locked_until = now + lock
            paused_everywhere = paused_everywhere or where == EVERYWHERE
    db.session.flush()
    return paused_everywhere


def forget(email: str, client: str | None = None) -> None:
    """Clear the failures of ``email`` from ``client`` and from everywhere (all, without one)."""
    query = delete(SignInFailure).where(SignInFailure.email == email)
    if client is not None:
        query = query.where(SignInFailure.client.in_([client, EVERYWHERE]))
    db.session.execute(query)


def _row(email: str, client: str, now: datetime) -> SignInFailure:
    """The counter of ``email`` from ``client``, created if missing and locked for update (two
    failures at once both count, neither fails on the unique key)."""
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql"
              else sqlite.insert)
    db.session.execute(
        insert(SignInFailure).values(email=email, client=client, failures=0, last_failed_at=now)
        .on_conflict_do_nothing(index_elements=["email", "client"]))
    return db.session.scalars(
        select(SignInFailure).where(SignInFailure.email == email,
                                    SignInFailure.client == client)
        .with_for_update().execution_options(populate_existing=True)).one()
