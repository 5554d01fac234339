"""Benchmark: the programme dashboard with 10,000 participants and 50,000 sessions.

Target (issue "Programme dashboard"): renders in <= 300 ms on SQLite and PostgreSQL, with a
number of SQL queries that does not grow with the data. PostgreSQL runs when
BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, event, func, insert, select, text, update  # noqa: E402

from mentoring import create_app  # noqa: E402
from mentoring.demo import REGIONS, WRC_TOPICS  # noqa: E402
from mentoring.extensions import db  # noqa: E402
from mentoring.models import (  # noqa: E402
    Enrolment,
    EnrolmentLanguage,
    Feedback,
    Meeting,
    Pairing,
    ProgrammeStatus,
    User,
)
from mentoring.models._types import utcnow  # noqa: E402
from mentoring.models.pairing import LIVE_STATUSES  # noqa: E402
from mentoring.services import programmes  # noqa: E402

PASSWORD = "bench passphrase 2026"  # noqa: S105


def populate(participants: int, sessions: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    admin = User(email="admin@bench.example", name="Bench Admin", is_admin=True)
    admin.set_password(PASSWORD)
    db.session.add(admin)
    db.session.flush()
    programme = programmes.create(
        admin, topics=WRC_TOPICS, name="Bench programme", slug="bench", description="",
        network="", mentor_capacity_default=2, mentor_capacity_max=4, min_sessions_per_month=1,
        default_locale="en")
    programme.status = ProgrammeStatus.RUNNING
    db.session.flush()
    regions = {r.code: r.id for r in programme.regions}
    now = utcnow()
    mentors = participants * 3 // 10
    db.session.execute(insert(User), [
        {"email": f"p{k}@bench.example", "name": f"Person {k}", "password_hash": "",
         "is_admin": False, "locale": "", "timezone": "", "created_at": now}
        for k in range(participants)])
    user_ids = db.session.scalars(select(User.id).where(User.email.like("p%@bench.example"))
                                  .order_by(User.id)).all()
    rows, languages = [], []
    codes = list(REGIONS)
    for k, user_id in enumerate(user_ids):
        code = codes[k % len(codes)]
        countries, zones, extra, _names = REGIONS[code]
        mentor = k < mentors
        rows.append({
            "programme_id": programme.id, "user_id": user_id,
            "role": "mentor" if mentor else "mentee", "status": rng.choice(
                ["accepted"] * 8 + ["submitted", "declined"]),
            "country": countries[k % len(countries)], "region_id": regions[code],
            "organisation": "", "years_experience": rng.randint(0, 25), "itu_meetings": "",
            "timezone": zones[0], "goals": "", "capacity": 4 if mentor else None,
            "region_preference": "none", "wants_woman_mentor": False,
            "gender": rng.choice(["woman", "woman", "man", None, "non_binary"]), "consent_at": now,
            "decision_message": "", "source": "bench", "created_at": now, "updated_at": now,
            "live_pairs": 0})
        languages.append(["en"] + extra[:1])
    db.session.execute(insert(Enrolment), rows)
    ids = db.session.scalars(select(Enrolment.id).where(Enrolment.programme_id == programme.id)
                             .order_by(Enrolment.user_id)).all()
    db.session.execute(insert(EnrolmentLanguage), [
        {"enrolment_id": eid, "code": code} for eid, langs in zip(ids, languages, strict=True)
        for code in dict.fromkeys(langs)])
    # Pairs join accepted people only, and their places are taken (``live_pairs``) as the
    # application's own approvals take them: the pages read what a real programme holds.
    accepted = [row["status"] == "accepted" for row in rows]  # rows and ids: user order
    mentor_ids = [eid for eid, ok in zip(ids[:mentors], accepted, strict=False) if ok]
    mentee_ids = [eid for eid, ok in zip(ids[mentors:], accepted[mentors:], strict=True) if ok]
    mentors = len(mentor_ids)
    announced = now - timedelta(days=300)
    db.session.execute(insert(Pairing), [
        {"programme_id": programme.id, "mentee_id": mentee, "mentor_id": mentor_ids[i % mentors],
         "status": rng.choice(["active"] * 6 + ["completed", "ended"]),
         "locked": False, "score": rng.randint(300, 1000), "parts": [], "alternatives": [],
         "broken": [], "source": "run", "override_reason": "", "change": "",
         "created_at": announced, "announced_at": announced, "end_reason": "",
         "rematch_requested": False}
        for i, mentee in enumerate(mentee_ids)])
    pairing_ids = db.session.scalars(select(Pairing.id).where(
        Pairing.programme_id == programme.id)).all()
    for side in (Pairing.mentee_id, Pairing.mentor_id):
        live = (select(side, func.count().label("n")).where(Pairing.status.in_(LIVE_STATUSES))
                .group_by(side).subquery())
        db.session.execute(update(Enrolment).where(Enrolment.id == live.c[side.key])
                           .values(live_pairs=live.c.n))
    db.session.execute(insert(Meeting), [
        {"pairing_id": rng.choice(pairing_ids), "author_id": None,
         "held_on": (announced + timedelta(days=rng.randint(1, 299))).date(),
         "duration_minutes": rng.choice([30, 45, 60, 90]), "format": "video", "notes": "",
         "next_steps": "", "confirmation": rng.choice(["confirmed", "confirmed", "pending"]),
         "dispute_note": "", "created_at": now, "updated_at": now}
        for _ in range(sessions)])
    meeting_ids = db.session.scalars(select(Meeting.id)).all()
    db.session.execute(insert(Feedback), [
        {"meeting_id": mid, "user_id": user_ids[0], "rating": rng.randint(1, 5), "comment": "",
         "created_at": now} for mid in meeting_ids[::3]])
    db.session.commit()
    # A database that grew to this size has planner statistics (autovacuum, or SQLite's
    # ANALYZE); a bulk load does not until it is analysed.
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def measure(url: str, label: str, participants: int, sessions: int) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.create_all()
        populate(participants, sessions)
        client = app.test_client()
        client.post("/login", data={"email": "admin@bench.example", "password": PASSWORD})
        counter = [0]

        def count(*_args, **_kwargs):
            counter[0] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        times, queries = [], []
        for _ in range(7):
            counter[0] = 0
            started = time.perf_counter()
            response = client.get("/coordinate/bench/dashboard")
            times.append(time.perf_counter() - started)
            queries.append(counter[0])
            assert response.status_code == 200, response.status_code
        event.remove(db.engine, "before_cursor_execute", count)
        db.session.remove()
        db.engine.dispose()
    return {"label": label, "size": f"{participants}/{sessions}",
            "ms": statistics.median(times) * 1000, "queries": queries[-1]}


def run_all(url_for_size) -> list[dict]:
    results = []
    for participants, sessions in ((1_000, 5_000), (10_000, 50_000)):
        url, label, cleanup = url_for_size()
        try:
            results.append(measure(url, label, participants, sessions))
        finally:
            cleanup()
    return results


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        counter = iter(range(100))

        def sqlite_url():
            return ("sqlite:///" + os.path.join(folder, f"d{next(counter)}.sqlite"), "SQLite",
                    lambda: None)

        results += run_all(sqlite_url)
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if base:
        engine = create_engine(base)

        def postgres_url():
            schema = "bench_" + uuid.uuid4().hex[:8]
            with engine.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))

            def drop():
                with engine.begin() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))

            separator = "&" if "?" in base else "?"
            return f"{base}{separator}options=-csearch_path%3D{schema}", "PostgreSQL", drop

        results += run_all(postgres_url)
        engine.dispose()
    else:
        print("PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL")
    print("\nProgramme dashboard (median of 7 page loads)")
    print(f"{'database':<11} {'participants/sessions':>22} {'ms':>7} {'target':>7} {'queries':>8}")
    for r in results:
        print(f"{r['label']:<11} {r['size']:>22} {r['ms']:>7.0f} {'300':>7} {r['queries']:>8}")


if __name__ == "__main__":
    main()
