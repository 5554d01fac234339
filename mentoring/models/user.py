"""People who sign in: delegates, coordinators and site admins."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ._types import UTCDateTime, utcnow


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; unique across the site.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Empty for people imported by a coordinator until they accept the invitation.
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: A new address the person asked for: it replaces ``email`` only once the link sent to
    #: it is opened, so an address nobody proved never signs in nor receives rights.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    #: Part of every session and remember-me cookie (see :meth:`get_id`); a new value ends
    #: them all (sign-out, a new password, "sign out everywhere").
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    #: Interface language (a code from LANGUAGES); empty means "from the browser".
    locale: Mapped[str] = mapped_column(String(10), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set when the person's personal data was erased (on her request, an admin's, or by the
    #: retention command): the row stays so that the programme's figures keep counting her.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Whether she wants the reminders about her pair (silent, never met); the account page
    #: and the unsubscribe link in each reminder turn it off.
    reminder_emails: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Whether a coordinator wants the weekly digest of pairs needing attention.
    digest_emails: Mapped[bool] = mapped_column(Boolean, default=True)

    coordinator_roles: Mapped[list[Coordinator]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan"
    )

    # What Flask-Login asks of a signed-in person (written here so that the model does not
    # depend on the web layer).
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        # Flask-Login's "alternative id": the session and the remember-me cookie carry the
        # token too, so they stop working when it changes.
        return f"{self.id}:{self.session_token}"

    def has_session_token(self, token: str) -> bool:
        return bool(self.session_token) and hmac.compare_digest(self.session_token, token)

    def end_sessions(self) -> None:
        """Make every session and remember-me cookie issued so far stop working."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        method = "scrypt"
        if current_app:
            method = current_app.config.get("PASSWORD_HASH_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
