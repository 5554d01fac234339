"""Outcomes: the ITU meetings a programme follows and the roles its participants held there.

An ``ItuMeeting`` is a conference or meeting of the ITU (WRC-23, CPM23-2, a study group), not a
pair's mentoring session (``Meeting``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, enum_type, utcnow

#: The longest meeting name.
ITU_MEETING_NAME_MAX = 120


class MeetingRoleKind(enum.StrEnum):
    DELEGATE = "delegate"
    SPEAKER = "speaker"
    AUTHOR = "author"
    HEAD = "head"
    DEPUTY_HEAD = "deputy_head"
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    RAPPORTEUR = "rapporteur"


class ItuMeeting(db.Model):
    """An ITU conference or meeting a programme counts its participants' roles at."""

    __tablename__ = "itu_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(ITU_MEETING_NAME_MAX))
    starts_on: Mapped[date] = mapped_column(Date)
    #: Its last day, when it lasts more than one (WRC-23 ran four weeks); None: one day.
    #: Roles held there count as "before the programme" when it ended before the programme
    #: started (`services.outcomes.held_before`).
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    programme: Mapped[Programme] = relationship()  # noqa: F821

    __table_args__ = (UniqueConstraint("programme_id", "name"),)


class MeetingRole(db.Model):
    """A role a participant held at an ITU meeting (a delegate, a chair...)."""

    __tablename__ = "meeting_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    itu_meeting_id: Mapped[int] = mapped_column(ForeignKey("itu_meeting.id", ondelete="RESTRICT"))
    role: Mapped[MeetingRoleKind] = mapped_column(
        enum_type(MeetingRoleKind, "meeting_role_kind", 16))
    #: Who recorded it: she herself or a coordinator (None once that account is gone).
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Given by the applicant on her application ("ITU meetings before"): her baseline, counted
    #: as before the programme whatever the meeting's day; her application rewrites these rows.
    baseline: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    itu_meeting: Mapped[ItuMeeting] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])  # noqa: F821

    __table_args__ = (
        UniqueConstraint("user_id", "itu_meeting_id", "role"),
        Index("ix_meeting_role_meeting", "itu_meeting_id", "role"),
    )
