"""The dashboard's figures as the charts and tables write them: words for the labels, the
reader's months, and the small-count markers of `services.dashboard` as text."""

from __future__ import annotations

from datetime import date

from babel.dates import format_skeleton
from flask_babel import gettext as _
from flask_babel import ngettext

from ..locales import current_locale
from ..services import dashboard as figures
from ..templating import amount
from . import bp


@bp.app_template_filter("figure")
def figure(value, unit: str = "") -> str:
    """A count or share: the number, "fewer than 5" (None), or "not shown" (a complement or a
    share that would give a small count away)."""
    if value is None:
        return _("fewer than 5")
    if value == figures.HIDDEN:
        return _("not shown")
    return amount(value, unit)


@bp.app_template_filter("month")
def month(key: str) -> str:
    """"2026-05" as the reader writes the month: "May 2026", "mai 2026", "مايو 2026"."""
    year, number = (int(part) for part in key.split("-"))
    return format_skeleton("yMMM", date(year, number, 1), locale=current_locale())


@bp.app_template_filter("month_rows")
def month_rows(months, index: int) -> list[tuple[str, float]]:
    """(month, sessions) or (month, hours) rows of the activity's months."""
    return [(month(row[0]), row[index]) for row in months]


@bp.app_template_filter("funnel_row")
def funnel_row(stage, funnel, role, labels):
    """(label, count) of one funnel stage, for the charts."""
    return (labels[stage], funnel.rows[role][stage])


@bp.app_template_filter("breakdown_rows")
def breakdown_rows(breakdown: figures.Breakdown) -> list[tuple[str, object]]:
    """(label, total as it may be shown) of every label of a breakdown."""
    return [(figures.label(breakdown, key), breakdown.figure(key)) for key in breakdown.labels]


@bp.app_template_filter("country_chart")
def country_chart(breakdown: figures.Breakdown) -> tuple[list, str | None]:
    """The countries whose count can be shown (and the line of the others, when its total can
    be), and a sentence on how many countries are left out; no rows when no country can be
    named, rather than a chart of "fewer than 5"."""
    shown = breakdown.chart_rows()
    named = [(key, value) for key, value in shown if key != figures.OTHER]
    if not named:
        left_out = breakdown.grouped + sum(1 for key in breakdown.labels
                                           if key != figures.OTHER)
        sentence = ngettext(
            "%(num)d country is not shown, to keep small numbers private.",
            "%(num)d countries are not shown, to keep small numbers private.",
            left_out) if left_out else None
        return [], sentence
    rows = [(figures.label(breakdown, key), value) for key, value in shown]
    left_out = breakdown.not_shown
    sentence = ngettext(
        "%(num)d other country is not shown, to keep small numbers private.",
        "%(num)d other countries are not shown, to keep small numbers private.",
        left_out) if left_out else None
    return rows, sentence


@bp.app_template_filter("band_rows")
def band_rows(histogram):
    """(score band, pairs) rows: "0–99" ... "900–1000"."""
    return [(f"{band * 100}–{band * 100 + 99 if band < 9 else 1000}", count)
            for band, count in enumerate(histogram)]
