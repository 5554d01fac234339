"""Figures cached under a programme's data revision.

The database raises a programme's revision at each write to a row its figures read
(`models/revision.py`: triggers on programme, region, enrolment, enrolment languages, pairing,
session, feedback, activity and registration, circle, circle member and circle session). A view
reads the revision and finds the figures computed for it, else computes and stores them: exact
figures, computed once per change. The page's HTML (its CSRF token) is never cached. A
transaction that wrote reads no cache and fills none: what it sees may yet be rolled back, and
on PostgreSQL its raise comes at commit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from sqlalchemy import func, select

from ..extensions import cache, db
from ..models import DashboardRevision
from .scope import Scope

log = logging.getLogger(__name__)

T = TypeVar("T")


def code_of(*modules: ModuleType) -> str:
    """A digest of the modules that compute some figures: figures computed by other code read
    differently, so it is part of their key."""
    return hashlib.sha256(b"".join(Path(module.__file__).read_bytes() for module in modules)
                          ).hexdigest()[:12]


def revision(programme_id: int) -> int | None:
    """The programme's data revision, or None where the cache may not be used."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        row = db.session.execute(
            select(DashboardRevision.revision, func.txid_current_if_assigned())
            .where(DashboardRevision.programme_id == programme_id)).first()
        return row[0] if row is not None and row[1] is None else None
    found = db.session.scalar(select(DashboardRevision.revision)
                              .where(DashboardRevision.programme_id == programme_id))
    # SQLite's driver opens a transaction at the first write only.
    return None if connection.connection.driver_connection.in_transaction else found


def cached(scope: Scope, name: str, compute: Callable[[], T], *parts: object) -> T:
    """``compute()`` for the scope, from the cache when the programme's data have not changed
    since it was computed (one query then). ``name`` says what it is and which code computes
    it (see :func:`code_of`); ``parts`` are whatever else the figures depend on (the day,
    the language)."""
    found = revision(scope.programme.id)
    if found is None:
        return compute()
    programme = scope.programme
    key = ":".join(str(part) for part in (
        name, programme.id, programme.created_at.isoformat(),
        scope.region.id if scope.region is not None else "-", found, *parts))
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that does not answer only costs time
        log.warning("figures cache unavailable", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value)
        except Exception:  # noqa: BLE001 - as above
            log.warning("figures cache unavailable", exc_info=True)
    return value
