"""Mentoring sessions a pair holds ("meetings", to keep clear of web and database sessions),
their confirmation, feedback, and the reminders sent about pairs."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, enum_type, utcnow


class MeetingFormat(enum.StrEnum):
    VIDEO = "video"
    PHONE = "phone"
    IN_PERSON = "in_person"
    CONFERENCE = "conference"


class Confirmation(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


#: A logged session may last at most this long (minutes).
MAX_MINUTES = 12 * 60


class Meeting(db.Model):
    """One mentoring session, logged by the mentor or the mentee, confirmed by the other."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairing.id", ondelete="CASCADE"),
                                            index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    format: Mapped[MeetingFormat] = mapped_column(enum_type(MeetingFormat, "meeting_format", 16))
    #: Private to the pair: coordinators never see notes or next steps.
    notes: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    next_planned_on: Mapped[date | None] = mapped_column(Date)
    confirmation: Mapped[Confirmation] = mapped_column(
        enum_type(Confirmation, "confirmation", 16), default=Confirmation.PENDING)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why the other side says it did not happen as logged (coordinators see it).
    dispute_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    pairing: Mapped[Pairing] = relationship()  # noqa: F821
    author: Mapped[User | None] = relationship()  # noqa: F821
    topics: Mapped[list[MeetingTopic]] = relationship(cascade="all, delete-orphan")
    feedback: Mapped[list[Feedback]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(f"duration_minutes > 0 AND duration_minutes <= {MAX_MINUTES}",
                        name="duration_range"),
        # A pair's last session is one step down this index (the dashboard asks it of every
        # active pair) instead of a grouping of all the programme's sessions.
        Index("ix_meeting_pairing_held_on", "pairing_id", "held_on"),
    )


class MeetingTopic(db.Model):
    __tablename__ = "meeting_topic"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"),
                                          primary_key=True)

    topic: Mapped[Topic] = relationship(lazy="joined")  # noqa: F821


class Feedback(db.Model):
    """One person's rating and comment on a session (once each)."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    rating: Mapped[int | None] = mapped_column(Integer)
    #: Private to the pair.
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
    )


class ReminderSent(db.Model):
    """A reminder already sent, so that running the reminders twice sends nothing twice."""

    __tablename__ = "reminder_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "silent", "never-met" or "digest".
    kind: Mapped[str] = mapped_column(String(20))
    #: What it was about: a pairing id, or a coordinator's user id for the digest.
    subject_id: Mapped[int] = mapped_column(Integer)
    #: The period it covers, e.g. the date of the last session, or "2026-W48".
    period: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "subject_id", "period"),)
