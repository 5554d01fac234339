"""The programme dashboard, its CSV exports and the printable programme report."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import force_locale

from ..boundary import csv_response
from ..i18n import current_locale, languages
from ..models._types import utcnow
from ..permissions import Scope, coordinator_required
from ..services import dashboard as figures
from ..services import exports, outcomes, pair_views, surveys
from ..services import matching as matching_service
from . import bp

#: The activities the dashboard lists one by one (the latest; the CSV has every one).
ACTIVITY_ROWS = 20


def _context(scope: Scope, names: bool = True) -> dict:
    """The dashboard's figures for the page; ``names=False`` leaves out the unmatched
    mentees' names (the report goes in front of people who should not read them)."""
    today = utcnow().date()
    locale = current_locale()
    mine = figures.build(scope, today, locale)
    total = figures.build(Scope(scope.programme), today, locale) if scope.is_regional else None
    return {
        "scope": scope, "programme": scope.programme, "d": mine, "total": total,
        "share": figures.shown_women_share, "today": today,
        "activity_rows": ACTIVITY_ROWS,
        "unmatched": pair_views.unmatched(scope, matching_service.latest_run(scope.programme))
        if names else [],
    }


@bp.route("/<slug>/dashboard")
@coordinator_required
def dashboard(scope: Scope):
    return render_template("dashboard/dashboard.html", **_context(scope))


@bp.route("/<slug>/report")
@coordinator_required
def report(scope: Scope):
    """The programme report: the dashboard's figures, the outcomes page's and the surveys'
    ratings on one printable page, in the language asked for (``?lang=``, one of the six),
    else the reader's."""
    language = request.args.get("lang") or current_locale()
    if language not in languages():
        abort(404)
    with force_locale(language):
        return render_template(
            "dashboard/report.html", **_context(scope, names=False), language=language,
            meetings=outcomes.meetings(scope.programme),
            mentee_roles=outcomes.mentee_roles(scope), shares=outcomes.women_shares(scope),
            ratings=surveys.ratings(scope))


@bp.route("/<slug>/report/survey-ratings.csv")
@coordinator_required
def survey_ratings_csv(scope: Scope):
    return csv_response(exports.survey_ratings_csv(scope),
                        f"{scope.programme.slug}-survey-ratings.csv")


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
