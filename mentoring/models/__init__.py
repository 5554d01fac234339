"""Typed SQLAlchemy 2 models, one module per aggregate."""

from ..gender import Gender
from .activity import Activity, ActivityKind, Audience, Registration, RegistrationStatus
from .audit import AuditEvent
from .circle import Circle, CircleMeeting, CircleMember, CircleStatus
from .consent import ConsentState, MentorConsent
from .enrolment import (
    DECISIONS,
    MAX_WISHES,
    Enrolment,
    EnrolmentLanguage,
    EnrolmentStatus,
    EnrolmentTopic,
    MentorWish,
    RegionPreference,
    Role,
)
from .job import FINISHED, Job, JobKind, JobStatus
from .meeting import (
    MAX_MINUTES,
    Confirmation,
    Feedback,
    Meeting,
    MeetingFormat,
    MeetingTopic,
    ReminderSent,
)
from .outbox import OutboxEmail
from .outcome import ItuMeeting, MeetingRole, MeetingRoleKind
from .pairing import LIVE_STATUSES, ForbiddenPair, MatchingRun, Pairing, PairingStatus
from .programme import (
    STATUS_ORDER,
    Coordinator,
    Programme,
    ProgrammeLanguage,
    ProgrammeStatus,
    Region,
    Topic,
)
from .quota import BlockingPair, CrossRegion, MatchingQuota, QuotaUnit
from .revision import DashboardRevision
from .sign_in import SignInFailure
from .survey import DEFAULT_QUESTIONS, Survey, SurveyResponse
from .user import User

__all__ = [
    "Activity",
    "ActivityKind",
    "Audience",
    "Registration",
    "RegistrationStatus",
    "BlockingPair",
    "Circle",
    "CircleMeeting",
    "CircleMember",
    "CircleStatus",
    "CrossRegion",
    "MatchingQuota",
    "QuotaUnit",
    "ConsentState",
    "MentorConsent",
    "MAX_WISHES",
    "MentorWish",
    "FINISHED",
    "Job",
    "JobKind",
    "JobStatus",
    "DECISIONS",
    "LIVE_STATUSES",
    "MAX_MINUTES",
    "Confirmation",
    "Feedback",
    "Meeting",
    "MeetingFormat",
    "MeetingTopic",
    "ReminderSent",
    "ForbiddenPair",
    "MatchingRun",
    "Pairing",
    "PairingStatus",
    "STATUS_ORDER",
    "AuditEvent",
    "Coordinator",
    "Enrolment",
    "EnrolmentLanguage",
    "EnrolmentStatus",
    "EnrolmentTopic",
    "Gender",
    "OutboxEmail",
    "ItuMeeting",
    "MeetingRole",
    "MeetingRoleKind",
    "Programme",
    "ProgrammeLanguage",
    "ProgrammeStatus",
    "Region",
    "RegionPreference",
    "Role",
    "SignInFailure",
    "DashboardRevision",
    "DEFAULT_QUESTIONS",
    "Survey",
    "SurveyResponse",
    "Topic",
    "User",
]
