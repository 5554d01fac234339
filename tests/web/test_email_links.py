"""Every email links to the page it is about, on the configured site."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentoring.extensions import db
from mentoring.models import EnrolmentStatus, Pairing, PairingStatus, ProgrammeStatus, Role
from mentoring.models._types import utcnow
from mentoring.services import pairings
from mentoring.services.reminders import send_reminders
from mentoring.services.scope import Scope
from tests.helpers import emails, link_in


@pytest.fixture
def app_config():
    return {"BASE_URL": "https://mentoring.example.int"}


@pytest.fixture
def pair(make_programme, make_enrolment, make_user):
    programme = make_programme(status=ProgrammeStatus.MATCHING)
    mentee = make_enrolment(programme, make_user(name="Amina Diallo"),
                            status=EnrolmentStatus.ACCEPTED)
    mentor = make_enrolment(programme, make_user(name="Grace Ortiz"), role=Role.MENTOR,
                            status=EnrolmentStatus.ACCEPTED)
    pairing = Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor.id,
                      status=PairingStatus.APPROVED, score=700, decided_at=utcnow())
    mentee.live_pairs = mentor.live_pairs = 1
    db.session.add(pairing)
    db.session.commit()
    return pairing


def test_the_introduction_links_to_the_pairs_page(client, auth, make_user, pair):
    pairings.announce(make_user(admin=True), Scope(pair.mentee.programme))
    db.session.commit()
    (to_mentee,) = emails("introduction", to=pair.mentee.user.email)
    assert "https://mentoring.example.int/pairs/" in to_mentee.body
    auth.login(pair.mentee.user)
    page = client.get(link_in(to_mentee))
    assert page.status_code == 200 and "Grace Ortiz" in page.text


def test_reminders_link_to_the_pair_and_the_digest_to_pairs_at_work(
        client, auth, coordinator, pair):
    programme = pair.mentee.programme
    pair.status, pair.announced_at = PairingStatus.ACTIVE, utcnow() - timedelta(days=20)
    programme.status = ProgrammeStatus.RUNNING
    chair = coordinator(programme)
    db.session.commit()
    send_reminders(utcnow().date())
    db.session.commit()
    (nudge,) = emails("reminder-never-met", to=pair.mentor.user.email)
    assert link_in(nudge) == f"/pairs/{pair.id}"
    (digest,) = emails("reminder-digest", to=chair.email)
    auth.login(chair)
    page = client.get(link_in(digest))
    assert page.status_code == 200 and "Amina Diallo" in page.text


def test_a_decision_links_to_my_programmes(client, auth, coordinator, make_programme,
                                           make_enrolment):
    programme = make_programme()
    enrolment = make_enrolment(programme)
    auth.login(coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/applications/decide",
                data={"ids": [enrolment.id], "decision": "accepted"})
    (decision,) = emails("decision")
    assert link_in(decision) == "/me/programmes"


def test_the_introduction_tells_each_person_all_about_the_partner_in_her_own_language(
        make_programme, make_enrolment, make_user):
    programme = make_programme(status=ProgrammeStatus.MATCHING, guidance="Meet every month.")
    first, second = programme.topics[0], programme.topics[1]
    mentee = make_enrolment(programme, make_user(name="Amina Diallo", locale="fr"),
                            status=EnrolmentStatus.ACCEPTED, languages=["fr", "en"],
                            topic_ids=[second.id, first.id], organisation="CA Kenya")
    mentor = make_enrolment(programme, make_user(name="Grace Ortiz"), role=Role.MENTOR,
                            status=EnrolmentStatus.ACCEPTED, country="BR",
                            languages=["es", "en"], timezone="America/Sao_Paulo",
                            topic_ids=[first.id], organisation="Anatel")
    pairing = Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor.id,
                      status=PairingStatus.APPROVED, score=700, decided_at=utcnow())
    mentee.live_pairs = mentor.live_pairs = 1
    db.session.add(pairing)
    db.session.commit()
    assert pairings.announce(make_user(admin=True), Scope(programme)) == 1
    db.session.commit()

    (to_mentor,) = emails("introduction", to=mentor.user.email)
    assert (to_mentor.subject, to_mentor.locale) == (f"{programme.name}: meet your mentee", "en")
    assert to_mentor.body == (
        "Hello Grace Ortiz,\n\n"
        f"The coordinators of {programme.name} have paired you with a mentee, Amina Diallo.\n\n"
        f"Email: {mentee.user.email}\n"
        "Country: Kenya · CA Kenya\n"
        "Languages: English, French\n"
        "Time zone: Africa/Nairobi — Kenya Time\n"
        f"Wanted topics: {second.label}, {first.label}\n\n"
        "Meet every month.\n\n"
        "Please write to each other this week to plan your first session. Your pair is on "
        "your \"My programmes\" page.\n"
        f"https://mentoring.example.int/pairs/{pairing.id}\n")
    # She reads hers in French, about her mentor's Brazil, Spanish and English.
    (to_mentee,) = emails("introduction", to=mentee.user.email)
    assert to_mentee.locale == "fr"
    assert "Grace Ortiz" in to_mentee.body and mentor.user.email in to_mentee.body
    assert "Brésil · Anatel" in to_mentee.body
    assert "Anglais, Espagnol" in to_mentee.body
    assert first.label in to_mentee.body
    assert to_mentee.body.endswith(f"https://mentoring.example.int/pairs/{pairing.id}\n")
