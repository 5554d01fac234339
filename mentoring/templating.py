"""Template globals and filters shared by every page."""

from __future__ import annotations

from flask import Flask, current_app, g, request, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from .data import country_name, language_name
from .models import EnrolmentStatus, PairingStatus, ProgrammeStatus, Role
from .permissions import coordinated_programmes
from .services.programmes import status_label

#: Locales written right to left.
RTL_LOCALES = {"ar", "fa", "he", "ur"}


def enrolment_status_label(status) -> str:
    labels = {
        EnrolmentStatus.SUBMITTED: _("submitted"),
        EnrolmentStatus.ACCEPTED: _("accepted"),
        EnrolmentStatus.WAITLISTED: _("waitlisted"),
        EnrolmentStatus.DECLINED: _("declined"),
        EnrolmentStatus.WITHDRAWN: _("withdrawn"),
    }
    return labels[EnrolmentStatus(status)]


def role_label(role) -> str:
    return {Role.MENTOR: _("mentor"), Role.MENTEE: _("mentee")}[Role(role)]


def url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (for filters and pages)."""
    args = request.args.to_dict()
    args.update({key: value for key, value in changes.items() if value is not None})
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals():
        locale = g.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]
        return {
            "current_locale": locale,
            "text_direction": "rtl" if locale in RTL_LOCALES else "ltr",
            "coordinated_programmes": coordinated_programmes,
        }

    # Globals, unlike context variables, reach imported macros too.
    app.jinja_env.globals.update(
        url_with=url_with, ProgrammeStatus=ProgrammeStatus, EnrolmentStatus=EnrolmentStatus,
        Role=Role, PairingStatus=PairingStatus,
    )

    app.add_template_filter(lambda code: country_name(code, g.get("locale", "en")), "country")
    app.add_template_filter(lambda code: language_name(code, g.get("locale", "en")), "language")
    app.add_template_filter(lambda s: status_label(ProgrammeStatus(s)), "programme_status")
    app.add_template_filter(enrolment_status_label, "enrolment_status")
    app.add_template_filter(role_label, "role")
    app.add_template_filter(pairing_status_label, "pairing_status")
    app.add_template_filter(meeting_format_label, "meeting_format")
    app.add_template_filter(funnel_row, "funnel_row")
    app.add_template_filter(breakdown_row, "breakdown_row")
    app.add_template_filter(band_rows, "band_rows")
    app.add_template_filter(lambda row, index: (row[0], row[index]), "month_row")
    app.add_template_filter(lambda d: format_date(d, "medium") if d else "", "date")
    app.add_template_filter(lambda d: format_datetime(d, "medium") if d else "", "datetime")


def pairing_status_label(status) -> str:
    labels = {
        "proposed": _("proposed"), "approved": _("approved"), "active": _("active"),
        "rejected": _("rejected"), "superseded": _("replaced"), "completed": _("completed"),
        "ended": _("ended early"),
    }
    return labels.get(str(status), str(status))


def meeting_format_label(value) -> str:
    labels = {"video": _("video call"), "phone": _("phone"), "in_person": _("in person"),
              "conference": _("at a conference or meeting")}
    return labels.get(str(value), str(value))


def funnel_row(stage, funnel, role, labels):
    """(label, count) of one funnel stage, for the charts."""
    return (labels[stage], funnel.rows[role][stage])


def breakdown_row(key, breakdown):
    """(label, shown total) of a breakdown; None where a small count is suppressed."""
    count = breakdown.shown(breakdown.total(key))
    if breakdown.title == "gender":
        key = {"women": _("women"), "men": _("men"), "other": _("other"),
               "not given": _("not given")}.get(key, key)
    return (key, count)


def band_rows(histogram):
    return [(f"{band * 100}–{band * 100 + 99 if band < 9 else 1000}", count)
            for band, count in enumerate(histogram)]
