"""The words people read for the values of our enums: one function per enum, in one place.

Forms, templates (as filters and globals, registered in ``templating.py``), flash messages and
services all take their labels from here, so a value reads the same everywhere. The CSV exports
carry the stored values (``active``, ``video``), which stay the same in every language.

Each table holds lazy strings, so a label is translated when it is read, and only the one read:
a list of 50 pairs reads 50 labels, not 50 tables of seven.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import (
    ActivityKind,
    Audience,
    Confirmation,
    EnrolmentStatus,
    MeetingFormat,
    MeetingRoleKind,
    PairingStatus,
    ProgrammeStatus,
    Role,
)

ROLES = {Role.MENTOR: _l("mentor"), Role.MENTEE: _l("mentee")}
PROGRAMME_STATUSES = {
    ProgrammeStatus.DRAFT: _l("draft"),
    ProgrammeStatus.OPEN: _l("open for applications"),
    ProgrammeStatus.MATCHING: _l("matching"),
    ProgrammeStatus.RUNNING: _l("running"),
    ProgrammeStatus.CLOSED: _l("closed"),
}
#: A programme's status in the words of the public pages.
PROGRAMME_PHASES = {
    ProgrammeStatus.DRAFT: _l("In preparation"),
    ProgrammeStatus.OPEN: _l("Open for applications"),
    ProgrammeStatus.MATCHING: _l("Applications closed — pairs being formed"),
    ProgrammeStatus.RUNNING: _l("Under way"),
    ProgrammeStatus.CLOSED: _l("Ended"),
}
ENROLMENT_STATUSES = {
    EnrolmentStatus.SUBMITTED: _l("submitted"),
    EnrolmentStatus.ACCEPTED: _l("accepted"),
    EnrolmentStatus.WAITLISTED: _l("waitlisted"),
    EnrolmentStatus.DECLINED: _l("declined"),
    EnrolmentStatus.WITHDRAWN: _l("withdrawn"),
}
PAIRING_STATUSES = {
    PairingStatus.PROPOSED: _l("proposed"), PairingStatus.APPROVED: _l("approved"),
    PairingStatus.ACTIVE: _l("active"), PairingStatus.REJECTED: _l("rejected"),
    PairingStatus.SUPERSEDED: _l("replaced"), PairingStatus.COMPLETED: _l("completed"),
    PairingStatus.ENDED: _l("ended early"),
}
MEETING_FORMATS = {
    MeetingFormat.VIDEO: _l("Video call"), MeetingFormat.PHONE: _l("Phone"),
    MeetingFormat.IN_PERSON: _l("In person"),
    MeetingFormat.CONFERENCE: _l("At a conference or meeting"),
}
ACTIVITY_KINDS = {
    ActivityKind.TALK: _l("Talk"), ActivityKind.TRAINING: _l("Training"),
    ActivityKind.GROUP_SESSION: _l("Group session"),
    ActivityKind.CIRCLE: _l("Mentoring circle"), ActivityKind.NETWORKING: _l("Networking"),
}
AUDIENCES = {
    Audience.EVERYONE: _l("Mentees and mentors"), Audience.MENTEES: _l("Mentees"),
    Audience.MENTORS: _l("Mentors"),
}
MEETING_ROLES = {
    MeetingRoleKind.DELEGATE: _l("Delegate"), MeetingRoleKind.SPEAKER: _l("Speaker"),
    MeetingRoleKind.AUTHOR: _l("Author of a contribution"),
    MeetingRoleKind.HEAD: _l("Head of delegation"),
    MeetingRoleKind.DEPUTY_HEAD: _l("Deputy head of delegation"),
    MeetingRoleKind.CHAIR: _l("Chair (of a committee, working party or drafting group)"),
    MeetingRoleKind.VICE_CHAIR: _l("Vice-chair (of a committee, working party or drafting group)"),
    MeetingRoleKind.RAPPORTEUR: _l("Rapporteur"),
}
CONFIRMATIONS = {
    Confirmation.PENDING: _l("waiting for confirmation"),
    Confirmation.CONFIRMED: _l("confirmed"),
    Confirmation.DISPUTED: _l("disputed"),
}


def role_label(role) -> str:
    return str(ROLES[Role(role)])


def programme_status_label(status) -> str:
    return str(PROGRAMME_STATUSES[ProgrammeStatus(status)])


def programme_phase_label(status) -> str:
    """A programme's status as the public pages tell delegates (the coordinators' pages keep
    the short workflow words)."""
    return str(PROGRAMME_PHASES[ProgrammeStatus(status)])


def enrolment_status_label(status) -> str:
    return str(ENROLMENT_STATUSES[EnrolmentStatus(status)])


def pairing_status_label(status) -> str:
    return str(PAIRING_STATUSES[PairingStatus(status)])


def meeting_format_label(value) -> str:
    return str(MEETING_FORMATS[MeetingFormat(value)])


def confirmation_label(state) -> str:
    return str(CONFIRMATIONS[Confirmation(state)])


def activity_kind_label(kind) -> str:
    return str(ACTIVITY_KINDS[ActivityKind(kind)])


def audience_label(audience) -> str:
    return str(AUDIENCES[Audience(audience)])


def meeting_role_label(role) -> str:
    return str(MEETING_ROLES[MeetingRoleKind(role)])
