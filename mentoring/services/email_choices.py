"""What automatic email a person wants: reminders about her pair, and (coordinators) the
weekly digest of pairs that need attention.

Each reminder and digest ends with a signed link that stops its kind of email, also sent as
``List-Unsubscribe`` for mail clients' one-click button (RFC 8058); the account page holds the
same two choices. The link never expires (a reminder read months later must still stop them)
and can do one thing only: turn that choice off for that person. Surveys and everything a
person asked for (confirmations, resets, decisions) cannot be stopped: a survey is part of the
programme the person joined, and there are two in a programme's life.
"""

from __future__ import annotations

from itsdangerous import BadSignature

from ..extensions import db
from ..models import User
from . import NotFound, audit
from .links import external_url
from .tokens import signer

#: The choice (a ``User`` column) that says whether a person wants each kind of email.
CHOICE_OF_KIND = {
    "reminder-silent": "reminder_emails",
    "reminder-never-met": "reminder_emails",
    "reminder-digest": "digest_emails",
}
CHOICES = frozenset(CHOICE_OF_KIND.values())
#: The signer's purpose (salt): no other signed link is accepted as an unsubscribe link.
UNSUBSCRIBE = "unsubscribe"


def can_stop(kind: str) -> bool:
    """Whether a person may stop this kind of email."""
    return kind in CHOICE_OF_KIND


def wants(user: User, kind: str) -> bool:
    """Whether ``user`` wants this kind of email (always, for kinds nobody can stop)."""
    choice = CHOICE_OF_KIND.get(kind)
    return choice is None or bool(getattr(user, choice))


def unsubscribe_url(user: User, kind: str) -> str:
    """The signed link that stops ``kind`` (and the kinds sharing its choice) for ``user``."""
    token = signer(UNSUBSCRIBE).dumps({"uid": user.id, "choice": CHOICE_OF_KIND[kind]})
    return external_url("auth.unsubscribe", token=token)


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The person and the choice an unsubscribe link names; NotFound for a forged link."""
    try:
        payload = signer(UNSUBSCRIBE).loads(token)
    except BadSignature as error:
        raise NotFound() from error
    if not isinstance(payload, dict) or payload.get("choice") not in CHOICES:
        raise NotFound()
    user = db.session.get(User, payload.get("uid"))
    if user is None:
        raise NotFound()
    return user, payload["choice"]


def stop(user: User, choice: str) -> None:
    """Turn one choice off, from the link in an email (again: nothing changes)."""
    if getattr(user, choice):
        set_choices(user, **{choice: False})


def set_choices(user: User, *, reminder_emails: bool | None = None,
                digest_emails: bool | None = None) -> None:
    """Save which automatic emails ``user`` wants (None leaves a choice as it is)."""
    before = {"reminder_emails": user.reminder_emails, "digest_emails": user.digest_emails}
    if reminder_emails is not None:
        user.reminder_emails = reminder_emails
    if digest_emails is not None:
        user.digest_emails = digest_emails
    after = {"reminder_emails": user.reminder_emails, "digest_emails": user.digest_emails}
    if after != before:
        audit.record("user.emails", actor=user, target=user, before=before, after=after)
        db.session.flush()
