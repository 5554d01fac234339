"""Failed sign-ins, counted per address and client so that a stranger cannot lock the owner out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow

#: The ``client`` of the row that counts an address's failures from everywhere.
EVERYWHERE = ""


class SignInFailure(db.Model):
    """Recent failed sign-ins for one address typed on the sign-in page, from one client.

    Rows exist for any address typed, whether or not an account has it, so that a locked
    address says nothing about the account behind it.
    """

    __tablename__ = "sign_in_failure"
    __table_args__ = (UniqueConstraint("email", "client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The address as typed, lower-cased (not a foreign key: it need not be an account's).
    email: Mapped[str] = mapped_column(String(254))
    #: The client's IP address, or ``EVERYWHERE`` for the count over all clients.
    client: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now
