"""Configuration: defaults here, then ``instance/config.py``, then the environment.

Every setting can be given as an environment variable of the same name. ``SECRET_KEY`` is read
from the environment, else from ``instance/secret_key`` which is generated on first run.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

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
    "RATELIMIT_STORAGE_URI": str,
    "SERVER_NAME": str,
    "PREFERRED_URL_SCHEME": str,
    "SESSION_COOKIE_SECURE": bool,
    "REMEMBER_COOKIE_SECURE": bool,
    "MENTORING_ENV": str,
    "BASE_URL": str,
    "RETENTION_DAYS": int,
}


class DefaultConfig:
    """Settings every deployment starts from."""

    #: "development" relaxes the Secure cookie flag so http://127.0.0.1 works.
    MENTORING_ENV = "production"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # uploads (CSV imports) are small
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
    #: Failed logins before an account is locked, and for how long (seconds).
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_SECONDS = 15 * 60
    LOGIN_RATE_LIMIT = "10 per minute"
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
    #: Send queued emails as soon as the request that queued them commits.
    MAIL_SEND_ON_COMMIT = True
    APPLICATIONS_PER_PAGE = 25
    #: Where the site is served, for links in emails sent by commands (reminders, surveys).
    BASE_URL = "http://127.0.0.1:5000"
    #: Days after a closed programme's end date before its applications' free text is erased
    #: (``flask anonymise-old``; the privacy notice says the same).
    RETENTION_DAYS = 730


def _coerce(kind: type, value: str):
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
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
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "mentoring.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(url)
