"""Rematch the waiting, and never the same pair twice, through the coordinators' pages.

Small hand-made programmes make every outcome certain: who waits (and who does not), which
free place each waiting mentee gets, and who is never proposed again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import (
    Enrolment,
    EnrolmentStatus,
    MatchingRun,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    Role,
)
from mentoring.models._types import utcnow
from tests.helpers import programme_edit_form, text
from tests.web.test_pair_life_cycle import signed_in


@pytest.fixture
def people(make_programme, make_enrolment, make_user):
    """people(programme) -> add(name, role, ...) making accepted applicants by name."""

    def start(programme):
        made: dict[str, Enrolment] = {}

        def add(name, role=Role.MENTEE, *, country="KE", capacity=None, accepted_days_ago=5,
                user=None, topic=0):
            values = {"capacity": capacity} if role == Role.MENTOR else {}
            enrolment = make_enrolment(programme, user or make_user(name=name), role=role,
                                       status=EnrolmentStatus.ACCEPTED, country=country,
                                       topic_ids=[programme.topics[topic].id], **values)
            enrolment.decided_at = utcnow() - timedelta(days=accepted_days_ago)
            db.session.commit()
            made[name] = enrolment
            return enrolment

        return made, add

    return start


def pair(programme, mentee, mentor, status=PairingStatus.ACTIVE, *, ended_days_ago=None,
         rematch=False, ended_by=None):
    """A pair straight in the database; a live one takes its places."""
    pairing = Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor.id,
                      status=status, source="manual", score=700, rematch_requested=rematch)
    if ended_days_ago is not None:
        pairing.ended_at = utcnow() - timedelta(days=ended_days_ago)
        pairing.ended_by_id = (ended_by or mentee).user_id
    if status in (PairingStatus.APPROVED, PairingStatus.ACTIVE):
        mentee.live_pairs += 1
        mentor.live_pairs += 1
    db.session.add(pairing)
    db.session.commit()
    return pairing


def proposals(programme) -> dict[str, str]:
    """Open proposals as mentee name -> mentor name."""
    db.session.expire_all()
    rows = db.session.scalars(select(Pairing).where(
        Pairing.programme_id == programme.id, Pairing.status == PairingStatus.PROPOSED))
    return {p.mentee.user.name: p.mentor.user.name for p in rows}


@pytest.fixture
def running(make_programme, people):
    """A running programme: Amina at work with Carlos (2 places); Beatriz's pair with Dora
    ended 30 days ago and she asked to be matched again; Chen ended his without asking;
    Fatou completed hers; Esi was accepted late (2 days ago); Gloria's mentor Hugo ended
    their pair 10 days ago."""
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    made, add = people(programme)
    carlos = add("Carlos Mendes", Role.MENTOR, country="BR", capacity=2)
    dora = add("Dora Mensah", Role.MENTOR, country="GH", capacity=1)
    hugo = add("Hugo Laurent", Role.MENTOR, country="FR", capacity=1)
    pair(programme, add("Amina Diallo", accepted_days_ago=60), carlos)
    pair(programme, add("Beatriz Silva", country="BR", accepted_days_ago=60), dora,
         PairingStatus.ENDED, ended_days_ago=30, rematch=True)
    pair(programme, add("Chen Wei", country="CN", accepted_days_ago=60), dora,
         PairingStatus.ENDED, ended_days_ago=20)
    pair(programme, add("Fatou Ndiaye", country="SN", accepted_days_ago=60), hugo,
         PairingStatus.COMPLETED, ended_days_ago=3)
    add("Esi Owusu", country="GH", accepted_days_ago=2)
    pair(programme, add("Gloria Ruiz", country="MX", accepted_days_ago=60), hugo,
         PairingStatus.ENDED, ended_days_ago=10, ended_by=hugo)
    return programme, made


def test_the_pairs_page_says_how_many_wait_and_since_when_and_lists_them(app, running,
                                                                         coordinator):
    programme, made = running
    client = signed_in(app, coordinator(programme))
    page = text(client.get(f"/coordinate/{programme.slug}/pairs"))
    # Beatriz's pair ended 30 days ago (the day as the reader's time zone has it).
    since = (utcnow() - timedelta(days=30)).date()
    assert any(f"3 mentees are waiting for a mentor, the longest since "
               f"{format_date(day, 'medium', locale='en')}." in page
               for day in (since - timedelta(days=1), since, since + timedelta(days=1)))
    assert "Rematch the waiting" in page

    page = text(client.get(f"/coordinate/{programme.slug}/waiting"))
    body = page.split("<tbody>", 1)[1]
    # Longest waiting first; who declined, completed or is at work does not wait.
    assert body.index("Beatriz Silva") < body.index("Gloria Ruiz") < body.index("Esi Owusu")
    for name in ("Amina Diallo", "Chen Wei", "Fatou Ndiaye"):
        assert name not in body
    assert "her pair ended; to be matched again" in body and "no mentor yet" in body


def test_rematch_proposes_only_for_the_waiting_on_free_places_without_previous_partners(
        app, running, coordinator):
    programme, made = running
    client = signed_in(app, coordinator(programme))
    response = client.post(f"/coordinate/{programme.slug}/waiting/rematch")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Rematch: 3 of 3 waiting mentees have a proposal." in page
    # Free places: Carlos 1 (Amina holds the other), Dora 1, Hugo 1 (Fatou completed).
    # Beatriz is not proposed Dora again, nor Gloria Hugo.
    got = proposals(programme)
    assert set(got) == {"Beatriz Silva", "Esi Owusu", "Gloria Ruiz"}
    assert got["Beatriz Silva"] != "Dora Mensah" and got["Gloria Ruiz"] != "Hugo Laurent"
    assert sorted(got.values()) == ["Carlos Mendes", "Dora Mensah", "Hugo Laurent"]
    amina = db.session.scalar(select(Pairing).where(Pairing.mentee_id == made["Amina Diallo"].id))
    assert amina.status == PairingStatus.ACTIVE and amina.mentor_id == made["Carlos Mendes"].id
    run = db.session.scalars(select(MatchingRun)).one()
    assert run.settings["rematch"] and run.summary["waiting"] == 3
    assert "rematched: waiting since" in page and "1 of 3 by time waited" in page
    assert "rematch of 3 waiting mentees" in page

    # With a proposal each, nobody waits; the proposals go through the usual approval, and
    # a rejected one puts its mentee back among the waiting.
    assert "No mentee is waiting" in text(client.get(f"/coordinate/{programme.slug}/waiting"))
    beatriz, esi = (db.session.scalar(select(Pairing).where(
        Pairing.mentee_id == made[name].id, Pairing.status == PairingStatus.PROPOSED))
        for name in ("Beatriz Silva", "Esi Owusu"))
    client.post(f"/coordinate/{programme.slug}/pairs/{beatriz.id}/approve")
    client.post(f"/coordinate/{programme.slug}/pairs/{esi.id}/reject", data={"reason": "no"})
    db.session.expire_all()
    assert db.session.get(Pairing, beatriz.id).status == PairingStatus.APPROVED
    page = text(client.get(f"/coordinate/{programme.slug}/waiting"))
    assert "1 mentee waiting" in page and "Esi Owusu" in page.split("<tbody>", 1)[1]


def test_when_places_are_scarce_the_longest_waiting_is_matched_first(app, make_programme,
                                                                     people, coordinator):
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    _, add = people(programme)
    add("Carlos Mendes", Role.MENTOR, country="BR", capacity=1, topic=0)
    add("Esi Owusu", accepted_days_ago=1, topic=0)  # the better fit, accepted yesterday
    add("Beatriz Silva", country="BR", accepted_days_ago=40, topic=1)
    client = signed_in(app, coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/waiting/rematch")
    assert proposals(programme) == {"Beatriz Silva": "Carlos Mendes"}
    run = db.session.scalars(select(MatchingRun)).one()
    assert run.unmatched[0]["reason"] == "compatible_mentors_full"


def test_a_place_held_by_an_open_proposal_is_not_rematched_to_someone_else(
        app, make_programme, people, coordinator):
    programme = make_programme(status=ProgrammeStatus.MATCHING)
    _, add = people(programme)
    add("Carlos Mendes", Role.MENTOR, country="BR", capacity=1)
    add("Amina Diallo", topic=0)
    add("Esi Owusu", topic=1)
    client = signed_in(app, coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/matching/run")
    assert proposals(programme) == {"Amina Diallo": "Carlos Mendes"}
    # Esi waits, but Carlos's one place is Amina's while the coordinators decide on it.
    response = client.post(f"/coordinate/{programme.slug}/waiting/rematch")
    assert "Rematch: 0 of 1 waiting mentees have a proposal." in text(
        client.get(response.headers["Location"]))
    assert proposals(programme) == {"Amina Diallo": "Carlos Mendes"}


def test_a_coordinator_ending_a_pair_decides_whether_the_mentee_waits(app, running,
                                                                      coordinator):
    programme, made = running
    client = signed_in(app, coordinator(programme))
    amina = db.session.scalar(select(Pairing).where(Pairing.mentee_id == made["Amina Diallo"].id))
    assert "Match Amina Diallo again" in text(client.get(f"/coordinate/{programme.slug}/activity"))
    client.post(f"/coordinate/{programme.slug}/pairs/{amina.id}/end",
                data={"reason": "Carlos moved on.", "rematch": "y"})
    page = text(client.get(f"/coordinate/{programme.slug}/waiting"))
    assert "Amina Diallo" in page.split("<tbody>", 1)[1] and "4 mentees waiting" in page


def test_a_coordinator_ending_without_the_tick_leaves_the_mentee_out(app, running, coordinator):
    programme, made = running
    client = signed_in(app, coordinator(programme))
    amina = db.session.scalar(select(Pairing).where(Pairing.mentee_id == made["Amina Diallo"].id))
    client.post(f"/coordinate/{programme.slug}/pairs/{amina.id}/end",
                data={"reason": "She left the administration."})
    assert "Amina Diallo" not in text(client.get(f"/coordinate/{programme.slug}/waiting"))


def test_a_full_run_does_not_propose_mentees_who_did_not_ask_to_be_matched_again(
        app, running, people, coordinator):
    programme, made = running
    programme.status = ProgrammeStatus.MATCHING
    db.session.commit()
    _, add = people(programme)
    add("Ines Costa", Role.MENTOR, country="PT", capacity=4)
    client = signed_in(app, coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/matching/run")
    # Chen ended his pair without asking and Fatou completed hers: like a rematch, the run
    # leaves them out, and says so; Amina keeps her mentor.
    assert set(proposals(programme)) == {"Beatriz Silva", "Esi Owusu", "Gloria Ruiz"}
    page = text(client.get(f"/coordinate/{programme.slug}/pairs"))
    assert "4 of 4 mentees; 0 unmatched" in page
    assert "2 mentees are not matched again: their pair ended or was completed and they did " \
           "not ask for another mentor." in page


def test_a_co_chair_sees_her_regions_waiting_and_cannot_rematch(app, running, coordinator):
    programme, made = running
    # KE, GH and SN are in ATU; BR and MX in CITEL.
    client = signed_in(app, coordinator(programme, "ATU"))
    page = text(client.get(f"/coordinate/{programme.slug}/waiting"))
    body = page.split("<tbody>", 1)[1]
    assert "Esi Owusu" in body
    assert "Beatriz Silva" not in body and "Gloria Ruiz" not in body
    assert "Rematch the waiting" not in page
    assert "The programme's coordinators rematch" in page
    assert client.post(f"/coordinate/{programme.slug}/waiting/rematch").status_code == 403
    assert proposals(programme) == {}
    assert "Rematch the waiting" not in text(client.get(f"/coordinate/{programme.slug}/pairs"))


def test_rematch_is_refused_before_the_programme_matches(app, make_programme, people,
                                                         coordinator):
    programme = make_programme(status=ProgrammeStatus.OPEN)
    _, add = people(programme)
    add("Carlos Mendes", Role.MENTOR, country="BR", capacity=1)
    add("Esi Owusu")
    client = signed_in(app, coordinator(programme))
    page = text(client.get(f"/coordinate/{programme.slug}/waiting"))
    assert "rematched only while the programme is matching or running" in page
    response = client.post(f"/coordinate/{programme.slug}/waiting/rematch",
                           follow_redirects=True)
    assert "rematched only while the programme is matching or running" in text(response)
    assert proposals(programme) == {}


def test_nobody_waiting_is_an_empty_list(app, make_programme, coordinator):
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    client = signed_in(app, coordinator(programme))
    assert "No mentee is waiting for a mentor." in text(
        client.get(f"/coordinate/{programme.slug}/waiting"))


# ---- never the same pair twice ------------------------------------------------------------

@pytest.fixture
def next_cycle(make_programme, people, make_user):
    """Amina was Carlos's mentee in the previous cycle (completed); both applied again, with
    Dora, a mentor whose topics fit Amina less."""

    def make(new_partners_only: bool):
        amina, carlos = make_user(name="Amina Diallo"), make_user(name="Carlos Mendes")
        before = make_programme(status=ProgrammeStatus.CLOSED)
        _, add = people(before)
        pair(before, add("Amina Diallo", user=amina), add("Carlos Mendes", Role.MENTOR,
                                                           user=carlos, capacity=1),
             PairingStatus.COMPLETED, ended_days_ago=200)
        programme = make_programme(status=ProgrammeStatus.MATCHING,
                                   new_partners_only=new_partners_only)
        programme.previous_id = before.id
        db.session.commit()
        _, add = people(programme)
        add("Amina Diallo", user=amina, topic=0)
        add("Carlos Mendes", Role.MENTOR, user=carlos, capacity=1, topic=0)
        add("Dora Mensah", Role.MENTOR, capacity=1, topic=1)
        return programme

    return make


def test_new_partners_only_never_proposes_an_earlier_pair_and_says_so(app, next_cycle,
                                                                      coordinator):
    programme = next_cycle(True)
    client = signed_in(app, coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/matching/run")
    assert proposals(programme) == {"Amina Diallo": "Dora Mensah"}
    page = text(client.get(f"/coordinate/{programme.slug}/pairs"))
    assert "not proposed again: Carlos Mendes (paired before)" in page
    assert "paired before" in page.split("Next best mentors", 1)[1]


def test_without_new_partners_only_the_earlier_pair_may_meet_again(app, next_cycle,
                                                                   coordinator):
    programme = next_cycle(False)
    client = signed_in(app, coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/matching/run")
    assert proposals(programme) == {"Amina Diallo": "Carlos Mendes"}
    assert "paired before" not in text(client.get(f"/coordinate/{programme.slug}/pairs"))


def test_an_earlier_partner_left_out_is_named_in_the_unmatched_reason(app, next_cycle,
                                                                      coordinator):
    programme = next_cycle(True)
    dora = db.session.scalar(select(Enrolment).where(
        Enrolment.programme_id == programme.id, Enrolment.role == Role.MENTOR,
        Enrolment.capacity == 1).order_by(Enrolment.id.desc()))
    dora.status = EnrolmentStatus.WITHDRAWN
    db.session.commit()
    client = signed_in(app, coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/matching/run")
    assert proposals(programme) == {}
    page = text(client.get(f"/coordinate/{programme.slug}/pairs"))
    assert "no mentor meets the hard rules (paired before: 1); not proposed again: " \
           "Carlos Mendes (paired before)" in page


def test_an_admin_turns_new_partners_only_off_and_a_new_cycle_keeps_her_choice(
        app, make_programme, make_user):
    programme = make_programme(status=ProgrammeStatus.CLOSED)
    assert programme.new_partners_only
    admin = signed_in(app, make_user(admin=True))
    page = text(admin.get(f"/admin/programmes/{programme.slug}/edit"))
    assert "New partners only" in page
    form = programme_edit_form(programme)
    del form["new_partners_only"]
    assert admin.post(f"/admin/programmes/{programme.slug}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert not db.session.get(Programme, programme.id).new_partners_only
    admin.post(f"/admin/programmes/{programme.slug}/copy",
               data={"name": "Next cycle", "slug": "next-cycle"})
    copy = db.session.scalar(select(Programme).where(Programme.slug == "next-cycle"))
    assert copy.previous_id == programme.id and not copy.new_partners_only


def test_before_the_first_run_every_mentee_waits_for_it_not_for_a_rematch(
        app, make_programme, people, coordinator):
    programme = make_programme(status=ProgrammeStatus.MATCHING)
    _, add = people(programme)
    add("Carlos Mendes", Role.MENTOR, country="BR", capacity=1)
    add("Esi Owusu")
    client = signed_in(app, coordinator(programme))
    assert "waiting for a mentor" not in text(client.get(f"/coordinate/{programme.slug}/pairs"))
    page = text(client.get(f"/coordinate/{programme.slug}/waiting"))
    assert "Run matching first" in page and "Rematch the waiting" not in page
    client.post(f"/coordinate/{programme.slug}/waiting/rematch")
    assert proposals(programme) == {}
