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

from functools import cache
from typing import Any

from babel.dates import get_timezone_location
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

#: Locales written right to left.
RTL_LOCALES = frozenset({"ar", "fa", "he", "ur"})

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

    return db.session.scalar(select(Programme.default_locale).where(Programme.slug == slug))


def select_locale() -> str:
    """The locale of the current request (see the module's docstring for the order)."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    available = languages()
    if current_user and current_user.is_authenticated and current_user.locale in available:
        return current_user.locale
    if session.get(SESSION_KEY) in available:
        return session[SESSION_KEY]
    best = request.accept_languages.best_match(available)
    if best:
        return best
    programme_locale = _programme_locale()
    return programme_locale if programme_locale in available else default


def current_locale() -> str:
    """The locale Flask-Babel is rendering in now (a forced one inside ``force_locale``)."""
    try:
        locale = get_locale()
    except RuntimeError:  # no application context
        locale = None
    return str(locale) if locale is not None else "en"


def is_rtl(locale: str) -> bool:
    return locale.split("_")[0] in RTL_LOCALES


def localized(base: str, translations: dict[str, Any] | None, default_locale: str,
              field: str | None = None, locale: str | None = None) -> str:
    """``base`` (written in ``default_locale``) or its version for ``locale`` if there is one.

    ``translations`` maps a locale to the text, or, with ``field``, to a dict of texts.
    """
    locale = locale or current_locale()
    if locale == default_locale or not translations:
        return base
    version = translations.get(locale)
    if field is not None:
        version = version.get(field) if isinstance(version, dict) else None
    return version if isinstance(version, str) and version.strip() else base


def question_text(question: dict[str, Any], programme) -> str:
    """A survey question in the page's language, else the programme's default."""
    return localized(question["text"], question.get("translations"), programme.default_locale)


@cache
def timezone_label(tz: str, locale: str | None = None) -> str:
    """An IANA time zone with its place in the reader's language ("Africa/Nairobi — Kenya
    Time"); the bare name if Babel does not know it."""
    if not tz or tz == "UTC" or "/" not in tz:
        return tz
    try:
        place = get_timezone_location(tz, locale=locale or "en")
    except (LookupError, ValueError):
        return tz
    return f"{tz.replace('_', ' ')} — {place}"
