"""The programme dashboard, its CSV exports and the printable one-page report."""

from __future__ import annotations

from flask import Response, abort, render_template

from ..i18n import current_locale
from ..models._types import utcnow
from ..permissions import Scope, coordinator_required
from ..services import dashboard as figures
from ..services import matching as matching_service
from ..services import pair_views
from ..services.csvfiles import write_csv
from . import bp

EXPORTS = ("funnel", "region", "country", "language", "gender", "scores", "months")


def _context(scope: Scope) -> dict:
    today = utcnow().date()
    locale = current_locale()
    mine = figures.build(scope, today, locale)
    total = figures.build(Scope(scope.programme), today, locale) if scope.is_regional else None
    return {
        "scope": scope, "programme": scope.programme, "d": mine, "total": total,
        "share": figures.women_share, "today": today,
        "unmatched": pair_views.unmatched(scope, matching_service.latest_run(scope.programme)),
    }


@bp.route("/<slug>/dashboard")
@coordinator_required
def dashboard(scope: Scope):
    return render_template("coordination/dashboard.html", **_context(scope))


@bp.route("/<slug>/report")
@coordinator_required
def report(scope: Scope):
    return render_template("coordination/report.html", **_context(scope))


def _rows(board: figures.Dashboard, name: str) -> tuple[list[str], list[list]]:
    if name == "funnel":
        return (["stage", "mentees", "mentors"],
                [[stage, board.funnel.rows["mentee"][stage], board.funnel.rows["mentor"][stage]]
                 for stage in figures.Funnel.STAGES])
    if name in ("region", "country", "language", "gender"):
        breakdown = getattr(board, name)

        def shown(value):
            value = breakdown.shown(value)
            return "fewer than 5" if value is None else value

        return ([name, "mentees", "mentors"],
                [[label, shown(breakdown.counts[label].get("mentee", 0)),
                  shown(breakdown.counts[label].get("mentor", 0))]
                 for label in breakdown.labels])
    if name == "scores":
        return (["score_from", "score_to", "pairs"],
                [[band * 100, band * 100 + 99 if band < 9 else 1000, count]
                 for band, count in enumerate(board.quality.histogram)])
    return (["month", "sessions", "hours"], [list(row) for row in board.activity.months])


@bp.route("/<slug>/dashboard/<name>.csv")
@coordinator_required
def dashboard_csv(scope: Scope, name: str):
    if name not in EXPORTS:
        abort(404)
    board = figures.build(scope, utcnow().date(), current_locale())
    header, rows = _rows(board, name)
    filename = f"{scope.programme.slug}-{name}.csv"
    return Response(write_csv(header, rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
