"""Accounts: registration, email verification, sign-in with lock-out, passwords."""

from __future__ import annotations

import secrets
import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ..extensions import db
from ..models import User
from ..models._types import utcnow
from . import Refused, audit, mail, sign_in_failures, tokens
from .links import external_url
from .text import text_problem

MIN_PASSWORD_LENGTH = 10

#: The lowest zxcvbn score accepted (0 to 4; 3 is "safely unguessable" for an online attack
#: slowed down by the sign-in limits).
MIN_PASSWORD_SCORE = 3
#: zxcvbn is quadratic in the length; the characters beyond these only add strength.
ESTIMATED_LENGTH = 72


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

    The rules follow NIST SP 800-63B: length over composition, no well-known or guessable
    passwords (judged by the zxcvbn estimator, with the person's name and address as words an
    attacker would try first).
    """
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            _("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
        )
    local = email.split("@")[0]
    if any(len(word) >= 4 and word in _letters_and_digits(password)
           for word in (_letters_and_digits(local), _letters_and_digits(name))):
        problems.append(_("Do not use your name or email address in your password."))
    if problems:
        return problems
    estimate = zxcvbn(password[:ESTIMATED_LENGTH],
                      user_inputs=[word for word in [email, local, name, *name.split()] if word])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        problems.append(_("This password is too easy to guess: add more words or characters."))
        hint = _weakness(estimate["sequence"])
        if hint:
            problems.append(hint)
    return problems


def _letters_and_digits(text: str) -> str:
    return "".join(character for character in text.casefold() if character.isalnum())


def _weakness(matches: list[dict]) -> str | None:
    """Our own words for the most telling weakness zxcvbn found (its own are English only)."""
    kinds = {match["pattern"] for match in matches}
    dictionaries = {match.get("dictionary_name") for match in matches}
    if "user_inputs" in dictionaries:
        return _("Do not use your name or email address in your password.")
    if "passwords" in dictionaries:
        return _("This password is too common or too simple to guess.")
    if kinds & {"date", "regex"}:
        return _("Avoid dates and years: they are easy to guess.")
    if kinds & {"sequence", "repeat", "spatial"}:
        return _("Avoid sequences, repeated characters and keyboard patterns such as "
                 "\"abc\", \"1111\" or \"qwerty\".")
    return None


def _check_name_and_email(name: str, email: str) -> None:
    for field, problem in (("name", name_problem(name)), ("email", email_problem(email))):
        if problem:
            raise Refused(problem, field)


def user_by_email(email: str) -> User | None:
    """The account of an address. Addresses are stored normalised (migration 0010 brought the
    old ones to that form), so they compare as stored, on the unique index."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def users_by_email(emails) -> dict[str, User]:
    """The accounts of many addresses (already normalised) at once, by address: one query per
    thousand addresses instead of one each (a CSV import of thousands of rows)."""
    emails = sorted(set(emails))
    found: dict[str, User] = {}
    for start in range(0, len(emails), 1000):
        found.update((user.email, user) for user in db.session.scalars(
            select(User).where(User.email.in_(emails[start:start + 1000]))))
    return found


def register(name: str, email: str, password: str, locale: str = "") -> User | None:
    """Create an account and send the email-verification link.

    When the address already has an account, nothing is created and its owner is told by
    email instead (None is returned): the person registering sees the same outcome either
    way, so that registration tells no one which addresses have an account. ``locale`` is
    the language the person signed up in: emails to them are written in it.
    """
    _check_name_and_email(name, email)
    email = normalise_email(email)
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise Refused(" ".join(problems), "password")
    user = User(name=name.strip(), email=email, locale=locale)
    user.set_password(password)  # hashed either way: both outcomes take as long
    owner = user_by_email(email)
    if owner is not None:
        mail.queue_template(
            owner, "account_exists", kind="account-exists", locale=locale,
            sign_in_link=external_url("auth.login"),
            reset_link=external_url("auth.forgot_password"))
        return None
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


def authenticate(email: str, password: str, *, client: str = "") -> User:
    """The user for these credentials, ``client`` being where the attempt comes from (the IP
    address).

    An address without an account gets the same answers, the same pauses and the same work
    (a password hash is checked either way), so that sign-in tells no one who has an account.
    """
    address = normalise_email(email)
    user = user_by_email(address)
    now = utcnow()
    if sign_in_failures.is_paused(address, client, now):
        raise SignInRefused(
            _("Too many failed attempts: this account is locked for a while. "
              "Try again later or reset your password.")
        )
    if not _password_matches(user, password):
        if sign_in_failures.record(address, client, now) and user is not None:
            audit.record("user.locked", target=user)
            mail.queue_template(
                user, "account_locked", kind="account-locked",
                minutes=current_app.config["LOGIN_LOCK_SECONDS"] // 60,
                link=external_url("auth.forgot_password"))
        raise SignInRefused(_("The email address or password is not right."))
    sign_in_failures.forget(address, client)
    user.last_login_at = now
    return user


def signed_in_user(session_id: str) -> User | None:
    """The person a session or remember-me cookie names (``User.get_id``), or None when the
    cookie is from before a sign-out, a new password or "sign out everywhere", or the
    account is erased."""
    number, _sep, token = session_id.partition(":")
    if not number.isdigit() or not token:
        return None
    user = db.session.get(User, int(number))
    if user is None or user.erased_at is not None or not user.has_session_token(token):
        return None
    return user


def sign_out(user: User) -> None:
    """End the person's sessions: signing out in one browser also ends any copy of its
    cookies (and the other browsers' sessions, which share the token)."""
    user.end_sessions()


def sign_out_everywhere(user: User) -> None:
    """End every session and remember-me cookie of the person; the caller signs the browser
    that asked in again if it should stay signed in."""
    user.end_sessions()
    audit.record("user.sign_out_everywhere", actor=user, target=user)


#: Where wrong current passwords are counted (as if from a client of their own): a stolen
#: session cannot guess on, and the owner can still sign in from her own browser.
CURRENT_PASSWORD_CHECKS = "current-password"  # noqa: S105 - a counter's name


def check_current_password(user: User, password: str) -> None:
    """Refuse unless ``password`` is the person's own; five wrong ones pause the check, as
    five wrong sign-ins from one client pause that client (``sign_in_failures``)."""
    now = utcnow()
    if sign_in_failures.is_paused(user.email, CURRENT_PASSWORD_CHECKS, now):
        raise Refused(
            _("Too many failed attempts: this account is locked for a while. "
              "Try again later or reset your password."), "current_password")
    if not user.check_password(password):
        raise Refused(_("Your current password is not right."), "current_password",
                      record=lambda: sign_in_failures.record(
                          user.email, CURRENT_PASSWORD_CHECKS, utcnow()))
    sign_in_failures.forget(user.email, CURRENT_PASSWORD_CHECKS)


def _password_matches(user: User | None, password: str) -> bool:
    """Check the password against the account's hash, or against a stand-in hash of the same
    cost when there is no account or no password yet, so both take as long."""
    real = user is not None and bool(user.password_hash)
    matches = check_password_hash(user.password_hash if real else _stand_in_hash(), password)
    return real and matches


def _stand_in_hash() -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    hashes = current_app.extensions.setdefault("mentoring.stand_in_hashes", {})
    if method not in hashes:
        hashes[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return hashes[method]


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
    # A new password ends every pause of sign-in to the address.
    sign_in_failures.forget(user.email)
    return user


def set_password(user: User, password: str) -> None:
    """A new password; every session and remember-me cookie issued before it stops working."""
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise Refused(" ".join(problems), "password")
    user.set_password(password)
    user.end_sessions()
    audit.record("user.password", actor=user, target=user)


def change_password(user: User, current: str, new: str) -> None:
    check_current_password(user, current)
    set_password(user, new)


def update_account(user: User, *, name: str, email: str, locale: str, timezone: str,
                   current_password: str = "") -> bool:
    """Save the account settings; returns True when a new address waits for its link.

    A new address needs the current password, and replaces the old one only once the link
    sent to it is opened (:func:`confirm_new_email`): until then she signs in with the old.
    """
    _check_name_and_email(name, email)
    email = normalise_email(email)
    changed_email = email != user.email
    if changed_email:
        if not current_password:
            raise Refused(_("Enter your current password to change your email address."),
                          "current_password")
        check_current_password(user, current_password)
        other = user_by_email(email)
        if other is not None and other.id != user.id:
            raise Refused(_("An account with this email address already exists."), "email")
    before = {"name": user.name, "email": user.email, "locale": user.locale}
    user.name = name.strip()
    user.locale = locale
    user.timezone = timezone
    if changed_email:
        user.pending_email = email
        send_new_email_link(user)
    audit.record(
        "user.update", actor=user, target=user, before=before,
        after={"name": user.name, "email": user.email, "locale": user.locale,
               **({"pending_email": email} if changed_email else {})},
    )
    return changed_email


def send_new_email_link(user: User) -> None:
    """Email the link that confirms the pending address, to that address."""
    link = external_url("auth.confirm_new_email",
                        token=tokens.make_token(user, tokens.NEW_EMAIL))
    mail.queue_template(user, "confirm_new_email", kind="confirm-new-email",
                        to=user.pending_email, link=link)


def send_confirmation_links(user: User) -> bool:
    """Send again the link for the pending address, else for an unconfirmed one; False when
    there is nothing to confirm."""
    if user.pending_email:
        send_new_email_link(user)
    elif not user.is_verified:
        send_verification(user)
    else:
        return False
    return True


def confirm_new_email(token: str) -> User:
    """The pending address of a valid link becomes the account's (and is proven); the old
    address is told of the change."""
    user = tokens.read_token(token, tokens.NEW_EMAIL,
                             current_app.config["EMAIL_VERIFICATION_MAX_AGE"])
    new = user.pending_email
    other = user_by_email(new)
    if other is not None and other.id != user.id:
        raise Refused(_("An account with this email address already exists."), "email")
    old = user.email
    user.email = new
    user.pending_email = None
    user.email_verified_at = utcnow()
    audit.record("user.email", actor=user, target=user, before={"email": old},
                 after={"email": new})
    mail.queue_template(user, "email_changed", kind="email-changed", to=old, old=old, new=new)
    return user


def invite(user: User, programme) -> None:
    """Email an imported person a link to set their password, in the programme's language
    unless they have one of their own."""
    link = external_url(
        "auth.accept_invitation",
        token=tokens.make_token(user, tokens.INVITATION))
    mail.queue_template(user, "invitation", kind="invitation", locale=programme.default_locale,
                        link=link, programme=programme)
