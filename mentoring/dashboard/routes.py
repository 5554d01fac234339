"""The programme dashboard, its CSV exports and the printable one-page report."""

from __future__ import annotations

from flask import abort, render_template

from ..boundary import csv_response
from ..i18n import current_locale
from ..models._types import utcnow
from ..permissions import Scope, coordinator_required
from ..services import dashboard as figures
from ..services import exports, outcomes, pair_views
from ..services import matching as matching_service
from . import bp


def _context(scope: Scope) -> dict:
    today = utcnow().date()
    locale = current_locale()
    mine = figures.build(scope, today, locale)
    total = figures.build(Scope(scope.programme), today, locale) if scope.is_regional else None
    return {
        "scope": scope, "programme": scope.programme, "d": mine, "total": total,
        "share": figures.shown_women_share, "today": today,
        "unmatched": pair_views.unmatched(scope, matching_service.latest_run(scope.programme)),
    }


@bp.route("/<slug>/dashboard")
@coordinator_required
def dashboard(scope: Scope):
    return render_template("dashboard/dashboard.html", **_context(scope))


@bp.route("/<slug>/report")
@coordinator_required
def report(scope: Scope):
    return render_template("dashboard/report.html", **_context(scope))


@bp.route("/<slug>/dashboard/<name>.csv")
@coordinator_required
def dashboard_csv(scope: Scope, name: str):
    if name not in exports.DASHBOARD_TABLES:
        abort(404)
    board = figures.build(scope, utcnow().date(), current_locale())
    return csv_response(exports.dashboard_csv(board, name), f"{scope.programme.slug}-{name}.csv")


@bp.route("/<slug>/dashboard/outcomes")
@coordinator_required
def outcomes_page(scope: Scope):
    return render_template("dashboard/outcomes.html", scope=scope, programme=scope.programme,
                           meetings=outcomes.meetings(scope.programme),
                           mentee_roles=outcomes.mentee_roles(scope),
                           shares=outcomes.women_shares(scope))


@bp.route("/<slug>/dashboard/outcomes/<name>.csv")
@coordinator_required
def outcomes_csv(scope: Scope, name: str):
    if name not in exports.OUTCOME_TABLES:
        abort(404)
    return csv_response(exports.outcomes_csv(scope, name),
                        f"{scope.programme.slug}-outcomes-{name}.csv")
