"""What an operator may switch on: Prometheus metrics at ``/metrics`` (``METRICS_ENABLED``), read
only from the machine itself or with the bearer token, and error reports to Sentry
(``SENTRY_DSN``); neither does anything unless configured."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mentoring import create_app
from mentoring.extensions import db
from mentoring.services import mail
from tests.conftest import _config
from tests.web.test_jobs import post_file, rows

TOKEN = "scrape-me-7f3a9c"
OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture
def app_config():
    pytest.importorskip("prometheus_client")
    return {"METRICS_ENABLED": True, "METRICS_TOKEN": TOKEN}


def scrape(client, **headers):
    return client.get("/metrics", environ_base=OUTSIDE,
                      headers={"Authorization": f"Bearer {TOKEN}", **headers})


def sample(text: str, name: str, **labels) -> float | None:
    """The value of one sample in Prometheus' text format (labels in any order)."""
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            head, _, value = line.rpartition(" ")
            found = dict(part.split("=", 1) for part in
                         head[len(name) + 1:-1].split(",") if "=" in part)
            if {key: value.strip('"') for key, value in found.items()} == labels:
                return float(value)
    return None


@pytest.mark.parametrize("app_config", [{}])
def test_without_metrics_enabled_there_is_no_metrics_page(client):
    assert client.get("/metrics").status_code == 404


def test_the_metrics_are_refused_from_elsewhere_without_the_token(client):
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 401
    wrong = client.get("/metrics", environ_base=OUTSIDE,
                       headers={"Authorization": "Bearer guessed"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    # A request the proxy passed on comes from 127.0.0.1 too, but it came from outside.
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 401


def test_the_token_reads_the_metrics_which_count_each_request(client, make_programme):
    make_programme(slug="now4wrc27")
    client.get("/")
    client.get("/programmes/now4wrc27")
    client.get("/programmes/no-such-programme")
    text = scrape(client).text
    assert sample(text, "mentoring_requests_total", endpoint="programmes.index",
                  method="GET", status="200") == 1
    assert sample(text, "mentoring_requests_total", endpoint="programmes.detail",
                  method="GET", status="404") == 1
    assert sample(text, "mentoring_request_duration_seconds_count",
                  endpoint="programmes.detail", method="GET", status="200") == 1
    client.get("/")
    assert sample(scrape(client).text, "mentoring_requests_total",
                  endpoint="programmes.index", method="GET", status="200") == 2


def test_the_machine_itself_reads_the_metrics_without_the_token(client):
    response = client.get("/metrics")  # the test client's address is 127.0.0.1
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")


def test_the_metrics_tell_the_outbox_depth(app, client):
    app.config["MAIL_SEND_ON_COMMIT"] = False  # waits for the sender
    mail.queue("someone@example.org", "About your application", "Hello", kind="decision")
    db.session.commit()
    text = scrape(client).text
    assert sample(text, "mentoring_outbox_emails", state="due") == 1
    assert sample(text, "mentoring_outbox_emails", state="failed") == 0
    assert sample(text, "mentoring_outbox_oldest_due_seconds") is not None


def test_the_metrics_time_each_job_by_kind_and_outcome(client, auth, make_programme,
                                                       coordinator):
    programme = make_programme(slug="now4wrc27")
    auth.login(coordinator(programme))
    post_file(client, programme.slug, rows(2))
    post_file(client, programme.slug, "E-mail\nnot an address\n")
    text = scrape(client).text
    for outcome in ("done", "failed"):
        assert sample(text, "mentoring_job_duration_seconds_count",
                      kind="import_applications", outcome=outcome) == 1


WORKER = textwrap.dedent("""
    import sys
    from mentoring import create_app
    from mentoring.extensions import db

    site = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                       "METRICS_ENABLED": True})
    with site.app_context():
        db.create_all()
    browser = site.test_client()
    assert browser.get("/").status_code == 200
    if sys.argv[2] == "scrape":
        print(browser.get("/metrics").get_data(as_text=True))
""")


def test_with_several_worker_processes_the_metrics_add_up_all_of_them(tmp_path):
    """gunicorn's workers are processes: with PROMETHEUS_MULTIPROC_DIR whichever answers
    /metrics counts the requests every one of them served."""
    pytest.importorskip("prometheus_client")
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    database = "sqlite:///" + str(tmp_path / "site.sqlite")
    root = Path(__file__).resolve().parents[2]
    for role in ("serve", "scrape"):
        done = subprocess.run([sys.executable, "-c", WORKER, database, role], env=env,
                              cwd=root, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert sample(done.stdout, "mentoring_requests_total", endpoint="programmes.index",
                  method="GET", status="200") == 2


# ---- error reports ---------------------------------------------------------------------------

@pytest.fixture
def sentry_calls(monkeypatch):
    sentry_sdk = pytest.importorskip("sentry_sdk")
    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: calls.append(options))
    return calls


def _site(**settings):
    return create_app({**_config("sqlite://"), **settings})


def test_with_a_sentry_dsn_errors_are_reported_without_personal_data(sentry_calls):
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.flask import FlaskIntegration

    _site(SENTRY_DSN="https://key@sentry.example.org/42", MENTORING_ENV="staging",
          SENTRY_RELEASE="mentoring@2026.12")
    (options,) = sentry_calls
    assert options["dsn"] == "https://key@sentry.example.org/42"
    assert options["send_default_pii"] is False
    assert options["max_request_body_size"] == "never"
    assert (options["environment"], options["release"]) == ("staging", "mentoring@2026.12")
    kinds = {type(integration) for integration in options["integrations"]}
    assert {FlaskIntegration, CeleryIntegration} <= kinds


def test_without_a_sentry_dsn_nothing_is_reported(sentry_calls):
    _site()
    assert sentry_calls == []


def test_a_dsn_without_sentry_installed_starts_the_site_and_says_so(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # "not installed"
    site = _site(SENTRY_DSN="https://key@sentry.example.org/42")
    assert site.test_client().get("/healthz").json["database"] == "ok"
    assert "sentry-sdk is not installed" in caplog.text
