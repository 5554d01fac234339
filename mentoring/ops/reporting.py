"""Error reporting to Sentry, when ``SENTRY_DSN`` is set and sentry-sdk is installed.

Both processes report: the site (Flask integration: unhandled errors, with the endpoint) and
the Celery worker (Celery integration: a task that breaks), since both build the app through
``create_app``. Error log lines (an email given up, a job that failed) become events too
(sentry-sdk's logging integration, on by default).

No personal data is sent: no cookies, headers that identify, addresses or signed-in person
(``send_default_pii=False``), no request bodies (applications and forms carry people's own
words) and no local variables of the stack (they hold rows with names and addresses).
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from flask import Flask

log = logging.getLogger("mentoring.reporting")


def release() -> str | None:
    """``mentoring@<version>`` of the installed package, if it is installed."""
    try:
        return f"mentoring@{version('mentoring')}"
    except PackageNotFoundError:
        return None


def init_app(app: Flask) -> bool:
    """Start sentry-sdk for this process when ``SENTRY_DSN`` is set; whether it started."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return False
    try:
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.flask import FlaskIntegration
    except ImportError:
        log.warning("SENTRY_DSN is set but sentry-sdk is not installed (pip install "
                    "'.[ops]'): errors are not reported")
        return False
    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration(), CeleryIntegration()],
        environment=app.config.get("SENTRY_ENVIRONMENT") or app.config["MENTORING_ENV"],
        release=app.config.get("SENTRY_RELEASE") or release(),
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
    )
    return True
