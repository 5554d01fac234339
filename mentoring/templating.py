"""Template globals and filters shared by every page."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel import numbers as babel_numbers
from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, get_locale, get_translations

from .data import country_name, language_name
from .forms import error_links
from .i18n import current_locale, is_rtl, question_text, timezone_label
from .labels import (
    activity_kind_label,
    audience_label,
    confirmation_label,
    enrolment_status_label,
    meeting_format_label,
    meeting_role_label,
    pairing_status_label,
    programme_phase_label,
    programme_status_label,
    role_label,
)
from .models import EnrolmentStatus, PairingStatus, ProgrammeStatus, Role
from .permissions import coordinates_any


def url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (for filters and pages)."""
    args = request.args.to_dict()
    args.update({key: value for key, value in changes.items() if value is not None})
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def amount(value, unit: str = "") -> str:
    """A number in the page's locale (digits, separators); ``unit="%"`` for a percentage
    given out of 100, placed and spaced as the locale writes it."""
    if value is None:
        return ""
    return _formatted(value, type(value), unit == "%", current_locale()) + (
        "" if unit == "%" else unit)


@lru_cache(maxsize=4096)
def _formatted(value, _kind: type, percent: bool, locale: str) -> str:
    """Babel's formatting, remembered: a dashboard writes some 150 numbers, most of them small
    counts it wrote before, and Babel reads the locale's patterns again for each one (the
    type is in the key so that 1, 1.0 and True stay apart)."""
    if percent:
        return babel_numbers.format_percent(Decimal(str(value)) / 100, locale=locale,
                                            decimal_quantization=False)
    return babel_numbers.format_decimal(value, locale=locale)


def current_page() -> str:
    """This page's path and query, to come back to after switching language (a page shown
    after a POST comes back as a GET of the same path)."""
    if request.method != "GET":
        return request.path
    return request.full_path.rstrip("?")


def _install_gettext(app: Flask) -> None:
    """The templates' ``_`` and ``ngettext``: Flask-Babel's, with the catalogue of each locale
    remembered here. Flask-Babel looks up the request's domain, locale and catalogue again at
    every call, which a page of 50 rows and its header and tabs does a hundred times; the
    locale is still asked each time (``force_locale`` renders an email in its reader's)."""
    catalogues = {}

    def catalogue():
        locale = get_locale()
        try:
            return catalogues[locale]
        except KeyError:
            found = catalogues[locale] = get_translations()
            return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda string: catalogue().ugettext(string),
        ngettext=lambda singular, plural, n: catalogue().ungettext(singular, plural, n),
        pgettext=lambda context, string: catalogue().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: catalogue().unpgettext(
            context, singular, plural, n),
        newstyle=True)


def register(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    _install_gettext(app)

    # The switcher names each language in itself, whatever the page's language.
    interface_languages = [(code, language_name(code, code)) for code in app.config["LANGUAGES"]]

    @app.context_processor
    def _globals():
        locale = current_locale()
        return {
            "current_locale": locale,
            "text_direction": "rtl" if is_rtl(locale) else "ltr",
            "interface_languages": interface_languages,
            "coordinates_any": coordinates_any,
        }

    # Globals, unlike context variables, reach imported macros too.
    app.jinja_env.globals.update(
        url_with=url_with, current_page=current_page, error_links=error_links,
        question_text=question_text,
        ProgrammeStatus=ProgrammeStatus, EnrolmentStatus=EnrolmentStatus,
        Role=Role, PairingStatus=PairingStatus, confirmation_label=confirmation_label,
    )

    app.add_template_filter(lambda code: country_name(code, current_locale()), "country")
    app.add_template_filter(lambda code: language_name(code, current_locale()), "language")
    app.add_template_filter(programme_status_label, "programme_status")
    app.add_template_filter(programme_phase_label, "programme_phase")
    app.add_template_filter(enrolment_status_label, "enrolment_status")
    app.add_template_filter(role_label, "role")
    app.add_template_filter(pairing_status_label, "pairing_status")
    app.add_template_filter(meeting_format_label, "meeting_format")
    app.add_template_filter(activity_kind_label, "activity_kind")
    app.add_template_filter(meeting_role_label, "meeting_role")
    app.add_template_filter(audience_label, "audience")
    app.add_template_filter(amount, "amount")
    app.add_template_filter(lambda tz: timezone_label(tz, current_locale()), "timezone")
    app.add_template_filter(lambda d: format_date(d, "medium") if d else "", "date")
    app.add_template_filter(lambda d: format_datetime(d, "medium") if d else "", "datetime")
