"""mentoring: applications, optimal matching, sessions and dashboards for mentoring programmes."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from werkzeug.middleware.proxy_fix import ProxyFix

from . import logs
from .config import configure
from .extensions import babel, cache, csrf, db, limiter, login_manager, migrate
from .i18n import select_locale


def create_app(config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints and commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(shipped("templates")),
    )
    configure(app, config)
    logs.configure(app)
    from . import ops

    ops.init_app(app)  # error reports and metrics, when configured
    if (proxies := app.config["PROXY_COUNT"]) > 0:
        # The client's address and scheme as the proxies in front saw them (exactly that many
        # proxies are trusted). The host stays the request's own, checked by TRUSTED_HOSTS.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    db.init_app(app)
    from .models._types import render_item

    migrate.init_app(app, db, directory=str(shipped("migrations")), render_as_batch=True,
                     render_item=render_item, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    cache_url = app.config["CACHE_REDIS_URL"] or app.config["REDIS_URL"]
    cache.init_app(app, config={
        "CACHE_TYPE": "RedisCache" if cache_url else "SimpleCache",
        "CACHE_REDIS_URL": cache_url, "CACHE_KEY_PREFIX": "mentoring:",
        "CACHE_DEFAULT_TIMEOUT": app.config["DASHBOARD_CACHE_SECONDS"]})
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from . import models  # noqa: F401 - register the tables with the metadata

    @login_manager.user_loader
    def load_user(session_id: str):
        from .services.accounts import signed_in_user

        return signed_in_user(session_id)

    from . import security

    security.bound_numbers(app)  # before the blueprints add their routes

    from . import (
        activities,
        admin,
        applications,
        auth,
        circles,
        consent,
        content,
        coordination,
        dashboard,
        enrolment,
        jobs,
        meetings,
        ops,
        outcomes,
        pairing,
        pairs_at_work,
        privacy,
        programmes,
        rematch,
        surveys,
    )

    # One folder per feature, each with its blueprint (routes, forms; templates/<name>/).
    for feature in (programmes, auth, enrolment, coordination, applications, pairing,
                    pairs_at_work, rematch, surveys, dashboard, content, meetings, admin, ops,
                    privacy, jobs, activities, consent, outcomes, circles):
        app.register_blueprint(feature.bp)

    from . import cli, errors, templating
    from .services import explanations, mail

    errors.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
    mail.register(app)
    explanations.register(app)
    jobs.init_app(app)  # Celery, bound to this app

    @app.before_request
    def _fresh_locale():
        # Each request chooses its own language, even inside an application context that
        # outlives it (a command or a test that serves several requests).
        refresh()

    return app


def shipped(folder: str) -> Path:
    """Where ``templates`` or ``migrations`` is: inside an installed package, else the checkout's.

    A built package carries them as ``mentoring/<folder>`` (see setup.py); a checkout, and an
    editable install of it, keeps them at the top level beside ``mentoring/``.
    """
    here = Path(__file__).resolve().parent
    inside = here / folder
    return inside if inside.is_dir() else here.parent / folder
