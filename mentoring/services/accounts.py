"""Accounts: registration, email verification, sign-in with lock-out, passwords."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import User
from ..models._types import utcnow
from . import Refused, audit, mail, tokens
from .links import external_url
from .text import text_problem

MIN_PASSWORD_LENGTH = 10

#: Passwords long enough to pass the length rule but found at the top of leaked lists.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890", "12345678910", "0123456789", "1q2w3e4r5t", "qwertyuiop", "password12",
        "password123", "password1234", "passw0rd123", "iloveyou12", "administrator",
        "qwerty1234", "qwerty12345", "abcdefghij", "letmein123", "welcome123", "1111111111",
        "aaaaaaaaaa", "changeme123", "football12", "baseball12", "p@ssw0rd12", "mentoring123",
    }
)


#: The longest name and email address an account keeps (the forms' and the import's limits).
NAME_MAX = 120
EMAIL_MAX = 254


def normalise_email(email: str) -> str:
    """The one form of an address that is stored and compared: NFKC (so that a full-width
    look-alike such as "ａdmin@example.org" is "admin@example.org"), trimmed, lower case.
    Every address read (registration, sign-in, password reset, account change, import,
    coordinator assignment) goes through it, so a look-alike finds the account it imitates."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def name_problem(name: str) -> str | None:
    """Why a person's name cannot be kept (translated), or None."""
    if not name.strip():
        return _("A name is required.")
    return text_problem(name, NAME_MAX)


def email_problem(email: str) -> str | None:
    """Why an email address cannot be used (translated), or None."""
    problem = text_problem(email, EMAIL_MAX)
    if problem:
        return problem
    try:
        validate_email(normalise_email(email), check_deliverability=False)
    except EmailNotValidError:
        return _("\"%(value)s\" is not a valid email address.", value=email.strip())
    return None


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Why a password is too weak (translated sentences); empty when it is acceptable.

    The rules follow NIST SP 800-63B: length over composition, and no well-known passwords.
    """
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            _("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
        )
    if len(set(password)) < 4 or password.lower() in COMMON_PASSWORDS:
        problems.append(_("This password is too common or too simple to guess."))
    lowered = password.lower()
    local = email.split("@")[0].lower()
    if (len(local) >= 4 and local in lowered) or (
        name and len(name) >= 4 and name.lower().replace(" ", "") in lowered
    ):
        problems.append(_("Do not use your name or email address in your password."))
    if re.fullmatch(r"\d+", password):
        problems.append(_("Use letters as well as digits."))
    return problems


def _check_name_and_email(name: str, email: str) -> None:
    for field, problem in (("name", name_problem(name)), ("email", email_problem(email))):
        if problem:
            raise Refused(problem, field)


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register(name: str, email: str, password: str, locale: str = "") -> User:
    """Create an account and send the email-verification link.

    ``locale`` is the language the person signed up in: emails to them are written in it.
    """
    _check_name_and_email(name, email)
    email = normalise_email(email)
    if user_by_email(email) is not None:
        raise Refused(_("An account with this email address already exists."), "email")
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise Refused(" ".join(problems), "password")
    user = User(name=name.strip(), email=email, locale=locale)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    send_verification(user)
    audit.record("user.register", actor=user, target=user)
    return user


def set_locale(user: User, locale: str) -> None:
    """The interface language picked in the header, remembered in the person's account."""
    if locale not in current_app.config["LANGUAGES"]:
        raise Refused(_("This language is not available."), "locale")
    user.locale = locale


def send_verification(user: User) -> None:
    link = external_url(
        "auth.verify_email", token=tokens.make_token(user, tokens.VERIFY_EMAIL))
    mail.queue_template(user, "verify_email", kind="verify-email", link=link)


def verify_email(token: str) -> User:
    """Mark the address of a valid link as verified (idempotent)."""
    user = tokens.read_token(
        token, tokens.VERIFY_EMAIL, current_app.config["EMAIL_VERIFICATION_MAX_AGE"]
    )
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


class SignInRefused(Refused):
    pass


def authenticate(email: str, password: str) -> User:
    """The user for these credentials; counts failures and locks the account after too many."""
    config = current_app.config
    user = user_by_email(email)
    now = utcnow()
    if user is not None and user.is_locked(now):
        raise SignInRefused(
            _("Too many failed attempts: this account is locked for a while. "
              "Try again later or reset your password.")
        )
    if user is None or not user.check_password(password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= config["LOGIN_MAX_FAILURES"]:
                user.locked_until = now + timedelta(seconds=config["LOGIN_LOCK_SECONDS"])
                user.failed_logins = 0
                audit.record("user.locked", target=user)
        raise SignInRefused(_("The email address or password is not right."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists (the page says the same either way)."""
    user = user_by_email(email)
    if user is None:
        return
    link = external_url(
        "auth.reset_password",
        token=tokens.make_token(user, tokens.RESET_PASSWORD))
    mail.queue_template(user, "reset_password", kind="reset-password", link=link)


def reset_password(token: str, password: str, *, purpose: str = tokens.RESET_PASSWORD) -> User:
    """Set a new password from a reset or invitation link; the link then stops working."""
    max_age = current_app.config[
        "INVITATION_MAX_AGE" if purpose == tokens.INVITATION else "PASSWORD_RESET_MAX_AGE"
    ]
    user = tokens.read_token(token, purpose, max_age)
    set_password(user, password)
    # The link came by email, so the address is proven.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    user.locked_until = None
    user.failed_logins = 0
    return user


def set_password(user: User, password: str) -> None:
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise Refused(" ".join(problems), "password")
    user.set_password(password)
    audit.record("user.password", actor=user, target=user)


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise Refused(_("Your current password is not right."), "current_password")
    set_password(user, new)


def update_account(user: User, *, name: str, email: str, locale: str, timezone: str) -> bool:
    """Save the account settings; returns True when the email changed and needs verifying."""
    _check_name_and_email(name, email)
    email = normalise_email(email)
    changed_email = email != user.email
    if changed_email:
        other = user_by_email(email)
        if other is not None and other.id != user.id:
            raise Refused(_("An account with this email address already exists."), "email")
    before = {"name": user.name, "email": user.email, "locale": user.locale}
    user.name = name.strip()
    user.locale = locale
    user.timezone = timezone
    if changed_email:
        user.email = email
        user.email_verified_at = None
        send_verification(user)
    audit.record(
        "user.update", actor=user, target=user, before=before,
        after={"name": user.name, "email": user.email, "locale": user.locale},
    )
    return changed_email


def invite(user: User, programme) -> None:
    """Email an imported person a link to set their password, in the programme's language
    unless they have one of their own."""
    link = external_url(
        "auth.accept_invitation",
        token=tokens.make_token(user, tokens.INVITATION))
    mail.queue_template(user, "invitation", kind="invitation", locale=programme.default_locale,
                        link=link, programme=programme)
