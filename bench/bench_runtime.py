"""Benchmark: the long work a coordinator starts, through the pages, at the issue's scale.

Targets (issue "Production runtime"): with 3,000 mentees and 1,000 mentors, an import of
3,000 rows completes as a job in <= 20 s; a matching run <= 3 s from click to proposals;
approving all of about 2,500 proposals <= 2 s; announcing them <= 2 s to queue (the emails
then go out at the mail server's pace). With 10,000 mentees and 3,000 mentors a run <= 5 s.

Runs on PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL) in a schema of its own. The jobs
run in-process (no REDIS_URL), so each figure is the work itself, without a broker's hop;
the ``worker`` measure adds the hop.

Name the measures to take (default all): ``python bench/bench_runtime.py large`` runs only the
10,000 x 3,000 run; ``import``, ``flow`` (run, approve and announce at 3,000 x 1,000),
``small`` (the 3,000 x 1,000 run alone), ``large`` and ``worker`` may be combined. ``worker``
(taken by default when BENCH_REDIS_URL or TEST_REDIS_URL names a Redis) is the flow again as in
production: each page answers with its job's page and a Celery worker, fed through Redis, does
the work; it prints the seconds from the click to the job done and how long the page took.
``BENCH_PROFILE=file`` writes a cProfile of the matching runs, the approval and the announce
(``file.run.3000x1000``, ``file.approve``, ``file.announce``...).
"""

from __future__ import annotations

import cProfile
import io
import os
import random
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_pairs import PASSWORD  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from mentoring import create_app  # noqa: E402
from mentoring.demo import WRC_TOPICS  # noqa: E402
from mentoring.extensions import db  # noqa: E402
from mentoring.models import (  # noqa: E402
    Enrolment,
    Job,
    JobStatus,
    OutboxEmail,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    User,
)
from mentoring.models._types import utcnow  # noqa: E402
from mentoring.services import programmes  # noqa: E402

COUNTRIES = ["KE", "FR", "BR", "IN", "EG", "RU", "CN", "US", "NG", "JP"]


def _csv(rows: int, seed: int = 11) -> bytes:
    rng = random.Random(seed)
    lines = ["name,email,role,country,languages,topics,years_experience,timezone,capacity"]
    for k in range(rows):
        mentor = k % 4 == 0
        topics = ";".join(rng.sample(WRC_TOPICS, k=3))
        lines.append(f"Person {k},import{k}@bench.example,{'mentor' if mentor else 'mentee'},"
                     f"{rng.choice(COUNTRIES)},en;fr,{topics},{rng.randint(0, 20)},UTC,"
                     f"{rng.randint(1, 4) if mentor else ''}")
    return ("\n".join(lines) + "\n").encode()


def _app(url: str, redis_url: str = ""):
    """The site on ``url``; with ``redis_url`` its jobs go through Redis to a worker (on a
    queue of this run's own, so nothing left in Redis by another run reaches it)."""
    queue = {"REDIS_URL": redis_url,
             "CELERY": {"task_default_queue": f"bench-{uuid.uuid4().hex}"}} if redis_url else {}
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SERVER_NAME": "localhost",
                       "MAIL_SEND_ON_COMMIT": False, "TRUSTED_HOSTS": ["localhost"],
                       "LOG_LEVEL": "WARNING", **queue})


def _admin_client(app):
    admin = db.session.scalar(select(User).where(User.is_admin))
    client = app.test_client()
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}
                       ).status_code == 302
    return client


def import_job(url: str) -> float:
    """Seconds from posting a 3,000-row file to the job done."""
    app = _app(url)
    with app.app_context():
        db.create_all()
        admin = User(email="admin@bench.example", name="Bench Admin", is_admin=True)
        admin.set_password(PASSWORD)
        admin.email_verified_at = utcnow()
        db.session.add(admin)
        db.session.flush()
        programme = programmes.create(
            admin, topics=WRC_TOPICS, name="Import", slug="import", description="", network="",
            mentor_capacity_default=2, mentor_capacity_max=4, min_sessions_per_month=1,
            default_locale="en")
        programme.status = ProgrammeStatus.OPEN
        db.session.commit()
        client = _admin_client(app)
        started = time.perf_counter()
        response = client.post("/coordinate/import/import", data={
            "file": (io.BytesIO(_csv(3000)), "applications.csv")},
            content_type="multipart/form-data")
        elapsed = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        job = db.session.scalar(select(Job).order_by(Job.id.desc()))
        assert job.status == JobStatus.DONE, (job.status, job.errors)
        imported = db.session.scalar(select(func.count()).select_from(Enrolment))
        assert imported == 3000, imported
        db.session.remove()
        db.engine.dispose()
    return elapsed


@contextmanager
def _timed(out: dict, key: str, name: str):
    """Seconds the block takes, as ``out[key]``; with ``BENCH_PROFILE=file`` its cProfile is
    written to ``file.name``."""
    profile = os.environ.get("BENCH_PROFILE")
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    try:
        yield
    finally:
        out[key] = time.perf_counter() - started
        if profiler:
            profiler.disable()
            profiler.dump_stats(f"{profile}.{name}")


def pairs_at_scale(url: str, mentees: int, mentors: int, *, whole_flow: bool) -> dict:
    """Run, approve all, announce through the pages; seconds for each."""
    import bench_pairs

    bench_pairs.MENTEES, bench_pairs.MENTORS = mentees, mentors
    app = _app(url)
    out = {}
    with app.app_context():
        db.create_all()
        programme_id = bench_pairs.populate()
        slug = db.session.get(Programme, programme_id).slug
        client = _admin_client(app)
        with _timed(out, "run", f"run.{mentees}x{mentors}"):
            response = client.post(f"/coordinate/{slug}/matching/run", data={})
        assert response.status_code == 302, response.status_code
        out["proposals"] = db.session.scalar(select(func.count()).select_from(Pairing).where(
            Pairing.status == PairingStatus.PROPOSED))
        if whole_flow:
            with _timed(out, "approve", "approve"):
                client.post(f"/coordinate/{slug}/pairs/approve-above", data={"score": 0})
            out["approved"] = db.session.scalar(select(func.count()).select_from(Pairing).where(
                Pairing.status == PairingStatus.APPROVED))
            with _timed(out, "announce", "announce"):
                client.post(f"/coordinate/{slug}/pairs/announce", data={})
            out["emails"] = db.session.scalar(select(func.count()).select_from(OutboxEmail)
                                              .where(OutboxEmail.kind == "introduction"))
        db.session.remove()
        db.engine.dispose()
    return out


def _until_done(response, timeout: float = 120) -> Job:
    """The job a page answered with (its redirect to the job's page), once a worker ended it."""
    job_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh look at what the worker committed
        job = db.session.get(Job, job_id)
        db.session.refresh(job)
        if job.finished:
            assert job.status == JobStatus.DONE, (job.status, job.errors)
            return job
        time.sleep(0.02)
    raise TimeoutError(f"job {job_id} not done after {timeout} s")


def flow_through_a_worker(url: str, redis_url: str) -> dict:
    """Run, approve all and announce at 3,000 x 1,000 as a coordinator does in production: the
    page answers with the job's page at once, a Celery worker fed through Redis does the work.
    For each: how long the page took to answer, and seconds from the click to the job done."""
    import bench_pairs
    from celery.contrib.testing.worker import start_worker

    bench_pairs.MENTEES, bench_pairs.MENTORS = 3000, 1000
    app = _app(url, redis_url)
    out = {}
    with app.app_context():
        db.create_all()
        slug = db.session.get(Programme, bench_pairs.populate()).slug
        client = _admin_client(app)
        with start_worker(app.extensions["celery"], pool="solo", perform_ping_check=False,
                          shutdown_timeout=60):
            for key, path, data in (("run", "matching/run", {}),
                                    ("approve", "pairs/approve-above", {"score": 0}),
                                    ("announce", "pairs/announce", {})):
                started = time.perf_counter()
                response = client.post(f"/coordinate/{slug}/{path}", data=data)
                out[f"{key} page"] = time.perf_counter() - started
                assert response.status_code == 302 and "/jobs/" in response.location, (
                    key, response.status_code, response.location)
                job = _until_done(response)
                out[key] = time.perf_counter() - started
                out[f"{key} result"] = job.result
        out["emails"] = db.session.scalar(select(func.count()).select_from(OutboxEmail)
                                          .where(OutboxEmail.kind == "introduction"))
        db.session.remove()
        db.engine.dispose()
    return out


def main() -> None:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        print("runtime bench skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL)")
        return
    engine = create_engine(base)
    separator = "&" if "?" in base else "?"

    def in_schema(measure, *args, **kwargs):
        schema = "bench_" + uuid.uuid4().hex[:8]
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            return measure(f"{base}{separator}options=-csearch_path%3D{schema}", *args, **kwargs)
        finally:
            with engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))

    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL")
    chosen = set(sys.argv[1:]) or {"import", "flow", "large"} | ({"worker"} if redis_url else set())
    unknown = chosen - {"import", "flow", "small", "large", "worker"}
    if unknown:
        sys.exit(f"unknown measures {sorted(unknown)}: choose from import, flow, small, large, "
                 "worker")
    if "worker" in chosen and not redis_url:
        sys.exit("the worker measure needs Redis: set BENCH_REDIS_URL or TEST_REDIS_URL")
    rows = []
    if "import" in chosen:
        imported = in_schema(import_job)
        rows.append(("import 3,000 rows (job)", imported, 20, ""))
    if "flow" in chosen:
        flow = in_schema(pairs_at_scale, 3000, 1000, whole_flow=True)
        rows += [
            ("matching run 3,000 x 1,000", flow["run"], 3, f"{flow['proposals']} proposals"),
            ("approve all proposals", flow["approve"], 2, f"{flow['approved']} approved"),
            ("announce them (emails queued)", flow["announce"], 2, f"{flow['emails']} emails"),
        ]
    if "small" in chosen and "flow" not in chosen:
        small = in_schema(pairs_at_scale, 3000, 1000, whole_flow=False)
        rows.append(("matching run 3,000 x 1,000", small["run"], 3,
                     f"{small['proposals']} proposals"))
    if "large" in chosen:
        large = in_schema(pairs_at_scale, 10000, 3000, whole_flow=False)
        rows.append(("matching run 10,000 x 3,000", large["run"], 5,
                     f"{large['proposals']} proposals"))
    queued = []
    if "worker" in chosen:
        worker = in_schema(flow_through_a_worker, redis_url)
        queued = [
            ("matching run 3,000 x 1,000", "run", 3,
             f"{worker['run result']['matched']} matched"),
            ("approve all proposals", "approve", 2,
             f"{worker['approve result']['approved']} approved"),
            ("announce them (emails queued)", "announce", 2, f"{worker['emails']} emails"),
        ]
    engine.dispose()
    if rows:
        print("\nLong work through the pages, on PostgreSQL (jobs in-process)")
        print(f"{'what':<44} {'seconds':>8} {'target':>7}  note")
        for label, seconds, target, note in rows:
            verdict = "met" if seconds <= target else "NOT met"
            print(f"{label:<44} {seconds:>8.2f} {target:>7}  {verdict} {note}")
    if queued:
        print("\nThe same through Redis and a Celery worker: click to job done (page answered in)")
        print(f"{'what':<44} {'seconds':>8} {'target':>7}  note")
        for label, key, target, note in queued:
            seconds = worker[key]
            verdict = "met" if seconds <= target else "NOT met"
            print(f"{label:<44} {seconds:>8.2f} {target:>7}  {verdict} {note} "
                  f"(page {worker[f'{key} page'] * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
