"""Group activities of a programme (talks, trainings, group sessions, mentoring circles,
networking) and the people registered for them, with a waiting list when one is full."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..locales import current_locale, localized
from ._types import UTCDateTime, enum_type, utcnow


class ActivityKind(enum.StrEnum):
    TALK = "talk"
    TRAINING = "training"
    GROUP_SESSION = "group_session"
    CIRCLE = "circle"
    NETWORKING = "networking"


class Audience(enum.StrEnum):
    """Who may come (within the activity's region when it has one)."""

    EVERYONE = "everyone"
    MENTEES = "mentees"
    MENTORS = "mentors"


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"
    #: The activity was full: she gets the first place that frees, in the order of arrival.
    WAITING = "waiting"


#: The longest an activity may last (minutes): a full day of training.
MAX_ACTIVITY_MINUTES = 12 * 60
#: The most places an activity may offer.
MAX_CAPACITY = 10_000


class Activity(db.Model):
    """One group activity, at a moment in time (stored in UTC, entered and shown in zones)."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    kind: Mapped[ActivityKind] = mapped_column(enum_type(ActivityKind, "activity_kind", 16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The zone the organiser gave the time in (people see it in their own zone too).
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    #: An online link or a place (a room, an address).
    location: Mapped[str] = mapped_column(String(500), default="")
    #: None: as many as come.
    capacity: Mapped[int | None] = mapped_column(Integer)
    audience: Mapped[Audience] = mapped_column(enum_type(Audience, "activity_audience", 16),
                                               default=Audience.EVERYONE)
    #: Only the people of this region of the programme may come (None: every region).
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"))
    #: Registration closes then (None: when the activity starts).
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Title and description in other languages: {"fr": {"title": ..., "description": ...}}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    programme: Mapped[Programme] = relationship()  # noqa: F821
    region: Mapped[Region | None] = relationship()  # noqa: F821

    __table_args__ = (
        CheckConstraint(f"duration_minutes >= 1 AND duration_minutes <= {MAX_ACTIVITY_MINUTES}",
                        name="duration_range"),
        CheckConstraint(f"capacity IS NULL OR (capacity >= 1 AND capacity <= {MAX_CAPACITY})",
                        name="capacity_range"),
        Index("ix_activity_programme_starts", "programme_id", "starts_at"),
    )

    def display(self, field: str, locale: str | None = None) -> str:
        """The title or description in the reader's language when one was given."""
        return localized(getattr(self, field), self.translations, self.programme.default_locale,
                         locale or current_locale(), field)

    @property
    def display_title(self) -> str:
        return self.display("title")

    @property
    def display_description(self) -> str:
        return self.display("description")


class Registration(db.Model):
    """A person registered for an activity, or waiting for a place."""

    __tablename__ = "activity_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_type(RegistrationStatus, "registration_status", 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Recorded by a coordinator after the activity: came (True), did not (False), not yet.
    attended: Mapped[bool | None] = mapped_column(Boolean)
    #: Her feedback after the activity: 1 to 5 and a comment.
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    activity: Mapped[Activity] = relationship()
    user: Mapped[User] = relationship()  # noqa: F821

    __table_args__ = (
        UniqueConstraint("activity_id", "user_id"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        Index("ix_activity_registration_queue", "activity_id", "status", "created_at", "id"),
    )
