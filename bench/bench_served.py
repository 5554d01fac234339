"""Benchmark: pages served by gunicorn on PostgreSQL at 10,000 participants and 50,000
sessions (bench_dashboard's data), each against a bare Flask + SQLAlchemy page on the same
database served the same way, in the same run.

Target (issue #15, "Pages fast at scale"): each page's median within 5 x its bare page's.
Timings on a shared machine are noisy, hence the ratio to a bare page measured alongside.
Needs PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL) and wrk (apt install wrk).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_dashboard import PASSWORD, populate  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from mentoring import create_app  # noqa: E402
from mentoring.extensions import db  # noqa: E402
from mentoring.models import Meeting, MeetingFormat, Pairing  # noqa: E402
from mentoring.models._types import utcnow  # noqa: E402

SECRET = "served bench"  # noqa: S105
#: Flask-Login's strong session protection ties the cookie to the browser's User-Agent.
AGENT = "bench-served"
TARGET = 5.0
#: gunicorn's sync workers, and as many wrk connections: each request is served as soon as it
#: comes, so a median is a page's time and not a queue's (with more connections than workers
#: the medians add waiting in line, which on a shared machine grows with the page's time).
WORKERS = 2
ROUNDS = 3
#: page, its path, its bare page's path.
PAGES = [
    ("dashboard", "/coordinate/bench/dashboard", "/group-by"),
    ("pairs list", "/coordinate/bench/pairs", "/list"),
    ("applications list", "/coordinate/bench/applications", "/list"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(factory: str, url: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "SERVED_DATABASE_URL": url, "SERVED_SECRET_KEY": SECRET}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--chdir", str(HERE), "--bind",
         f"127.0.0.1:{port}", "--workers", str(WORKERS), "--worker-class", "sync", "--log-level",
         "warning", f"served_apps:{factory}()"], env=env)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/nowhere", timeout=1)  # noqa: S310
        except urllib.error.HTTPError:
            return process, port
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"gunicorn {factory} did not start")


def _median_ms(url: str, cookie: str | None) -> float:
    command = ["wrk", "-t1", f"-c{WORKERS}", "-d3s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}", "-H", f"User-Agent: {AGENT}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses", out):
        raise RuntimeError(f"{url} answered errors:\n{out}")
    value, unit = re.search(r"^\s*50%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _session_cookie(url: str) -> str:
    """A coordinator's (the admin's) session cookie, signed with the served app's key."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "LOG_LEVEL": "WARNING",
                      "MENTORING_ENV": "development"})
    with app.app_context():
        db.create_all()
        populate(10_000, 50_000)
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = AGENT
        response = client.post("/login", data={"email": "admin@bench.example",
                                               "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        cookie = client.get_cookie("session")
        db.session.remove()
        db.engine.dispose()
    return f"session={cookie.value}"


#: Requests of the dashboard each right after a new session (its figures computed again).
AFTER_WRITES = 15


def _get_ms(url: str, cookie: str | None = None) -> float:
    headers = {"Cookie": cookie, "User-Agent": AGENT} if cookie else {}
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as r:  # noqa: S310
        r.read()
    return (time.perf_counter() - started) * 1000


def _after_new_sessions(url: str, site_port: int, bare_port: int, cookie: str) -> tuple:
    """The dashboard right after a session is logged (a write raises the programme's revision:
    its figures are computed afresh, not read from the cache), one request at a time, each
    followed by the bare GROUP BY page fetched the same way."""
    engine = create_engine(url)
    with engine.begin() as connection:
        pairing_id = connection.scalar(select(Pairing.id).order_by(Pairing.id).limit(1))
    turns = []
    for _ in range(AFTER_WRITES):
        with engine.begin() as connection:
            connection.execute(insert(Meeting).values(
                pairing_id=pairing_id, held_on=utcnow().date(), duration_minutes=60,
                format=MeetingFormat.VIDEO, notes="", next_steps="", dispute_note=""))
        turns.append((_get_ms(f"http://127.0.0.1:{site_port}{PAGES[0][1]}", cookie),
                      _get_ms(f"http://127.0.0.1:{bare_port}{PAGES[0][2]}")))
    engine.dispose()
    return ("dashboard after a new session", statistics.median(t[0] for t in turns),
            PAGES[0][2], statistics.median(t[1] for t in turns),
            statistics.median(t[0] / t[1] for t in turns))


def measure(url: str) -> list[tuple]:
    cookie = _session_cookie(url)
    site, site_port = _serve("mentoring_app", url)
    bare, bare_port = _serve("bare_app", url)
    try:
        rows = []
        for label, path, bare_path in PAGES:
            with urllib.request.urlopen(urllib.request.Request(  # noqa: S310
                    f"http://127.0.0.1:{site_port}{path}",
                    headers={"Cookie": cookie, "User-Agent": AGENT})) as r:
                assert r.status == 200 and r.url.endswith(path), (path, r.status, r.url)
            # Page and bare page in turns, ROUNDS times: the other work on a shared machine
            # comes and goes, and each turn's ratio compares two measures taken together.
            turns = [(_median_ms(f"http://127.0.0.1:{site_port}{path}", cookie),
                      _median_ms(f"http://127.0.0.1:{bare_port}{bare_path}", None))
                     for _ in range(ROUNDS)]
            rows.append((label, statistics.median(t[0] for t in turns), bare_path,
                         statistics.median(t[1] for t in turns),
                         statistics.median(t[0] / t[1] for t in turns)))
        rows.insert(1, _after_new_sessions(url, site_port, bare_port, cookie))
        return rows
    finally:
        for process in (site, bare):
            process.terminate()
            process.wait(timeout=30)


def main() -> None:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        print("served bench skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL)")
        return
    if shutil.which("wrk") is None:
        print("served bench skipped: wrk is not installed (apt install wrk)")
        return
    engine = create_engine(base)
    schema = "bench_" + uuid.uuid4().hex[:8]
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    try:
        rows = measure(f"{base}{separator}options=-csearch_path%3D{schema}")
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
    print(f"\nPages served by gunicorn ({WORKERS} sync workers) on PostgreSQL, 10,000 "
          f"participants and 50,000 sessions;\nwrk -t1 -c{WORKERS} -d3s, median latency, page and "
          f"bare page in turns {ROUNDS} times (medians; ratio: the median of the turns' "
          "ratios);\nthe bare page is Flask + SQLAlchemy on the same database")
    print(f"(the dashboard's figures are cached per data revision; \"after a new session\": "
          f"{AFTER_WRITES} single requests,\neach after a session is logged, each followed by "
          "the bare page)")
    print(f"{'page':<30} {'median ms':>9}  {'bare page':<10} {'bare ms':>7} {'ratio':>6} "
          f"{'target':>6}")
    for label, page, bare_path, yardstick, ratio in rows:
        verdict = "met" if ratio <= TARGET else "NOT met"
        print(f"{label:<30} {page:>9.1f}  {bare_path:<10} {yardstick:>7.1f} {ratio:>6.1f} "
              f"{TARGET:>5.0f}x  {verdict}")


if __name__ == "__main__":
    main()
