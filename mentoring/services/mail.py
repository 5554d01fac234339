"""The outbox: emails are queued in the database with the work, then handed to a sender.

The sender is the log (console) by default and SMTP when ``MAIL_SERVER`` is set. Queued emails
go out right after the request that queued them commits, and ``flask send-emails`` retries
any that failed.
"""

from __future__ import annotations

import logging
import re
import smtplib
from email.message import EmailMessage

from flask import Flask, current_app, g
from flask_babel import force_locale
from sqlalchemy import select

from ..extensions import db
from ..models import OutboxEmail, User
from ..models._types import utcnow

log = logging.getLogger("mentoring.mail")

#: Give up on a message after this many failed attempts.
MAX_ATTEMPTS = 5


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
    g.outbox_dirty = True
    return email


def queue_template(user: User, template: str, *, kind: str, locale: str | None = None, **context):
    """Render ``templates/emails/<template>.txt`` and queue it, in the recipient's language.

    The template sets ``subject`` at its top level; the rest of its text is the body.
    """
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


def deliver_pending(limit: int = 200) -> tuple[int, int]:
    """Send queued emails; returns (sent, failed). Commits its own bookkeeping."""
    transport = sender()
    pending = db.session.scalars(
        select(OutboxEmail)
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS)
        .order_by(OutboxEmail.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for email in pending:
        email.attempts += 1
        try:
            transport.send(email)
        except (OSError, smtplib.SMTPException) as error:
            email.last_error = str(error)[:2000]
            failed += 1
        else:
            email.sent_at = utcnow()
            sent += 1
    db.session.commit()
    return sent, failed


def register(app: Flask) -> None:
    @app.after_request
    def _send_after_commit(response):
        if g.pop("outbox_dirty", False) and app.config["MAIL_SEND_ON_COMMIT"]:
            # Only what the request committed is pending; anything it rolled back is gone.
            db.session.rollback()
            try:
                deliver_pending()
            except Exception:  # the outbox keeps it; `flask send-emails` retries
                log.exception("sending queued emails failed")
                db.session.rollback()
        return response
