"""CSV exports for coordinators' own spreadsheets."""

from __future__ import annotations

from flask_babel import gettext as _

from ..extensions import db
from ..locales import question_text
from ..models import Enrolment
from . import dashboard as figures
from . import outcomes, pair_views, surveys
from .csvfiles import write_csv
from .enrolments import Filters, applications_query, with_details
from .explanations import parts_text, reason_text
from .matching import latest_run
from .scope import Scope
from .wishes import wishes_of, wishes_text


def applications_csv(scope: Scope, filters: Filters) -> bytes:
    """Every application in scope that matches the filters, one row each."""
    header = [
        "id", "name", "email", "role", "status", "country", "region", "organisation",
        "languages", "topics", "years_experience", "timezone", "capacity",
        "region_preference", "wants_woman_mentor", "gender", "gender_self_described", "goals",
        "submitted_at", "wishes",
    ]
    rows = []
    query = applications_query(scope, filters)
    wished = wishes_of(query.order_by(None).with_only_columns(Enrolment.id))
    for enrolment in db.session.scalars(with_details(query)).unique():
        rows.append([
            enrolment.id, enrolment.user.name, enrolment.user.email, str(enrolment.role),
            str(enrolment.status), enrolment.country,
            enrolment.region.code if enrolment.region else "", enrolment.organisation,
            "; ".join(enrolment.language_codes), "; ".join(enrolment.topic_labels),
            enrolment.years_experience, enrolment.timezone, enrolment.capacity or "",
            str(enrolment.region_preference), _("yes") if enrolment.wants_woman_mentor else "",
            # The answer as the form's value (woman, man, non_binary, undisclosed,
            # self_described), which the import reads back, and the person's own words.
            enrolment.gender.value if enrolment.gender else "", enrolment.gender_self_described,
            enrolment.goals, enrolment.created_at.isoformat(timespec="seconds"),
            wishes_text(wished.get(enrolment.id, [])),
        ])
    return write_csv(header, rows)


def pairs_csv(scope: Scope, filters: pair_views.PairFilters) -> bytes:
    """The pairs in scope that match the filters, then the last run's unmatched mentees."""
    header = ["pair", "status", "mentee", "mentee_email", "mentee_region", "mentor",
              "mentor_email", "mentor_region", "score", "reasons", "locked", "source",
              "override_reason"]
    rows = []
    query = pair_views.with_people(pair_views.pairs_query(scope, filters))
    for pairing in db.session.scalars(query).unique():
        rows.append([pairing.id, str(pairing.status), pairing.mentee.user.name,
                     pairing.mentee.user.email,
                     pairing.mentee.region.code if pairing.mentee.region else "",
                     pairing.mentor.user.name, pairing.mentor.user.email,
                     pairing.mentor.region.code if pairing.mentor.region else "",
                     pairing.score, parts_text(pairing.parts, scope.programme),
                     "yes" if pairing.locked else "",
                     pairing.source, pairing.override_reason])
    for item in pair_views.unmatched(scope, latest_run(scope.programme)):
        enrolment = item["enrolment"]
        rows.append(["", "unmatched", enrolment.user.name, enrolment.user.email,
                     enrolment.region.code if enrolment.region else "", "", "", "", "",
                     reason_text(item["reason"], item["params"]), "", "", ""])
    return write_csv(header, rows)


def _written(value):
    """A suppressed figure as the CSV writes it: None ("fewer than 5"), HIDDEN ("not shown")."""
    return {None: "fewer than 5", figures.HIDDEN: "not shown"}.get(value, value)


#: The dashboard's tables a coordinator can download.
DASHBOARD_TABLES = ("headline", "funnel", "region", "country", "language", "gender", "scores",
                    "months", "activities", "activity_kinds", "activity_regions",
                    "activity_genders", "circles", "circle_regions", "circle_genders")
#: The columns of the group activities' tables, after the row's own.
ATTENDANCE_HEADER = ["registered", "came", "attendance_percent", "ratings", "mean_rating"]


def _attendance(row: figures.Attendance) -> list:
    return [row.registered, row.came, "" if row.rate is None else row.rate, row.rated,
            "" if row.mean is None else row.mean]


def _activities_csv(board: figures.Dashboard, name: str) -> bytes:
    group = board.group_activities
    if name == "activities":
        header = ["activity", "title", "kind", "day", *ATTENDANCE_HEADER]
        rows = [[row.id, row.title, row.kind, row.day.isoformat(), *_attendance(row.figures)]
                for row in group.activities]
    elif name == "activity_genders":
        header = ["gender", *ATTENDANCE_HEADER]
        rows = [[label, *(("" if value is None and what in ("rate", "mean") else _written(value))
                          for what in ("registered", "came", "rate", "rated", "mean")
                          for value in [group.gender_figure(label, what)])]
                for label in group.gender_labels]
    else:
        table = group.kinds if name == "activity_kinds" else group.regions
        header = ["kind" if name == "activity_kinds" else "region", *ATTENDANCE_HEADER]
        rows = [[key, *_attendance(row)] for key, row in table.items()]
    return write_csv(header, rows)


def _by_role(breakdown: figures.Breakdown, name: str) -> tuple[list, list]:
    """A breakdown's header and rows, each count as the page shows it (the suppression rule
    of services.dashboard)."""

    def shown(label, role):
        return _written(breakdown.figure(label, role))

    # Region and language name their rows as they are; gender rows keep their keys.
    return [name, "mentees", "mentors"], [
        [figures.label(breakdown, label) if label == figures.OTHER else label,
         shown(label, "mentee"), shown(label, "mentor")] for label in breakdown.labels]


def _circles_csv(circles: figures.CircleFigures, name: str) -> bytes:
    if name == "circles":
        header = ["figure", "value"]
        rows = [["formed", circles.formed],
                *([] if circles.proposed is None else [["proposed", circles.proposed]]),
                ["mentors", circles.members("mentor")], ["mentees", circles.members("mentee")],
                ["sessions", circles.meetings], ["hours", circles.hours],
                ["mentees_in_no_circle", circles.without_circle]]
    elif name == "circle_regions":
        header, rows = _by_role(circles.region, "region")
    else:
        header, rows = _by_role(circles.gender, "gender")
    return write_csv(header, rows)


def dashboard_csv(board: figures.Dashboard, name: str) -> bytes:
    """One of the dashboard's tables (``DASHBOARD_TABLES``) as CSV."""
    if name.startswith("activit"):
        return _activities_csv(board, name)
    if name.startswith("circle"):
        return _circles_csv(board.circles, name)
    if name == "headline":
        header = ["figure", "value"]
        rows = [[key, {None: "", figures.HIDDEN: "not shown"}.get(value, value)]
                for key, value in figures.headline(board).items()]
    elif name == "funnel":
        header = ["stage", "mentees", "mentors"]
        rows = [[stage, board.funnel.rows["mentee"][stage], board.funnel.rows["mentor"][stage]]
                for stage in figures.Funnel.STAGES]
    elif name in ("region", "country", "language", "gender"):
        header, rows = _by_role(getattr(board, name), name)
    elif name == "scores":
        header = ["score_from", "score_to", "pairs"]
        rows = [[band * 100, band * 100 + 99 if band < 9 else 1000, count]
                for band, count in enumerate(board.quality.histogram)]
    else:
        header = ["month", "sessions", "hours"]
        rows = [list(row) for row in board.activity.months]
    return write_csv(header, rows)


#: The outcomes page's tables a coordinator can download.
OUTCOME_TABLES = ("mentee-roles", "women-shares")


def outcomes_csv(scope: Scope, name: str) -> bytes:
    """One of the outcomes page's tables (``OUTCOME_TABLES``) for the scope, as the page shows
    it: the same small-count rule, the same words for hidden figures."""
    if name == "mentee-roles":
        header = ["role", "mentees_before", "roles_held_before", "mentees_during_or_after",
                  "roles_held_during_or_after"]
        rows = [[line.role.value, line.mentees_before, line.held_before, line.mentees_since,
                 line.held_since] for line in outcomes.mentee_roles(scope)]
    else:
        header = ["meeting", "starts_on", "role", "participants", "women_percent",
                  "target_percent", "reaches_target"]
        target = scope.programme.women_target_percent
        rows = [[line.meeting, line.starts_on.isoformat(), line.role.value,
                 _written(line.people), "" if line.share is None else _written(line.share),
                 target,
                 {None: "", True: "yes", False: "no"}[line.reaches_target]]
                for line in outcomes.women_shares(scope)]
    return write_csv(header, rows)


def survey_ratings_csv(scope: Scope) -> bytes:
    """The report's satisfaction table: per sent survey and rating question, the answers the
    scope may read, their number and mean as the report shows it ("fewer than 5" for 1 to 4
    ratings; comments are never exported here)."""
    header = ["survey", "question", "responses", "ratings", "mean_rating"]
    rows = [[item.kind, question_text(result.question, scope.programme), item.responses,
             len(result.ratings),
             {None: "", figures.SMALL: "fewer than 5"}.get(result.shown_mean, result.shown_mean)]
            for item in surveys.ratings(scope) for result in item.questions]
    return write_csv(header, rows)
