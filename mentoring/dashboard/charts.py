"""The dashboard's figures as the charts and tables write them: words for the labels, the
reader's months, and the small-count markers of `services.dashboard` as text."""

from __future__ import annotations

import math
from datetime import date
from numbers import Number
from typing import NamedTuple

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


bp.app_template_filter("headline")(figures.headline)


@bp.app_template_filter("role_rows")
def role_rows(breakdown: figures.Breakdown) -> list[tuple[str, object, object, object]]:
    """(label, mentees, mentors, total) of every label, each as it may be shown: the cells the
    dashboard's CSV carries, under the same suppression (`services.dashboard.protect` covers a
    label's mentees and mentors as well as its total)."""
    return [(figures.label(breakdown, key), *(breakdown.figure(key, role)
                                              for role in (*figures.ROLES, "total")))
            for key in breakdown.labels]


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


# ---- chart geometry, worked out once per chart (the macros of _macros/charts.html print it)

class Bar(NamedTuple):
    """One row of a chart: its label, value, the value as written, and where it is drawn."""

    label: str
    value: object
    text: str
    drawn: bool  # a number: it has a bar
    x: float  # the bar's start (its left edge; for columns, its left edge too)
    size: float  # hbar: the bar's width; columns: its height
    value_x: float  # where the value is written
    y: float  # hbar: the row's top; columns: the bar's top
    value_y: float = 0  # columns: where the value is written, above the bar
    axis_label: bool = True  # columns: the label is written under its column


#: hbar: the labels' column, the room left for the value after a bar, a row's height.
LABEL_W, VALUE_ROOM, ROW_H = 190, 70, 26


@bp.app_template_global()
def hbar_layout(rows, rtl: bool = False, target=None, unit: str = "", width: int = 640) -> dict:
    """Horizontal bars: each row's bar and value; the target line's place."""
    area = width - LABEL_W - VALUE_ROOM
    values = [value for _, value in rows if isinstance(value, Number)]
    top = max(max(values) if values else 0, target or 0, 1)
    bars = []
    for index, (label, value) in enumerate(rows):
        drawn = isinstance(value, Number)
        w = round((value if drawn else 0) / top * area, 1)
        x = width - LABEL_W - w if rtl else LABEL_W
        value_x = width - LABEL_W - w - 6 if rtl else LABEL_W + w + 6
        bars.append(Bar(label, value, figure(value, unit), drawn, x, w, value_x,
                        index * ROW_H + 6))
    height = len(rows) * ROW_H + 30
    target_x = None
    if target is not None:
        tx = round(target / top * area, 1)
        target_x = (width - LABEL_W - tx) if rtl else (LABEL_W + tx)
    return {"bars": bars, "height": height, "label_x": width - 8 if rtl else LABEL_W - 8,
            "bar_h": ROW_H - 8, "target_x": target_x}


@bp.app_template_global()
def columns_layout(rows, rtl: bool = False, unit: str = "", width: int = 640,
                   height: int = 220) -> dict:
    """Columns: each row's column and value, and which labels the axis has room for (axis
    labels, 11 px, keep a gap of 6 or more: a label is about 0.6 em a character wide in the
    fonts of every script, Arabic's digits wider than Latin's; when the widest does not fit
    its column, only every `step`-th is written)."""
    values = [value for _, value in rows]
    top = max(max(values) if values else 0, 1)
    n = max(len(rows), 1)
    slot = (width - 20) / n
    area = height - 50
    widest = max(len(label) for label, _ in rows) if rows else 0
    step = max(int(math.ceil((widest * 0.6 * 11 + 6) / slot)), 1)
    bars = []
    for index, (label, value) in enumerate(rows):
        i = (n - 1 - index) if rtl else index
        h = round(value / top * area, 1)
        x = 10 + i * slot
        bars.append(Bar(label, value, figure(value, unit), True, x + slot * 0.15, h,
                        x + slot / 2, area + 20 - h, area + 14 - h, index % step == 0))
    return {"bars": bars, "area": area, "bar_w": slot * 0.7}


@bp.app_template_global()
def gender_group_label(group: str) -> str:
    return figures.gender_label(group)
