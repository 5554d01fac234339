"""The words people read for the values of our enums: one function per enum, in one place.

Forms, templates (as filters and globals, registered in ``templating.py``), flash messages and
services all take their labels from here, so a value reads the same everywhere. The CSV exports
carry the stored values (``active``, ``video``), which stay the same in every language.
"""

from __future__ import annotations

from flask_babel import gettext as _

from .models import (
    Confirmation,
    EnrolmentStatus,
    MeetingFormat,
    PairingStatus,
    ProgrammeStatus,
    Role,
)


def role_label(role) -> str:
    return {Role.MENTOR: _("mentor"), Role.MENTEE: _("mentee")}[Role(role)]


def programme_status_label(status) -> str:
    labels = {
        ProgrammeStatus.DRAFT: _("draft"),
        ProgrammeStatus.OPEN: _("open for applications"),
        ProgrammeStatus.MATCHING: _("matching"),
        ProgrammeStatus.RUNNING: _("running"),
        ProgrammeStatus.CLOSED: _("closed"),
    }
    return labels[ProgrammeStatus(status)]


def programme_phase_label(status) -> str:
    """A programme's status as the public pages tell delegates (the coordinators' pages keep
    the short workflow words)."""
    labels = {
        ProgrammeStatus.DRAFT: _("In preparation"),
        ProgrammeStatus.OPEN: _("Open for applications"),
        ProgrammeStatus.MATCHING: _("Applications closed — pairs being formed"),
        ProgrammeStatus.RUNNING: _("Under way"),
        ProgrammeStatus.CLOSED: _("Ended"),
    }
    return labels[ProgrammeStatus(status)]


def enrolment_status_label(status) -> str:
    labels = {
        EnrolmentStatus.SUBMITTED: _("submitted"),
        EnrolmentStatus.ACCEPTED: _("accepted"),
        EnrolmentStatus.WAITLISTED: _("waitlisted"),
        EnrolmentStatus.DECLINED: _("declined"),
        EnrolmentStatus.WITHDRAWN: _("withdrawn"),
    }
    return labels[EnrolmentStatus(status)]


def pairing_status_label(status) -> str:
    labels = {
        PairingStatus.PROPOSED: _("proposed"), PairingStatus.APPROVED: _("approved"),
        PairingStatus.ACTIVE: _("active"), PairingStatus.REJECTED: _("rejected"),
        PairingStatus.SUPERSEDED: _("replaced"), PairingStatus.COMPLETED: _("completed"),
        PairingStatus.ENDED: _("ended early"),
    }
    return labels[PairingStatus(status)]


def meeting_format_label(value) -> str:
    labels = {
        MeetingFormat.VIDEO: _("Video call"), MeetingFormat.PHONE: _("Phone"),
        MeetingFormat.IN_PERSON: _("In person"),
        MeetingFormat.CONFERENCE: _("At a conference or meeting"),
    }
    return labels[MeetingFormat(value)]


def confirmation_label(state) -> str:
    labels = {
        Confirmation.PENDING: _("waiting for confirmation"),
        Confirmation.CONFIRMED: _("confirmed"),
        Confirmation.DISPUTED: _("disputed"),
    }
    return labels[Confirmation(state)]
