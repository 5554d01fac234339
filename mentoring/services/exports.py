"""CSV exports for coordinators' own spreadsheets."""

from __future__ import annotations

from flask_babel import gettext as _

from ..extensions import db
from ..permissions import Scope
from .csvfiles import write_csv
from .enrolments import Filters, applications_query, with_details


def applications_csv(scope: Scope, filters: Filters) -> bytes:
    """Every application in scope that matches the filters, one row each."""
    header = [
        "id", "name", "email", "role", "status", "country", "region", "organisation",
        "languages", "topics", "years_experience", "timezone", "capacity",
        "region_preference", "wants_woman_mentor", "gender", "gender_self_described", "goals",
        "submitted_at",
    ]
    rows = []
    for enrolment in db.session.scalars(with_details(applications_query(scope, filters))).unique():
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
        ])
    return write_csv(header, rows)
