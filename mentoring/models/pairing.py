"""Pairs of a mentee and a mentor, the matching runs that propose them, and forbidden pairs."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, enum_type, utcnow


class PairingStatus(enum.StrEnum):
    #: Suggested by a run (or by hand) and waiting for the coordinator.
    PROPOSED = "proposed"
    #: Approved by a coordinator; nobody has been told yet.
    APPROVED = "approved"
    #: Announced to both people: the pair is at work.
    ACTIVE = "active"
    REJECTED = "rejected"
    #: A later run replaced this proposal.
    SUPERSEDED = "superseded"
    #: The programme ended, or both agreed the mentoring is done.
    COMPLETED = "completed"
    #: Ended early by either side or a coordinator, with a reason.
    ENDED = "ended"


#: Statuses in which a pair holds the mentee and one of the mentor's places.
LIVE_STATUSES = (PairingStatus.APPROVED, PairingStatus.ACTIVE)
_LIVE_SQL = "status IN ('approved', 'active')"


class MatchingRun(db.Model):
    """One run of the matching engine over a programme's accepted applicants."""

    __tablename__ = "matching_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Load, solve and write, in milliseconds.
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    #: The weights and rules used (matching.Rules.to_dict()) and the fair option.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: matched, unmatched, total, lowest, mean, method.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: [{"mentee": enrolment id, "reason": code, "params": {...}}] for mentees left unmatched.
    unmatched: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: Against the previous run: {"new": n, "kept": n, "changed": n, "dropped": n}.
    diff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    run_by: Mapped[User | None] = relationship()  # noqa: F821


class Pairing(db.Model):
    """A mentee and a mentor, proposed by a run or by hand, then approved and announced."""

    __tablename__ = "pairing"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("matching_run.id", ondelete="SET NULL"), index=True
    )
    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[PairingStatus] = mapped_column(
        enum_type(PairingStatus, "pairing_status", 16), default=PairingStatus.PROPOSED, index=True
    )
    #: A locked pair is kept by every later run.
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 0-1000, from the engine.
    score: Mapped[int] = mapped_column(Integer, default=0)
    #: The engine's explanation: [{"code": "topics", "value": 750, ...}, ...].
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: The mentee's next best mentors: [{"mentor": id, "score": n, "lacked": [...], ...}].
    alternatives: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: Hard rules this pair breaks (only a confirmed manual pairing may).
    broken: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: What the latest run that proposed or kept this pair did for its mentee: "new", "kept"
    #: or "changed" (empty for a pair made by hand until a run keeps it).
    change: Mapped[str] = mapped_column(String(8), default="")
    #: The mentor the previous run gave this mentee, when it was someone else.
    previous_mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolment.id", ondelete="SET NULL"))
    #: "run", "manual", "swap" or "rematch".
    source: Mapped[str] = mapped_column(String(16), default="run")
    #: Why a coordinator paired by hand against a hard rule.
    override_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    end_reason: Mapped[str] = mapped_column(Text, default="")
    #: One side asked to mark the pair completed; the other side's agreement completes it.
    completion_requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    #: On ending early: the mentee asked to be matched again, or the coordinator who ended
    #: the pair said so (see ``services.rematch``).
    rematch_requested: Mapped[bool] = mapped_column(Boolean, default=False)

    mentee: Mapped[Enrolment] = relationship(foreign_keys=[mentee_id])  # noqa: F821
    mentor: Mapped[Enrolment] = relationship(foreign_keys=[mentor_id])  # noqa: F821
    run: Mapped[MatchingRun | None] = relationship()

    __table_args__ = (
        # A mentee has at most one live pair (her enrolment belongs to one programme).
        Index(
            "uq_pairing_live_mentee",
            "mentee_id",
            unique=True,
            sqlite_where=db.text(_LIVE_SQL),
            postgresql_where=db.text(_LIVE_SQL),
        ),
        # The pairs page lists a programme's pairs by score (lowest or highest first): 50 of
        # them read down this index instead of sorting every pair of the programme.
        Index("ix_pairing_programme_score", "programme_id", "score", "id"),
    )

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class ForbiddenPair(db.Model):
    """A pair no run may propose: rejected or forbidden by a coordinator."""

    __tablename__ = "forbidden_pair"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    mentee_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("mentee_id", "mentor_id"),)
