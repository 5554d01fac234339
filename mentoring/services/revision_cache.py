"""Figures cached under a programme's data revision.

The database raises a programme's revision at each write to a row its figures read
(`models/revision.py`: triggers on programme, region, enrolment, enrolment languages, pairing,
activity and registration, mentors' consents, circles, their members and their sessions;
a pair's sessions and their ratings raise a counter of their own). A view reads the revision
and finds the figures computed for it (for figures that read pairs' sessions, under both
counters), else computes and stores them: exact figures, computed once per change. The
lists' rows are cached so too, as HTML without any token or per-request address; the rest of
a page's HTML (its CSRF token) is never cached. A transaction that wrote reads no cache and fills
none: what it sees may yet be rolled back, and on PostgreSQL its raise comes at commit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from sqlalchemy import func, select

from ..extensions import cache, db
from ..models import DashboardRevision
from .scope import Scope

log = logging.getLogger(__name__)

T = TypeVar("T")


def code_of(*modules: ModuleType | Path) -> str:
    """A digest of the modules (or templates, as paths) that compute some figures or HTML:
    figures computed by other code read differently, so it is part of their key."""
    return hashlib.sha256(b"".join(
        (module if isinstance(module, Path) else Path(module.__file__)).read_bytes()
        for module in modules)).hexdigest()[:12]


def html_files() -> list[Path]:
    """What any cached HTML is also made by: the shared filters and labels, the country and
    language names, the explanations' phrases, the templates' macros and every catalogue. A
    deploy that changes one of them changes the key of HTML cached before it (else rows in
    last week's words would be read until the programme's next write)."""
    from .. import shipped  # the package's own folders; imported late: it builds the app

    package = Path(__file__).resolve().parents[1]
    return sorted([package / "templating.py", package / "labels.py", package / "locales.py",
                   package / "services" / "explanations.py",
                   *(path for path in (package / "data").rglob("*") if path.is_file()
                     and "__pycache__" not in path.parts),
                   *(shipped("templates") / "_macros").glob("*.html"),
                   *(package / "translations").glob("*/LC_MESSAGES/*.po")])


def html_code(*made_by: ModuleType | Path) -> str:
    """`code_of` for cached HTML: what makes it and `html_files`."""
    return code_of(*made_by, *html_files())


def digest(*parts: object) -> str:
    """One key part for parts a person types (a search may hold the key's ":"): a digest of
    their ``repr``, so that different parts never make the same key."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Revision:
    """A programme's two counters: every write to its data but sessions, and sessions."""

    data: int
    sessions: int


#: `cached` reads the revision itself unless given one.
READ = "read"


def revision(programme_id: int) -> Revision | None:
    """The programme's data revision, or None where the cache may not be used."""
    connection = db.session.connection()
    counters = (DashboardRevision.revision, DashboardRevision.sessions)
    if connection.dialect.name == "postgresql":
        row = db.session.execute(
            select(*counters, func.txid_current_if_assigned())
            .where(DashboardRevision.programme_id == programme_id)).first()
        return Revision(row[0], row[1]) if row is not None and row[2] is None else None
    row = db.session.execute(select(*counters)
                             .where(DashboardRevision.programme_id == programme_id)).first()
    # SQLite's driver opens a transaction at the first write only.
    if row is None or connection.connection.driver_connection.in_transaction:
        return None
    return Revision(row[0], row[1])


def cached(scope: Scope, name: str, compute: Callable[[], T], *parts: object,
           sessions: bool = False, found: Revision | None | str = READ) -> T:
    """``compute()`` for the scope, from the cache when the programme's data have not changed
    since it was computed (one query then). ``name`` says what it is and which code computes
    it (see :func:`code_of`); ``parts`` are whatever else the figures depend on (the day,
    the language). Figures that read sessions or their ratings say ``sessions=True``. A
    caller that caches several figures reads the revision once and passes it as ``found``."""
    if found == READ:
        found = revision(scope.programme.id)
    if not isinstance(found, Revision):
        return compute()
    programme = scope.programme
    key = ":".join(str(part) for part in (
        name, programme.id, programme.created_at.isoformat(),
        scope.region.id if scope.region is not None else "-", found.data,
        found.sessions if sessions else "-", *parts))
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
