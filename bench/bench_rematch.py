"""Benchmark: "rematch the waiting" in a running programme of 10,000 mentees and 3,000 mentors.

Target (issue #16, item 4): a rematch of 200 waiting mentees <= 1 s, through the page (the
POST that finds who waits, solves and writes the proposals, then commits). The programme is
built with bulk inserts: every mentee in an active pair (mentors take 4 each), then 200 pairs
ended early with "match me again", ended 1 to 60 days ago. Runs on PostgreSQL
(BENCH_DATABASE_URL or TEST_DATABASE_URL) in a schema of its own; prints the median of three
rematches in wall seconds (on a shared machine) and the process's CPU seconds (the database
server's own work is not in that figure).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_pairs  # noqa: E402
from bench_runtime import _admin_client, _app  # noqa: E402
from sqlalchemy import create_engine, event, func, insert, select, text, update  # noqa: E402

from mentoring.extensions import db  # noqa: E402
from mentoring.models import (  # noqa: E402
    Enrolment,
    MatchingRun,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    Role,
)
from mentoring.models._types import utcnow  # noqa: E402

MENTEES, MENTORS, WAITING, TARGET = 10_000, 3_000, 200, 1.0


def running_programme() -> str:
    """The programme's slug, every mentee at work but the WAITING whose pairs ended."""
    bench_pairs.MENTEES, bench_pairs.MENTORS = MENTEES, MENTORS
    programme_id = bench_pairs.populate()
    programme = db.session.get(Programme, programme_id)
    programme.status = ProgrammeStatus.RUNNING
    db.session.execute(update(Enrolment).where(Enrolment.role == Role.MENTOR)
                       .values(capacity=4))
    mentors = db.session.scalars(select(Enrolment.id).where(Enrolment.role == Role.MENTOR)
                                 .order_by(Enrolment.id)).all()
    mentees = db.session.scalars(select(Enrolment.id).where(Enrolment.role == Role.MENTEE)
                                 .order_by(Enrolment.id)).all()
    rng = random.Random(3)
    ended = set(rng.sample(range(len(mentees)), WAITING))
    now = utcnow()
    rows = []
    for k, mentee in enumerate(mentees):
        row = {"programme_id": programme_id, "mentee_id": mentee,
               "mentor_id": mentors[k % len(mentors)], "status": PairingStatus.ACTIVE,
               "source": "run", "score": 600, "parts": [], "alternatives": [], "broken": [],
               "announced_at": now - timedelta(days=90), "rematch_requested": False,
               "ended_at": None, "end_reason": ""}
        if k in ended:
            row.update(status=PairingStatus.ENDED, rematch_requested=True,
                       ended_at=now - timedelta(days=rng.randint(1, 60)), end_reason="bench")
        rows.append(row)
    db.session.execute(insert(Pairing.__table__), rows)
    live = select(func.count()).where(Pairing.status == PairingStatus.ACTIVE)
    db.session.execute(update(Enrolment).where(Enrolment.role == Role.MENTEE).values(
        live_pairs=live.where(Pairing.mentee_id == Enrolment.id).scalar_subquery()))
    db.session.execute(update(Enrolment).where(Enrolment.role == Role.MENTOR).values(
        live_pairs=live.where(Pairing.mentor_id == Enrolment.id).scalar_subquery()))
    db.session.commit()
    return programme.slug


def _backend() -> int:
    """The PostgreSQL backend of the pool's connection (the request reuses it: one at a time)."""
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    db.session.commit()
    return pid


def _server_cpu(pid: int) -> float | None:
    """CPU seconds the PostgreSQL backend has used, when it runs on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url: str) -> dict:
    app = _app(url)
    out: dict = {"wall": [], "cpu": []}
    with app.app_context():
        db.create_all()
        slug = running_programme()
        client = _admin_client(app)
        statements: list[float] = []

        @event.listens_for(db.engine, "before_cursor_execute")
        def started(conn, *_args):
            conn.info["bench_started"] = time.perf_counter()

        @event.listens_for(db.engine, "after_cursor_execute")
        def finished(conn, *_args):
            statements.append(time.perf_counter() - conn.info["bench_started"])

        out["sql"], out["server"] = [], []
        for _ in range(3):
            # The waiting mentees of the previous round have proposals (so they no longer
            # wait): a coordinator's rejection would put them back; here they are set aside.
            db.session.execute(update(Pairing).where(Pairing.status == PairingStatus.PROPOSED)
                               .values(status=PairingStatus.SUPERSEDED))
            db.session.commit()
            statements.clear()
            backend = _backend()
            server = _server_cpu(backend)
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.post(f"/coordinate/{slug}/waiting/rematch", data={})
            out["wall"].append(time.perf_counter() - wall)
            out["cpu"].append(time.process_time() - cpu)
            out["sql"].append(sum(statements))
            if server is not None and _backend() == backend:
                out["server"].append(_server_cpu(backend) - server)
            assert response.status_code == 302, response.status_code
            assert response.location.endswith("/pairs"), response.location  # not refused
        assert db.session.scalar(select(func.count()).select_from(MatchingRun)) == 3
        run = db.session.scalar(select(MatchingRun).order_by(MatchingRun.id.desc()))
        out["summary"] = run.summary
        out["proposals"] = db.session.scalar(select(func.count()).select_from(Pairing).where(
            Pairing.status == PairingStatus.PROPOSED))
        db.session.remove()
        db.engine.dispose()
    return out


def main() -> None:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        print("rematch bench skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL)")
        return
    engine = create_engine(base)
    schema = "bench_" + uuid.uuid4().hex[:8]
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    try:
        out = measure(f"{base}{separator}options=-csearch_path%3D{schema}")
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
    summary = out["summary"]
    wall, cpu = statistics.median(out["wall"]), statistics.median(out["cpu"])
    print(f"\nRematch the waiting, {MENTEES:,} mentees x {MENTORS:,} mentors, on PostgreSQL")
    print(f"waiting {summary['waiting']}, free places {summary['free_places']}, "
          f"proposed {out['proposals']}, unmatched {summary['unmatched']}")
    sql = statistics.median(out["sql"])
    print(f"rematch through the page: {wall:.3f} s wall (median of 3; on a busy machine most "
          f"of it is waiting for a CPU), {cpu:.3f} s CPU in the process, {sql:.3f} s wall "
          f"waiting on SQL statements")
    if out["server"]:
        server = statistics.median(out["server"])
        work = cpu + server
        print(f"CPU of the work: {cpu:.3f} s the process + {server:.3f} s its PostgreSQL "
              f"backend = {work:.3f} s; target {TARGET:.0f} s: "
              f"{'met' if work <= TARGET else 'NOT met'} (by wall: "
              f"{'met' if wall <= TARGET else 'NOT met'})")
    else:
        print(f"target {TARGET:.0f} s by wall: {'met' if wall <= TARGET else 'NOT met'} "
              f"(PostgreSQL's CPU is not readable from here)")


if __name__ == "__main__":
    main()
