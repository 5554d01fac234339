"""The life of an announced pair: ended early (with a wish to be matched again), completed by
both sides, ended by a coordinator, completed when the programme closes; the coordinators'
"pairs at work" page; the daily reminders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from babel.dates import format_date
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import (
    AuditEvent,
    Confirmation,
    Enrolment,
    EnrolmentStatus,
    Meeting,
    MeetingFormat,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    ReminderSent,
    Role,
    User,
)
from mentoring.models._types import utcnow
from mentoring.permissions import Scope
from mentoring.services.activity import activity
from tests.conftest import PASSWORD
from tests.helpers import emails, text

# ---- building announced pairs -----------------------------------------------------------------


@dataclass
class Pair:
    programme: Programme
    mentee: Enrolment
    mentor: Enrolment
    pairing: Pairing


class PersonClient(FlaskClient):
    """One browser per person. The ``app`` fixture keeps one application context for the whole
    test, and requests reuse it, so Flask-Login's user cached in ``g`` would leak from one
    client to the next: forget it before each request so the cookie decides who is signed in."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def signed_in(app, user) -> PersonClient:
    client = PersonClient(app, app.response_class, use_cookies=True)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"
    return client


def today():
    return utcnow().date()


@pytest.fixture
def announce(make_programme, make_enrolment, make_user):
    """announce(programme=None, mentee=..., mentor=..., days_ago=40, country="KE") -> Pair."""

    def make(programme=None, *, mentee="Amina Diallo", mentor="Carlos Mendes", days_ago=40,
             country="KE") -> Pair:
        programme = programme or make_programme(status=ProgrammeStatus.RUNNING)
        mentee_enrolment = make_enrolment(programme, make_user(name=mentee), role=Role.MENTEE,
                                          status=EnrolmentStatus.ACCEPTED, country=country)
        mentor_enrolment = make_enrolment(programme, make_user(name=mentor), role=Role.MENTOR,
                                          status=EnrolmentStatus.ACCEPTED, country="BR",
                                          capacity=2)
        announced = utcnow() - timedelta(days=days_ago)
        pairing = Pairing(programme_id=programme.id, mentee=mentee_enrolment,
                          mentor=mentor_enrolment, status=PairingStatus.ACTIVE, source="manual",
                          score=700, decided_at=announced, announced_at=announced)
        mentee_enrolment.live_pairs = 1
        mentor_enrolment.live_pairs = 1
        db.session.add(pairing)
        db.session.commit()
        return Pair(programme, mentee_enrolment, mentor_enrolment, pairing)

    return make


@pytest.fixture
def pair(announce):
    return announce()


def add_session(pair: Pair, days_ago: int, *, minutes=60, confirmation=Confirmation.CONFIRMED,
                note=""):
    """A session written straight to the database (as the demo data does)."""
    meeting = Meeting(pairing=pair.pairing, author_id=pair.mentor.user_id,
                      held_on=today() - timedelta(days=days_ago), duration_minutes=minutes,
                      format=MeetingFormat.VIDEO, notes="", next_steps="",
                      confirmation=confirmation, dispute_note=note)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def reload(pair: Pair) -> tuple[Pairing, Enrolment, Enrolment]:
    db.session.expire_all()
    return (db.session.get(Pairing, pair.pairing.id), db.session.get(Enrolment, pair.mentee.id),
            db.session.get(Enrolment, pair.mentor.id))


def rows_of(page: str) -> dict[str, list[str]]:
    """The activity table's rows as cell texts, by mentee name (the first cell)."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
                 for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells
    return rows


def shown_date(day) -> str:
    return format_date(day, "medium", locale="en")


# ---- ended early ------------------------------------------------------------------------------


def test_the_mentee_ends_early_and_asks_to_be_matched_again(app, pair, coordinator):
    mentee = signed_in(app, pair.mentee.user)
    url = f"/pairs/{pair.pairing.id}/end"
    page = text(mentee.get(url))
    assert "End the pair early?" in page
    assert "I would like to be matched with another mentor" in page

    response = mentee.post(url, data={"reason": "  ", "rematch": "y"})
    assert response.status_code == 200
    assert "Give a reason: the coordinators read it." in text(response)
    pairing, mentee_row, mentor_row = reload(pair)
    assert pairing.status == PairingStatus.ACTIVE and not pairing.rematch_requested
    assert (mentee_row.live_pairs, mentor_row.live_pairs) == (1, 1)

    response = mentee.post(url, data={"reason": "Our schedules never fit.", "rematch": "y"})
    assert response.status_code == 302
    pairing, mentee_row, mentor_row = reload(pair)
    assert pairing.status == PairingStatus.ENDED
    assert pairing.end_reason == "Our schedules never fit."
    assert pairing.ended_by_id == pair.mentee.user_id and pairing.ended_at is not None
    assert pairing.rematch_requested is True
    assert (mentee_row.live_pairs, mentor_row.live_pairs) == (0, 0)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "pairing.end")).one()
    assert event.after == {"status": "ended", "reason": "Our schedules never fit.",
                           "rematch": True}

    mentor = signed_in(app, pair.mentor.user)
    page = text(mentor.get(f"/pairs/{pair.pairing.id}"))
    assert "This pair ended: Our schedules never fit." in page
    assert "Log a session" not in page

    # Ending twice is refused; the counters do not go below zero.
    response = mentor.post(url, data={"reason": "Me too."})
    assert "This pair is no longer active." in text(response)
    _, mentee_row, mentor_row = reload(pair)
    assert (mentee_row.live_pairs, mentor_row.live_pairs) == (0, 0)

    coordinating = signed_in(app, coordinator(pair.programme))
    for only in ("", "?only=ended"):
        page = text(coordinating.get(f"/coordinate/{pair.programme.slug}/activity{only}"))
        row = rows_of(page)["Amina Diallo"]
        assert "ended early" in row[2]
        assert "Our schedules never fit." in row[2]
        assert "asks to be matched again" in row[2]
    page = text(coordinating.get(f"/coordinate/{pair.programme.slug}/activity?only=silent"))
    assert "Amina Diallo" not in rows_of(page)


def test_a_mentor_ends_early_but_cannot_ask_for_a_rematch(app, pair, coordinator):
    mentor = signed_in(app, pair.mentor.user)
    url = f"/pairs/{pair.pairing.id}/end"
    assert "I would like to be matched" not in text(mentor.get(url))
    response = mentor.post(url, data={"reason": "I changed jobs.", "rematch": "y"})
    assert response.status_code == 302
    pairing, mentee_row, mentor_row = reload(pair)
    assert pairing.status == PairingStatus.ENDED and pairing.rematch_requested is False
    assert (mentee_row.live_pairs, mentor_row.live_pairs) == (0, 0)
    page = text(signed_in(app, coordinator(pair.programme)).get(
        f"/coordinate/{pair.programme.slug}/activity"))
    assert "I changed jobs." in page
    assert "asks to be matched again" not in page


def test_someone_outside_the_pair_cannot_end_or_complete_it(app, pair, make_enrolment, make_user):
    outsider = signed_in(app, make_enrolment(pair.programme, make_user(),
                                             status=EnrolmentStatus.ACCEPTED).user)
    assert outsider.post(f"/pairs/{pair.pairing.id}/end",
                         data={"reason": "Because."}).status_code == 403
    assert outsider.post(f"/pairs/{pair.pairing.id}/complete").status_code == 403
    pairing, mentee_row, mentor_row = reload(pair)
    assert pairing.status == PairingStatus.ACTIVE and pairing.completion_requested_by_id is None
    assert (mentee_row.live_pairs, mentor_row.live_pairs) == (1, 1)


# ---- completed --------------------------------------------------------------------------------


def test_completion_needs_both_sides(app, pair):
    mentor = signed_in(app, pair.mentor.user)
    mentee = signed_in(app, pair.mentee.user)
    url = f"/pairs/{pair.pairing.id}/complete"

    assert mentor.post(url).status_code == 302
    pairing, mentee_row, mentor_row = reload(pair)
    assert pairing.status == PairingStatus.ACTIVE
    assert pairing.completion_requested_by_id == pair.mentor.user_id
    page = text(mentor.get(f"/pairs/{pair.pairing.id}"))
    assert "Noted. The pair is completed when Amina Diallo agrees too." in page
    assert "waiting for Amina Diallo to agree" in page

    # Asking again does not complete it.
    mentor.post(url)
    pairing, mentee_row, mentor_row = reload(pair)
    assert pairing.status == PairingStatus.ACTIVE
    assert (mentee_row.live_pairs, mentor_row.live_pairs) == (1, 1)

    assert "Agree that the mentoring is completed" in text(mentee.get(f"/pairs/{pair.pairing.id}"))
    assert mentee.post(url).status_code == 302
    pairing, mentee_row, mentor_row = reload(pair)
    assert pairing.status == PairingStatus.COMPLETED
    assert pairing.ended_by_id == pair.mentee.user_id and pairing.ended_at is not None
    assert (mentee_row.live_pairs, mentor_row.live_pairs) == (0, 0)
    assert "Congratulations: your mentoring is completed." in text(
        mentee.get(f"/pairs/{pair.pairing.id}"))

    mentor.post(url)
    assert "This pair is no longer active." in text(mentor.get(f"/pairs/{pair.pairing.id}"))
    _, mentee_row, mentor_row = reload(pair)
    assert (mentee_row.live_pairs, mentor_row.live_pairs) == (0, 0)


# ---- a coordinator ends a pair ------------------------------------------------------------------


def test_a_coordinator_ends_a_pair_from_the_activity_page(app, pair, announce, coordinator,
                                                          make_programme):
    slug = pair.programme.slug
    me = coordinator(pair.programme)
    coordinating = signed_in(app, me)
    page = text(coordinating.get(f"/coordinate/{slug}/activity"))
    assert f'action="/coordinate/{slug}/pairs/{pair.pairing.id}/end"' in page

    url = f"/coordinate/{slug}/pairs/{pair.pairing.id}/end"
    response = coordinating.post(url, data={"reason": ""})
    assert response.status_code == 302
    assert "Give a reason: the coordinators read it." in text(
        coordinating.get(f"/coordinate/{slug}/activity"))
    pairing, mentee_row, mentor_row = reload(pair)
    assert pairing.status == PairingStatus.ACTIVE
    assert (mentee_row.live_pairs, mentor_row.live_pairs) == (1, 1)

    # Other programmes' coordinators, and an unknown pair.
    elsewhere = make_programme(status=ProgrammeStatus.RUNNING)
    outsider = signed_in(app, coordinator(elsewhere))
    assert outsider.post(url, data={"reason": "Not mine."}).status_code == 403
    other_pair = announce(elsewhere, mentee="Lina Haddad", mentor="Omar Aziz")
    assert coordinating.post(f"/coordinate/{slug}/pairs/{other_pair.pairing.id}/end",
                             data={"reason": "Wrong programme."}).status_code == 404
    assert coordinating.post(f"/coordinate/{slug}/pairs/999999/end",
                             data={"reason": "Unknown."}).status_code == 404
    cochair = signed_in(app, coordinator(pair.programme, "CEPT"))
    assert cochair.post(url, data={"reason": "Not my region."}).status_code == 403
    pairing, _, _ = reload(pair)
    assert pairing.status == PairingStatus.ACTIVE
    assert reload(other_pair)[0].status == PairingStatus.ACTIVE

    response = coordinating.post(url, data={"reason": "The mentor left the administration."})
    assert response.status_code == 302
    pairing, mentee_row, mentor_row = reload(pair)
    assert pairing.status == PairingStatus.ENDED and pairing.ended_by_id == me.id
    assert pairing.end_reason == "The mentor left the administration."
    assert not pairing.rematch_requested
    assert (mentee_row.live_pairs, mentor_row.live_pairs) == (0, 0)
    page = text(coordinating.get(f"/coordinate/{slug}/activity"))
    assert "The pair is ended." in page
    assert f'action="/coordinate/{slug}/pairs/{pair.pairing.id}/end"' not in page


def test_the_regional_cochair_ends_a_pair_of_her_region(app, pair, coordinator):
    cochair = signed_in(app, coordinator(pair.programme, "ATU"))
    response = cochair.post(f"/coordinate/{pair.programme.slug}/pairs/{pair.pairing.id}/end",
                            data={"reason": "Asked by both."})
    assert response.status_code == 302
    assert reload(pair)[0].status == PairingStatus.ENDED


# ---- the programme closes -----------------------------------------------------------------------


def test_closing_the_programme_completes_the_pairs_at_work(app, pair, announce):
    programme = pair.programme
    second = announce(programme, mentee="Grace Wanjiru", mentor="Ivan Petrov")
    ended = announce(programme, mentee="Sophie Martin", mentor="Hanna Berg", country="FR")
    ended.pairing.status = PairingStatus.ENDED
    ended.pairing.end_reason = "Moved on."
    ended.mentee.live_pairs = ended.mentor.live_pairs = 0
    db.session.commit()

    admin = db.session.scalar(select(User).where(User.is_admin))
    client = signed_in(app, admin)
    response = client.post(f"/admin/programmes/{programme.slug}/status",
                           data={"status": "closed"})
    assert response.status_code == 302
    assert "is now closed." in text(client.get(f"/admin/programmes/{programme.slug}"))

    db.session.expire_all()
    assert db.session.get(Programme, programme.id).status == ProgrammeStatus.CLOSED
    for item in (pair, second):
        pairing, mentee_row, mentor_row = reload(item)
        assert pairing.status == PairingStatus.COMPLETED and pairing.ended_by_id == admin.id
        assert (mentee_row.live_pairs, mentor_row.live_pairs) == (0, 0)
    pairing, mentee_row, mentor_row = reload(ended)
    assert pairing.status == PairingStatus.ENDED and pairing.end_reason == "Moved on."
    assert (mentee_row.live_pairs, mentor_row.live_pairs) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "pairing.complete")) == 2


def test_a_programme_with_approved_pairs_never_announced_does_not_close(app, pair, announce):
    waiting = announce(pair.programme, mentee="Grace Wanjiru", mentor="Ivan Petrov")
    waiting.pairing.status = PairingStatus.APPROVED
    waiting.pairing.announced_at = None
    db.session.commit()
    admin = db.session.scalar(select(User).where(User.is_admin))
    client = signed_in(app, admin)
    client.post(f"/admin/programmes/{pair.programme.slug}/status", data={"status": "closed"})
    page = text(client.get(f"/admin/programmes/{pair.programme.slug}"))
    assert ("1 approved pair has not been announced: announce or reject it before closing the "
            "programme.") in page
    db.session.expire_all()
    assert db.session.get(Programme, pair.programme.id).status == ProgrammeStatus.RUNNING
    assert reload(pair)[0].status == PairingStatus.ACTIVE  # nothing was completed either


# ---- the coordinators' activity page -----------------------------------------------------------


@pytest.fixture
def cohort(pair, announce):
    """Four announced pairs with sessions made by hand (reminder interval: 30 days).

    Amina (ATU): 3 sessions, 2 confirmed, last 5 days ago, 210 minutes.
    Sophie (CEPT): announced 20 days ago, never met.
    Grace (ATU): announced 90 days ago, one disputed session 45 days ago: silent.
    Noura (ATU): ended early, one pending session.
    """
    pair.pairing.announced_at = utcnow() - timedelta(days=60)
    add_session(pair, 50)
    add_session(pair, 20)
    add_session(pair, 5, minutes=90, confirmation=Confirmation.PENDING)
    never = announce(pair.programme, mentee="Sophie Martin", mentor="Hanna Berg",
                     days_ago=20, country="FR")
    silent = announce(pair.programme, mentee="Grace Wanjiru", mentor="Ivan Petrov", days_ago=90)
    add_session(silent, 45, minutes=30, confirmation=Confirmation.DISPUTED,
                note="It was a five-minute chat.")
    ended = announce(pair.programme, mentee="Noura Saleh", mentor="Ali Hassan", days_ago=70)
    add_session(ended, 60, minutes=45, confirmation=Confirmation.PENDING)
    ended.pairing.status = PairingStatus.ENDED
    ended.pairing.end_reason = "No time this year."
    ended.mentee.live_pairs = ended.mentor.live_pairs = 0
    # Proposed and approved pairs are not "at work".
    other = announce(pair.programme, mentee="Rosa Lima", mentor="Jon Ek")
    other.pairing.status = PairingStatus.APPROVED
    db.session.commit()
    return {"all": pair, "never": never, "silent": silent, "ended": ended}


def test_activity_figures_per_pair(app, cohort, coordinator):
    programme = cohort["all"].programme
    figures = {row.pairing.mentee.user.name: (row.sessions, row.minutes, row.confirmed,
                                              row.disputed, row.last, row.silent, row.never_met)
               for row in activity(Scope(programme), today())}
    assert figures == {
        "Amina Diallo": (3, 210, 2, 0, today() - timedelta(days=5), False, False),
        "Sophie Martin": (0, 0, 0, 0, None, False, True),
        "Grace Wanjiru": (1, 30, 0, 1, today() - timedelta(days=45), True, False),
        "Noura Saleh": (1, 45, 0, 0, today() - timedelta(days=60), False, False),
    }

    client = signed_in(app, coordinator(programme))
    page = text(client.get(f"/coordinate/{programme.slug}/activity"))
    rows = rows_of(page)
    assert set(rows) == {"Amina Diallo", "Sophie Martin", "Grace Wanjiru", "Noura Saleh"}
    amina = rows["Amina Diallo"]
    assert amina[1] == "Carlos Mendes"
    assert amina[3:7] == ["3", "3.5", "2", shown_date(today() - timedelta(days=5))]
    assert rows["Sophie Martin"][3] == "0" and rows["Sophie Martin"][6] == "—"
    assert rows["Sophie Martin"][7].startswith("never met")
    grace = rows["Grace Wanjiru"]
    assert grace[3:7] == ["1", "0.5", "0 · 1 disputed", shown_date(today() - timedelta(days=45))]
    assert grace[7].startswith("silent")
    assert "It was a five-minute chat." in page

    filtered = {only: set(rows_of(text(client.get(
        f"/coordinate/{programme.slug}/activity?only={only}"))))
        for only in ("silent", "never-met", "disputed", "ended")}
    assert filtered == {"silent": {"Grace Wanjiru"}, "never-met": {"Sophie Martin"},
                        "disputed": {"Grace Wanjiru"}, "ended": {"Noura Saleh"}}


def test_a_regional_cochair_sees_only_her_regions_pairs(app, cohort, coordinator):
    programme = cohort["all"].programme
    client = signed_in(app, coordinator(programme, "ATU"))
    page = text(client.get(f"/coordinate/{programme.slug}/activity"))
    assert set(rows_of(page)) == {"Amina Diallo", "Grace Wanjiru", "Noura Saleh"}
    assert "Sophie Martin" not in page
    client = signed_in(app, coordinator(programme, "CEPT"))
    page = text(client.get(f"/coordinate/{programme.slug}/activity"))
    assert set(rows_of(page)) == {"Sophie Martin"}
    assert "It was a five-minute chat." not in page  # Grace's dispute is in another region


def test_participants_cannot_open_the_activity_page(app, pair):
    client = signed_in(app, pair.mentee.user)
    assert client.get(f"/coordinate/{pair.programme.slug}/activity").status_code == 403


# ---- reminders ---------------------------------------------------------------------------------


def test_the_weekly_digest_puts_each_pair_on_a_line_of_its_own(
        app, runner, announce, make_programme, coordinator):
    from mentoring.services.mail import html_body

    programme = make_programme(status=ProgrammeStatus.RUNNING)
    silent = announce(programme, mentee="Grace Wanjiru", mentor="Ivan Petrov", days_ago=90)
    add_session(silent, 40)
    announce(programme, mentee="Sophie Martin", mentor="Hanna Berg", days_ago=20)
    announce(programme, mentee="Lina Haddad", mentor="Omar Aziz", days_ago=25)
    coordinator(programme, email="lead@example.org")
    assert runner.invoke(args=["send-reminders"]).exit_code == 0

    [digest] = emails(kind="reminder-digest")
    lines = digest.body.splitlines()
    pairs = [line for line in lines if line.startswith("- ")]
    assert len(pairs) == 3, digest.body
    assert sorted(line.split(":")[0] for line in pairs) == [
        "- Grace Wanjiru / Ivan Petrov", "- Lina Haddad / Omar Aziz",
        "- Sophie Martin / Hanna Berg"]
    # The HTML part shows them as a list of three, not one run-on line.
    assert html_body(digest, app.config).count("<li>") == 3


def test_send_reminders(app, runner, announce, make_programme, coordinator):
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    silent = announce(programme, mentee="Grace Wanjiru", mentor="Ivan Petrov", days_ago=90)
    add_session(silent, 40)
    never = announce(programme, mentee="Sophie Martin", mentor="Hanna Berg", days_ago=20,
                     country="FR")
    recent = announce(programme, mentee="Amina Diallo", mentor="Carlos Mendes", days_ago=60)
    add_session(recent, 5)
    fresh = announce(programme, mentee="Lina Haddad", mentor="Omar Aziz", days_ago=3)
    ended = announce(programme, mentee="Noura Saleh", mentor="Ali Hassan", days_ago=120)
    ended.pairing.status = PairingStatus.ENDED
    db.session.commit()
    lead = coordinator(programme, email="lead@example.org")
    cochair = coordinator(programme, "ATU", email="atu@example.org")
    coordinator(programme, "CITEL", email="citel@example.org")  # nobody quiet in her region

    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "silent pairs 1, never met 1, digests 2" in result.output

    def people(item):
        return {item.mentee.user.email, item.mentor.user.email}

    silent_mail = emails(kind="reminder-silent")
    assert sorted(e.recipient for e in silent_mail) == sorted(people(silent))
    assert all("No session with" in e.body and "for 40 days" in e.body for e in silent_mail)
    never_mail = emails(kind="reminder-never-met")
    assert sorted(e.recipient for e in never_mail) == sorted(people(never))
    digests = {e.recipient: e.body for e in emails(kind="reminder-digest")}
    assert set(digests) == {lead.email, cochair.email}
    assert "Grace Wanjiru / Ivan Petrov" in digests[lead.email]
    assert "Sophie Martin / Hanna Berg: never met" in digests[lead.email]
    assert "Grace Wanjiru / Ivan Petrov" in digests[cochair.email]
    assert "Sophie Martin" not in digests[cochair.email]
    for body in digests.values():
        for quiet_enough in ("Amina Diallo", "Lina Haddad", "Noura Saleh"):
            assert quiet_enough not in body
    reminded = set()
    for kind in ("reminder-silent", "reminder-never-met", "reminder-digest"):
        reminded |= {e.recipient for e in emails(kind=kind)}
    for item in (recent, fresh, ended):
        assert not people(item) & reminded

    before = len(emails())
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "silent pairs 0, never met 0, digests 0" in result.output
    assert len(emails()) == before
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 4
