"""Pairs at work: sessions logged, edited, deleted, confirmed (on the site or by the emailed
link), disputed and rated; the calendar file; what stays private to the pair."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import g
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import (
    AuditEvent,
    Confirmation,
    Enrolment,
    EnrolmentStatus,
    Feedback,
    Meeting,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    Role,
    User,
)
from mentoring.models._types import utcnow
from mentoring.services import Refused
from mentoring.services import meetings as meetings_service
from tests.conftest import PASSWORD
from tests.helpers import emails, link_in, text

# ---- building an announced pair -------------------------------------------------------------


@dataclass
class Pair:
    programme: Programme
    mentee: Enrolment
    mentor: Enrolment
    pairing: Pairing

    @property
    def mentee_user(self) -> User:
        return self.mentee.user

    @property
    def mentor_user(self) -> User:
        return self.mentor.user


def announce_pair(make_programme, make_enrolment, make_user, *, programme=None, days_ago=40,
                  mentee_name="Amina Diallo", mentor_name="Carlos Mendes",
                  mentee_country="KE") -> Pair:
    """A running programme with an accepted mentee and mentor in an announced, active pair."""
    programme = programme or make_programme(status=ProgrammeStatus.RUNNING)
    mentee = make_enrolment(programme, make_user(name=mentee_name), role=Role.MENTEE,
                            status=EnrolmentStatus.ACCEPTED, country=mentee_country)
    mentor = make_enrolment(programme, make_user(name=mentor_name), role=Role.MENTOR,
                            status=EnrolmentStatus.ACCEPTED, country="BR", capacity=2)
    announced = utcnow() - timedelta(days=days_ago)
    pairing = Pairing(programme_id=programme.id, mentee=mentee, mentor=mentor,
                      status=PairingStatus.ACTIVE, source="manual", score=700,
                      decided_at=announced, announced_at=announced)
    mentee.live_pairs = 1
    mentor.live_pairs = 1
    db.session.add(pairing)
    db.session.commit()
    return Pair(programme, mentee, mentor, pairing)


class PersonClient(FlaskClient):
    """One browser per person. The ``app`` fixture keeps one application context for the whole
    test, and requests reuse it, so Flask-Login's user cached in ``g`` would leak from one
    client to the next: forget it before each request so the cookie decides who is signed in."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def browser(app) -> PersonClient:
    return PersonClient(app, app.response_class, use_cookies=True)


def signed_in(app, user):
    """A browser of its own for ``user``, signed in."""
    client = browser(app)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"
    return client


def today():
    return utcnow().date()


def session_form(programme, **overrides) -> dict:
    data = {
        "held_on": (today() - timedelta(days=2)).isoformat(),
        "duration_minutes": "60",
        "format": "video",
        "topics": [str(programme.topics[0].id), str(programme.topics[1].id)],
        "notes": "Went through the WP 5D agenda.",
        "next_steps": "Draft a first contribution.",
        "next_planned_on": (today() + timedelta(days=12)).isoformat(),
        "same_day_ok": "",
    }
    data.update(overrides)
    return data


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def only_meeting() -> Meeting:
    db.session.expire_all()
    return db.session.scalars(select(Meeting)).one()


def log_session(client, pair, **overrides):
    return client.post(f"/pairs/{pair.pairing.id}/sessions/new",
                       data=session_form(pair.programme, **overrides))


@pytest.fixture
def pair(make_programme, make_enrolment, make_user):
    return announce_pair(make_programme, make_enrolment, make_user)


@pytest.fixture
def mentor(app, pair):
    return signed_in(app, pair.mentor_user)


@pytest.fixture
def mentee(app, pair):
    return signed_in(app, pair.mentee_user)


@pytest.fixture
def logged(pair, mentor):
    """A session the mentor logged two days ago, waiting for the mentee's confirmation."""
    response = log_session(mentor, pair)
    assert response.status_code == 302
    return only_meeting()


# ---- logging a session ----------------------------------------------------------------------


def test_mentor_logs_a_session_and_the_mentee_gets_one_email(pair, mentor):
    form = session_form(pair.programme)
    response = mentor.post(f"/pairs/{pair.pairing.id}/sessions/new", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/pairs/{pair.pairing.id}")

    meeting = only_meeting()
    assert meeting.pairing_id == pair.pairing.id
    assert meeting.author_id == pair.mentor_user.id
    assert meeting.held_on.isoformat() == form["held_on"]
    assert meeting.duration_minutes == 60
    assert meeting.format.value == "video"
    assert sorted(link.topic_id for link in meeting.topics) == sorted(
        [pair.programme.topics[0].id, pair.programme.topics[1].id])
    assert meeting.notes == "Went through the WP 5D agenda."
    assert meeting.next_steps == "Draft a first contribution."
    assert meeting.next_planned_on.isoformat() == form["next_planned_on"]
    assert meeting.confirmation == Confirmation.PENDING

    sent = emails(kind="meeting-logged")
    assert len(sent) == 1
    assert sent[0].recipient == pair.mentee_user.email
    assert "Carlos Mendes logged a mentoring session with you" in sent[0].body
    assert link_in(sent[0]).startswith("/sessions/confirm/")
    assert emails(to=pair.mentor_user.email) == []

    page = text(mentor.get(f"/pairs/{pair.pairing.id}"))
    assert "Session saved. Amina Diallo is asked to confirm it." in page
    assert "waiting for confirmation" in page


def test_mentee_logs_a_session_and_the_mentor_is_asked(pair, mentee):
    assert log_session(mentee, pair, format="phone", topics=[]).status_code == 302
    meeting = only_meeting()
    assert meeting.author_id == pair.mentee_user.id
    assert meeting.format.value == "phone" and meeting.topics == []
    sent = emails(kind="meeting-logged")
    assert [email.recipient for email in sent] == [pair.mentor_user.email]


def test_bad_sessions_are_refused_with_a_clear_message_and_store_nothing(
        pair, mentor, make_programme):
    began = pair.pairing.announced_at.date()
    other_topic = make_programme().topics[0].id
    cases = [
        ({"held_on": (today() + timedelta(days=2)).isoformat()},
         "A session cannot be in the future."),
        ({"held_on": (began - timedelta(days=1)).isoformat()},
         f"The pair began on {began.isoformat()}: a session cannot be earlier."),
        ({"duration_minutes": "0"}, "Give a duration from 1 minute to 12 hours (720 minutes)."),
        ({"duration_minutes": "-30"}, "Give a duration from 1 minute to 12 hours (720 minutes)."),
        ({"duration_minutes": "721"}, "Give a duration from 1 minute to 12 hours (720 minutes)."),
        ({"duration_minutes": ""}, "Give the duration in minutes."),
        ({"held_on": ""}, "Give the date of the session."),
        ({"format": "carrier pigeon"}, "Not a valid choice"),
        ({"next_planned_on": (today() - timedelta(days=2)).isoformat()},
         "The next session must come after this one."),
        ({"next_planned_on": (today() - timedelta(days=5)).isoformat()},
         "The next session must come after this one."),
        ({"topics": [str(other_topic)]}, "is not a valid choice for this field"),
    ]
    for overrides, message in cases:
        response = log_session(mentor, pair, **overrides)
        assert response.status_code == 200, overrides
        assert message in text(response), overrides
        assert count(Meeting) == 0, overrides
    assert emails() == []


def test_the_service_refuses_topics_from_another_programme(pair, make_programme):
    other_topic = make_programme().topics[0].id
    data = meetings_service.SessionData(
        held_on=today() - timedelta(days=1), duration_minutes=30,
        format=meetings_service.MeetingFormat.VIDEO, topic_ids=[other_topic])
    with pytest.raises(Refused, match="Choose topics from the programme's list."):
        meetings_service.log(pair.mentor_user, pair.pairing, data)
    db.session.rollback()
    assert count(Meeting) == 0


def test_logging_for_someone_elses_or_unknown_pair(app, pair, make_enrolment, make_user):
    outsider = make_enrolment(pair.programme, make_user(), role=Role.MENTEE,
                              status=EnrolmentStatus.ACCEPTED)
    client = signed_in(app, outsider.user)
    assert client.get(f"/pairs/{pair.pairing.id}/sessions/new").status_code == 403
    assert log_session(client, pair).status_code == 403
    assert client.post("/pairs/999999/sessions/new",
                       data=session_form(pair.programme)).status_code == 404
    assert count(Meeting) == 0 and emails() == []


def test_a_pair_not_yet_announced_is_not_found(app, pair):
    pair.pairing.status = PairingStatus.APPROVED
    db.session.commit()
    client = signed_in(app, pair.mentor_user)
    assert client.get(f"/pairs/{pair.pairing.id}").status_code == 404
    assert log_session(client, pair).status_code == 404
    assert count(Meeting) == 0


def test_no_session_is_logged_on_an_ended_pair(pair, mentor):
    pair.pairing.status = PairingStatus.ENDED
    pair.pairing.end_reason = "Moved to another post."
    db.session.commit()
    response = log_session(mentor, pair)
    assert response.status_code == 200
    assert "This pair is no longer active." in text(response)
    assert count(Meeting) == 0 and emails() == []


def test_a_second_session_on_the_same_day_asks_first(pair, mentor, logged):
    response = log_session(mentor, pair, duration_minutes="30")
    assert response.status_code == 200
    page = text(response)
    day = logged.held_on.isoformat()
    assert (f"A session on {day} is already logged for this pair. Is this another one? "
            "Confirm to log it too.") in page
    assert "Yes, log this other session" in page
    assert 'name="same_day_ok" type="hidden" value="yes"' in page
    assert count(Meeting) == 1
    assert len(emails(kind="meeting-logged")) == 1

    response = log_session(mentor, pair, duration_minutes="30", same_day_ok="yes")
    assert response.status_code == 302
    assert count(Meeting) == 2
    assert len(emails(kind="meeting-logged")) == 2


# ---- editing and deleting ---------------------------------------------------------------------


def test_the_author_edits_and_the_change_is_audited(pair, mentor, mentee, logged):
    assert mentee.post(f"/sessions/{logged.id}/confirm").status_code == 302
    assert only_meeting().confirmation == Confirmation.CONFIRMED

    page = text(mentor.get(f"/sessions/{logged.id}/edit"))
    assert "Edit the session" in page and "Went through the WP 5D agenda." in page

    response = mentor.post(f"/sessions/{logged.id}/edit", data=session_form(
        pair.programme, duration_minutes="90", notes="Also the CPM text."))
    assert response.status_code == 302
    meeting = only_meeting()
    assert meeting.duration_minutes == 90 and meeting.notes == "Also the CPM text."
    # A change of length asks the other side to confirm again.
    assert meeting.confirmation == Confirmation.PENDING and meeting.confirmed_at is None

    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "meeting.update")).one()
    assert event.actor_id == pair.mentor_user.id and event.target_id == meeting.id
    assert event.before["minutes"] == 60 and event.after["minutes"] == 90
    assert event.before["confirmation"] == "confirmed"
    assert event.after["confirmation"] == "pending"
    assert "notes" not in event.before and "notes" not in event.after


def test_an_edit_is_validated_like_a_new_session(pair, mentor, logged):
    response = mentor.post(f"/sessions/{logged.id}/edit", data=session_form(
        pair.programme, held_on=(today() + timedelta(days=3)).isoformat()))
    assert response.status_code == 200
    assert "A session cannot be in the future." in text(response)
    assert only_meeting().held_on == logged.held_on
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "meeting.update")) == 0


def test_the_other_side_cannot_edit_or_delete(pair, mentee, logged):
    assert mentee.get(f"/sessions/{logged.id}/edit").status_code == 403
    assert mentee.post(f"/sessions/{logged.id}/edit", data=session_form(
        pair.programme, duration_minutes="5")).status_code == 403
    assert mentee.get(f"/sessions/{logged.id}/delete").status_code == 403
    assert mentee.post(f"/sessions/{logged.id}/delete").status_code == 403
    meeting = only_meeting()
    assert meeting.duration_minutes == 60


def test_the_author_deletes_after_a_confirmation_page(pair, mentor, logged):
    response = mentor.get(f"/sessions/{logged.id}/delete")
    assert response.status_code == 200
    assert "Delete the session of" in text(response)
    assert count(Meeting) == 1

    response = mentor.post(f"/sessions/{logged.id}/delete")
    assert response.status_code == 302
    assert count(Meeting) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "meeting.delete")) == 1
    assert "Session deleted." in text(mentor.get(f"/pairs/{pair.pairing.id}"))
    assert mentor.get(f"/sessions/{logged.id}/delete").status_code == 404


# ---- confirming -------------------------------------------------------------------------------


def test_the_other_side_confirms_on_the_site(app, pair, mentor, mentee, logged,
                                             make_enrolment, make_user):
    # The author cannot confirm their own session.
    mentor.post(f"/sessions/{logged.id}/confirm")
    assert only_meeting().confirmation == Confirmation.PENDING
    assert ("The other side of the pair confirms a session, not its author."
            in text(mentor.get(f"/pairs/{pair.pairing.id}")))

    outsider = signed_in(app, make_enrolment(pair.programme, make_user(),
                                             status=EnrolmentStatus.ACCEPTED).user)
    assert outsider.post(f"/sessions/{logged.id}/confirm").status_code == 403
    assert only_meeting().confirmation == Confirmation.PENDING

    assert mentee.post(f"/sessions/{logged.id}/confirm").status_code == 302
    meeting = only_meeting()
    assert meeting.confirmation == Confirmation.CONFIRMED and meeting.confirmed_at is not None
    assert "Thank you: the session is confirmed." in text(mentee.get(f"/pairs/{pair.pairing.id}"))

    mentee.post(f"/sessions/{logged.id}/confirm")
    assert ("This session is already confirmed or disputed."
            in text(mentee.get(f"/pairs/{pair.pairing.id}")))


def test_the_emailed_link_confirms_without_signing_in(app, pair, logged):
    link = link_in(emails(kind="meeting-logged")[0])
    anonymous = browser(app)

    response = anonymous.get(link)
    assert response.status_code == 200
    page = text(response)
    assert "Confirm a session" in page
    assert "Carlos Mendes logged a session with you" in page
    assert only_meeting().confirmation == Confirmation.PENDING

    response = anonymous.post(link)
    assert response.status_code == 200
    assert "Session confirmed" in text(response)
    meeting = only_meeting()
    assert meeting.confirmation == Confirmation.CONFIRMED
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "meeting.confirm")).one()
    assert event.actor_id == pair.mentee_user.id

    # Used once: a second use is refused and changes nothing.
    confirmed_at = meeting.confirmed_at
    for method in (anonymous.get, anonymous.post):
        response = method(link)
        assert response.status_code == 400
        assert ("This link has already been used: the session is confirmed."
                in text(response))
    assert only_meeting().confirmed_at == confirmed_at


def test_an_expired_link_is_refused(app, logged, monkeypatch):
    link = link_in(emails(kind="meeting-logged")[0])
    monkeypatch.setattr(meetings_service, "CONFIRM_MAX_AGE", -1)
    anonymous = browser(app)
    for method in (anonymous.get, anonymous.post):
        response = method(link)
        assert response.status_code == 400
        assert ("This confirmation link has expired. Sign in to confirm the session from "
                "your pair's page.") in text(response)
    assert only_meeting().confirmation == Confirmation.PENDING


def test_a_forged_link_is_refused(app, pair, logged):
    link = link_in(emails(kind="meeting-logged")[0])
    token = link.rsplit("/", 1)[1]
    payload, stamp, signature = token.split(".")
    # A changed signature; the mentor's id put in the payload under the mentee's signature.
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    tampered = f"{payload}.{stamp}.{flipped}"
    swapped = URLSafeTimedSerializer("x").dump_payload(
        {"m": logged.id, "u": pair.mentor_user.id}).decode() + f".{stamp}.{signature}"
    other_key = URLSafeTimedSerializer("not-the-secret", salt=meetings_service.CONFIRM_SALT
                                       ).dumps({"m": logged.id, "u": pair.mentee_user.id})
    # Signed properly, but for someone who is not in the pair.
    stranger = User(email="stranger@example.org", name="Stranger")
    db.session.add(stranger)
    db.session.commit()
    not_in_pair = meetings_service.confirm_token(logged, stranger)
    anonymous = browser(app)
    for forged in (tampered, swapped, other_key, not_in_pair, "nonsense"):
        for method in (anonymous.get, anonymous.post):
            response = method(f"/sessions/confirm/{forged}")
            assert response.status_code == 400, forged
            assert "This confirmation link is not valid." in text(response), forged
    assert only_meeting().confirmation == Confirmation.PENDING
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "meeting.confirm")) == 0


# ---- disputing --------------------------------------------------------------------------------


def test_a_dispute_needs_a_note_and_reaches_the_coordinators(
        app, pair, mentor, mentee, logged, coordinator):
    response = mentee.post(f"/sessions/{logged.id}/dispute", data={"note": "   "})
    assert response.status_code == 200
    assert "Say briefly what is not right." in text(response)
    assert only_meeting().confirmation == Confirmation.PENDING

    # The author cannot dispute their own session.
    response = mentor.post(f"/sessions/{logged.id}/dispute", data={"note": "Hm."})
    assert "The other side of the pair confirms a session, not its author." in text(response)
    assert only_meeting().confirmation == Confirmation.PENDING

    response = mentee.post(f"/sessions/{logged.id}/dispute",
                           data={"note": "We only spoke for ten minutes."})
    assert response.status_code == 302
    meeting = only_meeting()
    assert meeting.confirmation == Confirmation.DISPUTED
    assert meeting.dispute_note == "We only spoke for ten minutes."

    # Disputed: the emailed link no longer confirms it.
    link = link_in(emails(kind="meeting-logged")[0])
    response = browser(app).post(link)
    assert response.status_code == 400
    assert "already been used: the session is disputed." in text(response)

    assert "disputed: We only spoke for ten minutes." in text(
        mentor.get(f"/pairs/{pair.pairing.id}"))
    coordinating = signed_in(app, coordinator(pair.programme))
    for url in (f"/coordinate/{pair.programme.slug}/activity",
                f"/coordinate/{pair.programme.slug}/activity?only=disputed"):
        page = text(coordinating.get(url))
        assert "We only spoke for ten minutes." in page
        assert "Amina Diallo" in page and "1 disputed" in page
    # The pair met two days ago: not silent (the disputes list below the table stays).
    page = text(coordinating.get(f"/coordinate/{pair.programme.slug}/activity?only=silent"))
    assert "No pair here." in page


def test_the_emailed_link_disputes_without_signing_in(app, pair, logged):
    link = link_in(emails(kind="meeting-logged")[0])
    anonymous = browser(app)
    page = text(anonymous.get(link))
    dispute = re.search(r'<a class="button" href="([^"]+)">It did not happen like this</a>', page)
    assert dispute, "no way to say it did not happen like this"
    assert dispute.group(1) == link + "/dispute"  # the same signed link, no sign-in

    response = anonymous.get(dispute.group(1))
    assert response.status_code == 200
    assert "Tell the coordinators what is not right." in text(response)
    response = anonymous.post(dispute.group(1), data={"note": "  "})
    assert response.status_code == 200
    assert "Say briefly what is not right." in text(response)
    assert only_meeting().confirmation == Confirmation.PENDING

    response = anonymous.post(dispute.group(1), data={"note": "We only spoke for ten minutes."})
    assert response.status_code == 200
    assert "Your note is sent to the coordinators." in text(response)
    meeting = only_meeting()
    assert meeting.confirmation == Confirmation.DISPUTED
    assert meeting.dispute_note == "We only spoke for ten minutes."
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "meeting.dispute")).one()
    assert event.actor_id == pair.mentee_user.id

    # Used once, like the confirmation: the link now says what became of the session.
    for method in (anonymous.get, anonymous.post):
        response = method(dispute.group(1), data={"note": "Again."})
        assert response.status_code == 400
        assert "This link has already been used: the session is disputed." in text(response)
    response = anonymous.get("/sessions/confirm/nonsense/dispute")
    assert response.status_code == 400


# ---- feedback ---------------------------------------------------------------------------------


def test_feedback_once_per_person_and_session(app, pair, mentor, mentee, logged,
                                              make_enrolment, make_user):
    url = f"/sessions/{logged.id}/feedback"
    response = mentee.post(url, data={"rating": "6", "comment": "Great"})
    assert response.status_code == 200
    assert "Not a valid choice" in text(response)
    assert count(Feedback) == 0

    assert mentee.post(url, data={"rating": "4", "comment": "Very useful."}).status_code == 302
    feedback = db.session.scalars(select(Feedback)).one()
    assert (feedback.user_id, feedback.rating, feedback.comment) == (
        pair.mentee_user.id, 4, "Very useful.")
    assert "Thank you for your feedback." in text(mentee.get(f"/pairs/{pair.pairing.id}"))

    response = mentee.post(url, data={"rating": "1", "comment": "Changed my mind."})
    assert response.status_code == 302
    assert ("You have already given feedback on this session."
            in text(mentee.get(f"/pairs/{pair.pairing.id}")))
    db.session.expire_all()
    assert db.session.scalars(select(Feedback)).one().rating == 4

    # The mentor gives hers too: once per person.
    assert mentor.post(url, data={"rating": "5", "comment": ""}).status_code == 302
    assert count(Feedback) == 2

    outsider = signed_in(app, make_enrolment(pair.programme, make_user(),
                                             status=EnrolmentStatus.ACCEPTED).user)
    assert outsider.post(url, data={"rating": "5"}).status_code == 403
    assert count(Feedback) == 2


def test_the_service_refuses_a_rating_out_of_range(pair, logged):
    for rating in (0, 6):
        with pytest.raises(Refused, match="Give a rating from 1 to 5."):
            meetings_service.give_feedback(pair.mentee_user, logged, rating, "")
    db.session.rollback()
    assert count(Feedback) == 0


# ---- calendar file ----------------------------------------------------------------------------


def test_the_next_session_as_a_calendar_file(pair, mentor, mentee):
    url = f"/pairs/{pair.pairing.id}/next-session.ics"
    assert mentor.get(url).status_code == 404  # nothing logged, nothing planned

    planned = today() + timedelta(days=9)
    log_session(mentor, pair, next_planned_on=planned.isoformat())
    assert "Add it to your calendar (.ics)" in text(mentor.get(f"/pairs/{pair.pairing.id}"))
    for client, partner in ((mentor, "Amina Diallo"), (mentee, "Carlos Mendes")):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-store"
        body = response.get_data(as_text=True)
        assert "BEGIN:VCALENDAR" in body and "BEGIN:VEVENT" in body
        assert f"DTSTART;VALUE=DATE:{planned.strftime('%Y%m%d')}" in body
        assert f"Mentoring session with {partner}" in body
        assert "attachment" in response.headers["Content-Disposition"]


def test_no_calendar_file_when_nothing_is_planned(pair, mentor):
    log_session(mentor, pair, next_planned_on="")
    assert only_meeting().next_planned_on is None
    assert mentor.get(f"/pairs/{pair.pairing.id}/next-session.ics").status_code == 404


# ---- privacy ----------------------------------------------------------------------------------


def test_notes_next_steps_and_comments_stay_within_the_pair(
        app, pair, mentor, mentee, coordinator, make_enrolment, make_user):
    log_session(mentor, pair, notes="PRIVATE-NOTE-7731", next_steps="PRIVATE-STEPS-4410")
    meeting = only_meeting()
    mentee.post(f"/sessions/{meeting.id}/feedback",
                data={"rating": "5", "comment": "PRIVATE-COMMENT-9902"})
    assert count(Feedback) == 1
    secrets = ("PRIVATE-NOTE-7731", "PRIVATE-STEPS-4410")

    for client in (mentor, mentee):
        page = text(client.get(f"/pairs/{pair.pairing.id}"))
        for secret in secrets:
            assert secret in page

    slug = pair.programme.slug
    admin = db.session.scalar(select(User).where(User.is_admin))
    for viewer in (coordinator(pair.programme), admin):
        coordinating = signed_in(app, viewer)
        for url in (f"/coordinate/{slug}/activity", f"/coordinate/{slug}/pairs.csv",
                    f"/coordinate/{slug}/audit", f"/coordinate/{slug}/audit?action=meeting"):
            response = coordinating.get(url)
            assert response.status_code == 200, url
            page = text(response)
            for secret in (*secrets, "PRIVATE-COMMENT-9902"):
                assert secret not in page, (url, secret)
        # The pages do show the pair, so the check above is not vacuous.
        assert "Amina Diallo" in text(coordinating.get(f"/coordinate/{slug}/activity"))
        assert "Amina Diallo" in text(coordinating.get(f"/coordinate/{slug}/pairs.csv"))
        assert "meeting.log" in text(coordinating.get(f"/coordinate/{slug}/audit"))

    other = make_enrolment(pair.programme, make_user(), role=Role.MENTOR,
                           status=EnrolmentStatus.ACCEPTED)
    outsider = signed_in(app, other.user)
    assert outsider.get(f"/pairs/{pair.pairing.id}").status_code == 403
    assert outsider.get(f"/pairs/{pair.pairing.id}/next-session.ics").status_code == 403
    assert outsider.get(f"/sessions/{meeting.id}/feedback").status_code == 403


def as_read(page: str) -> str:
    """The page's words with a line break where a paragraph, cell or line ends."""
    page = re.sub(r"</?(p|div|br|li|td|tr|dd|dt|h\d)\b[^>]*>", "\n", page)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_notes_and_next_steps_read_as_two_lines_on_the_pair_page(pair, mentor):
    log_session(mentor, pair, notes="We did the drafting exercise.",
                next_steps="Send the draft to the chair.")
    page = as_read(mentor.get(f"/pairs/{pair.pairing.id}").get_data(as_text=True))
    assert "exercise.Next" not in page
    lines = [line.strip() for line in page.splitlines()]
    assert "We did the drafting exercise." in lines
    assert "Next: Send the draft to the chair." in lines


def test_the_pair_page_needs_signing_in(app, pair):
    response = browser(app).get(f"/pairs/{pair.pairing.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_edit_of_the_length_makes_the_old_link_stop_working_and_sends_a_new_one(
        app, pair, mentor, logged):
    [first] = emails(kind="meeting-logged")
    edited = session_form(pair.programme, duration_minutes="90")
    assert mentor.post(f"/sessions/{logged.id}/edit", data=edited).status_code == 302
    old = browser(app).post(link_in(first))
    assert old.status_code == 400
    assert "This session was changed after this link was sent" in text(old)
    assert only_meeting().confirmation == Confirmation.PENDING
    newer = emails(kind="meeting-logged")[-1]
    assert newer.id != first.id and "changed a session" in newer.body
    assert browser(app).post(link_in(newer)).status_code == 200
    assert only_meeting().confirmation == Confirmation.CONFIRMED


def test_a_sessions_format_reads_on_the_pair_page_as_in_the_form(pair, mentor):
    import re

    form = text(mentor.get(f"/pairs/{pair.pairing.id}/sessions/new"))
    choices = dict(re.findall(r'value="(\w+)"> <label for="format-\d">([^<]+)</label>', form))
    assert choices["phone"] == "Phone" and choices["video"] == "Video call"
    for days_ago, value in ((3, "phone"), (4, "in_person")):
        held_on = (today() - timedelta(days=days_ago)).isoformat()
        assert log_session(mentor, pair, format=value, held_on=held_on).status_code == 302
        page = text(mentor.get(f"/pairs/{pair.pairing.id}"))
        assert f"<td>{choices[value]}</td>" in page


# ---- a confirmed session belongs to both sides -------------------------------------------------


def test_the_author_cannot_delete_a_session_the_partner_confirmed(pair, mentor, mentee, logged):
    assert mentee.post(f"/sessions/{logged.id}/confirm").status_code == 302
    assert mentee.post(f"/sessions/{logged.id}/feedback",
                       data={"rating": "5", "comment": "Very useful."}).status_code == 302

    page = text(mentor.get(f"/sessions/{logged.id}/delete"))
    assert "confirmed" in page and "ask your partner or a coordinator" in page.lower()
    assert "Delete</button>" not in page

    response = mentor.post(f"/sessions/{logged.id}/delete", follow_redirects=True)
    assert "Session deleted." not in text(response)
    meeting = only_meeting()
    assert meeting.confirmation == Confirmation.CONFIRMED
    feedback = db.session.scalars(select(Feedback)).one()
    assert (feedback.user_id, feedback.rating, feedback.comment) == (
        pair.mentee_user.id, 5, "Very useful.")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "meeting.delete")) == 0
    # The pair's page offers no "Delete" for it either.
    pair_page = text(mentor.get(f"/pairs/{pair.pairing.id}"))
    assert f"/sessions/{logged.id}/delete" not in pair_page


def test_the_author_cannot_delete_a_session_the_partner_rated(pair, mentor, mentee, logged):
    mentee.post(f"/sessions/{logged.id}/feedback", data={"rating": "4", "comment": "Good."})
    mentor.post(f"/sessions/{logged.id}/delete")
    assert count(Meeting) == 1 and count(Feedback) == 1


def test_the_author_still_deletes_a_disputed_session(pair, mentor, mentee, logged):
    mentee.post(f"/sessions/{logged.id}/dispute", data={"note": "We never met that day."})
    assert only_meeting().confirmation == Confirmation.DISPUTED
    assert mentor.post(f"/sessions/{logged.id}/delete").status_code == 302
    assert count(Meeting) == 0


@pytest.fixture
def confirmed(pair, mentee, logged):
    """The mentor's session, confirmed and rated by the mentee."""
    mentee.post(f"/sessions/{logged.id}/confirm")
    mentee.post(f"/sessions/{logged.id}/feedback", data={"rating": "5", "comment": "Useful."})
    assert only_meeting().confirmation == Confirmation.CONFIRMED
    return only_meeting()


def test_a_coordinator_withdraws_a_confirmed_session_with_a_reason(
        app, pair, mentor, confirmed, coordinator):
    me = coordinator(pair.programme)
    coordinating = signed_in(app, me)
    slug = pair.programme.slug
    page = text(coordinating.get(f"/coordinate/{slug}/pairs/{pair.pairing.id}/sessions"))
    assert "Amina Diallo" in page and "confirmed" in page
    assert "Went through the WP 5D agenda." not in page  # notes stay private to the pair
    url = f"/coordinate/{slug}/sessions/{confirmed.id}/withdraw"
    assert f'action="{url}"' in page

    coordinating.post(url, data={"reason": ""})  # a reason is needed
    assert count(Meeting) == 1

    response = coordinating.post(url, data={"reason": "Logged twice by mistake, both agree."})
    assert response.status_code == 302
    assert count(Meeting) == 0
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "meeting.withdraw")).one()
    assert event.actor_id == me.id and event.target_id == confirmed.id
    assert event.after["reason"] == "Logged twice by mistake, both agree."
    assert event.before["confirmation"] == "confirmed"
    assert event.before["feedback_ratings"] == [5]
    assert "Useful." not in str(event.before)  # the comment was the pair's own
    assert "The session is withdrawn." in text(coordinating.get(
        f"/coordinate/{slug}/pairs/{pair.pairing.id}/sessions"))


def test_a_cochair_of_another_region_cannot_withdraw_a_session(
        app, pair, confirmed, coordinator, make_programme):
    slug = pair.programme.slug
    cochair = signed_in(app, coordinator(pair.programme, "CEPT"))
    assert cochair.get(f"/coordinate/{slug}/pairs/{pair.pairing.id}/sessions"
                       ).status_code == 403
    assert cochair.post(f"/coordinate/{slug}/sessions/{confirmed.id}/withdraw",
                        data={"reason": "Not my region."}).status_code == 403
    elsewhere = make_programme(status=ProgrammeStatus.RUNNING)
    outsider = signed_in(app, coordinator(elsewhere))
    assert outsider.post(f"/coordinate/{elsewhere.slug}/sessions/{confirmed.id}/withdraw",
                         data={"reason": "Not mine."}).status_code == 404
    assert mentor_or_mentee_cannot_withdraw(app, pair, confirmed)
    assert count(Meeting) == 1 and count(Feedback) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "meeting.withdraw")) == 0

    own = signed_in(app, coordinator(pair.programme, "ATU"))
    assert own.post(f"/coordinate/{slug}/sessions/{confirmed.id}/withdraw",
                    data={"reason": "Both asked."}).status_code == 302
    assert count(Meeting) == 0


def mentor_or_mentee_cannot_withdraw(app, pair, meeting) -> bool:
    client = signed_in(app, pair.mentor_user)
    return client.post(f"/coordinate/{pair.programme.slug}/sessions/{meeting.id}/withdraw",
                       data={"reason": "Mine."}).status_code == 403
