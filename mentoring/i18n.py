"""Interface languages: which locale a request is served in, and programme content per language.

The interface speaks the six UN languages (``LANGUAGES``). The locale of a request is, in order:
the signed-in person's setting, the language picked in the header (kept in the session for
people who are not signed in), the browser's ``Accept-Language``, the default language of the
programme the page belongs to, and the site's default.

Programme content (name, description, guidance, region names, topic labels, survey questions)
is written in the programme's default language; a coordinator can add a version per language
(``translations`` on each model), and a page shows the version for its locale where there is
one, else the default.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .locales import (  # noqa: F401 - re-exported for the routes and templates
    RTL_LOCALES,
    current_locale,
    is_rtl,
    localized,
    question_text,
    timezone_label,
)

#: Session key of the language picked in the header by someone not signed in.
SESSION_KEY = "locale"


def languages() -> list[str]:
    return current_app.config["LANGUAGES"]


def _programme_locale() -> str | None:
    """The default language of the programme named in the URL (``<slug>``), if any. Asked at
    most once a request: Flask-Babel keeps the locale it chose."""
    slug = (request.view_args or {}).get("slug")
    if not slug:
        return None
    from sqlalchemy import select

    from .extensions import db
    from .models import Programme

    # A coordinator's page has read its programme before it first needs the locale: use
    # that row (the same transaction's) rather than asking the database a second time. Only
    # values already loaded are read: an expired row would be read again, one query each.
    for row in db.session.identity_map.values():
        loaded = row.__dict__
        if (isinstance(row, Programme) and loaded.get("slug") == slug
                and "default_locale" in loaded):
            return loaded["default_locale"]
    return db.session.scalar(select(Programme.default_locale).where(Programme.slug == slug))


def select_locale() -> str:
    """The locale of the current request (see the module's docstring for the order)."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    available = languages()
    try:
        if current_user and current_user.is_authenticated and current_user.locale in available:
            return current_user.locale
    except SQLAlchemyError:
        pass  # the database is down: choose from the request alone (the error page does)
    if session.get(SESSION_KEY) in available:
        return session[SESSION_KEY]
    best = request.accept_languages.best_match(available)
    if best:
        return best
    programme_locale = _programme_locale()
    return programme_locale if programme_locale in available else default
