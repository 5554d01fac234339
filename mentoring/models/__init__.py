"""Typed SQLAlchemy 2 models, one module per aggregate."""

from .audit import AuditEvent
from .enrolment import (
    DECISIONS,
    Enrolment,
    EnrolmentLanguage,
    EnrolmentStatus,
    EnrolmentTopic,
    RegionPreference,
    Role,
)
from .outbox import OutboxEmail
from .programme import (
    STATUS_ORDER,
    Coordinator,
    Programme,
    ProgrammeLanguage,
    ProgrammeStatus,
    Region,
    Topic,
)
from .user import User

__all__ = [
    "DECISIONS",
    "STATUS_ORDER",
    "AuditEvent",
    "Coordinator",
    "Enrolment",
    "EnrolmentLanguage",
    "EnrolmentStatus",
    "EnrolmentTopic",
    "OutboxEmail",
    "Programme",
    "ProgrammeLanguage",
    "ProgrammeStatus",
    "Region",
    "RegionPreference",
    "Role",
    "Topic",
    "User",
]
