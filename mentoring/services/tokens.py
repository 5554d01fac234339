"""Signed, expiring links for email verification (and a new address), password reset and
invitations.

:func:`signer` is the one signer factory: the session confirmation links
(``services/meetings.py``) are signed by it too, under their own purpose.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from ..models import User

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"  # noqa: S105 - a salt name, not a secret
INVITATION = "invitation"
#: Confirms the new address a person asked for (``User.pending_email``).
NEW_EMAIL = "new-email"


def signer(purpose: str) -> URLSafeTimedSerializer:
    """Signs and reads expiring tokens with the app's secret; ``purpose`` (the salt) keeps a
    token made for one use from being accepted for another."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def fingerprint(user: User) -> str:
    # Binding a reset link to the current password hash makes it single use: once the
    # password changes, every earlier link for it stops working.
    return hashlib.sha256(f"{user.id}:{user.password_hash}".encode()).hexdigest()[:24]


def make_token(user: User, purpose: str) -> str:
    """A token for ``user`` and ``purpose``; password links are bound to the current password."""
    payload: dict[str, object] = {"uid": user.id}
    if purpose == VERIFY_EMAIL:
        payload["email"] = user.email
    elif purpose == NEW_EMAIL:
        payload["email"] = user.pending_email
    else:
        payload["fp"] = fingerprint(user)
    return signer(purpose).dumps(payload)


class TokenError(Exception):
    """The link is forged, expired or already used; ``reason`` is "invalid" or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def read_token(token: str, purpose: str, max_age: int) -> User:
    """The user a valid token names; raises :class:`TokenError` otherwise."""
    try:
        payload = signer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenError("expired") from error
    except BadSignature as error:
        raise TokenError("invalid") from error
    user = db.session.get(User, payload.get("uid"))
    if user is None:
        raise TokenError("invalid")
    if purpose == VERIFY_EMAIL and payload.get("email") != user.email:
        raise TokenError("invalid")
    if purpose == NEW_EMAIL and (not user.pending_email
                                 or payload.get("email") != user.pending_email):
        # Already confirmed, or replaced by a later request.
        raise TokenError("used")
    if purpose not in (VERIFY_EMAIL, NEW_EMAIL) and payload.get("fp") != fingerprint(user):
        raise TokenError("used")
    return user
