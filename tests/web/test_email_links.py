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
