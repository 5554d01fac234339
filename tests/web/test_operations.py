"""What an operator relies on: a health check, a log line per request, an error page that
needs no database, a request after a PostgreSQL restart."""

from __future__ import annotations

import html
import json
import logging
import os
import uuid
from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from mentoring import create_app
from mentoring.extensions import db
from mentoring.logs import JsonFormatter
from mentoring.models import Job, JobKind, JobStatus, OutboxEmail
from mentoring.models._types import utcnow
from tests.conftest import _config, need

EMPTY_OUTBOX = {"due": 0, "failed": 0, "oldest_due_seconds": 0}


def _database_down(monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    for name in ("execute", "scalars", "scalar", "get"):
        monkeypatch.setattr(db.session, name, down)


def test_health_check_says_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"database": "ok", "queue": {"outbox": EMPTY_OUTBOX}}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_check_names_the_database_when_it_is_down(client, monkeypatch):
    _database_down(monkeypatch)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"database": "unavailable", "queue": {"outbox": "unavailable"}}


def _email(**values):
    email = OutboxEmail(recipient="someone@example.org", subject="Hello", body="Hello",
                        kind="decision", **values)
    db.session.add(email)
    return email


def test_a_backlog_of_emails_shows_in_the_health_check_but_keeps_it_healthy(client):
    now = utcnow()
    _email(created_at=now - timedelta(minutes=10), next_attempt_at=now - timedelta(minutes=10))
    _email(next_attempt_at=now)
    _email(attempts=3, next_attempt_at=now + timedelta(minutes=4))  # waits for its retry
    _email(sent_at=now)
    _email(attempts=20, failed_at=now, created_at=now - timedelta(days=2))
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    outbox = response.json["queue"]["outbox"]
    assert (outbox["due"], outbox["failed"]) == (2, 1)
    assert 600 <= outbox["oldest_due_seconds"] < 3600


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        need("the job queue's health needs Redis: TEST_REDIS_URL (redis://127.0.0.1:6390/0)")
    return url


def test_with_a_job_queue_the_health_check_counts_tasks_waiting_and_jobs_by_state(
        app, client, redis_url, make_programme, make_user):
    from mentoring.jobs import RUN_JOB

    app.config["REDIS_URL"] = redis_url
    celery = app.extensions["celery"]
    # A queue of this test's own, sent to through the broker (no worker takes from it).
    celery.conf.update(broker_url=redis_url, task_always_eager=False,
                       task_default_queue=f"healthz-{uuid.uuid4().hex}")
    programme, claire = make_programme(), make_user()
    now = utcnow()
    waiting = [Job(kind=JobKind.IMPORT_APPLICATIONS, programme=programme, user=claire,
                   status=JobStatus.QUEUED, created_at=now - timedelta(hours=age))
               for age in (2, 0)]
    running = Job(kind=JobKind.MATCHING_RUN, programme=programme, user=claire,
                  status=JobStatus.RUNNING, started_at=now)
    db.session.add_all([*waiting, running])
    db.session.commit()
    try:
        for job in waiting:
            celery.tasks[RUN_JOB].delay(job.id)
        response = client.get("/healthz")
    finally:
        with celery.connection_for_write() as connection:
            connection.default_channel.queue_purge(celery.conf.task_default_queue)
    assert response.status_code == 200
    queue = response.json["queue"]
    assert response.json["redis"] == "ok"
    assert queue["broker"] == {"messages": 2}
    assert (queue["jobs"]["queued"], queue["jobs"]["running"]) == (2, 1)
    assert 7200 <= queue["jobs"]["oldest_queued_seconds"] < 7200 + 3600


def test_every_request_is_logged_with_its_id_status_and_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="mentoring.requests"):
        response = client.get("/", headers={"X-Request-ID": "proxy-42"})
    assert response.headers["X-Request-ID"] == "proxy-42"
    (line,) = [r for r in caplog.records if r.name == "mentoring.requests"]
    assert (line.request_id, line.method, line.path, line.status) == ("proxy-42", "GET", "/", 200)
    assert line.duration_ms >= 0
    entry = json.loads(JsonFormatter().format(line))
    assert entry["request_id"] == "proxy-42" and entry["status"] == 200
    assert entry["level"] == "INFO"


def test_the_error_page_shows_in_the_readers_language_while_the_database_is_down(
        app, client, auth, make_user, monkeypatch):
    auth.login(make_user())  # a signed-in person: her page would need the database
    app.config["PROPAGATE_EXCEPTIONS"] = False
    _database_down(monkeypatch)
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert response.status_code == 500
    with force_locale("fr"):
        expected = _("An unexpected error happened. It has been logged; please try again.")
    assert expected in html.unescape(response.get_data(as_text=True))
    assert 'lang="fr"' in response.get_data(as_text=True)


def test_a_request_after_a_postgresql_restart_succeeds(app, make_programme):
    """A restart ends every connection the web workers hold in their pools; the next request
    must not get one of those (``pool_pre_ping`` checks a connection before handing it out)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("a restart of PostgreSQL: the test runs on PostgreSQL")
    make_programme(name="NOW4WRC27", slug="now4wrc27")
    db.session.remove()  # the test's own session holds no connection either
    # The site as gunicorn runs it: each request opens and closes its own context, and the
    # connection goes back to the pool in between.
    site = create_app(_config(url))
    visitor = site.test_client()
    assert "NOW4WRC27" in visitor.get("/programmes/now4wrc27").text

    killer = create_engine(url)
    with killer.begin() as connection:
        ended = connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalars().all()
    killer.dispose()
    assert ended and all(ended), "the site's pooled connection was there to end"

    response = visitor.get("/programmes/now4wrc27")
    assert response.status_code == 200
    assert "NOW4WRC27" in response.text
    with site.app_context():
        db.engine.dispose()


def test_while_the_database_is_down_the_error_page_shows_in_the_language_asked_for(app):
    """Nothing answers where the database should be: the page still comes, in Spanish."""
    site = create_app({**_config("postgresql+psycopg://nobody:x@127.0.0.1:1/mentoring"),
                       "PROPAGATE_EXCEPTIONS": False})
    response = site.test_client().get("/", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert response.status_code == 500
    page = html.unescape(response.get_data(as_text=True))
    with force_locale("es"):
        assert _("An unexpected error happened. It has been logged; please try again.") in page
        assert _("Go to the programmes") in page
    assert 'lang="es"' in page and 'dir="ltr"' in page
    health = site.test_client().get("/healthz")
    assert (health.status_code, health.json["database"]) == (503, "unavailable")


@pytest.mark.parametrize("locale", ["ar"])
def test_the_plain_error_page_is_right_to_left_in_arabic(app, client, monkeypatch, locale):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    _database_down(monkeypatch)
    response = client.get("/", headers={"Accept-Language": locale})
    assert response.status_code == 500
    assert 'dir="rtl"' in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"REDIS_URL": "redis://127.0.0.1:1/0",
                                         "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
                                         "RATELIMIT_ENABLED": True}])
def test_health_check_names_redis_when_it_is_down_and_sign_in_still_works(
        client, auth, make_user):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"database": "ok", "redis": "unavailable", "queue": {
        "outbox": EMPTY_OUTBOX, "broker": "unavailable",
        "jobs": {"queued": 0, "running": 0, "oldest_queued_seconds": 0}}}
    assert auth.login(make_user()).status_code == 302  # limits fall back to memory


class _Queue:
    """Stands for Celery with a broker: records what it is asked to do, or does not answer."""

    def __init__(self, answers=True):
        self.calls = 0
        self.answers = answers
        self.conf = type("Conf", (), {"task_always_eager": False})()
        self.tasks = {"mentoring.send_emails": self}

    def delay(self):
        self.calls += 1
        if not self.answers:
            raise ConnectionError("broker down")


def _register(client):
    client.post("/register", data={"name": "Amina Diallo", "email": "amina@example.org",
                                   "password": "orbit spectrum filing",
                                   "confirm": "orbit spectrum filing"})


def test_with_a_job_queue_the_request_hands_its_emails_to_a_worker(app, client, monkeypatch):
    from tests.helpers import emails

    queue = _Queue()
    monkeypatch.setitem(app.extensions, "celery", queue)
    _register(client)
    (message,) = emails("verify-email")
    assert queue.calls == 1
    assert message.sent_at is None  # the worker sends it, not the request


def test_when_the_job_queue_does_not_answer_the_request_sends_itself(app, client, monkeypatch):
    from tests.helpers import emails

    monkeypatch.setitem(app.extensions, "celery", _Queue(answers=False))
    _register(client)
    (message,) = emails("verify-email")
    assert message.sent_at is not None
