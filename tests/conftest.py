"""Fixtures for every test that needs the app: one database per run, SQLite and PostgreSQL.

Tests that take ``app`` (or anything built on it) run once on SQLite and once on PostgreSQL
(``TEST_DATABASE_URL``). Without that variable the PostgreSQL runs skip with a reason; in CI
(``CI`` set) they fail instead, so a missing database cannot pass unseen.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from mentoring import create_app
from mentoring.extensions import db
from mentoring.jobs import RUN_JOB
from mentoring.models import EnrolmentStatus, ProgrammeStatus, Role, User
from mentoring.models._types import utcnow

IN_CI = bool(os.environ.get("CI"))
PASSWORD = "a long enough passphrase"  # noqa: S105 - test credential


def need(reason: str) -> None:
    """Skip on a developer's machine, fail in CI."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A database URL with the current schema, created once per run."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    else:
        url = os.environ.get("TEST_DATABASE_URL", "")
        if not url:
            need("PostgreSQL tests need TEST_DATABASE_URL (postgresql+psycopg://...)")
    app = create_app(_config(url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return url


def _config(url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SERVER_NAME": "localhost",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
    }


def _empty_tables(url: str) -> None:
    engine = create_engine(url)
    tables = list(reversed(db.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def app_config():
    """Override in a test module to change settings."""
    return {}


class PersonClient(FlaskClient):
    """A browser of its own. The ``app`` fixture keeps one application context open for the
    whole test and requests reuse it, so Flask-Login's user cached in ``g`` would leak from one
    client to the next: forget it before each request so that the cookie decides who it is
    (and Flask-WTF's CSRF token, kept there too, so that each has her session's own)."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
            g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url, app_config):
    app = create_app({**_config(database_url), **app_config})
    app.test_client_class = PersonClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    _empty_tables(database_url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---- factories ---------------------------------------------------------------------------

@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(email=None, *, name=None, password=PASSWORD, verified=True, admin=False, **extra):
        number = next(counter)
        user = User(email=email or f"person{number}@example.org", name=name or f"Person {number}",
                    is_admin=admin, email_verified_at=utcnow() if verified else None, **extra)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


TOPICS = ["Satellite regulatory procedures", "Negotiation", "Drafting contributions",
          "IMT and mobile broadband", "Chairing meetings"]


@pytest.fixture
def make_programme(app, make_user):
    from mentoring.services import programmes

    counter = iter(range(1, 10_000))

    def make(*, status=ProgrammeStatus.OPEN, slug=None, topics=TOPICS, **values):
        number = next(counter)
        admin = db.session.scalar(select(User).where(User.is_admin)) or make_user(
            f"admin{number}@example.org", admin=True)
        today = utcnow().date()
        settings = dict(
            name=f"Programme {number}", slug=slug or f"programme-{number}", description="",
            network="ITU", applications_open=today - timedelta(days=10),
            applications_close=today + timedelta(days=10), starts_on=None, ends_on=None,
            mentor_capacity_default=2, mentor_capacity_max=4, min_sessions_per_month=1,
            default_locale="en",
        )
        settings.update(values)
        programme = programmes.create(admin, topics=list(topics), **settings)
        programme.status = status
        db.session.commit()
        return programme

    return make


@pytest.fixture
def make_enrolment(app, make_user):
    from mentoring.services.enrolments import Application, apply

    def make(programme, user=None, *, role=Role.MENTEE, status=EnrolmentStatus.SUBMITTED,
             country="KE", **values):
        user = user or make_user()
        data = Application(
            country=country, languages=values.pop("languages", ["en"]),
            topic_ids=values.pop("topic_ids", [programme.topics[0].id]),
            timezone=values.pop("timezone", "Africa/Nairobi"),
            capacity=values.pop("capacity", 2 if role == Role.MENTOR else None), **values)
        enrolment = apply(user, programme, role, data, source="test")
        enrolment.status = status
        db.session.commit()
        return enrolment

    return make


@pytest.fixture
def coordinator(make_user):
    """A user who coordinates ``programme`` (or one region of it)."""
    from mentoring.services import programmes

    def make(programme, region_code=None, **user_values):
        user = make_user(**user_values)
        region = next((r for r in programme.regions if r.code == region_code), None)
        programmes.assign_coordinator(None, programme, user.email, region.id if region else None)
        db.session.commit()
        return user

    return make


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password=PASSWORD, **extra):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


class WorkerQueue:
    """Jobs a page hands to the workers wait here, as with Redis, until :meth:`work` runs
    them as a worker would (pages that finish a job in their own request without a worker
    then show the job's page instead)."""

    def __init__(self, app):
        self.app = app
        self.waiting: list[int] = []

    def work(self) -> None:
        task = self.app.extensions["celery"].tasks[RUN_JOB]
        while self.waiting:
            task.apply(args=[self.waiting.pop(0)])


@pytest.fixture
def worker_queue(app, monkeypatch):
    """A queue of jobs waiting for a worker (see :class:`WorkerQueue`)."""
    import mentoring.jobs

    queue = WorkerQueue(app)
    monkeypatch.setattr(mentoring.jobs, "enqueue", lambda job: queue.waiting.append(job.id))
    return queue
