"""A programme's data revision: a number the database raises whenever a row the dashboard
or the lists' rows read changes, so that the dashboard's figures and the rows' HTML can be
cached under it and stay exact.

Database triggers raise it, not ORM events: bulk UPDATEs, raw SQL and ON DELETE CASCADE
bypass the ORM. It lives in a table of its own, not in a column of ``programme``: matching
holds the programme row ``FOR UPDATE NOWAIT``, and every session logged would take that lock.

On PostgreSQL the triggers are deferred to the commit (constraint triggers), so the
revision's row is locked only while a transaction commits, after every other lock it takes
(no new deadlock), and raised once per transaction however many rows it writes. SQLite has
one writer at a time and raises it once per row. A reader reads the revision before the
figures, so figures cached under a revision are never older than it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import BigInteger, ForeignKey, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DashboardRevision(db.Model):
    __tablename__ = "dashboard_revision"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True)
    #: Raised by the triggers of `trigger_statements` at each write to the programme's data.
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
    #: PostgreSQL: the transaction that last raised it (raised once per transaction).
    xact: Mapped[int | None] = mapped_column(BigInteger)
    #: Raised instead of ``revision`` at each write to a session or its rating (SESSIONS).
    sessions: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    #: PostgreSQL: as ``xact``, for ``sessions``.
    sessions_xact: Mapped[int | None] = mapped_column(BigInteger)


@dataclass(frozen=True)
class Shared:
    """A watched table whose row belongs to several programmes (a person's name and address
    show in every programme she is enrolled in): the query of their ids for a row, and the
    only columns whose change counts (a sign-in writes the row too and raises nothing)."""

    programmes: str
    columns: tuple[str, ...]


#: The tables the dashboard and the lists' rows read, and how a row (OLD or NEW) names its
#: programme (or, `Shared`, its programmes).
WATCHED: dict[str, str | Shared] = {
    "programme": "{row}.id",
    "region": "{row}.programme_id",
    "enrolment": "{row}.programme_id",
    "enrolment_language": "(SELECT programme_id FROM enrolment WHERE id = {row}.enrolment_id)",
    "pairing": "{row}.programme_id",
    "meeting": "(SELECT programme_id FROM pairing WHERE id = {row}.pairing_id)",
    "feedback": "(SELECT pairing.programme_id FROM meeting JOIN pairing"
                " ON pairing.id = meeting.pairing_id WHERE meeting.id = {row}.meeting_id)",
    "activity": "{row}.programme_id",
    "activity_registration": "(SELECT programme_id FROM activity WHERE id = {row}.activity_id)",
    "mentor_consent": "{row}.programme_id",
    "circle": "{row}.programme_id",
    "circle_member": "{row}.programme_id",
    "circle_meeting": "(SELECT programme_id FROM circle WHERE id = {row}.circle_id)",
    # Read by the lists' rows (0031).
    "topic": "{row}.programme_id",
    "enrolment_topic": "(SELECT programme_id FROM enrolment WHERE id = {row}.enrolment_id)",
    "matching_run": "{row}.programme_id",
    "user": Shared("SELECT programme_id FROM enrolment WHERE user_id = {row}.id",
                   ("name", "email")),
}
_EVENTS = ("INSERT", "UPDATE", "DELETE")
#: The watched tables that raise ``sessions`` instead of ``revision``.
SESSIONS = ("meeting", "feedback")


def _counter(table: str, sessions_apart: bool) -> tuple[str, str]:
    """The counter a write to ``table`` raises, and its transaction's column."""
    if sessions_apart and table in SESSIONS:
        return "sessions", "sessions_xact"
    return "revision", "xact"


def _rows(table: str, event_name: str) -> list[str]:
    """The rows a write event has: a new one, an old one, or both."""
    if table == "programme":  # a new programme gets its revision row (below), not a raise
        return {"UPDATE": ["NEW"]}.get(event_name, [])
    if isinstance(WATCHED.get(table), Shared):
        # A person enrolled nowhere shows nowhere; her enrolments go with her (CASCADE), and
        # their own triggers raise their programmes then.
        return {"UPDATE": ["NEW"]}.get(event_name, [])
    return {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[event_name]


def _postgresql(tables: dict[str, str | Shared], sessions_apart: bool) -> list[str]:
    out = ["""CREATE OR REPLACE FUNCTION dashboard_revision_for_new_programme() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO dashboard_revision (programme_id, revision) VALUES (NEW.id, 0);
  RETURN NULL;
END $$""",
           "DROP TRIGGER IF EXISTS dashboard_revision_new ON programme",
           "CREATE TRIGGER dashboard_revision_new AFTER INSERT ON programme"
           " FOR EACH ROW EXECUTE FUNCTION dashboard_revision_for_new_programme()"]
    for table, programme_of in tables.items():
        if isinstance(programme_of, Shared):
            out += _postgresql_shared(table, programme_of, sessions_apart)
            continue
        # A programme's own row: its new state says which programme it is.
        old = "NULL" if table == "programme" else programme_of.format(row="OLD")
        new = programme_of.format(row="NEW")
        events = [e for e in _EVENTS if _rows(table, e)]
        counter, xact = _counter(table, sessions_apart)
        # The names and expressions are this module's own (no input): S608 does not apply.
        out += [f"""CREATE OR REPLACE FUNCTION dashboard_revision_{table}() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE before_id integer; after_id integer;
BEGIN
  IF TG_OP <> 'INSERT' THEN before_id := {old}; END IF;
  IF TG_OP <> 'DELETE' THEN after_id := {new}; END IF;
  UPDATE dashboard_revision SET {counter} = {counter} + 1, {xact} = txid_current()
  WHERE programme_id IN (before_id, after_id) AND {xact} IS DISTINCT FROM txid_current();
  RETURN NULL;
END $$""",  # noqa: S608
                f"DROP TRIGGER IF EXISTS dashboard_revision ON {table}",
                f"CREATE CONSTRAINT TRIGGER dashboard_revision AFTER {' OR '.join(events)}"
                f" ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                f" EXECUTE FUNCTION dashboard_revision_{table}()"]
    return out


def _changed(shared: Shared, differ: str) -> str:
    """The condition that one of a shared row's columns changed (``differ``: the dialect's
    null-safe "differs")."""
    return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in shared.columns)


def _postgresql_shared(table: str, shared: Shared, sessions_apart: bool) -> list[str]:
    counter, xact = _counter(table, sessions_apart)
    return [f"""CREATE OR REPLACE FUNCTION dashboard_revision_{table}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE dashboard_revision SET {counter} = {counter} + 1, {xact} = txid_current()
  WHERE programme_id IN ({shared.programmes.format(row="NEW")})
    AND {xact} IS DISTINCT FROM txid_current();
  RETURN NULL;
END $$""",  # noqa: S608 - the module's own names and expressions, as above
            f'DROP TRIGGER IF EXISTS dashboard_revision ON "{table}"',
            f"CREATE CONSTRAINT TRIGGER dashboard_revision AFTER UPDATE OF"
            f' {", ".join(shared.columns)} ON "{table}" DEFERRABLE INITIALLY DEFERRED'
            f" FOR EACH ROW WHEN ({_changed(shared, 'IS DISTINCT FROM')})"
            f" EXECUTE FUNCTION dashboard_revision_{table}()"]


def _sqlite(tables: dict[str, str | Shared], sessions_apart: bool) -> list[str]:
    out = ["""CREATE TRIGGER IF NOT EXISTS dashboard_revision_new AFTER INSERT ON programme
BEGIN INSERT INTO dashboard_revision (programme_id, revision) VALUES (NEW.id, 0); END"""]
    for table, programme_of in tables.items():
        counter = _counter(table, sessions_apart)[0]
        if isinstance(programme_of, Shared):
            columns = ", ".join(programme_of.columns)
            ids = programme_of.programmes.format(row="NEW")
            when = _changed(programme_of, "IS NOT")
            out.append(f"CREATE TRIGGER IF NOT EXISTS dashboard_revision_{table}_update"  # noqa: S608
                       f' AFTER UPDATE OF {columns} ON "{table}" WHEN {when} BEGIN UPDATE'
                       f" dashboard_revision SET {counter} = {counter} + 1"
                       f" WHERE programme_id IN ({ids}); END")
            continue
        for event_name in _EVENTS:
            if rows := _rows(table, event_name):
                ids = ", ".join(programme_of.format(row=row) for row in rows)
                name = f"dashboard_revision_{table}_{event_name.lower()}"
                out.append(f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event_name} ON {table}"  # noqa: S608
                           f" BEGIN UPDATE dashboard_revision SET {counter} = {counter} + 1"
                           f" WHERE programme_id IN ({ids}); END")  # noqa: S608
    return out


def _watched(tables: Iterable[str] | None) -> dict[str, str | Shared]:
    return WATCHED if tables is None else {table: WATCHED[table] for table in tables}


def trigger_statements(dialect: str, tables: Iterable[str] | None = None,
                       sessions_apart: bool = True) -> list[str]:
    """The SQL that creates (or replaces) the triggers on a database (of ``tables`` only,
    when given, and the one on ``programme`` for new programmes): run by ``create_all`` and
    by the migrations that added them. ``sessions_apart=False``: sessions raise ``revision``
    too (the migrations before the ``sessions`` counter existed, 0028)."""
    watched = _watched(tables)
    if dialect == "postgresql":
        return _postgresql(watched, sessions_apart)
    return _sqlite(watched, sessions_apart)


def drop_before_batch(op) -> None:
    """For a migration that batch-alters a watched table, before it: on SQLite the rebuilt
    table is renamed into place, which SQLite refuses while another table's trigger names it;
    the triggers go, and `restore_after_batch` brings them back (PostgreSQL alters in place)."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in drop_statements(dialect):
            op.execute(statement)


def restore_after_batch(op) -> None:
    """For a migration that batch-alters a watched table: on SQLite batch mode rebuilds the
    table without its triggers, so they are created again (PostgreSQL alters in place)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # Only the tables there are at this step of the chain (later ones come later), and
        # sessions raise their own counter once there is one (0028).
        found = inspect(bind)
        there = set(found.get_table_names())
        apart = "sessions" in {column["name"] for column
                               in found.get_columns("dashboard_revision")}
        for statement in trigger_statements(
                bind.dialect.name, [table for table in WATCHED if table in there], apart):
            op.execute(statement)


def trigger_names(dialect: str, tables: Iterable[str] | None = None) -> set[str]:
    """The triggers `trigger_statements` creates (on SQLite, one per table and event)."""
    if dialect == "postgresql":
        return {"dashboard_revision_new", "dashboard_revision"}
    return {"dashboard_revision_new"} | {
        f"dashboard_revision_{table}_{e.lower()}" for table in _watched(tables)
        for e in _EVENTS if _rows(table, e)}


def drop_statements(dialect: str, tables: Iterable[str] | None = None,
                    new_programme: bool | None = None) -> list[str]:
    """The SQL that removes them (a migration's downgrade): every trigger, or only those on
    ``tables`` when given (and the new programme's one, unless told, only with every one)."""
    if new_programme is None:
        new_programme = tables is None
    if dialect == "postgresql":
        new = [] if not new_programme else [
            "DROP TRIGGER IF EXISTS dashboard_revision_new ON programme",
            "DROP FUNCTION IF EXISTS dashboard_revision_for_new_programme()"]
        return new + [
            statement for table in _watched(tables) for statement in (
                f'DROP TRIGGER IF EXISTS dashboard_revision ON "{table}"',
                f"DROP FUNCTION IF EXISTS dashboard_revision_{table}()")]
    names = trigger_names(dialect, tables)
    if not new_programme:
        names.discard("dashboard_revision_new")
    return [f"DROP TRIGGER IF EXISTS {name}" for name in sorted(names)]


@event.listens_for(db.metadata, "after_create")
def _create_triggers(_metadata, connection, **_kwargs) -> None:
    for statement in trigger_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)
