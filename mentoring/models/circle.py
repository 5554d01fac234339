"""Mentoring circles: one or two mentors with a small group of mentees of a programme, and
the meetings the circle logs."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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
from ..matching.circles import MAX_CAPACITY as MAX_CIRCLE_CAPACITY  # the engine's limit
from ._types import UTCDateTime, enum_type, utcnow
from .enrolment import Role
from .meeting import MAX_MINUTES

#: The longest circle name.
CIRCLE_NAME_MAX = 120


class CircleStatus(enum.StrEnum):
    #: Proposed by the engine, waiting for a coordinator's approval; members do not see it.
    PROPOSED = "proposed"
    #: Formed (by hand, or a proposal approved): its members see it and log its meetings.
    FORMED = "formed"


class Circle(db.Model):
    """A mentoring circle of a programme."""

    __tablename__ = "circle"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"),
                                              index=True)
    name: Mapped[str] = mapped_column(String(CIRCLE_NAME_MAX))
    #: The most mentees it takes.
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[CircleStatus] = mapped_column(enum_type(CircleStatus, "circle_status", 16),
                                                 default=CircleStatus.FORMED)
    #: The language every member speaks (a language code; "" when not chosen).
    language: Mapped[str] = mapped_column(String(16), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    programme: Mapped[Programme] = relationship()  # noqa: F821
    members: Mapped[list[CircleMember]] = relationship(
        back_populates="circle", cascade="all, delete-orphan", order_by="CircleMember.id")

    __table_args__ = (
        CheckConstraint(f"capacity >= 1 AND capacity <= {MAX_CIRCLE_CAPACITY}",
                        name="capacity_range"),
    )

    @property
    def mentors(self) -> list[CircleMember]:
        return [m for m in self.members if m.role == Role.MENTOR]

    @property
    def mentees(self) -> list[CircleMember]:
        return [m for m in self.members if m.role == Role.MENTEE]


class CircleMember(db.Model):
    """A mentor or a mentee in a circle: a person is in at most one circle of a programme."""

    __tablename__ = "circle_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"),
                                           index=True)
    #: The circle's programme again, so the database holds "one circle a person".
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"),
                                              index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "circle_role", 8))
    #: The engine's score of a proposed mentee with the circle's mentor (None: by hand).
    score: Mapped[int | None] = mapped_column(Integer)
    #: Why the engine put her there: its parts, and {"code": "circle", ...}.
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    circle: Mapped[Circle] = relationship(back_populates="members")
    enrolment: Mapped[Enrolment] = relationship()  # noqa: F821

    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)


class CircleMeeting(db.Model):
    """A meeting a circle held, logged by any of its members; all of them see it."""

    __tablename__ = "circle_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    held_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    #: Private to the circle: coordinators see dates and lengths only.
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()  # noqa: F821

    __table_args__ = (
        CheckConstraint(f"duration_minutes > 0 AND duration_minutes <= {MAX_MINUTES}",
                        name="duration_range"),
        Index("ix_circle_meeting_circle_held_on", "circle_id", "held_on"),
    )
