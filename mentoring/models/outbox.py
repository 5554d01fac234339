"""Emails waiting to be sent, and those sent: every message goes through this table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow


class OutboxEmail(db.Model):
    __tablename__ = "outbox_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: What the message is about, e.g. "verify-email", "decision" (for tests and reports).
    kind: Mapped[str] = mapped_column(String(40), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: 0 goes first (address confirmation, password reset), 1 the rest, 2 bulk (reminders).
    priority: Mapped[int] = mapped_column(Integer, default=1)
    #: Not before this time: set by a failure's back-off, and by a sender's claim (a lease,
    #: so that two senders never take the same message).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                      index=True)
    #: Given up after retrying for two days; an admin can send it again.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The Message-ID header it was sent with.
    message_id: Mapped[str] = mapped_column(String(200), default="")
    #: The language it was written in: the HTML part, built from ``body`` when it is sent,
    #: says it (``lang``) and its direction (``dir="rtl"`` for Arabic). Empty: the default.
    locale: Mapped[str] = mapped_column(String(10), default="")
    #: The signed one-click link that stops this kind of email (reminders, digests): sent as
    #: ``List-Unsubscribe``; empty for messages a person cannot opt out of.
    unsubscribe_url: Mapped[str] = mapped_column(String(500), default="")
