"""The outbox: emails are queued in the database with the work, then handed to a sender.

The sender is the log (console) by default and SMTP when ``MAIL_SERVER`` is set. Queued emails
go out right after the transaction that queued them commits, whoever commits it (a web
request, a command, a background job): a rolled-back transaction sends nothing. ``flask
send-emails`` sends what is due (from cron or a scheduler).

Any number of senders may run at once: each claims the messages it sends (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, then a lease in ``next_attempt_at``), so no message goes out twice. A
failure is retried with a growing pause (1, 2, 4 ... minutes, at most 6 hours) for two days,
then kept as failed, with its reason, for an admin to send again. Address confirmations and
password resets go before everything else, reminders and surveys after.

Every message has two parts built from the one text template: the plain text as rendered
(and stored in the outbox), and an HTML part made from that same text when it is sent
(paragraphs, lists, real links; ``<html lang dir>`` from the language it was written in, so
Arabic reads right to left). Reminders and digests carry a signed one-click unsubscribe link
(RFC 8058), in the words and in ``List-Unsubscribe``.
"""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_babel import force_locale, get_translations
from jinja2.ext import _make_new_gettext, _make_new_ngettext
from sqlalchemy import event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..locales import is_rtl
from ..models import OutboxEmail, User
from ..models._types import utcnow
from . import email_choices

log = logging.getLogger("mentoring.mail")

#: Failures are retried for this long, then the message is kept as failed.
RETRY_FOR = timedelta(hours=48)
#: The pause after the first failure, doubled after each next one, up to the longest.
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=6)
#: How long a sender holds the messages it claimed before another may take them.
LEASE = timedelta(minutes=5)
#: Messages a sender claims at a time: sent well within their lease at any usual pace.
CLAIM_BATCH = 50
#: A sender starts no message whose lease ends sooner than this (a send's longest time).
LEASE_MARGIN = timedelta(minutes=1)
#: Messages a person waits for on the page (priority 0) and bulk ones (priority 2).
URGENT_KINDS = frozenset({"verify-email", "reset-password", "invitation", "confirm-new-email"})
BULK_KINDS = frozenset({"reminder-silent", "reminder-never-met", "reminder-digest", "survey"})
#: Key in the database session's ``info`` of the emails queued in its open transaction
#: (objects, or ids of those written in bulk).
_QUEUED = "mentoring.outbox"


def recipient_locale(user: User | None, fallback: str | None = None) -> str:
    """The language to write to a person in: theirs, else the fallback, else the default."""
    languages = current_app.config["LANGUAGES"]
    if user is not None and user.locale in languages:
        return user.locale
    if fallback in languages:
        return fallback
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def queue(recipient: str, subject: str, body: str, *, kind: str, user: User | None = None,
          locale: str = "", unsubscribe_url: str = ""):
    """Add one email to the outbox (written with the work, sent after the commit). ``locale``
    is the language it is written in; ``unsubscribe_url`` the link that stops its kind of
    email. Not flushed one by one: announcing 2,500 pairs queues 5,000 messages."""
    email = OutboxEmail(
        recipient=recipient, subject=subject, body=body, kind=kind,
        user_id=getattr(user, "id", None), priority=priority_of(kind), next_attempt_at=utcnow(),
        locale=locale, unsubscribe_url=unsubscribe_url,
    )
    db.session.add(email)
    db.session.info.setdefault(_QUEUED, []).append(email)
    return email


def priority_of(kind: str) -> int:
    """0 for what a person waits for, 2 for bulk, 1 for the rest."""
    return 0 if kind in URGENT_KINDS else 2 if kind in BULK_KINDS else 1


def queue_template(user: User, template: str, *, kind: str, locale: str | None = None,
                   to: str | None = None, **context):
    """Render ``templates/emails/<template>.txt`` and queue it, in the recipient's language.

    The template sets ``subject`` at its top level; the rest of its text is the body. It goes
    to the person's address, or to ``to`` (a new address to confirm, the old one to tell).
    Nothing is queued for an erased account: nobody reads its address. An email a person may
    stop (see :mod:`.email_choices`) ends with the link that stops it.
    """
    if getattr(user, "erased_at", None) is not None:
        return None
    language = recipient_locale(user, locale)
    with force_locale(language):
        row = _rendered(current_app.jinja_env.get_template(f"emails/{template}.txt"), user,
                        kind, context)
    return queue(to or user.email, row["subject"], row["body"], kind=kind, user=user,
                 locale=language, unsubscribe_url=row["unsubscribe_url"])


def queue_templates(template: str, messages, *, kind: str, locale: str | None = None) -> int:
    """Queue many emails of one template at once: ``messages`` is a list of (recipient,
    context); each is written exactly as :func:`queue_template` writes it (same subject,
    body, language, link that stops it), and nothing goes to an erased account.

    Made for thousands (announcing 2,500 pairs writes 5,000): the messages are rendered
    language by language (one switch of locale for each language) and written with one
    multi-row INSERT, not one ORM object and one flush each. Returns how many were queued.
    """
    languages: dict[str, list[int]] = {}
    for index, (user, _context) in enumerate(messages):
        if getattr(user, "erased_at", None) is None:
            languages.setdefault(recipient_locale(user, locale), []).append(index)
    source = current_app.jinja_env.get_template(f"emails/{template}.txt")
    now = utcnow()
    rows: dict[int, dict] = {}
    for language, indexes in languages.items():
        with force_locale(language):
            words = _translators(get_translations())
            for index in indexes:
                user, context = messages[index]
                rows[index] = {**_rendered(source, user, kind, {**context, **words}),
                               "recipient": user.email,
                               "user_id": user.id, "kind": kind, "priority": priority_of(kind),
                               "next_attempt_at": now, "created_at": now, "locale": language,
                               "attempts": 0, "last_error": "", "message_id": ""}
    ids = _insert([rows[index] for index in sorted(rows)])
    db.session.info.setdefault(_QUEUED, []).extend(ids)
    return len(ids)


def _translators(translations) -> dict:
    """The template's ``gettext`` and ``ngettext`` bound to one language's catalogue: what
    Flask-Babel installs, wrapped by Jinja's own new-style wrappers (named placeholders,
    ``%(num)d``), without looking the locale up again for each of the ~10 strings of each of
    thousands of emails."""
    return {"gettext": _make_new_gettext(translations.ugettext),
            "ngettext": _make_new_ngettext(translations.ungettext)}


def _rendered(source, user: User, kind: str, context: dict) -> dict[str, str]:
    """Subject, body and unsubscribe link of one email, in the locale in force."""
    unsubscribe = (email_choices.unsubscribe_url(user, kind)
                   if email_choices.can_stop(kind) and getattr(user, "id", None) else "")
    module = source.make_module({"user": user, **context})
    # One line, but keep no-break spaces (French puts one before ":").
    subject = re.sub(r"[ \t\r\n]+", " ", str(module.subject)).strip()
    body = str(module).strip() + "\n"
    if unsubscribe:
        body += "\n" + current_app.jinja_env.get_template("emails/_unsubscribe.txt").render(
            unsubscribe_link=unsubscribe).strip() + "\n"
    return {"subject": subject, "body": body, "unsubscribe_url": unsubscribe}


def _insert(rows: list[dict]) -> list[int]:
    """Write outbox rows in one statement; their ids. On PostgreSQL the ids are drawn from
    the table's sequence first and the rows sent as one pipelined executemany: an INSERT ...
    RETURNING of thousands of rows spends seconds in the driver building its text."""
    if not rows:
        return []
    if db.session.get_bind().dialect.name != "postgresql":
        return list(db.session.scalars(insert(OutboxEmail).returning(OutboxEmail.id), rows))
    ids = list(db.session.scalars(
        select(func.nextval(func.pg_get_serial_sequence("outbox_email", "id")))
        .select_from(func.generate_series(1, len(rows)))))
    db.session.execute(insert(OutboxEmail), [{**row, "id": email_id}
                                             for row, email_id in zip(rows, ids, strict=True)])
    return ids


#: A web address in a message's text, without the punctuation that may follow it.
_URL = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)\]]")


def _pieces(line: str) -> list[tuple[str, str | None]]:
    """A line as (text, link) pieces: link is the address for a web address, else None."""
    pieces, at = [], 0
    for match in _URL.finditer(line):
        if match.start() > at:
            pieces.append((line[at:match.start()], None))
        pieces.append((match.group(), match.group()))
        at = match.end()
    if at < len(line):
        pieces.append((line[at:], None))
    return pieces


def _blocks(text: str) -> list[tuple[str, list]]:
    """The text as ("p", lines) paragraphs (split at blank lines) and ("ul", items) lists
    (lines that start with "- ", blank lines between them allowed)."""
    blocks: list[tuple[str, list]] = []
    for line in text.strip().splitlines():
        line = line.rstrip()
        if not line.strip():
            if blocks and blocks[-1][0] == "p" and blocks[-1][1]:
                blocks.append(("p", []))  # the paragraph ends here
            continue
        if line.startswith("- "):
            if not blocks or blocks[-1][0] != "ul":
                blocks.append(("ul", []))
            blocks[-1][1].append(_pieces(line[2:]))
        else:
            if not blocks or blocks[-1][0] != "p":
                blocks.append(("p", []))
            blocks[-1][1].append(_pieces(line))
    return [block for block in blocks if block[1]]


def html_body(email: OutboxEmail, config) -> str:
    """The HTML part: the stored text in paragraphs, lists and links, in its language's
    direction (``templates/emails/_message.html``)."""
    locale = email.locale or config["BABEL_DEFAULT_LOCALE"]
    return current_app.jinja_env.get_template("emails/_message.html").render(
        lang=locale.replace("_", "-"), rtl=is_rtl(locale), subject=email.subject,
        blocks=_blocks(email.body))


def build_message(email: OutboxEmail, config) -> EmailMessage:
    """The message as it goes out: plain text and HTML (multipart/alternative), with Date,
    Message-ID, Auto-Submitted on automatic messages (reminders, digests, surveys), and
    List-Unsubscribe with its one-click POST (RFC 8058) on those a person may stop."""
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Date"] = format_datetime(utcnow())
    if not email.message_id:
        domain = urlsplit(config["BASE_URL"]).hostname or "localhost"
        email.message_id = make_msgid(idstring=f"outbox{email.id}", domain=domain)
    message["Message-ID"] = email.message_id
    if email.kind in BULK_KINDS:
        message["Auto-Submitted"] = "auto-generated"
    if email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.body)
    message.add_alternative(html_body(email, config), subtype="html")
    return message


class ConsoleSender:
    """Writes each email to the log: the default, for development and demos."""

    def send(self, email: OutboxEmail) -> None:
        log.info("email to %s: %s\n%s", email.recipient, email.subject, email.body)


class SMTPSender:
    def __init__(self, config):
        self.config = config

    def send(self, email: OutboxEmail) -> None:
        message = build_message(email, self.config)
        connect = smtplib.SMTP_SSL if self.config["MAIL_USE_SSL"] else smtplib.SMTP
        with connect(self.config["MAIL_SERVER"], self.config["MAIL_PORT"],
                     timeout=self.config["MAIL_TIMEOUT"]) as smtp:
            if self.config["MAIL_USE_TLS"] and not self.config["MAIL_USE_SSL"]:
                smtp.starttls()
            if self.config["MAIL_USERNAME"]:
                smtp.login(self.config["MAIL_USERNAME"], self.config["MAIL_PASSWORD"])
            smtp.send_message(message)


def sender():
    return SMTPSender(current_app.config) if current_app.config["MAIL_SERVER"] else ConsoleSender()


def _claim(session: Session, limit: int, ids=None, *, due_only: bool = True,
           skip=()) -> list[int]:
    """Take up to ``limit`` messages to send (urgent first), so that no other sender takes them.

    One UPDATE ... RETURNING moves their next attempt past a lease: atomic on SQLite, and on
    PostgreSQL the rows another sender is claiming are skipped (``FOR UPDATE SKIP LOCKED``).
    ``skip``: ids this sender already tried.
    """
    session.commit()  # start from a fresh transaction: nothing read earlier holds a lock
    now = utcnow()
    waiting = (select(OutboxEmail.id)
               .where(OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None))
               .order_by(OutboxEmail.priority, OutboxEmail.id).limit(limit)
               .with_for_update(skip_locked=True))
    if due_only:
        waiting = waiting.where(OutboxEmail.next_attempt_at <= now)
    if ids is not None:
        waiting = waiting.where(OutboxEmail.id.in_(sorted(ids)))
    if skip:
        waiting = waiting.where(OutboxEmail.id.not_in(sorted(skip)))
    claimed = session.scalars(
        update(OutboxEmail).where(OutboxEmail.id.in_(waiting.scalar_subquery()))
        .values(next_attempt_at=now + LEASE).returning(OutboxEmail.id)
        .execution_options(synchronize_session=False)).all()
    session.commit()
    by_priority = dict(session.execute(select(OutboxEmail.id, OutboxEmail.priority)
                                       .where(OutboxEmail.id.in_(claimed))).all())
    return sorted(claimed, key=lambda email_id: (by_priority[email_id], email_id))


def _pause(attempts: int) -> timedelta:
    return min(FIRST_PAUSE * 2 ** max(attempts - 1, 0), LONGEST_PAUSE)


def deliver_pending(limit: int = 200, *, ids=None, session: Session | None = None,
                    due_only: bool = True) -> tuple[int, int]:
    """Send queued emails that are due (only ``ids`` when given; every waiting one with
    ``due_only=False``); returns (sent, failed). Commits its own bookkeeping in ``session``
    (the app's by default), one message at a time.

    Messages are claimed :data:`CLAIM_BATCH` at a time, and none is started once its lease
    is about to run out (another sender may then take it): thousands of messages (an
    announcement) go out at the mail server's pace, each once, however slow it is.
    """
    session = session or db.session
    transport = sender()
    sent = failed = 0
    tried: set[int] = set()
    failures: set[int] = set()  # tried once in this call is enough
    while sent + failed < limit:
        claimed_at = utcnow()
        batch = _claim(session, min(CLAIM_BATCH, limit - sent - failed),
                       None if ids is None else set(ids) - tried, due_only=due_only,
                       skip=failures)
        if not batch:
            break
        for email_id in batch:
            if utcnow() >= claimed_at + LEASE - LEASE_MARGIN:
                break  # the rest is not started: another sender may take it after the lease
            tried.add(email_id)
            if _deliver(session, transport, email_id):
                sent += 1
            else:
                failed += 1
                failures.add(email_id)
    return sent, failed


def _deliver(session: Session, transport, email_id: int) -> bool:
    """One attempt at one claimed message, committed; False when it failed."""
    email = session.get(OutboxEmail, email_id)
    email.attempts += 1
    try:
        transport.send(email)
    except (OSError, smtplib.SMTPException) as error:
        now = utcnow()
        email.last_error = str(error)[:2000] or type(error).__name__
        if now - email.created_at >= RETRY_FOR:
            email.failed_at = now
            log.error("email %s to %s given up after %d attempts: %s", email.id,
                      email.recipient, email.attempts, email.last_error)
        else:
            email.next_attempt_at = now + _pause(email.attempts)
            log.warning("email %s to %s failed (attempt %d), retried from %s: %s",
                        email.id, email.recipient, email.attempts,
                        email.next_attempt_at.isoformat(timespec="seconds"),
                        email.last_error)
        session.commit()
        return False
    email.sent_at = utcnow()
    session.commit()
    return True


def retry_failed(actor, email_ids) -> int:
    """An admin sends failed messages again: one more attempt, right after the commit."""
    emails = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.id.in_(sorted(set(email_ids))), OutboxEmail.failed_at.is_not(None))).all()
    now = utcnow()
    for email in emails:
        email.failed_at = None
        email.next_attempt_at = now
        db.session.info.setdefault(_QUEUED, []).append(email)
    from . import audit

    audit.record("outbox.retry", actor=actor, after={"emails": [e.id for e in emails]})
    return len(emails)


def failed_emails(limit: int = 200) -> list[OutboxEmail]:
    """Messages given up, newest first, for the admins' page."""
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.failed_at.is_not(None))
                                   .order_by(OutboxEmail.failed_at.desc()).limit(limit)))


def _send_after_commit(session: Session) -> None:
    """Send what the transaction just committed queued, in a session of its own (the
    committed one cannot run SQL inside this event)."""
    if session.get_nested_transaction() is not None:
        return  # a savepoint: the outer transaction may still roll back
    # The committed messages' ids, read from their identity (no SQL may run in this event);
    # one added in a savepoint that rolled back has none and is skipped. Messages written in
    # bulk (:func:`queue_templates`) are queued as their ids.
    ids = set()
    for email in session.info.pop(_QUEUED, ()):
        identity = (email,) if isinstance(email, int) else inspect(email).identity
        if identity:
            ids.add(identity[0])
    if not ids or not current_app.config["MAIL_SEND_ON_COMMIT"]:
        return
    if _hand_to_workers():
        return
    try:
        with Session(bind=session.get_bind()) as own:
            # Only what is due: a message another sender holds (its lease) is left to it.
            deliver_pending(len(ids), ids=ids, session=own)
    except Exception:  # the outbox keeps it; `flask send-emails` retries
        log.exception("sending queued emails failed")


def _hand_to_workers() -> bool:
    """With a job queue (``REDIS_URL``), ask a worker to send, so that no web request waits
    for the mail server; True when it took the work. Without one, or when the queue does not
    answer, the caller sends at once (the outbox keeps anything that fails)."""
    celery = current_app.extensions.get("celery")
    if celery is None or celery.conf.task_always_eager:
        return False
    try:
        celery.tasks["mentoring.send_emails"].delay()
    except Exception:
        log.warning("the job queue does not answer: sending in this process", exc_info=True)
        return False
    return True


def _forget_after_rollback(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_QUEUED, None)


def register(app: Flask) -> None:
    """Send queued emails after every commit of the app's database session."""
    if not event.contains(Session, "after_commit", _send_after_commit):
        event.listen(Session, "after_commit", _send_after_commit)
        event.listen(Session, "after_soft_rollback", _forget_after_rollback)
