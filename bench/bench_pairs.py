"""Benchmark: a coordinator's matching run and proposals page at 2,000 accepted applicants.

Targets (issue "Coordinators form the pairs"): run (load, solve, write proposals) <= 2 s;
proposals page (one page of 50 out of ~1,400 pairs) <= 150 ms; a constant number of SQL
queries per page. Runs on SQLite, and on PostgreSQL when BENCH_DATABASE_URL or
TEST_DATABASE_URL is set. Prints medians of several runs.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, event, insert, select, text  # noqa: E402

from mentoring import create_app  # noqa: E402
from mentoring.demo import REGIONS, WRC_TOPICS  # noqa: E402
from mentoring.extensions import db  # noqa: E402
from mentoring.models import (  # noqa: E402
    Enrolment,
    EnrolmentLanguage,
    EnrolmentStatus,
    EnrolmentTopic,
    Programme,
    ProgrammeStatus,
    Role,
    User,
)
from mentoring.models._types import utcnow  # noqa: E402
from mentoring.permissions import Scope  # noqa: E402
from mentoring.services import matching, programmes  # noqa: E402

MENTEES, MENTORS = 1400, 600
PASSWORD = "bench passphrase 2026"  # noqa: S105


def cpu(work, times: int = 1) -> tuple[float, object]:
    """The least CPU seconds (``time.process_time``) of ``times`` calls of ``work``, and the
    last call's value: the benches' one CPU measure."""
    best = float("inf")
    for _ in range(times):
        started = time.process_time()
        value = work()
        best = min(best, time.process_time() - started)
    return best, value


def statements(work) -> int:
    """How many SQL statements one call of ``work`` sends: the benches' one count."""
    counted = [0]

    def count(*_args, **_kwargs):
        counted[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return counted[0]


def populate(seed: int = 7) -> int:
    """A programme in status matching with 2,000 accepted applicants (bulk inserts)."""
    rng = random.Random(seed)
    admin = User(email="admin@bench.example", name="Bench Admin", is_admin=True)
    admin.set_password(PASSWORD)
    db.session.add(admin)
    db.session.flush()
    programme = programmes.create(
        admin, topics=WRC_TOPICS, name="Bench programme", slug="bench", description="",
        network="", mentor_capacity_default=2, mentor_capacity_max=4, min_sessions_per_month=1,
        default_locale="en")
    programme.status = ProgrammeStatus.MATCHING
    db.session.flush()
    regions = {region.code: region.id for region in programme.regions}
    topics = [topic.id for topic in programme.topics]
    now = utcnow()
    users = [{"email": f"p{k}@bench.example", "name": f"Person {k}", "password_hash": "",
              "is_admin": False, "locale": "", "timezone": "",
              "created_at": now} for k in range(MENTEES + MENTORS)]
    db.session.execute(insert(User), users)
    user_ids = db.session.scalars(select(User.id).where(User.email.like("p%@bench.example"))
                                  .order_by(User.id)).all()
    codes = list(REGIONS)
    enrolments, people = [], []
    for k, user_id in enumerate(user_ids):
        role = Role.MENTOR if k < MENTORS else Role.MENTEE
        code = codes[rng.randrange(len(codes))]
        countries, zones, extra, _names = REGIONS[code]
        pick = rng.randrange(len(countries))
        langs = ["en"] + rng.sample(extra, k=min(len(extra), rng.randint(0, 2)))
        if rng.random() < 0.12:
            langs = [extra[0]]
        wanted = rng.sample(topics, k=rng.randint(3, 5) if role == Role.MENTOR
                            else rng.randint(2, 4))
        enrolments.append({
            "programme_id": programme.id, "user_id": user_id, "role": role.value,
            "status": EnrolmentStatus.ACCEPTED.value, "country": countries[pick],
            "region_id": regions[code], "organisation": f"org{rng.randrange(200)}",
            "years_experience": rng.randint(8, 25) if role == Role.MENTOR else rng.randint(0, 5),
            "itu_meetings": "", "timezone": zones[pick], "goals": "",
            "capacity": rng.randint(1, 4) if role == Role.MENTOR else None,
            "region_preference": rng.choice(["none", "same", "other"]),
            "wants_woman_mentor": role == Role.MENTEE and rng.random() < 0.2,
            "gender": rng.choice(["woman", "man", None]), "consent_at": now,
            "decision_message": "", "source": "bench", "created_at": now, "updated_at": now,
            "live_pairs": 0,
        })
        people.append((langs, wanted))
    db.session.execute(insert(Enrolment), enrolments)
    ids = db.session.scalars(select(Enrolment.id).where(Enrolment.programme_id == programme.id)
                             .order_by(Enrolment.user_id)).all()
    db.session.execute(insert(EnrolmentLanguage), [
        {"enrolment_id": eid, "code": code} for eid, (langs, _) in zip(ids, people, strict=True)
        for code in dict.fromkeys(langs)])
    db.session.execute(insert(EnrolmentTopic), [
        {"enrolment_id": eid, "topic_id": topic, "rank": rank}
        for eid, (_, wanted) in zip(ids, people, strict=True)
        for rank, topic in enumerate(wanted, start=1)])
    db.session.commit()
    return programme.id


def measure(url: str, label: str) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SERVER_NAME": "localhost"})
    with app.app_context():
        db.create_all()
        programme_id = populate()
        admin = db.session.scalar(select(User).where(User.is_admin))
        runs = []
        for _ in range(3):
            programme = db.session.get(Programme, programme_id)
            started = time.perf_counter()
            run = matching.run(admin, Scope(programme))
            db.session.commit()
            runs.append(time.perf_counter() - started)
        summary = run.summary
        engine_ms = run.duration_ms

        client = app.test_client()
        client.post("/login", data={"email": admin.email, "password": PASSWORD})
        queries = []

        def count(*_args, **_kwargs):
            queries[-1] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        pages = {}
        for page_number in (1, 10):
            times = []
            for _ in range(7):
                queries.append(0)
                started = time.perf_counter()
                response = client.get(f"/coordinate/bench/pairs?page={page_number}")
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            pages[page_number] = (statistics.median(times), queries[-1])
        event.remove(db.engine, "before_cursor_execute", count)
        db.session.remove()
        db.engine.dispose()
    return {"label": label, "run": statistics.median(runs), "engine_ms": engine_ms,
            "summary": summary, "pages": pages}


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(measure("sqlite:///" + os.path.join(folder, "bench.sqlite"), "SQLite"))
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if base:
        schema = "bench_" + uuid.uuid4().hex[:8]
        engine = create_engine(base)
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            separator = "&" if "?" in base else "?"
            results.append(measure(f"{base}{separator}options=-csearch_path%3D{schema}",
                                   "PostgreSQL"))
        finally:
            with engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()
    else:
        print("PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL")

    print(f"\nMatching run and proposals page, {MENTEES} mentees + {MENTORS} mentors accepted "
          "(median of 3 runs, 7 page loads)")
    print(f"{'database':<11} {'run s':>7} {'target':>7} {'matched':>8} {'unmatched':>9} "
          f"{'lowest':>6} {'mean':>6} {'page1 ms':>9} {'page10 ms':>10} {'target':>7} "
          f"{'queries p1/p10':>15}")
    for r in results:
        s = r["summary"]
        (t1, q1), (t10, q10) = r["pages"][1], r["pages"][10]
        print(f"{r['label']:<11} {r['run']:>7.2f} {'2.00':>7} {s['matched']:>8} "
              f"{s['unmatched']:>9} {s['lowest']:>6} {s['mean']:>6.0f} {t1 * 1000:>9.0f} "
              f"{t10 * 1000:>10.0f} {'150':>7} {f'{q1}/{q10}':>15}")


if __name__ == "__main__":
    main()
