"""Mentors' consent before announcing: the programme's setting, the mentor's email and answer
(signed in, or from the signed link), a decline that forbids the pair and matches only that
mentee again, announcing that waits for the answers or the deadline, the reminder, and what a
regional co-chair sees and may do."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import (
    AuditEvent,
    ConsentState,
    Enrolment,
    EnrolmentStatus,
    ForbiddenPair,
    MatchingRun,
    MentorConsent,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    Role,
    User,
)
from mentoring.models._types import utcnow
from mentoring.services.reminders import send_reminders
from tests.conftest import AuthActions
from tests.helpers import emails, link_in

BASE_URL = "https://mentoring.example.int"


@pytest.fixture
def app_config():
    return {"BASE_URL": BASE_URL}


@dataclass
class World:
    programme: Programme
    lead: User
    maria: Enrolment  # mentee, proposed with Ana
    nadia: Enrolment  # mentee, proposed with Carla
    ana: Enrolment  # mentor, writes in French
    bea: Enrolment  # mentor with a free place and nobody proposed
    carla: Enrolment
    maria_ana: Pairing
    nadia_carla: Pairing

    @property
    def slug(self) -> str:
        return self.programme.slug


def _proposal(programme, mentee, mentor, score) -> Pairing:
    pairing = Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor.id,
                      status=PairingStatus.PROPOSED, score=score)
    db.session.add(pairing)
    db.session.commit()
    return pairing


@pytest.fixture
def world(make_programme, make_enrolment, make_user, coordinator) -> World:
    programme = make_programme(status=ProgrammeStatus.MATCHING)
    negotiation = programme.topics[0].id

    def person(name, role=Role.MENTEE, country="KE", locale="en", **values):
        user = make_user(name.lower().replace(" ", ".") + "@example.org", name=name,
                         locale=locale)
        if role == Role.MENTOR:
            values.setdefault("capacity", 1)
            values.setdefault("years_experience", 12)
        return make_enrolment(programme, user, role=role, status=EnrolmentStatus.ACCEPTED,
                              country=country, topic_ids=[negotiation], **values)

    maria = person("Maria Wanjiru")
    nadia = person("Nadia Diallo", country="SN")
    ana = person("Ana Moreau", Role.MENTOR, country="FR", locale="fr")
    bea = person("Bea Okafor", Role.MENTOR, country="NG")
    carla = person("Carla Mensah", Role.MENTOR, country="GH")
    lead = coordinator(programme, name="Lena Lead")
    return World(programme, lead, maria, nadia, ana, bea, carla,
                 _proposal(programme, maria, ana, 800), _proposal(programme, nadia, carla, 700))


def client_of(app, user):
    """A browser of its own, signed in as ``user``."""
    browser = app.test_client()
    AuthActions(browser).login(user)
    return browser


def ask_mentors(client, w: World, deadline: date | None = None):
    return client.post(f"/coordinate/{w.slug}/consent", data={
        "ask": "y", "deadline": (deadline or utcnow().date() + timedelta(days=7)).isoformat()})


def approve(client, w: World, pairing: Pairing):
    return client.post(f"/coordinate/{w.slug}/pairs/{pairing.id}/approve")


def consent_of(pairing: Pairing) -> MentorConsent | None:
    db.session.expire_all()
    return db.session.scalar(select(MentorConsent).where(MentorConsent.pairing_id == pairing.id))


def status_of(pairing: Pairing) -> PairingStatus:
    db.session.expire_all()
    return db.session.get(Pairing, pairing.id).status


def csrf_token(page) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


def ana_declines_maria(app, world: World, lead):
    """Asking on, both proposals approved, and Ana declines Maria ("Too busy")."""
    ask_mentors(lead, world)
    approve(lead, world, world.maria_ana)
    approve(lead, world, world.nadia_carla)
    client_of(app, world.ana.user).post(f"/consent/{world.maria_ana.id}",
                                        data={"decline": "Decline", "reason": "Too busy"})


@pytest.fixture
def lead(app, world):
    return client_of(app, world.lead)


# ---- the setting --------------------------------------------------------------------------

def test_off_by_default_approving_asks_nobody_and_announcing_sends_every_approved_pair(
        world, lead):
    assert not world.programme.mentor_consent
    approve(lead, world, world.maria_ana)
    assert emails(kind="consent-request") == [] and consent_of(world.maria_ana) is None
    page = lead.get(f"/coordinate/{world.slug}/pairs/announce")
    assert "Announce 1 pair and email them" in page.text
    lead.post(f"/coordinate/{world.slug}/pairs/announce")
    assert status_of(world.maria_ana) == PairingStatus.ACTIVE


def test_the_coordinator_turns_asking_on_with_a_deadline_and_off_again(world, lead):
    page = lead.post(f"/coordinate/{world.slug}/consent", data={"ask": "y", "deadline": ""})
    assert "Give the last day mentors may answer." in page.text
    yesterday = utcnow().date() - timedelta(days=1)
    page = lead.post(f"/coordinate/{world.slug}/consent",
                     data={"ask": "y", "deadline": yesterday.isoformat()})
    assert "The deadline cannot be in the past." in page.text
    db.session.expire_all()
    assert not db.session.get(Programme, world.programme.id).mentor_consent

    deadline = utcnow().date() + timedelta(days=5)
    answer = ask_mentors(lead, world, deadline)
    assert answer.status_code == 302
    db.session.expire_all()
    programme = db.session.get(Programme, world.programme.id)
    assert programme.mentor_consent and programme.consent_deadline == deadline
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "consent.settings")).after == {
        "ask_mentors": True, "deadline": deadline.isoformat()}
    pairs = lead.get(f"/coordinate/{world.slug}/pairs").text
    assert "Approved pairs go first to their mentor" in pairs

    lead.post(f"/coordinate/{world.slug}/consent", data={"deadline": deadline.isoformat()})
    db.session.expire_all()
    assert not db.session.get(Programme, world.programme.id).mentor_consent
    approve(lead, world, world.maria_ana)
    assert emails(kind="consent-request") == []


# ---- asking, and the mentor's answer ------------------------------------------------------

def test_approving_emails_the_mentor_in_her_language_with_links_from_base_url(world, lead):
    deadline = utcnow().date() + timedelta(days=7)
    ask_mentors(lead, world, deadline)
    approve(lead, world, world.maria_ana)
    [email] = emails(kind="consent-request")
    assert email.recipient == "ana.moreau@example.org" and email.locale == "fr"
    assert "Maria Wanjiru" in email.subject
    assert "Bonjour Ana Moreau," in email.body and "Pays" in email.body
    links = re.findall(r"https?://\S+", email.body)
    assert len(links) == 2 and all(link.startswith(BASE_URL + "/consent/") for link in links)
    assert links[1] == f"{BASE_URL}/consent/{world.maria_ana.id}"
    # The mentee hears nothing yet, and her address is not given to the mentor.
    assert emails(to="maria.wanjiru@example.org") == []
    assert "maria.wanjiru@example.org" not in email.body
    assert consent_of(world.maria_ana).state == ConsentState.ASKED
    # Approving twice (a double click) asks once.
    approve(lead, world, world.maria_ana)
    assert len(emails(kind="consent-request")) == 1


def test_approving_above_a_score_and_pairing_by_hand_ask_their_mentors_too(world, lead):
    run = MatchingRun(programme_id=world.programme.id)
    db.session.add(run)
    db.session.flush()
    world.maria_ana.run_id = world.nadia_carla.run_id = run.id
    db.session.commit()
    ask_mentors(lead, world)
    lead.post(f"/coordinate/{world.slug}/pairs/approve-above", data={"score": "750"})
    lead.post(f"/coordinate/{world.slug}/pairs/{world.nadia_carla.id}/reject")
    lead.post(f"/coordinate/{world.slug}/pairs/manual",
              data={"mentee": str(world.nadia.id), "mentor": str(world.bea.id)})
    sent = {e.recipient: e for e in emails(kind="consent-request")}
    assert set(sent) == {"ana.moreau@example.org", "bea.okafor@example.org"}
    assert sent["ana.moreau@example.org"].locale == "fr"
    assert "Bonjour Ana Moreau," in sent["ana.moreau@example.org"].body
    assert "Hello Bea Okafor," in sent["bea.okafor@example.org"].body
    assert "Nadia Diallo" in sent["bea.okafor@example.org"].subject
    assert consent_of(world.maria_ana).state == ConsentState.ASKED


def test_the_mentor_accepts_from_the_signed_link_without_signing_in(app, world, lead):
    ask_mentors(lead, world)
    approve(lead, world, world.maria_ana)
    path = link_in(emails(kind="consent-request")[0])
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Maria Wanjiru would like you as her mentor" in html.unescape(page.text)
    assert consent_of(world.maria_ana).state == ConsentState.ASKED  # the GET changed nothing
    answer = visitor.post(path, data={"accept": "Accept"})
    assert answer.status_code == 302 and answer.location.endswith(path)
    assert consent_of(world.maria_ana).state == ConsentState.ACCEPTED
    assert "You accepted." in visitor.get(path).text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.accept"))
    assert event.actor_id == world.ana.user_id and event.target_id == world.maria_ana.id
    # Answered once: a second answer is refused and changes nothing.
    visitor.post(path, data={"decline": "Decline", "reason": "Changed my mind"})
    assert consent_of(world.maria_ana).state == ConsentState.ACCEPTED
    assert status_of(world.maria_ana) == PairingStatus.APPROVED


def test_a_signed_in_mentor_finds_the_question_on_my_programmes(app, world, lead):
    ask_mentors(lead, world)
    approve(lead, world, world.maria_ana)
    ana = client_of(app, world.ana.user)
    mine = html.unescape(ana.get("/me/programmes").text)
    # Ana reads the site in French, her own setting.
    assert "Maria Wanjiru souhaiterait vous avoir pour mentor" in mine
    assert f'href="/consent/{world.maria_ana.id}"' in mine
    ana.post(f"/consent/{world.maria_ana.id}", data={"accept": "Accept"})
    assert "souhaiterait vous avoir pour mentor" not in ana.get("/me/programmes").text
    assert "would like you" not in client_of(app, world.carla.user).get("/me/programmes").text


def test_the_answer_is_a_post_with_the_pages_csrf_token(app, world, lead):
    ask_mentors(lead, world)
    approve(lead, world, world.maria_ana)
    path = link_in(emails(kind="consent-request")[0])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        visitor = app.test_client()
        assert visitor.post(path, data={"accept": "Accept"}).status_code == 400
        assert consent_of(world.maria_ana).state == ConsentState.ASKED
        page = visitor.get(path)
        visitor.post(path, data={"accept": "Accept", "csrf_token": csrf_token(page)})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert consent_of(world.maria_ana).state == ConsentState.ACCEPTED


def test_a_forged_or_altered_link_is_refused(app, world, lead):
    ask_mentors(lead, world)
    approve(lead, world, world.maria_ana)
    path = link_in(emails(kind="consent-request")[0])
    visitor = app.test_client()
    for bad in ("/consent/link/forged", path[:-3] + "abc"):
        assert visitor.get(bad).status_code == 400
        assert visitor.post(bad, data={"accept": "Accept"}).status_code == 400
    assert consent_of(world.maria_ana).state == ConsentState.ASKED


def test_another_mentor_cannot_see_or_answer_a_pair(app, world, lead):
    ask_mentors(lead, world)
    approve(lead, world, world.maria_ana)
    carla = client_of(app, world.carla.user)
    assert carla.get(f"/consent/{world.maria_ana.id}").status_code == 404
    assert carla.post(f"/consent/{world.maria_ana.id}",
                      data={"decline": "Decline", "reason": "Not mine"}).status_code == 404
    assert consent_of(world.maria_ana).state == ConsentState.ASKED
    # Signed out, the page asks to sign in.
    assert app.test_client().get(f"/consent/{world.maria_ana.id}").status_code == 302


def test_a_decline_needs_a_reason_then_forbids_the_pair_and_matches_only_that_mentee(
        app, world, lead):
    ask_mentors(lead, world)
    approve(lead, world, world.maria_ana)
    approve(lead, world, world.nadia_carla)
    ana = client_of(app, world.ana.user)
    page = ana.post(f"/consent/{world.maria_ana.id}", data={"decline": "Decline", "reason": ""})
    assert page.status_code == 200 and "Indiquez aux coordonnateurs, en quelques mots" in \
        html.unescape(page.text)  # in French, Ana's language
    assert consent_of(world.maria_ana).state == ConsentState.ASKED

    answer = ana.post(f"/consent/{world.maria_ana.id}",
                      data={"decline": "Decline", "reason": "I am away until March"})
    assert answer.status_code == 302
    consent = consent_of(world.maria_ana)
    assert consent.state == ConsentState.DECLINED and consent.reason == "I am away until March"
    assert status_of(world.maria_ana) == PairingStatus.REJECTED
    forbidden = db.session.scalar(select(ForbiddenPair))
    assert (forbidden.mentee_id, forbidden.mentor_id, forbidden.reason, forbidden.created_by_id
            ) == (world.maria.id, world.ana.id, "I am away until March", world.ana.user_id)
    assert db.session.get(Enrolment, world.ana.id).live_pairs == 0
    # Maria alone was matched again, with the one mentor who has a free place; Nadia's pair
    # is untouched.
    proposal = db.session.get(Pairing, consent.next_pairing_id)
    assert (proposal.mentee_id, proposal.mentor_id, proposal.status, proposal.source,
            proposal.previous_mentor_id) == (world.maria.id, world.bea.id,
                                              PairingStatus.PROPOSED, "consent", world.ana.id)
    assert proposal.parts  # explained like a run's proposal
    assert status_of(world.nadia_carla) == PairingStatus.APPROVED
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == 3
    decline = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.decline"))
    assert decline.actor_id == world.ana.user_id and decline.after["reason"] == \
        "I am away until March"
    # The coordinator reads why, and approves the new proposal, which asks its mentor.
    pairs = html.unescape(lead.get(f"/coordinate/{world.slug}/pairs").text)
    assert "Proposed again after Ana Moreau declined: I am away until March" in pairs
    rejected = html.unescape(lead.get(f"/coordinate/{world.slug}/pairs?status=rejected").text)
    assert "The mentor declined: I am away until March" in rejected
    approve(lead, world, proposal)
    assert [e.recipient for e in emails(kind="consent-request")][-1] == "bea.okafor@example.org"


def test_a_decline_when_no_mentor_has_a_place_left_leaves_the_mentee_for_the_coordinator(
        app, world, lead):
    world.bea.status = EnrolmentStatus.WITHDRAWN
    db.session.commit()
    ana_declines_maria(app, world, lead)
    assert consent_of(world.maria_ana).next_pairing_id is None
    assert status_of(world.nadia_carla) == PairingStatus.APPROVED
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == 2


def test_a_place_held_by_an_open_proposal_is_not_given_again(
        app, world, lead, make_enrolment, make_user):
    olga = make_enrolment(world.programme, make_user(name="Olga Petrova"),
                          status=EnrolmentStatus.ACCEPTED,
                          topic_ids=[world.programme.topics[0].id])
    olga_bea = _proposal(world.programme, olga, world.bea, 650)
    ana_declines_maria(app, world, lead)
    assert consent_of(world.maria_ana).next_pairing_id is None
    assert status_of(olga_bea) == PairingStatus.PROPOSED
    assert db.session.get(Pairing, olga_bea.id).mentor_id == world.bea.id


def test_the_re_solve_keeps_other_mentees_forbidden_pairs_out_of_its_way(
        app, world, lead, make_enrolment, make_user):
    # Olga waits unpaired, and a coordinator forbade her with Bea: matching Maria again
    # reads that forbidden pair without Olga in the re-solve.
    olga = make_enrolment(world.programme, make_user(name="Olga Petrova"),
                          status=EnrolmentStatus.ACCEPTED,
                          topic_ids=[world.programme.topics[0].id])
    db.session.add(ForbiddenPair(programme_id=world.programme.id, mentee_id=olga.id,
                                 mentor_id=world.bea.id, reason="Same office"))
    db.session.commit()
    ask_mentors(lead, world)
    approve(lead, world, world.maria_ana)
    client_of(app, world.ana.user).post(f"/consent/{world.maria_ana.id}",
                                        data={"decline": "Decline", "reason": "Too busy"})
    proposal = db.session.get(Pairing, consent_of(world.maria_ana).next_pairing_id)
    assert proposal.mentee_id == world.maria.id
    assert not db.session.scalar(select(Pairing).where(Pairing.mentee_id == olga.id))


@pytest.mark.parametrize("new_partners_only", [True, False])
def test_the_re_solve_after_a_decline_skips_an_earlier_cycles_partner_when_asked_to(
        app, world, lead, make_programme, make_enrolment, new_partners_only):
    # Maria was Bea's mentee in the cycle this programme was copied from; Bea is the one
    # mentor with a free place when Ana declines.
    before = make_programme(status=ProgrammeStatus.CLOSED)
    earlier = Pairing(programme_id=before.id, status=PairingStatus.COMPLETED, score=700,
                      mentee_id=make_enrolment(before, world.maria.user,
                                               status=EnrolmentStatus.ACCEPTED).id,
                      mentor_id=make_enrolment(before, world.bea.user, role=Role.MENTOR,
                                               status=EnrolmentStatus.ACCEPTED).id)
    db.session.add(earlier)
    world.programme.previous_id = before.id
    world.programme.new_partners_only = new_partners_only
    db.session.commit()
    ana_declines_maria(app, world, lead)
    proposed = db.session.scalars(select(Pairing.mentor_id).where(
        Pairing.mentee_id == world.maria.id, Pairing.status == PairingStatus.PROPOSED)).all()
    if new_partners_only:
        assert proposed == [] and consent_of(world.maria_ana).next_pairing_id is None
    else:
        assert proposed == [world.bea.id]


# ---- announcing ---------------------------------------------------------------------------

def test_announcing_waits_for_the_mentors_then_sends_the_rest_after_the_deadline(
        app, world, lead):
    ask_mentors(lead, world)
    approve(lead, world, world.maria_ana)
    approve(lead, world, world.nadia_carla)
    page = lead.get(f"/coordinate/{world.slug}/pairs")
    assert "The approved pairs wait for their mentors" in html.unescape(page.text)
    assert "Announce approved pairs" not in page.text

    client_of(app, world.ana.user).post(f"/consent/{world.maria_ana.id}",
                                        data={"accept": "Accept"})
    pairs = html.unescape(lead.get(f"/coordinate/{world.slug}/pairs").text)
    assert "Announce approved pairs (1)" in pairs
    assert "The mentor accepted." in pairs and "no answer yet" in pairs
    page = html.unescape(lead.get(f"/coordinate/{world.slug}/pairs/announce").text)
    assert "Announce 1 pair and email them" in page
    assert "1 approved pair waits for its mentor's answer" in page
    answer = lead.post(f"/coordinate/{world.slug}/pairs/announce")
    assert status_of(world.maria_ana) == PairingStatus.ACTIVE
    assert status_of(world.nadia_carla) == PairingStatus.APPROVED
    assert {e.recipient for e in emails(kind="introduction")} == {
        "maria.wanjiru@example.org", "ana.moreau@example.org"}
    flashed = html.unescape(lead.get(answer.location).text)
    assert "1 pair announced" in flashed and "1 approved pair waits" in flashed

    # The deadline passes without Carla's answer: the pair goes, and the coordinator is told.
    db.session.get(Programme, world.programme.id).consent_deadline = \
        utcnow().date() - timedelta(days=1)
    db.session.commit()
    pairs = html.unescape(lead.get(f"/coordinate/{world.slug}/pairs").text)
    assert "No answer by the deadline." in pairs
    page = html.unescape(lead.get(f"/coordinate/{world.slug}/pairs/announce").text)
    assert "1 pair whose mentor did not answer is announced too" in page
    assert "Announce 1 pair and email them" in page
    lead.post(f"/coordinate/{world.slug}/pairs/announce")
    assert status_of(world.nadia_carla) == PairingStatus.ACTIVE
    # Announced, the pair can no longer be answered.
    carla = client_of(app, world.carla.user)
    carla.post(f"/consent/{world.nadia_carla.id}", data={"accept": "Accept"})
    assert consent_of(world.nadia_carla).state == ConsentState.ASKED


def test_pairs_approved_before_asking_was_turned_on_stay_announceable(world, lead):
    approve(lead, world, world.maria_ana)
    ask_mentors(lead, world)
    approve(lead, world, world.nadia_carla)
    lead.post(f"/coordinate/{world.slug}/pairs/announce")
    assert status_of(world.maria_ana) == PairingStatus.ACTIVE
    assert status_of(world.nadia_carla) == PairingStatus.APPROVED


# ---- the reminder -------------------------------------------------------------------------

def test_mentors_who_have_not_answered_are_reminded_once_the_day_before_the_deadline(
        app, world, lead):
    deadline = utcnow().date() + timedelta(days=6)
    ask_mentors(lead, world, deadline)
    approve(lead, world, world.maria_ana)
    approve(lead, world, world.nadia_carla)
    client_of(app, world.carla.user).post(f"/consent/{world.nadia_carla.id}",
                                          data={"accept": "Accept"})
    assert send_reminders(deadline - timedelta(days=2)).consent == 0
    assert send_reminders(deadline - timedelta(days=1)).consent == 1
    db.session.commit()
    assert send_reminders(deadline - timedelta(days=1)).consent == 0
    assert send_reminders(deadline).consent == 0
    db.session.commit()
    [reminder] = emails(kind="consent-reminder")
    assert reminder.recipient == "ana.moreau@example.org" and reminder.locale == "fr"
    assert "Bonjour Ana Moreau," in reminder.body
    assert link_in(reminder).startswith("/consent/link/")
    assert f"{BASE_URL}/consent/link/" in reminder.body


# ---- a regional co-chair ------------------------------------------------------------------

def test_a_cochair_sees_her_regions_answers_and_cannot_change_the_setting(
        app, world, lead, coordinator):
    ask_mentors(lead, world)
    approve(lead, world, world.maria_ana)  # Maria, Kenya: ATU
    approve(lead, world, world.nadia_carla)  # Nadia, Senegal: ATU too
    world.nadia.country = "FR"
    world.nadia.region_id = next(r.id for r in world.programme.regions if r.code == "CEPT")
    db.session.commit()
    cochair = client_of(app, coordinator(world.programme, "ATU"))
    page = html.unescape(cochair.get(f"/coordinate/{world.slug}/consent").text)
    assert "Asked, no answer yet</dt><dd>1<" in page.replace("\n", "")
    assert 'name="deadline"' not in page
    answer = cochair.post(f"/coordinate/{world.slug}/consent", data={"deadline": ""})
    assert answer.status_code == 403
    db.session.expire_all()
    assert db.session.get(Programme, world.programme.id).mentor_consent
    pairs = html.unescape(cochair.get(f"/coordinate/{world.slug}/pairs").text)
    assert "Maria Wanjiru" in pairs and "Nadia Diallo" not in pairs
