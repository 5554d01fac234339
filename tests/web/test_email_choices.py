"""Email people can read and stop: every message has a plain-text and an HTML part (right to
left in Arabic); reminders and digests carry a one-click unsubscribe link (RFC 8058) that works
signed out, and the account page holds the same choices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app

from mentoring.extensions import db
from mentoring.models import (
    EnrolmentStatus,
    Pairing,
    PairingStatus,
    ProgrammeStatus,
    Role,
    User,
)
from mentoring.models._types import utcnow
from mentoring.services import mail
from mentoring.services.reminders import send_reminders
from tests.helpers import emails


@pytest.fixture
def app_config():
    return {"MAIL_SEND_ON_COMMIT": False, "BASE_URL": "https://mentoring.example.int"}


@pytest.fixture
def quiet_pair(make_programme, make_enrolment, make_user, coordinator):
    """A running programme whose only pair was announced 90 days ago and never met, with a
    coordinator who receives the weekly digest."""

    def make(mentee_locale=""):
        programme = make_programme(status=ProgrammeStatus.RUNNING)
        mentee = make_enrolment(programme, make_user(name="Amina Diallo", locale=mentee_locale),
                                role=Role.MENTEE, status=EnrolmentStatus.ACCEPTED)
        mentor = make_enrolment(programme, make_user(name="Carlos Mendes"), role=Role.MENTOR,
                                status=EnrolmentStatus.ACCEPTED, country="BR", capacity=2)
        announced = utcnow() - timedelta(days=90)
        pairing = Pairing(programme_id=programme.id, mentee=mentee, mentor=mentor,
                          status=PairingStatus.ACTIVE, source="manual", score=700,
                          decided_at=announced, announced_at=announced)
        mentee.live_pairs = mentor.live_pairs = 1
        db.session.add(pairing)
        db.session.commit()
        lead = coordinator(programme, email="lead@example.org")
        return pairing, mentee.user, mentor.user, lead

    return make


def remind(today=None):
    sent = send_reminders(today or utcnow().date())
    db.session.commit()
    return sent


def unsubscribe_path(email) -> str:
    link = mail.build_message(email, current_app.config)["List-Unsubscribe"]
    assert link.startswith("<https://mentoring.example.int/unsubscribe/") and link.endswith(">")
    return link[len("<https://mentoring.example.int"):-1]


def part(message, subtype: str) -> str:
    return next(p for p in message.walk()
                if p.get_content_type() == f"text/{subtype}").get_content()


# ---- what a message looks like -----------------------------------------------------------


def test_an_arabic_reminder_has_a_text_part_and_a_right_to_left_html_part_with_real_links(
        app, quiet_pair):
    _, mentee, _, _ = quiet_pair(mentee_locale="ar")
    remind()
    [email] = emails(kind="reminder-never-met", to=mentee.email)
    message = mail.build_message(email, app.config)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    text, html = part(message, "plain"), part(message, "html")
    assert '<html lang="ar" dir="rtl">' in html
    link = next(word for word in text.split() if word.startswith("https://"))
    assert f'<a href="{link}"' in html
    # The same words in both parts: the HTML is built from the text, not written twice.
    first_line = text.splitlines()[0]
    assert first_line and first_line in html


def test_an_english_message_reads_left_to_right_and_escapes_what_people_typed(app, make_user):
    person = make_user(name="Ana <b>Lopes</b>")
    mail.queue_template(person, "reset_password", kind="reset-password",
                        link="https://mentoring.example.int/password/reset/abc")
    db.session.commit()
    [email] = emails(kind="reset-password")
    html = part(mail.build_message(email, app.config), "html")
    assert '<html lang="en" dir="ltr">' in html
    assert "&lt;b&gt;Lopes&lt;/b&gt;" in html and "<b>Lopes" not in html
    assert '<a href="https://mentoring.example.int/password/reset/abc"' in html


def test_reminders_and_digests_carry_a_one_click_unsubscribe_and_a_password_reset_does_not(
        app, quiet_pair, make_user):
    _, mentee, _, lead = quiet_pair()
    remind()
    for email in (*emails(kind="reminder-never-met"), *emails(kind="reminder-digest")):
        message = mail.build_message(email, app.config)
        assert message["List-Unsubscribe"].startswith("<https://mentoring.example.int/unsub")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "unsubscribe/" in email.body  # and the link is in the words too
    mail.queue_template(make_user(), "reset_password", kind="reset-password",
                        link="https://mentoring.example.int/password/reset/abc")
    db.session.commit()
    [reset] = emails(kind="reset-password")
    message = mail.build_message(reset, app.config)
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


# ---- stopping them -----------------------------------------------------------------------


def test_the_link_in_a_reminder_stops_her_reminders_without_signing_in(
        app, client, quiet_pair):
    pairing, mentee, mentor, _ = quiet_pair()
    remind()
    [email] = emails(kind="reminder-never-met", to=mentee.email)
    path = unsubscribe_path(email)

    page = client.get(path)  # a link checker or a preview opening it changes nothing
    assert page.status_code == 200 and "Stop these emails" in page.text
    assert db.session.get(User, mentee.id).reminder_emails

    # What a mail client sends for RFC 8058: no cookie, no CSRF token.
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, mentee.id).reminder_emails
    assert db.session.get(User, mentee.id).digest_emails  # only that kind of email

    # The pair meets once, then goes silent: the next reminder reaches only her mentor.
    from mentoring.models import Meeting, MeetingFormat

    db.session.add(Meeting(pairing=pairing, author_id=mentor.id, held_on=utcnow().date()
                           - timedelta(days=40), duration_minutes=60, format=MeetingFormat.VIDEO,
                           notes="", next_steps=""))
    db.session.commit()
    assert remind().silent == 1
    assert [e.recipient for e in emails(kind="reminder-silent")] == [mentor.email]


def test_a_mail_clients_one_click_post_needs_no_csrf_token_with_the_protection_on(
        app, client, quiet_pair):
    app.config["WTF_CSRF_ENABLED"] = True
    _, mentee, _, _ = quiet_pair()
    remind()
    path = unsubscribe_path(emails(kind="reminder-never-met", to=mentee.email)[0])
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, mentee.id).reminder_emails


def test_a_coordinator_stops_the_weekly_digest_from_its_link(app, client, quiet_pair):
    _, _, _, lead = quiet_pair()
    today = utcnow().date()
    remind(today)
    [digest] = emails(kind="reminder-digest")
    client.post(unsubscribe_path(digest), data={"List-Unsubscribe": "One-Click"})
    assert remind(today + timedelta(days=7)).digests == 0
    assert len(emails(kind="reminder-digest")) == 1
    assert db.session.get(User, lead.id).reminder_emails


@pytest.mark.parametrize("token", [
    "forged",
    # A real token's payload with another person's id and no valid signature.
    "eyJ1aWQiOjEsImNob2ljZSI6InJlbWluZGVyX2VtYWlscyJ9.Z0000.forgedsignature",
])
def test_a_forged_unsubscribe_link_is_refused(app, client, make_user, token):
    person = make_user()
    assert client.get(f"/unsubscribe/{token}").status_code == 404
    assert client.post(f"/unsubscribe/{token}",
                       data={"List-Unsubscribe": "One-Click"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, person.id).reminder_emails


def test_a_link_signed_for_another_purpose_does_not_unsubscribe(app, client, make_user):
    from mentoring.services import tokens

    person = make_user()
    token = tokens.make_token(person, tokens.VERIFY_EMAIL)
    assert client.post(f"/unsubscribe/{token}",
                       data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_the_account_page_turns_reminders_and_the_digest_off_and_on(
        app, client, auth, quiet_pair):
    _, mentee, mentor, lead = quiet_pair()
    auth.login(mentee)
    page = client.get("/account")
    assert "Email me reminders about my pair" in page.text
    response = client.post("/account/emails", data={"digest_emails": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, mentee.id)
    assert not person.reminder_emails and person.digest_emails
    remind()
    assert [e.recipient for e in emails(kind="reminder-never-met")] == [mentor.email]
    assert 'name="reminder_emails"' in client.get("/account").text

    client.post("/account/emails", data={"reminder_emails": "y", "digest_emails": "y"})
    db.session.expire_all()
    assert db.session.get(User, mentee.id).reminder_emails


def test_choosing_emails_needs_a_signed_in_person(client):
    response = client.post("/account/emails", data={})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
