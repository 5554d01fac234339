"""Email through a real SMTP server (aiosmtpd, in this process on a free local port): what
arrives is multipart with Date and Message-ID, and a server that is down, then up again, gets
every message exactly once."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from mentoring.extensions import db
from mentoring.models import OutboxEmail
from mentoring.models._types import utcnow
from mentoring.services import mail


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages, self.lock = [], threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_config():
    return {"MAIL_SEND_ON_COMMIT": False, "BASE_URL": "https://mentoring.example.int",
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_USE_TLS": False,
            "MAIL_TIMEOUT": 5, "MAIL_DEFAULT_SENDER": "mentoring@example.int"}


@pytest.fixture
def smtp_server(app):
    """The server, not started: ``start()`` and ``stop()`` it; stopped after the test."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=app.config["MAIL_PORT"])
    controller.mailbox = mailbox
    yield controller
    if getattr(controller, "_thread", None) is not None:
        controller.stop()


def test_a_message_sent_through_smtp_arrives_with_a_text_and_an_html_part(
        app, make_user, smtp_server):
    smtp_server.start()
    person = make_user("amina@example.org", name="Amina Diallo", locale="ar")
    mail.queue_template(person, "reset_password", kind="reset-password",
                        link="https://mentoring.example.int/password/reset/abc")
    db.session.commit()
    assert mail.deliver_pending() == (1, 0)
    [received] = smtp_server.mailbox.messages
    assert received["To"] == "amina@example.org"
    assert received["Date"] and received["Message-ID"].strip().endswith("@mentoring.example.int>")
    assert received.get_content_type() == "multipart/alternative"
    html = received.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html
    assert '<a href="https://mentoring.example.int/password/reset/abc"' in html
    assert "https://mentoring.example.int/password/reset/abc" in (
        received.get_body(("plain",)).get_content())


def test_smtp_down_then_up_delivers_every_message_exactly_once(app, smtp_server):
    queued = [mail.queue(f"person{number}@example.org", f"Message {number}", "Hello",
                         kind="decision") for number in range(3)]
    db.session.commit()
    ids = [email.id for email in queued]

    # The server is down: each message fails and waits for its next attempt.
    before = utcnow()
    assert mail.deliver_pending() == (0, 3)
    for email_id in ids:
        email = db.session.get(OutboxEmail, email_id)
        assert email.sent_at is None and email.attempts == 1 and email.last_error
        assert email.next_attempt_at > before
    assert mail.deliver_pending() == (0, 0)  # not due yet: nothing tried

    smtp_server.start()
    assert mail.deliver_pending(due_only=False) == (3, 0)
    assert mail.deliver_pending(due_only=False) == (0, 0)
    received = sorted(message["Subject"] for message in smtp_server.mailbox.messages)
    assert received == ["Message 0", "Message 1", "Message 2"]
    message_ids = [message["Message-ID"].strip() for message in smtp_server.mailbox.messages]
    assert len(set(message_ids)) == 3
    db.session.expire_all()
    assert {db.session.get(OutboxEmail, i).message_id for i in ids} == set(message_ids)
