"""Matching runs through the coordinator's pages: settings, run, re-run and its diff, scope.

Small hand-made cohorts make every expected outcome certain: each mentee wants one topic and
exactly one mentor covers it, the others lack it.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.matching import Rules
from mentoring.models import (
    AuditEvent,
    Enrolment,
    EnrolmentStatus,
    ForbiddenPair,
    MatchingRun,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    Role,
    Topic,
)
from tests.helpers import programme_edit_form

TOPICS = ["Negotiation", "Drafting contributions", "Chairing meetings",
          "IMT and mobile broadband", "Satellite regulatory procedures"]


# ---- helpers ----------------------------------------------------------------------------

def topic_id(programme: Programme, label: str) -> int:
    return next(topic.id for topic in programme.topics if topic.label == label)


@pytest.fixture
def person(make_user, make_enrolment):
    """An accepted mentee or mentor with a name, wanting or offering the given topics."""

    def make(programme, name, role=Role.MENTEE, *, topics=("Negotiation",), languages=("en",),
             status=EnrolmentStatus.ACCEPTED, **values):
        user = make_user(name=name)
        if role == Role.MENTOR:
            values.setdefault("capacity", 1)
            values.setdefault("years_experience", 10)
        return make_enrolment(programme, user, role=role, status=status,
                              languages=list(languages),
                              topic_ids=[topic_id(programme, label) for label in topics],
                              **values)

    return make


@pytest.fixture
def matching_programme(make_programme):
    """A programme in status "matching" (people are added with ``person``)."""

    def make(status=ProgrammeStatus.MATCHING, **values):
        return make_programme(status=status, topics=TOPICS, **values)

    return make


def flashes(client) -> list[str]:
    """The messages flashed since the last page was shown (and clear them)."""
    with client.session_transaction() as session:
        return [message for _category, message in session.pop("_flashes", [])]


def state() -> dict:
    """Everything matching can change, to compare before and after a refused action."""
    db.session.expire_all()
    return {
        "runs": db.session.scalar(select(func.count()).select_from(MatchingRun)),
        "pairs": db.session.execute(
            select(Pairing.id, Pairing.mentee_id, Pairing.mentor_id, Pairing.status,
                   Pairing.locked, Pairing.score, Pairing.run_id).order_by(Pairing.id)).all(),
        "live": db.session.execute(
            select(Enrolment.id, Enrolment.live_pairs).order_by(Enrolment.id)).all(),
        "forbidden": db.session.scalar(select(func.count()).select_from(ForbiddenPair)),
        "rules": db.session.execute(select(Programme.id, Programme.matching_rules)
                                    .order_by(Programme.id)).all(),
    }


def pairs_by_mentee() -> dict[int, list[Pairing]]:
    db.session.expire_all()
    out: dict[int, list[Pairing]] = {}
    for pairing in db.session.scalars(select(Pairing).order_by(Pairing.id)):
        out.setdefault(pairing.mentee_id, []).append(pairing)
    return out


def run(client, programme, **data):
    return client.post(f"/coordinate/{programme.slug}/matching/run", data=data)


def settings_form(**overrides) -> dict:
    data = {"topics": "40", "language": "15", "wishes": "15", "region": "10",
            "timezone": "10", "experience": "10", "default_region_preference": "none",
            "experience_ahead": "3", "min_experience_gap": "",
            "forbid_same_organisation": "y", "require_woman_mentor_when_asked": "y"}
    data.update(overrides)
    return data


# ---- running ----------------------------------------------------------------------------

def test_run_refused_unless_programme_is_matching(client, auth, matching_programme, person,
                                                  coordinator):
    programme = matching_programme(status=ProgrammeStatus.OPEN)
    person(programme, "Amina Diallo")
    person(programme, "Claire Martin", Role.MENTOR)
    auth.login(coordinator(programme))
    before = state()
    response = run(client, programme)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/coordinate/{programme.slug}/matching")
    assert flashes(client) == [
        'Matching runs only while the programme is in status "matching".']
    assert state() == before
    assert before["runs"] == 0 and before["pairs"] == []
    page = client.get(f"/coordinate/{programme.slug}/matching")
    assert "Run matching" not in page.text
    assert 'Matching runs when the programme is in status "matching".' \
        in html.unescape(page.text)


def test_run_without_mentors_says_so_and_stores_nothing(client, auth, matching_programme,
                                                        person, coordinator):
    programme = matching_programme()
    person(programme, "Amina Diallo")
    person(programme, "Claire Martin", Role.MENTOR, status=EnrolmentStatus.SUBMITTED)
    auth.login(coordinator(programme))
    before = state()
    assert run(client, programme).status_code == 302
    assert flashes(client) == ["Accept at least one mentor and one mentee before matching."]
    assert state() == before


def test_run_stores_settings_author_summary_and_explained_proposals(
        client, auth, matching_programme, person, coordinator):
    programme = matching_programme()
    amina = person(programme, "Amina Diallo", topics=["Negotiation"])
    # Olga speaks only Russian, which no mentor speaks.
    olga = person(programme, "Olga Ivanova", topics=["Negotiation"], languages=["ru"],
                  country="RU")
    claire = person(programme, "Claire Martin", Role.MENTOR, topics=["Negotiation"],
                    languages=["en", "fr"], country="FR")
    others = [person(programme, name, Role.MENTOR, topics=["Drafting contributions"])
              for name in ("Bruno Silva", "Chen Wei", "Dina Haddad")]
    # Not accepted: never matched.
    person(programme, "Sara Waiting", status=EnrolmentStatus.WAITLISTED)
    user = coordinator(programme, name="Grace Coordinator")
    auth.login(user)

    response = run(client, programme)
    assert response.status_code == 302
    assert f"/coordinate/{programme.slug}/jobs/" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    [message] = re.findall(r"Matching done in [^<]*", page.text)
    assert message.endswith("1 mentees matched, 1 unmatched.")
    assert f'href="/coordinate/{programme.slug}/pairs"' in page.text

    matching_run = db.session.scalar(select(MatchingRun))
    assert matching_run.run_by_id == user.id
    assert matching_run.settings == {"rules": Rules(wishes=0).to_dict(), "fair": False,
                                     "stable": False, "objective": "score"}
    assert isinstance(matching_run.duration_ms, int) and matching_run.duration_ms >= 0
    [pairing] = db.session.scalars(select(Pairing)).all()
    assert (pairing.mentee_id, pairing.mentor_id) == (amina.id, claire.id)
    assert pairing.status == PairingStatus.PROPOSED and pairing.run_id == matching_run.id
    assert pairing.change == "new" and not pairing.locked
    assert 0 < pairing.score <= 1000
    summary = matching_run.summary
    assert (summary["matched"], summary["unmatched"]) == (1, 1)
    assert summary["total"] == summary["lowest"] == pairing.score
    assert summary["mean"] == pytest.approx(pairing.score)
    assert (summary["mentees"], summary["mentors"]) == (2, 4)
    codes = {part["code"] for part in pairing.parts}
    assert {"topics", "language", "region", "timezone", "experience"} <= codes
    topics_part = next(part for part in pairing.parts if part["code"] == "topics")
    assert topics_part["value"] == 1000
    assert topics_part["names"] == [str(topic_id(programme, "Negotiation"))]
    assert {alt["mentor"] for alt in pairing.alternatives} == {e.id for e in others}
    assert [item["mentee"] for item in matching_run.unmatched] == [olga.id]
    assert matching_run.unmatched[0]["reason"] == "no_common_language"
    assert matching_run.diff == {"new": 1, "kept": 0, "changed": 0, "dropped": 0}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "matching.run"))
    assert event.actor_id == user.id and event.target_id == matching_run.id

    page = client.get(f"/coordinate/{programme.slug}/pairs")
    assert page.status_code == 200
    text = page.text
    assert "Grace Coordinator" in text
    assert "1 of 2 mentees; 1 unmatched" in text
    block = text[text.index(f'id="pair-{pairing.id}"'):text.index("Unmatched mentees")]
    assert "Amina Diallo" in block and "Claire Martin" in block
    assert "shares 1 of 1 wanted topic: Negotiation" in block
    assert f"Score {pairing.score} of 1000" in block
    alternatives = block[block.index("Next best mentors for Amina Diallo"):]
    for name in ("Bruno Silva", "Chen Wei", "Dina Haddad"):
        assert name in alternatives
    assert "Sara Waiting" not in text
    unmatched = text[text.index("Unmatched mentees"):]
    assert "Olga Ivanova" in unmatched
    assert "no mentor shares a language with her" in unmatched


def test_fair_mode_is_stored_on_the_run(client, auth, matching_programme, person, coordinator):
    programme = matching_programme()
    person(programme, "Amina Diallo")
    person(programme, "Claire Martin", Role.MENTOR)
    auth.login(coordinator(programme))
    assert run(client, programme, fair="y").status_code == 302
    matching_run = db.session.scalar(select(MatchingRun))
    assert matching_run.settings["fair"] is True
    assert matching_run.summary["matched"] == 1


def test_someone_who_applied_in_both_roles_is_never_proposed_to_herself(
        client, auth, matching_programme, person, make_user, make_enrolment, coordinator):
    programme = matching_programme()
    # Ana applied as a mentee and as a mentor, with no organisation to tell them apart; her
    # mentor application covers exactly the topic her mentee application wants.
    ana = make_user(name="Ana Both")
    ana_mentee = make_enrolment(programme, ana, role=Role.MENTEE,
                                status=EnrolmentStatus.ACCEPTED, organisation="",
                                topic_ids=[topic_id(programme, "Negotiation")])
    ana_mentor = make_enrolment(programme, ana, role=Role.MENTOR,
                                status=EnrolmentStatus.ACCEPTED, organisation="", capacity=1,
                                years_experience=10,
                                topic_ids=[topic_id(programme, "Negotiation")])
    bruno = person(programme, "Bruno Mentor", Role.MENTOR, topics=["Drafting contributions"],
                   organisation="")
    carla = person(programme, "Carla Mentee", topics=["Drafting contributions"],
                   organisation="")
    auth.login(coordinator(programme))

    assert run(client, programme).status_code == 302
    pairs = {p.mentee_id: p.mentor_id for rows in pairs_by_mentee().values() for p in rows}
    assert pairs[ana_mentee.id] != ana_mentor.id
    # Both mentees still get a mentor: Ana gets Bruno and her mentor place goes to Carla.
    assert pairs == {ana_mentee.id: bruno.id, carla.id: ana_mentor.id}


def test_when_she_is_her_only_possible_mentor_the_page_says_why_she_is_unmatched(
        client, auth, matching_programme, make_user, make_enrolment, coordinator):
    programme = matching_programme()
    ana = make_user(name="Ana Both")
    ana_mentee = make_enrolment(programme, ana, role=Role.MENTEE,
                                status=EnrolmentStatus.ACCEPTED, organisation="")
    make_enrolment(programme, ana, role=Role.MENTOR, status=EnrolmentStatus.ACCEPTED,
                   organisation="", capacity=1)
    auth.login(coordinator(programme))

    assert run(client, programme).status_code == 302
    assert pairs_by_mentee() == {}
    matching_run = db.session.scalar(select(MatchingRun))
    assert [(item["mentee"], item["reason"], item["params"]["rules"])
            for item in matching_run.unmatched] == [
        (ana_mentee.id, "no_compatible_mentor", {"same_person": 1})]
    unmatched = client.get(f"/coordinate/{programme.slug}/pairs").text
    unmatched = unmatched[unmatched.index("Unmatched mentees"):]
    assert "Ana Both" in unmatched
    assert "no mentor meets the hard rules (same person: 1)" in html.unescape(unmatched)


# ---- re-running -------------------------------------------------------------------------

def test_rerun_keeps_approved_and_locked_never_reproposes_rejected_and_counts_the_diff(
        client, auth, matching_programme, person, coordinator):
    programme = matching_programme()
    amina = person(programme, "Amina", topics=["Negotiation"])
    bea = person(programme, "Bea", topics=["Drafting contributions"])
    chloe = person(programme, "Chloe", topics=["Chairing meetings"])
    dalia = person(programme, "Dalia", topics=["IMT and mobile broadband"])
    farah = person(programme, "Farah", topics=["IMT and mobile broadband"])
    m1 = person(programme, "Mentor One", Role.MENTOR, topics=["Negotiation"])
    m2 = person(programme, "Mentor Two", Role.MENTOR, topics=["Drafting contributions"])
    m3 = person(programme, "Mentor Three", Role.MENTOR, topics=["Chairing meetings"])
    m4 = person(programme, "Mentor Four", Role.MENTOR, topics=["IMT and mobile broadband"],
                capacity=2)
    # Chloe's second best: the same topic, but no experience ahead of her.
    m5 = person(programme, "Mentor Five", Role.MENTOR, topics=["Chairing meetings"],
                years_experience=0)
    auth.login(coordinator(programme))

    assert run(client, programme).status_code == 302
    flashes(client)
    first = pairs_by_mentee()
    assert {mentee: [(p.mentor_id, p.status) for p in rows] for mentee, rows in first.items()} \
        == {amina.id: [(m1.id, PairingStatus.PROPOSED)], bea.id: [(m2.id, PairingStatus.PROPOSED)],
            chloe.id: [(m3.id, PairingStatus.PROPOSED)],
            dalia.id: [(m4.id, PairingStatus.PROPOSED)],
            farah.id: [(m4.id, PairingStatus.PROPOSED)]}
    run_one = db.session.scalar(select(MatchingRun))
    assert run_one.diff == {"new": 5, "kept": 0, "changed": 0, "dropped": 0}
    approved, locked, rejected = first[amina.id][0], first[bea.id][0], first[chloe.id][0]
    base = f"/coordinate/{programme.slug}/pairs"
    assert client.post(f"{base}/{approved.id}/approve").status_code == 302
    assert client.post(f"{base}/{locked.id}/lock").status_code == 302
    assert client.post(f"{base}/{rejected.id}/reject", data={"reason": "Met before"}
                       ).status_code == 302
    assert flashes(client) == [
        "Pair approved. Nobody is told until you announce.",
        "Pair locked: re-running keeps it.",
        "Pair rejected: the mentee is back in the pool and this pair will not be proposed "
        "again."]
    # Between the runs: Farah withdraws, Esther and a mentor for her are accepted.
    db.session.get(Enrolment, farah.id).status = EnrolmentStatus.WITHDRAWN
    esther = person(programme, "Esther", topics=["Satellite regulatory procedures"])
    m6 = person(programme, "Mentor Six", Role.MENTOR, topics=["Satellite regulatory procedures"])
    db.session.commit()

    assert run(client, programme).status_code == 302
    run_two = db.session.scalars(select(MatchingRun).order_by(MatchingRun.id.desc())).first()
    assert run_two.id != run_one.id
    assert run_two.diff == {"new": 1, "kept": 3, "changed": 1, "dropped": 1}
    second = pairs_by_mentee()
    # Approved and locked pairs are kept as they were, in the first run.
    assert [(p.id, p.status, p.run_id) for p in second[amina.id]] == [
        (approved.id, PairingStatus.APPROVED, run_one.id)]
    assert [(p.id, p.status, p.locked, p.run_id) for p in second[bea.id]] == [
        (locked.id, PairingStatus.PROPOSED, True, run_one.id)]
    # The rejected pair stays rejected and Chloe gets the other mentor of her topic.
    assert [(p.mentor_id, p.status, p.run_id, p.change, p.previous_mentor_id)
            for p in second[chloe.id]] == [
        (m3.id, PairingStatus.REJECTED, run_one.id, "new", None),
        (m5.id, PairingStatus.PROPOSED, run_two.id, "changed", m3.id)]
    assert [(p.mentor_id, p.status, p.run_id, p.change) for p in second[dalia.id]] == [
        (m4.id, PairingStatus.SUPERSEDED, run_one.id, "new"),
        (m4.id, PairingStatus.PROPOSED, run_two.id, "kept")]
    assert [(p.status, p.run_id) for p in second[farah.id]] == [
        (PairingStatus.SUPERSEDED, run_one.id)]
    assert [(p.mentor_id, p.status, p.change) for p in second[esther.id]] == [
        (m6.id, PairingStatus.PROPOSED, "new")]
    assert db.session.scalar(select(func.count()).select_from(Pairing).where(
        Pairing.run_id == run_two.id)) == 3
    assert db.session.execute(select(ForbiddenPair.mentee_id, ForbiddenPair.mentor_id,
                                     ForbiddenPair.reason)).all() == [
        (chloe.id, m3.id, "Met before")]

    page = client.get(base).text
    assert "1 new, 3 kept, 1 changed, 1 dropped" in page
    assert "changed: the previous run proposed Mentor Three" in page

    # A third run changes nothing: everyone keeps her mentor.
    assert run(client, programme).status_code == 302
    run_three = db.session.scalars(select(MatchingRun).order_by(MatchingRun.id.desc())).first()
    assert run_three.diff == {"new": 0, "kept": 5, "changed": 0, "dropped": 0}
    third = pairs_by_mentee()
    assert [p.mentor_id for p in third[chloe.id] if p.status == PairingStatus.PROPOSED] == [
        m5.id]


def pair_head(page: str, pairing: Pairing) -> str:
    """The heading of one pair on the pairs page: names, status and labels, not the score."""
    start = page.index(f'id="pair-{pairing.id}"')
    return html.unescape(page[start:page.index('class="score"', start)])


def test_rerun_does_not_label_an_approved_pair_new_in_this_run(
        client, auth, matching_programme, person, coordinator):
    programme = matching_programme()
    amina = person(programme, "Amina", topics=["Negotiation"])
    bea = person(programme, "Bea", topics=["Drafting contributions"])
    person(programme, "Mentor One", Role.MENTOR, topics=["Negotiation"])
    person(programme, "Mentor Two", Role.MENTOR, topics=["Drafting contributions"])
    auth.login(coordinator(programme))
    run(client, programme)
    [approved] = pairs_by_mentee()[amina.id]
    base = f"/coordinate/{programme.slug}/pairs"
    assert client.post(f"{base}/{approved.id}/approve").status_code == 302
    # Between the runs Chloe and a mentor for her topic are accepted.
    chloe = person(programme, "Chloe", topics=["Chairing meetings"])
    person(programme, "Mentor Three", Role.MENTOR, topics=["Chairing meetings"])

    run(client, programme)
    flashes(client)
    latest = db.session.scalars(select(MatchingRun).order_by(MatchingRun.id.desc())).first()
    # Amina's approved pair and Bea's re-proposed one are kept; Chloe's is new.
    assert latest.diff == {"new": 1, "kept": 2, "changed": 0, "dropped": 0}
    pairs = pairs_by_mentee()
    [bea_pair] = [p for p in pairs[bea.id] if p.status == PairingStatus.PROPOSED]
    [chloe_pair] = pairs[chloe.id]
    page = client.get(base).text
    assert "1 new, 2 kept, 0 changed, 0 dropped" in page
    assert "approved" in pair_head(page, approved)
    assert "new in this run" not in pair_head(page, approved)
    assert "new in this run" not in pair_head(page, bea_pair)
    assert "new in this run" in pair_head(page, chloe_pair)


def test_first_run_counts_a_pair_made_by_hand_before_it_as_kept(
        client, auth, matching_programme, person, coordinator):
    programme = matching_programme()
    amina = person(programme, "Amina", topics=["Negotiation"])
    mentor = person(programme, "Mentor One", Role.MENTOR, topics=["Negotiation"])
    person(programme, "Bea", topics=["Drafting contributions"])
    person(programme, "Mentor Two", Role.MENTOR, topics=["Drafting contributions"])
    auth.login(coordinator(programme))
    assert client.post(f"/coordinate/{programme.slug}/pairs/manual",
                       data={"mentee": amina.id, "mentor": mentor.id}).status_code == 302
    [by_hand] = pairs_by_mentee()[amina.id]

    run(client, programme)
    flashes(client)
    assert db.session.scalar(select(MatchingRun)).diff == {
        "new": 1, "kept": 1, "changed": 0, "dropped": 0}
    page = client.get(f"/coordinate/{programme.slug}/pairs").text
    assert "paired by hand" in pair_head(page, by_hand)
    assert "new in this run" not in pair_head(page, by_hand)


def test_reject_sends_the_mentee_back_to_the_pool_without_that_mentor(
        client, auth, matching_programme, person, coordinator):
    programme = matching_programme()
    amina = person(programme, "Amina", topics=["Negotiation"])
    best = person(programme, "Best Mentor", Role.MENTOR, topics=["Negotiation"])
    other = person(programme, "Other Mentor", Role.MENTOR, topics=["Drafting contributions"])
    auth.login(coordinator(programme))
    run(client, programme)
    [proposal] = pairs_by_mentee()[amina.id]
    assert proposal.mentor_id == best.id
    client.post(f"/coordinate/{programme.slug}/pairs/{proposal.id}/reject")
    run(client, programme)
    rows = pairs_by_mentee()[amina.id]
    assert [(p.mentor_id, p.status) for p in rows] == [
        (best.id, PairingStatus.REJECTED), (other.id, PairingStatus.PROPOSED)]
    # With the only other mentor rejected too, she is left unmatched, never re-proposed.
    client.post(f"/coordinate/{programme.slug}/pairs/{rows[1].id}/reject")
    run(client, programme)
    rows = pairs_by_mentee()[amina.id]
    assert [p.status for p in rows] == [PairingStatus.REJECTED, PairingStatus.REJECTED]
    latest = db.session.scalars(select(MatchingRun).order_by(MatchingRun.id.desc())).first()
    assert [item["mentee"] for item in latest.unmatched] == [amina.id]
    assert latest.unmatched[0]["reason"] == "no_compatible_mentor"
    assert "forbidden by a coordinator: 2" in client.get(
        f"/coordinate/{programme.slug}/pairs").text


def test_rerun_supersedes_unlocked_proposals_and_approving_one_is_refused(
        client, auth, matching_programme, person, coordinator):
    programme = matching_programme()
    person(programme, "Amina", topics=["Negotiation"])
    person(programme, "Best Mentor", Role.MENTOR, topics=["Negotiation"])
    auth.login(coordinator(programme))
    run(client, programme)
    old = db.session.scalar(select(Pairing))
    run(client, programme)
    flashes(client)
    db.session.expire_all()
    assert db.session.get(Pairing, old.id).status == PairingStatus.SUPERSEDED
    before = state()
    assert client.post(f"/coordinate/{programme.slug}/pairs/{old.id}/approve"
                       ).status_code == 302
    assert flashes(client) == [
        "A newer matching run replaced this proposal. Review the new one."]
    assert state() == before


# ---- settings ---------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["150", "-1", "", "ten"])
def test_weight_out_of_range_is_a_field_error_and_nothing_is_saved(
        client, auth, matching_programme, coordinator, bad):
    programme = matching_programme()
    auth.login(coordinator(programme))
    before = state()
    response = client.post(f"/coordinate/{programme.slug}/matching",
                           data=settings_form(topics=bad, language="80"))
    assert response.status_code == 200
    assert "Give a number from 0 to 100." in response.text
    assert "Matching settings saved." not in response.text
    assert state() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "matching.settings")) == 0


def test_all_weights_zero_is_refused_with_a_message(client, auth, matching_programme,
                                                    coordinator):
    programme = matching_programme()
    auth.login(coordinator(programme))
    before = state()
    zero = {name: "0" for name in ("topics", "language", "wishes", "region", "timezone",
                                    "experience")}
    response = client.post(f"/coordinate/{programme.slug}/matching", data=settings_form(**zero))
    assert response.status_code == 200
    assert "These settings are not valid: at least one weight must be above 0" \
        in response.text
    assert state() == before


def test_good_weights_are_saved_and_used_by_the_next_run(client, auth, matching_programme,
                                                         person, coordinator):
    programme = matching_programme()
    person(programme, "Amina", topics=["Negotiation"], languages=["en", "fr"])
    person(programme, "Claire", Role.MENTOR, topics=["Negotiation"], languages=["fr"],
           years_experience=0)
    auth.login(coordinator(programme))
    only_topics = settings_form(topics="100", language="0", wishes="0", region="0",
                                timezone="0", experience="0", experience_ahead="5",
                                min_experience_gap="", forbid_same_organisation="",
                                require_woman_mentor_when_asked="y")
    del only_topics["forbid_same_organisation"]
    response = client.post(f"/coordinate/{programme.slug}/matching", data=only_topics)
    assert response.status_code == 302
    assert flashes(client) == ["Matching settings saved."]
    db.session.expire_all()
    expected = Rules(topics=100, language=0, wishes=0, region=0, timezone=0, experience=0,
                     experience_ahead=5.0, forbid_same_organisation=False).to_dict()
    assert db.session.get(Programme, programme.id).matching_rules == expected
    page = client.get(f"/coordinate/{programme.slug}/matching").text
    assert 'value="100"' in page

    run(client, programme)
    matching_run = db.session.scalar(select(MatchingRun))
    assert matching_run.settings["rules"] == expected
    # Only topics count now, and she shares her only wanted topic: a full score.
    assert db.session.scalar(select(Pairing.score)) == 1000


def test_regional_co_chair_cannot_change_settings_or_run(client, auth, matching_programme,
                                                         person, coordinator):
    programme = matching_programme()
    person(programme, "Amina", country="KE")
    person(programme, "Claire", Role.MENTOR, country="FR")
    auth.login(coordinator(programme, "ATU"))
    before = state()
    page = client.get(f"/coordinate/{programme.slug}/matching")
    assert page.status_code == 200
    assert "you review and act on your region" in page.text
    assert "Save settings" not in page.text
    response = client.post(f"/coordinate/{programme.slug}/matching",
                           data=settings_form(topics="90"))
    assert response.status_code == 403
    assert run(client, programme).status_code == 403
    assert state() == before


# ---- scope ------------------------------------------------------------------------------

def test_coordinator_of_another_programme_cannot_run_or_see(client, auth, matching_programme,
                                                            person, coordinator):
    programme = matching_programme()
    other = matching_programme()
    person(programme, "Amina")
    person(programme, "Claire", Role.MENTOR)
    auth.login(coordinator(other))
    before = state()
    assert run(client, programme).status_code == 403
    assert client.post(f"/coordinate/{programme.slug}/matching",
                       data=settings_form(topics="90")).status_code == 403
    assert client.get(f"/coordinate/{programme.slug}/matching").status_code == 403
    assert client.get(f"/coordinate/{programme.slug}/pairs").status_code == 403
    assert state() == before


def test_participant_gets_403_and_anonymous_is_sent_to_sign_in(
        client, auth, matching_programme, person):
    programme = matching_programme()
    amina = person(programme, "Amina")
    person(programme, "Claire", Role.MENTOR)
    before = state()
    for path in ("matching", "pairs"):
        response = client.get(f"/coordinate/{programme.slug}/{path}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = run(client, programme)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login(amina.user)
    assert run(client, programme).status_code == 403
    assert client.get(f"/coordinate/{programme.slug}/matching").status_code == 403
    assert client.post(f"/coordinate/{programme.slug}/matching",
                       data=settings_form(topics="90")).status_code == 403
    assert state() == before


def test_admin_may_run_matching(client, auth, matching_programme, person, make_user):
    programme = matching_programme()
    person(programme, "Amina")
    person(programme, "Claire", Role.MENTOR)
    admin = make_user(admin=True)
    auth.login(admin)
    assert run(client, programme).status_code == 302
    assert db.session.scalar(select(MatchingRun.run_by_id)) == admin.id


def test_supply_table_counts_accepted_people_per_region(client, auth, matching_programme,
                                                        person, coordinator):
    programme = matching_programme()
    person(programme, "Amina", country="KE")
    person(programme, "Nadia", country="EG")
    person(programme, "Waiting", country="EG", status=EnrolmentStatus.SUBMITTED)
    person(programme, "Claire", Role.MENTOR, country="FR", capacity=3)
    auth.login(coordinator(programme))
    page = client.get(f"/coordinate/{programme.slug}/matching").text
    for code, mentees, mentors, places in (("ATU", 1, 0, 0), ("ASMG", 1, 0, 0),
                                           ("CEPT", 0, 1, 3)):
        assert (f'<th scope="row">{code}</th><td>{mentees}</td><td>{mentors}</td>'
                f"<td>{places}</td>") in page


def test_a_renamed_topic_still_matches_and_shows_its_current_name(
        app, client, auth, matching_programme, person, coordinator, make_user):
    programme = matching_programme()
    amina = person(programme, "Amina Diallo", topics=["Negotiation"])
    claire = person(programme, "Claire Martin", Role.MENTOR, topics=["Negotiation"])
    person(programme, "Bruno Silva", Role.MENTOR, topics=["Drafting contributions"])
    negotiation = topic_id(programme, "Negotiation")
    admin = make_user(admin=True)
    auth.login(admin)
    renamed = client.post(f"/admin/programmes/{programme.slug}/edit", data=programme_edit_form(
        programme, labels={negotiation: "Negotiation skills"}))
    assert renamed.status_code == 302
    auth.logout()

    auth.login(coordinator(programme))
    assert run(client, programme).status_code == 302
    [pairing] = db.session.scalars(select(Pairing)).all()
    assert (pairing.mentee_id, pairing.mentor_id) == (amina.id, claire.id)
    topics_part = next(part for part in pairing.parts if part["code"] == "topics")
    assert topics_part["value"] == 1000 and topics_part["names"] == [str(negotiation)]
    page = html.unescape(client.get(f"/coordinate/{programme.slug}/pairs").text)
    assert "shares 1 of 1 wanted topic: Negotiation skills" in page
    # The stored explanation follows a later rename too.
    db.session.expire_all()
    db.session.get(Topic, negotiation).label = "Negotiating"
    db.session.commit()
    page = html.unescape(client.get(f"/coordinate/{programme.slug}/pairs").text)
    assert "shares 1 of 1 wanted topic: Negotiating" in page
    exported = client.get(f"/coordinate/{programme.slug}/pairs.csv").get_data(as_text=True)
    assert "shares 1 of 1 wanted topic: Negotiating" in exported


def test_a_run_reads_every_accepted_application_as_written(
        matching_programme, person, make_user, make_enrolment):
    """The run loads applicants as plain columns; each profile must say what the application
    says (ranked topics, languages, region, gender, wishes), as one enrolment read alone."""
    from mentoring.gender import Gender
    from mentoring.models import RegionPreference
    from mentoring.services.matching import applicant_profiles, to_profile

    programme = matching_programme()
    amina = person(programme, "Amina", topics=["Chairing meetings", "Negotiation",
                                               "Drafting contributions"],
                   languages=("fr", "en", "ar"), country="FR", organisation="ANFR",
                   region_preference=RegionPreference.OTHER, wants_woman_mentor=True)
    claire = person(programme, "Claire", Role.MENTOR, languages=("en", "es"), country="BR",
                    topics=["Drafting contributions", "Negotiation"], capacity=3,
                    gender=Gender.WOMAN, years_experience=22)
    bruno = person(programme, "Bruno", Role.MENTOR, topics=["Negotiation"])
    person(programme, "Sara Waiting", status=EnrolmentStatus.SUBMITTED)
    # Someone who applied in both roles is one person to the engine.
    both = make_user(name="Dina Both")
    dina_mentee = make_enrolment(programme, both, status=EnrolmentStatus.ACCEPTED,
                                 topic_ids=[topic_id(programme, "Negotiation")])
    dina_mentor = make_enrolment(programme, both, role=Role.MENTOR,
                                 status=EnrolmentStatus.ACCEPTED,
                                 topic_ids=[topic_id(programme, "Negotiation")])
    db.session.expire_all()

    mentors, mentees = applicant_profiles(programme)
    assert mentors == [to_profile(db.session.get(Enrolment, e.id))
                       for e in (claire, bruno, dina_mentor)]
    assert mentees == [to_profile(db.session.get(Enrolment, e.id)) for e in (amina, dina_mentee)]
    first = mentees[0]
    assert first.topics == tuple(str(topic_id(programme, label)) for label in (
        "Chairing meetings", "Negotiation", "Drafting contributions"))
    assert set(first.languages) == {"fr", "en", "ar"} and first.region_preference == "other"
    assert first.wants_woman_mentor and first.name == "Amina"
    assert mentors[0].gender == "woman" and mentors[0].capacity == 3
    assert mentors[2].person == mentees[1].person == both.id
