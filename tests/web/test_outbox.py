"""Email that is never lost or doubled: claimed by one sender, retried with a growing pause
for two days, then kept for an admin to send again; the urgent ones first."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentoring.extensions import db
from mentoring.models import AuditEvent, OutboxEmail
from mentoring.models._types import utcnow
from mentoring.services import mail


@pytest.fixture
def app_config():
    # Nothing leaves on commit: each test sends by hand, as the command or a worker does.
    return {"MAIL_SEND_ON_COMMIT": False, "BASE_URL": "https://mentoring.example.int"}


class Recorder:
    """A mail server that keeps what it got, or refuses everything."""

    def __init__(self, refuse: bool = False):
        self.refuse, self.sent, self.lock = refuse, [], threading.Lock()

    def send(self, email):
        if self.refuse:
            raise OSError("connection refused")
        with self.lock:
            self.sent.append(email.id)


@pytest.fixture
def server(app, monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(mail, "sender", lambda: recorder)
    return recorder


def _queue(kind: str, to: str = "someone@example.org") -> int:
    email = mail.queue(to, f"about {kind}", "Hello", kind=kind)
    db.session.commit()
    return email.id


def test_a_password_reset_goes_before_a_backlog_of_reminders(server):
    backlog = [_queue("reminder-silent") for _ in range(3)]
    reset = _queue("reset-password")
    assert mail.deliver_pending(limit=1) == (1, 0)
    assert server.sent == [reset]
    mail.deliver_pending()
    assert server.sent == [reset, *backlog]


def test_a_message_another_sender_has_claimed_is_not_sent_again(app, server):
    email_id = _queue("decision")
    with Session(bind=db.engine) as other:
        assert mail._claim(other, 10) == [email_id]  # a second sender took it first
    assert mail.deliver_pending() == (0, 0)
    assert server.sent == []


def test_two_senders_at_once_send_every_message_exactly_once(app, server):
    ids = [_queue("decision", f"person{n}@example.org") for n in range(40)]

    def send():
        with app.app_context(), Session(bind=db.engine) as own:
            mail.deliver_pending(session=own)

    senders = [threading.Thread(target=send) for _ in range(3)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join(timeout=60)
    assert sorted(server.sent) == sorted(ids)


def test_a_backlog_larger_than_a_claim_goes_out_in_one_pass_each_message_once(
        server, monkeypatch):
    monkeypatch.setattr(mail, "CLAIM_BATCH", 2)
    ids = [_queue("introduction", f"person{n}@example.org") for n in range(5)]
    assert mail.deliver_pending() == (5, 0)
    assert server.sent == ids


def test_a_slow_server_gets_each_message_once_as_senders_take_over_after_leases(
        app, monkeypatch):
    """Four and a half minutes a message: a sender starts none whose five-minute lease is
    nearly over, so whoever claims it after the lease is the only one to send it."""
    ids = [_queue("introduction", f"person{n}@example.org") for n in range(3)]
    clock = [timedelta()]
    monkeypatch.setattr(mail, "utcnow", lambda: utcnow() + clock[0])
    received = []

    class SlowServer:
        def send(self, email):
            received.append(email.id)
            clock[0] += timedelta(minutes=4, seconds=30)

    monkeypatch.setattr(mail, "sender", lambda: SlowServer())
    assert mail.deliver_pending() == (1, 0)  # the other two wait for the lease to end
    clock[0] += timedelta(minutes=1)
    with Session(bind=db.engine) as other:
        assert mail.deliver_pending(session=other) == (1, 0)
    clock[0] += timedelta(minutes=1)
    assert mail.deliver_pending() == (1, 0)
    assert received == ids


def test_what_a_commit_queued_is_left_to_the_sender_that_claimed_it_first(app, server):
    email_id = _queue("decision")
    with Session(bind=db.engine) as other:
        assert mail._claim(other, 10) == [email_id]
    assert mail.deliver_pending(1, ids={email_id}) == (0, 0)  # what the commit hook does
    assert server.sent == []


def test_a_failure_is_retried_after_a_growing_pause_then_given_up_after_two_days(
        app, monkeypatch, caplog):
    refusing = Recorder(refuse=True)
    monkeypatch.setattr(mail, "sender", lambda: refusing)
    email_id = _queue("decision")
    pauses = []
    for _ in range(3):
        before = utcnow()
        assert mail.deliver_pending(due_only=False) == (0, 1)
        email = db.session.get(OutboxEmail, email_id)
        pauses.append(round((email.next_attempt_at - before).total_seconds() / 60))
        assert email.failed_at is None and "connection refused" in email.last_error
    assert pauses == [1, 2, 4]
    assert mail.deliver_pending() == (0, 0)  # not due yet: nothing is tried
    # Two days after it was written, the next failure gives it up, with its reason logged.
    email.created_at = utcnow() - timedelta(hours=49)
    db.session.commit()
    with caplog.at_level("ERROR", logger="mentoring.mail"):
        mail.deliver_pending(due_only=False)
    assert db.session.get(OutboxEmail, email_id).failed_at is not None
    assert any("given up" in record.getMessage() for record in caplog.records)
    assert mail.deliver_pending(due_only=False) == (0, 0)  # given up: no more tries


def test_an_admin_sees_what_was_given_up_and_sends_it_again(
        app, client, auth, make_user, server):
    email_id = _queue("decision", "lost@example.org")
    email = db.session.get(OutboxEmail, email_id)
    email.failed_at, email.last_error, email.attempts = utcnow(), "mailbox unavailable", 12
    db.session.commit()
    admin = make_user(admin=True)
    auth.login(admin)
    page = client.get("/admin/emails")
    assert "lost@example.org" in page.text and "mailbox unavailable" in page.text
    app.config["MAIL_SEND_ON_COMMIT"] = True
    response = client.post("/admin/emails", data={"ids": [email_id]})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxEmail, email_id).sent_at is not None
    assert server.sent == [email_id]
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "outbox.retry")) == "outbox.retry"
    assert "lost@example.org" not in client.get("/admin/emails").text


def test_only_admins_see_the_emails_given_up(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/admin/emails").status_code == 403


def test_messages_carry_date_message_id_and_say_when_they_are_automatic(app):
    reminder = db.session.get(OutboxEmail, _queue("reminder-silent"))
    reset = db.session.get(OutboxEmail, _queue("reset-password"))
    built = mail.build_message(reminder, app.config)
    assert built["Date"] and built["Message-ID"].endswith("@mentoring.example.int>")
    assert built["Auto-Submitted"] == "auto-generated"
    assert mail.build_message(reset, app.config)["Auto-Submitted"] is None


def test_send_emails_says_when_something_failed(app, runner, monkeypatch):
    monkeypatch.setattr(mail, "sender", lambda: Recorder(refuse=True))
    _queue("decision")
    result = runner.invoke(args=["send-emails"])
    assert result.exit_code == 1
    assert "sent 0, failed 1" in result.output
