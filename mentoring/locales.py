"""Locales without a request: the locale being rendered, right-to-left, content per language.

Nothing here reads the request (``mentoring.i18n`` chooses a request's locale), so models,
services, commands and background jobs can use it. Flask-Babel's ``force_locale`` sets the
locale an email is rendered in; :func:`current_locale` reads it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from babel.dates import get_timezone_location
from flask_babel import get_locale

#: Locales written right to left.
RTL_LOCALES = frozenset({"ar", "fa", "he", "ur"})


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
              locale: str, field: str | None = None) -> str:
    """``base`` (written in ``default_locale``) or its version for ``locale`` if there is one.

    ``translations`` maps a locale to the text, or, with ``field``, to a dict of texts.
    """
    if locale == default_locale or not translations:
        return base
    version = translations.get(locale)
    if field is not None:
        version = version.get(field) if isinstance(version, dict) else None
    return version if isinstance(version, str) and version.strip() else base


def question_text(question: dict[str, Any], programme) -> str:
    """A survey question in the page's language, else the programme's default."""
    return localized(question["text"], question.get("translations"), programme.default_locale,
                     current_locale())


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
