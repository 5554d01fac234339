"""A mentor's consent to an approved pair, asked before the pair is announced."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, enum_type, utcnow


class ConsentState(enum.StrEnum):
    #: The mentor was emailed and has not answered (past the programme's deadline, the pair
    #: counts as "no answer by the deadline" and may be announced).
    ASKED = "asked"
    ACCEPTED = "accepted"
    #: The pair was rejected, forbidden and its mentee matched again.
    DECLINED = "declined"


class MentorConsent(db.Model):
    """The mentor's answer to one approved pair. A pair without a row was approved while the
    programme did not ask its mentors: it is announced as before."""

    __tablename__ = "mentor_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(
        ForeignKey("pairing.id", ondelete="CASCADE"), unique=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    state: Mapped[ConsentState] = mapped_column(
        enum_type(ConsentState, "consent_state", 16), default=ConsentState.ASKED)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The mentor's reason for declining (also kept on the forbidden pair).
    reason: Mapped[str] = mapped_column(Text, default="")
    #: The proposal the local re-solve made for the mentee after a decline (none: no mentor
    #: had a free place that the rules allow).
    next_pairing_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairing.id", ondelete="SET NULL"))

    pairing: Mapped[Pairing] = relationship(foreign_keys=[pairing_id])  # noqa: F821
