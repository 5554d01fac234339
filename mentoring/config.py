"""Configuration: defaults here, then ``instance/config.py``, then the environment.

Every setting can be given as an environment variable of the same name. ``SECRET_KEY`` is read
from the environment, else from ``instance/secret_key`` which is generated on first run.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

ENV_SETTINGS = {
    # name: type
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_DEFAULT_SENDER": str,
    "MAIL_TIMEOUT": int,
    "RATELIMIT_STORAGE_URI": str,
    "SERVER_NAME": str,
    "PREFERRED_URL_SCHEME": str,
    "SESSION_COOKIE_SECURE": bool,
    "REMEMBER_COOKIE_SECURE": bool,
    "MENTORING_ENV": str,
    "BASE_URL": str,
    "LOG_FORMAT": str,
    "LOG_LEVEL": str,
    "TRUSTED_HOSTS": list,
    "PROXY_COUNT": int,
    "IMPORT_MAX_ROWS": int,
    "RETENTION_DAYS": int,
    "JOB_RETENTION_DAYS": int,
    "REDIS_URL": str,
    "CACHE_REDIS_URL": str,
    "SENTRY_DSN": str,
    "SENTRY_ENVIRONMENT": str,
    "SENTRY_RELEASE": str,
    "METRICS_ENABLED": bool,
    "METRICS_TOKEN": str,
}


class DefaultConfig:
    """Settings every deployment starts from."""

    #: "development" relaxes the Secure cookie flag so http://127.0.0.1 works.
    MENTORING_ENV = "production"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # uploads (CSV imports) are small
    #: Rows one CSV import reads at most (a bigger file is refused before any row is checked).
    IMPORT_MAX_ROWS = 20_000
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    #: Interface languages (the six UN languages). English is the source language; the
    #: others have a catalogue in mentoring/translations.
    LANGUAGES = ["ar", "zh", "en", "fr", "ru", "es"]
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    #: When the limits' storage (Redis) is down, count in this process's memory meanwhile,
    #: and never let the limiter's own error fail a request (sign-in keeps working).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    #: How many proxies in front of the site append to X-Forwarded-For / X-Forwarded-Proto
    #: (a TLS-terminating proxy: 1). Their headers are trusted that far and no further, so that
    #: rate limits count each client's own address. 0: the headers are ignored.
    PROXY_COUNT = 0
    #: Failed sign-ins to one address from one client before sign-in to it from there is
    #: paused, and for how long (seconds).
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_SECONDS = 15 * 60
    #: Failed sign-ins to one address from everywhere before it is paused everywhere (and its
    #: owner told by email).
    LOGIN_ACCOUNT_MAX_FAILURES = 50
    #: Failures older than this (seconds) are forgotten.
    LOGIN_FAILURE_MEMORY_SECONDS = 24 * 60 * 60
    LOGIN_RATE_LIMIT = "10 per minute"
    #: Per person, on the pages that check the current password (account, change password).
    PASSWORD_CHECK_RATE_LIMIT = "20 per hour"  # noqa: S105 - a rate, not a secret
    PASSWORD_RESET_MAX_AGE = 60 * 60
    INVITATION_MAX_AGE = 14 * 24 * 60 * 60
    EMAIL_VERIFICATION_MAX_AGE = 7 * 24 * 60 * 60
    MAIL_SERVER = ""
    MAIL_PORT = 587
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""  # noqa: S105 - empty default, set in the environment
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER = "mentoring@localhost"
    #: Seconds to wait for the mail server: short, so a stuck server holds nothing for long.
    MAIL_TIMEOUT = 10
    #: Send queued emails as soon as the request that queued them commits.
    MAIL_SEND_ON_COMMIT = True
    APPLICATIONS_PER_PAGE = 25
    #: Where the site is served: every link in an email is built from it.
    BASE_URL = "http://127.0.0.1:5000"
    #: "plain" lines, or "json" lines for a log collector.
    LOG_FORMAT = "plain"
    LOG_LEVEL = "INFO"
    #: The host names the site answers to (a name starting with a dot takes its subdomains);
    #: a request for any other host gets 400, so that no link or redirect is built from a
    #: forged ``Host`` header. Empty: 127.0.0.1, localhost and the host of ``BASE_URL``.
    TRUSTED_HOSTS: list[str] = []
    #: Days after a closed programme's end date before its applications' free text is erased
    #: (``flask anonymise-old``; the privacy notice says the same).
    RETENTION_DAYS = 730
    #: Days a finished job (its page, result and errors) is kept before the daily clean-up
    #: (``flask delete-old-jobs``, and the scheduler) deletes it; queued and running ones stay.
    JOB_RETENTION_DAYS = 30
    #: Redis for background jobs (Celery's broker and result backend), e.g.
    #: redis://127.0.0.1:6379/0. Empty: a job runs at once inside the request that starts it.
    REDIS_URL = ""
    #: Redis for the dashboard's cached figures. Empty: ``REDIS_URL``; without either, each
    #: worker process keeps its own (the figures are exact either way).
    CACHE_REDIS_URL = ""
    #: Seconds a dashboard's cached figures live (they are keyed on the day as well).
    DASHBOARD_CACHE_SECONDS = 86400
    #: Sentry's address for error reports (needs sentry-sdk: pip install '.[ops]'). Empty:
    #: nothing is reported. The environment defaults to MENTORING_ENV, the release to
    #: mentoring@<installed version>.
    SENTRY_DSN = ""
    SENTRY_ENVIRONMENT = ""
    SENTRY_RELEASE = ""
    #: Prometheus metrics at /metrics (needs prometheus-client: pip install '.[ops]'), read
    #: from this machine or with ``Authorization: Bearer <METRICS_TOKEN>``.
    METRICS_ENABLED = False
    METRICS_TOKEN = ""  # noqa: S105 - empty default, set in the environment


def _coerce(kind: type, value: str):
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if kind is list:
        return [item.strip() for item in value.split(",") if item.strip()]
    return kind(value)


def load_secret_key(instance_path: str) -> str:
    """Return the key in ``instance/secret_key``, creating it (mode 600) on first run."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def database_url(url: str) -> str:
    """Normalise a ``DATABASE_URL`` as hosting platforms give it to the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def default_trusted_hosts(config) -> list[str]:
    """127.0.0.1, localhost, and the hosts of ``BASE_URL`` and ``SERVER_NAME``."""
    hosts = ["127.0.0.1", "localhost"]
    for name in (urlsplit(config.get("BASE_URL") or "").hostname,
                 urlsplit("//" + (config.get("SERVER_NAME") or "")).hostname):
        if name and name not in hosts:
            hosts.append(name)
    return hosts


def configure(app, config: dict | None) -> None:
    """Fill ``app.config`` from defaults, ``instance/config.py``, environment and ``config``."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    for name, kind in ENV_SETTINGS.items():
        if name in os.environ:
            app.config[name] = _coerce(kind, os.environ[name])
    if config:
        app.config.update(config)

    if app.config["MENTORING_ENV"] == "development" and not (config or {}).get(
        "SESSION_COOKIE_SECURE"
    ):
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    if not app.config.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = default_trusted_hosts(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "mentoring.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(url)
