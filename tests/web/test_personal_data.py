"""Personal data: a person downloads what the site holds about her, erases her account (or asks
an admin to), old programmes are anonymised by the retention command, and the privacy notice
is one click away from every form that asks for personal data."""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import (
    AuditEvent,
    Circle,
    CircleMeeting,
    CircleMember,
    Enrolment,
    EnrolmentStatus,
    Meeting,
    MeetingFormat,
    OutboxEmail,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    Role,
    Survey,
    User,
)
from mentoring.models._types import utcnow
from mentoring.services import accounts, meetings, surveys
from mentoring.services.exports import DASHBOARD_TABLES
from tests.conftest import PASSWORD

NAME, EMAIL = "Amina Diallo", "amina.diallo@example.org"
PARTNER_NAME, PARTNER_EMAIL = "Carlos Mendes", "carlos.mendes@example.org"
GOALS = "Chair a drafting group on agenda item 1.2"
ORGANISATION = "Communications Authority of Kenya"
HER_NOTES = "We rehearsed my intervention for WP 4A"
PARTNER_NOTES = "Read the CPM report before the next session"
HER_COMMENT = "Carlos explained the footnotes very well"
PARTNER_COMMENT = "Partner's private remark about the session"
SURVEY_TEXT = "More regional meetings, please"
ANONYMOUS_TEXT = "An answer given without a name"


@dataclass
class Story:
    programme: Programme
    amina: User
    carlos: User
    coordinator: User
    pairing: Pairing


@pytest.fixture
def story(make_programme, make_user, make_enrolment, coordinator) -> Story:
    """Amina, a mentee in a running programme, paired with Carlos; both logged sessions and
    gave feedback; she answered a named survey and an anonymous one; emails went out."""
    today = utcnow().date()
    programme = make_programme(status=ProgrammeStatus.RUNNING,
                               starts_on=today - timedelta(days=100),
                               ends_on=today + timedelta(days=100))
    amina = make_user(EMAIL, name=NAME)
    carlos = make_user(PARTNER_EMAIL, name=PARTNER_NAME)
    mentee = make_enrolment(programme, amina, role=Role.MENTEE, status=EnrolmentStatus.ACCEPTED,
                            goals=GOALS, organisation=ORGANISATION, itu_meetings="WRC-23")
    mentor = make_enrolment(programme, carlos, role=Role.MENTOR, status=EnrolmentStatus.ACCEPTED,
                            country="BR", goals="Share what I know")
    announced = utcnow() - timedelta(days=60)
    pairing = Pairing(programme_id=programme.id, mentee=mentee, mentor=mentor,
                      status=PairingStatus.ACTIVE, source="manual", score=700,
                      decided_at=announced, announced_at=announced)
    mentee.live_pairs = mentor.live_pairs = 1
    db.session.add(pairing)
    db.session.commit()
    hers = meetings.log(amina, pairing, meetings.SessionData(
        held_on=today - timedelta(days=20), duration_minutes=60, format=MeetingFormat.VIDEO,
        notes=HER_NOTES, next_steps="Draft a contribution"))
    his = meetings.log(carlos, pairing, meetings.SessionData(
        held_on=today - timedelta(days=10), duration_minutes=45, format=MeetingFormat.PHONE,
        notes=PARTNER_NOTES))
    meetings.give_feedback(amina, his, 5, HER_COMMENT)
    meetings.give_feedback(carlos, hers, 4, PARTNER_COMMENT)
    questions = [{"kind": "rating", "text": "How useful?"},
                 {"kind": "text", "text": "What would make it better?"}]
    named = Survey(programme_id=programme.id, kind="mid", questions=questions, anonymous=False,
                   sent_at=utcnow())
    anonymous = Survey(programme_id=programme.id, kind="end", questions=questions,
                       anonymous=True, sent_at=utcnow())
    db.session.add_all([named, anonymous])
    db.session.flush()
    surveys.answer(amina, named, [4, SURVEY_TEXT])
    surveys.answer(amina, anonymous, [3, ANONYMOUS_TEXT])
    accounts.send_verification(amina)
    accounts.update_account(amina, name=NAME, email=EMAIL, locale="fr", timezone="")
    db.session.commit()
    boss = coordinator(programme)
    return Story(programme, amina, carlos, boss, pairing)


def in_french(message: str) -> str:
    """Amina reads the site in French (her setting)."""
    with force_locale("fr"):
        return gettext(message)


def signed_in(app, user, password=PASSWORD):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, "sign-in failed"
    return client


def zip_files(response) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def test_she_downloads_everything_held_about_her_but_not_her_partners_comments(app, story):
    client = signed_in(app, story.amina)
    account = client.get("/account").get_data(as_text=True)
    assert "/account/personal-data" in account and "/account/erase" in account

    response = client.get("/account/personal-data")

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    today = utcnow().date().isoformat()
    assert f"mentoring-personal-data-{today}.zip" in response.headers["Content-Disposition"]
    files = zip_files(response)
    assert {"personal-data.json", "account.csv", "applications.csv", "pairs.csv",
            "sessions.csv", "feedback.csv", "survey_answers.csv", "emails.csv"} <= set(files)
    data = json.loads(files["personal-data.json"])
    assert data["account"][0]["email"] == EMAIL
    assert data["applications"][0]["goals"] == GOALS
    assert data["applications"][0]["organisation"] == ORGANISATION
    assert data["pairs"][0]["partner"] == PARTNER_NAME
    notes = {row["notes"] for row in data["sessions"]}
    assert {HER_NOTES, PARTNER_NOTES} <= notes  # her pair's notes are hers to read
    assert [row["comment"] for row in data["feedback"]] == [HER_COMMENT]
    answers = [row["answer"] for row in data["survey_answers"]]
    assert SURVEY_TEXT in answers and ANONYMOUS_TEXT not in answers
    assert {row["to"] for row in data["emails"]} == {EMAIL}
    assert any("verify" in row["kind"] for row in data["emails"])
    everything = "".join(files.values())
    assert PARTNER_COMMENT not in everything
    applications = list(csv.DictReader(io.StringIO(files["applications.csv"])))
    assert applications[0]["goals"] == GOALS
    assert HER_NOTES in files["sessions.csv"]


def circle_of(story, notes_by_her: str, notes_by_him: str) -> Circle:
    """Amina and Carlos in a circle, each having logged a session with notes."""
    programme = story.programme
    enrolments = db.session.scalars(select(Enrolment).where(
        Enrolment.programme_id == programme.id).order_by(Enrolment.id)).all()
    circle = Circle(programme_id=programme.id, name="Drafting circle", capacity=4)
    circle.members = [CircleMember(programme_id=programme.id, enrolment_id=e.id,
                                   user_id=e.user_id, role=e.role) for e in enrolments]
    db.session.add(circle)
    db.session.flush()
    today = utcnow().date()
    db.session.add_all([
        CircleMeeting(circle_id=circle.id, author_id=story.amina.id, held_on=today,
                      duration_minutes=60, notes=notes_by_her),
        CircleMeeting(circle_id=circle.id, author_id=story.carlos.id, held_on=today,
                      duration_minutes=30, notes=notes_by_him)])
    db.session.commit()
    return circle


def test_her_download_holds_her_circle_and_its_sessions(app, story):
    circle_of(story, "Her circle notes", "His circle notes")
    files = zip_files(signed_in(app, story.amina).get("/account/personal-data"))
    data = json.loads(files["personal-data.json"])
    assert [(c["name"], c["your_role"]) for c in data["circles"]] == [("Drafting circle",
                                                                      "mentee")]
    assert [(row["notes"], row["logged_by_you"]) for row in data["circle_sessions"]] == [
        ("Her circle notes", True), ("His circle notes", False)]
    assert "His circle notes" in files["circle_sessions.csv"]


def test_erasure_and_retention_empty_the_notes_of_circle_sessions(app, story, runner):
    circle_of(story, "Her circle notes", "His circle notes")
    client = signed_in(app, story.amina)
    assert client.post("/account/erase", data={"password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert sorted(m.notes for m in db.session.scalars(select(CircleMeeting))) == [
        "", "His circle notes"]
    old = story.programme
    old.status = ProgrammeStatus.CLOSED
    old.starts_on, old.ends_on = date(2020, 1, 1), utcnow().date() - timedelta(days=800)
    db.session.commit()
    assert runner.invoke(args=["anonymise-old", "--days", "730"]).exit_code == 0
    db.session.expire_all()
    assert [m.notes for m in db.session.scalars(select(CircleMeeting))] == ["", ""]


def test_signed_out_visitors_cannot_download_anyones_data(app, story):
    response = app.test_client().get("/account/personal-data")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def pages_a_coordinator_reads(story) -> list[str]:
    slug = story.programme.slug
    return [f"/programmes/{slug}", f"/coordinate/{slug}/applications",
            f"/coordinate/{slug}/applications.csv", f"/coordinate/{slug}/pairs",
            f"/coordinate/{slug}/pairs.csv", f"/coordinate/{slug}/activity",
            f"/coordinate/{slug}/dashboard", f"/coordinate/{slug}/report",
            f"/coordinate/{slug}/audit", f"/coordinate/{slug}/surveys",
            f"/coordinate/{slug}/report/survey-ratings.csv",
            *(f"/coordinate/{slug}/dashboard/{name}.csv" for name in DASHBOARD_TABLES)]


def dashboard_files(client, story) -> dict[str, bytes]:
    slug = story.programme.slug
    return {name: client.get(f"/coordinate/{slug}/dashboard/{name}.csv").data
            for name in DASHBOARD_TABLES}


def shows_her(text: str) -> bool:
    return any(needle in text for needle in (NAME, EMAIL, GOALS, ORGANISATION, HER_NOTES,
                                             HER_COMMENT, SURVEY_TEXT, "Amina"))


def test_after_she_erases_her_account_nothing_shows_her_and_the_figures_still_count(
        app, story, make_user):
    boss = signed_in(app, story.coordinator)
    figures_before = dashboard_files(boss, story)
    slug = story.programme.slug
    assert NAME in boss.get(f"/coordinate/{slug}/applications").get_data(as_text=True)
    assert any(NAME in e.body for e in db.session.scalars(select(OutboxEmail)).all()
               if e.recipient == PARTNER_EMAIL)  # "Amina logged a session": his email
    assert any(EMAIL in json.dumps(e.after) for e in db.session.scalars(select(AuditEvent)))
    amina_id = story.amina.id
    her = signed_in(app, story.amina)
    page = her.get("/account/erase")
    assert page.status_code == 200 and "/privacy" in page.get_data(as_text=True)

    wrong = her.post("/account/erase", data={"password": "not my password at all"})
    assert wrong.status_code == 200
    assert in_french("Your password is not right.") in html.unescape(wrong.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(User, amina_id).name == NAME

    done = her.post("/account/erase", data={"password": PASSWORD}, follow_redirects=True)

    erased = "Your account and your personal data are erased. Thank you for taking part."
    # Signed out now, she reads it in her browser's language or in her former setting.
    assert any(text in html.unescape(done.get_data(as_text=True))
               for text in (erased, in_french(erased)))
    assert her.get("/account").status_code == 302  # signed out
    assert app.test_client().post("/login", data={"email": EMAIL, "password": PASSWORD}
                                  ).status_code == 200  # the form again: refused
    for url in pages_a_coordinator_reads(story):
        response = boss.get(url)
        assert response.status_code == 200, url
        assert not shows_her(response.data.decode("utf-8-sig")), url
    assert dashboard_files(boss, story) == figures_before
    partner = signed_in(app, story.carlos)
    pair_page = partner.get(f"/pairs/{story.pairing.id}").get_data(as_text=True)
    assert f"Erased person #{amina_id}" in pair_page and not shows_her(pair_page)
    assert PARTNER_NOTES in pair_page  # his own words stay his
    db.session.expire_all()
    erased = db.session.get(User, amina_id)
    assert erased.email == f"erased-{amina_id}@invalid" and not erased.password_hash
    events = db.session.scalars(select(AuditEvent)).all()
    assert not any(shows_her(json.dumps(e.before, ensure_ascii=False) +
                             json.dumps(e.after, ensure_ascii=False)) for e in events)
    erase_event = next(e for e in events if e.action == "user.erase")
    assert erase_event.actor_id == amina_id and erase_event.target_id == amina_id

    # Later: Carlos logs a session, which would email his partner; nothing goes to her.
    partner.post(f"/pairs/{story.pairing.id}/sessions/new", data={
        "held_on": utcnow().date().isoformat(), "duration_minutes": "30", "format": "video"})
    db.session.expire_all()
    for email in db.session.scalars(select(OutboxEmail)):
        assert not shows_her(email.recipient + email.subject + email.body), email.kind
        assert email.recipient != f"erased-{amina_id}@invalid" or email.sent_at is not None


def test_a_site_admin_cannot_erase_her_own_account_while_she_is_admin(app, make_user):
    admin = make_user("root@example.org", name="Root Admin", admin=True)
    client = signed_in(app, admin)
    response = client.post("/account/erase", data={"password": PASSWORD}, follow_redirects=True)
    assert "You are a site admin" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).erased_at is None


def test_a_coordinator_who_erases_her_account_stops_coordinating(app, story):
    boss_id = story.coordinator.id
    client = signed_in(app, story.coordinator)
    client.post("/account/erase", data={"password": PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, boss_id).coordinator_roles == []


def test_an_admin_erases_an_account_on_request_and_the_trail_names_her_as_actor(
        app, story, make_user):
    admin = make_user("root@example.org", name="Root Admin", admin=True)
    client = signed_in(app, admin)
    people = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{story.amina.id}/erase" in people
    assert f"/admin/users/{admin.id}/erase" not in people
    asked = client.get(f"/admin/users/{story.amina.id}/erase")
    assert NAME in asked.get_data(as_text=True)

    done = client.post(f"/admin/users/{story.amina.id}/erase", follow_redirects=True)

    text = done.get_data(as_text=True)
    assert "The account is erased." in text and NAME not in text and EMAIL not in text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.erase"))
    assert event.actor_id == admin.id and event.target_id == story.amina.id
    assert not shows_her(json.dumps(event.after))
    log = client.get(f"/coordinate/{story.programme.slug}/audit").get_data(as_text=True)
    assert not shows_her(log)
    again = client.post(f"/admin/users/{story.amina.id}/erase", follow_redirects=True)
    assert "This account is already erased." in again.get_data(as_text=True)


def test_only_admins_erase_other_peoples_accounts(app, story):
    client = signed_in(app, story.carlos)
    assert client.post(f"/admin/users/{story.amina.id}/erase").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, story.amina.id).name == NAME


def test_the_retention_command_anonymises_old_programmes_once(app, story, runner,
                                                              make_programme, make_enrolment):
    today = utcnow().date()
    old = story.programme
    old.status = ProgrammeStatus.CLOSED
    old.starts_on, old.ends_on = date(2020, 1, 1), today - timedelta(days=800)
    current = make_programme(status=ProgrammeStatus.OPEN)
    make_enrolment(current, story.carlos, role=Role.MENTOR, capacity=2)  # still taking part
    db.session.commit()
    amina_id, carlos_id = story.amina.id, story.carlos.id

    first = runner.invoke(args=["anonymise-old", "--days", "730"])

    assert first.exit_code == 0, first.output
    assert "applications anonymised: 2" in first.output
    assert "people erased: 1" in first.output
    db.session.expire_all()
    assert db.session.get(User, amina_id).erased_at is not None
    carlos = db.session.get(User, carlos_id)
    assert carlos.erased_at is None and carlos.name == PARTNER_NAME
    old_applications = db.session.scalars(select(Enrolment).where(
        Enrolment.programme_id == old.id)).all()
    assert all(e.goals == "" and e.anonymised_at for e in old_applications)
    assert all(m.notes == "" for m in db.session.scalars(select(Meeting)))

    second = runner.invoke(args=["anonymise-old", "--days", "730"])

    assert second.exit_code == 0
    assert "applications anonymised: 0" in second.output and "people erased: 0" in second.output


def test_the_retention_command_leaves_programmes_inside_the_period(app, story, runner):
    story.programme.status = ProgrammeStatus.CLOSED
    story.programme.ends_on = utcnow().date() - timedelta(days=10)
    db.session.commit()
    app.config["RETENTION_DAYS"] = 30

    result = runner.invoke(args=["anonymise-old"])

    assert "more than 30 days ago: 0" in result.output
    db.session.expire_all()
    assert db.session.get(User, story.amina.id).name == NAME


@pytest.mark.parametrize("url", ["/register", "/privacy"])
def test_the_privacy_notice_is_linked_from_the_registration_page_and_every_footer(app, url):
    page = app.test_client().get(url).get_data(as_text=True)
    assert page.count('href="/privacy"') >= (2 if url == "/register" else 1)


def test_the_privacy_notice_says_who_sees_what_and_for_how_long(app):
    page = app.test_client().get("/privacy").get_data(as_text=True)
    for words in ("regional co-chair", "Site admins", "730 days", "erase your account"):
        assert words in page


def test_the_application_form_links_to_the_privacy_notice(app, make_programme, make_user):
    programme = make_programme()
    client = signed_in(app, make_user())
    page = client.get(f"/programmes/{programme.slug}/apply/mentee").get_data(as_text=True)
    assert page.count('href="/privacy"') >= 2  # the form and the footer
