"""The outbox: emails are queued in the database with the work, then handed to a sender.

The sender is the log (console) by default and SMTP when ``MAIL_SERVER`` is set. Queued emails
go out right after the transaction that queued them commits, whoever commits it (a web
request, a command, a background job): a rolled-back transaction sends nothing. ``flask
send-emails`` retries any that failed.
"""

from __future__ import annotations

import logging
import re
import smtplib
from email.message import EmailMessage

from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import OutboxEmail, User
from ..models._types import utcnow

log = logging.getLogger("mentoring.mail")

#: Give up on a message after this many failed attempts.
MAX_ATTEMPTS = 5
#: Key in the database session's ``info`` of the emails queued in its open transaction.
_QUEUED = "mentoring.outbox"


def recipient_locale(user: User | None, fallback: str | None = None) -> str:
    """The language to write to a person in: theirs, else the fallback, else the default."""
    languages = current_app.config["LANGUAGES"]
    if user is not None and user.locale in languages:
        return user.locale
    if fallback in languages:
        return fallback
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def queue(recipient: str, subject: str, body: str, *, kind: str, user: User | None = None):
    """Add one email to the outbox (flushed, sent after the commit)."""
    email = OutboxEmail(
        recipient=recipient, subject=subject, body=body, kind=kind,
        user_id=getattr(user, "id", None),
    )
    db.session.add(email)
    db.session.flush()
    db.session.info.setdefault(_QUEUED, set()).add(email.id)
    return email


def queue_template(user: User, template: str, *, kind: str, locale: str | None = None, **context):
    """Render ``templates/emails/<template>.txt`` and queue it, in the recipient's language.

    The template sets ``subject`` at its top level; the rest of its text is the body.
    Nothing is queued for an erased account: nobody reads its address.
    """
    if getattr(user, "erased_at", None) is not None:
        return None
    with force_locale(recipient_locale(user, locale)):
        module = current_app.jinja_env.get_template(f"emails/{template}.txt").make_module(
            {"user": user, **context}
        )
        # One line, but keep no-break spaces (French puts one before ":").
        subject = re.sub(r"[ \t\r\n]+", " ", str(module.subject)).strip()
        body = str(module).strip() + "\n"
    return queue(user.email, subject, body, kind=kind, user=user)


class ConsoleSender:
    """Writes each email to the log: the default, for development and demos."""

    def send(self, email: OutboxEmail) -> None:
        log.info("email to %s: %s\n%s", email.recipient, email.subject, email.body)


class SMTPSender:
    def __init__(self, config):
        self.config = config

    def send(self, email: OutboxEmail) -> None:
        message = EmailMessage()
        message["From"] = self.config["MAIL_DEFAULT_SENDER"]
        message["To"] = email.recipient
        message["Subject"] = email.subject
        message.set_content(email.body)
        connect = smtplib.SMTP_SSL if self.config["MAIL_USE_SSL"] else smtplib.SMTP
        with connect(self.config["MAIL_SERVER"], self.config["MAIL_PORT"], timeout=20) as smtp:
            if self.config["MAIL_USE_TLS"] and not self.config["MAIL_USE_SSL"]:
                smtp.starttls()
            if self.config["MAIL_USERNAME"]:
                smtp.login(self.config["MAIL_USERNAME"], self.config["MAIL_PASSWORD"])
            smtp.send_message(message)


def sender():
    return SMTPSender(current_app.config) if current_app.config["MAIL_SERVER"] else ConsoleSender()


def deliver_pending(limit: int = 200, *, ids=None, session: Session | None = None
                    ) -> tuple[int, int]:
    """Send queued emails (only ``ids`` when given); returns (sent, failed). Commits its own
    bookkeeping in ``session`` (the app's by default)."""
    session = session or db.session
    transport = sender()
    query = (select(OutboxEmail)
             .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS)
             .order_by(OutboxEmail.id).limit(limit))
    if ids is not None:
        query = query.where(OutboxEmail.id.in_(sorted(ids)))
    sent = failed = 0
    for email in session.scalars(query).all():
        email.attempts += 1
        try:
            transport.send(email)
        except (OSError, smtplib.SMTPException) as error:
            email.last_error = str(error)[:2000]
            failed += 1
        else:
            email.sent_at = utcnow()
            sent += 1
    session.commit()
    return sent, failed


def _send_after_commit(session: Session) -> None:
    """Send what the transaction just committed queued, in a session of its own (the
    committed one cannot run SQL inside this event)."""
    if session.get_nested_transaction() is not None:
        return  # a savepoint: the outer transaction may still roll back
    ids = session.info.pop(_QUEUED, None)
    if not ids or not current_app.config["MAIL_SEND_ON_COMMIT"]:
        return
    try:
        with Session(bind=session.get_bind()) as own:
            deliver_pending(len(ids), ids=ids, session=own)
    except Exception:  # the outbox keeps it; `flask send-emails` retries
        log.exception("sending queued emails failed")


def _forget_after_rollback(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_QUEUED, None)


def register(app: Flask) -> None:
    """Send queued emails after every commit of the app's database session."""
    if not event.contains(Session, "after_commit", _send_after_commit):
        event.listen(Session, "after_commit", _send_after_commit)
        event.listen(Session, "after_soft_rollback", _forget_after_rollback)
