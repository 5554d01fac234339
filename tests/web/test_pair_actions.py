"""What coordinators do with pairs: approve, approve above, reject, lock, forbid, pair by hand,
swap, announce; what people then see; the CSV export, the audit log, scope and query count.

Every refusal is checked twice: the message the coordinator reads, and the database unchanged.
"""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from mentoring.extensions import db
from mentoring.models import (
    AuditEvent,
    Enrolment,
    EnrolmentStatus,
    ForbiddenPair,
    MatchingRun,
    OutboxEmail,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    Role,
)
from mentoring.permissions import Scope
from mentoring.services import Refused, pair_views, pairings
from tests.helpers import emails, statements_of_page

TOPICS = ["Negotiation", "Drafting contributions", "Chairing meetings",
          "IMT and mobile broadband", "Satellite regulatory procedures"]


# ---- helpers ----------------------------------------------------------------------------

def topic_id(programme: Programme, label: str) -> int:
    return next(topic.id for topic in programme.topics if topic.label == label)


@pytest.fixture
def person(make_user, make_enrolment):
    """An accepted mentee or mentor with a name, wanting or offering the given topics."""

    def make(programme, name, role=Role.MENTEE, *, topics=("Negotiation",), languages=("en",),
             status=EnrolmentStatus.ACCEPTED, email=None, **values):
        user = make_user(email, name=name)
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


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def state() -> dict:
    """Everything a pair action can change, to compare before and after a refusal."""
    db.session.expire_all()
    return {
        "pairs": db.session.execute(
            select(Pairing.id, Pairing.mentee_id, Pairing.mentor_id, Pairing.status,
                   Pairing.locked, Pairing.score, Pairing.override_reason)
            .order_by(Pairing.id)).all(),
        "live": db.session.execute(
            select(Enrolment.id, Enrolment.live_pairs).order_by(Enrolment.id)).all(),
        "runs": count(MatchingRun),
        "forbidden": count(ForbiddenPair),
        "emails": count(OutboxEmail),
        "audit": count(AuditEvent),
    }


def live(enrolment) -> int:
    db.session.expire_all()
    return db.session.get(Enrolment, enrolment.id).live_pairs


def pairing_of(mentee, status=PairingStatus.PROPOSED) -> Pairing | None:
    db.session.expire_all()
    return db.session.scalars(select(Pairing).where(
        Pairing.mentee_id == mentee.id, Pairing.status == status).order_by(Pairing.id)).first()


def run_matching(client, programme) -> None:
    response = client.post(f"/coordinate/{programme.slug}/matching/run")
    assert response.status_code == 302, response.text
    assert "/jobs/" in response.headers["Location"], flashes(client)
    assert "Matching done in" in client.get(response.headers["Location"]).text


def proposal(programme, mentee, mentor, score=500) -> Pairing:
    """A proposal written straight to the database (as a run would)."""
    pairing = Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor.id,
                      score=score, status=PairingStatus.PROPOSED)
    db.session.add(pairing)
    db.session.commit()
    return pairing


def url(programme, rest: str) -> str:
    return f"/coordinate/{programme.slug}/{rest}"


@pytest.fixture
def two_pairs(matching_programme, person, coordinator, auth, client):
    """Amina (KE) and Nadia (EG), each proposed with the one mentor of her topic."""
    programme = matching_programme()
    people = {
        "amina": person(programme, "Amina Diallo", topics=["Negotiation"], country="KE"),
        "nadia": person(programme, "Nadia Hassan", topics=["Drafting contributions"],
                        country="EG"),
        "claire": person(programme, "Claire Martin", Role.MENTOR, topics=["Negotiation"],
                         country="FR"),
        "bruno": person(programme, "Bruno Silva", Role.MENTOR,
                        topics=["Drafting contributions"], country="BR"),
    }
    user = coordinator(programme, name="Grace Coordinator")
    auth.login(user)
    run_matching(client, programme)
    people["programme"] = programme
    people["coordinator"] = user
    people["first"] = pairing_of(people["amina"])
    people["second"] = pairing_of(people["nadia"])
    assert people["first"].mentor_id == people["claire"].id
    assert people["second"].mentor_id == people["bruno"].id
    return people


# ---- approve ----------------------------------------------------------------------------

def test_approve_takes_places_and_a_double_submission_changes_nothing(client, two_pairs):
    programme, pairing = two_pairs["programme"], two_pairs["first"]
    amina, claire = two_pairs["amina"], two_pairs["claire"]
    assert (live(amina), live(claire)) == (0, 0)
    response = client.post(url(programme, f"pairs/{pairing.id}/approve"))
    assert response.status_code == 302
    assert flashes(client) == ["Pair approved. Nobody is told until you announce."]
    db.session.expire_all()
    approved = db.session.get(Pairing, pairing.id)
    assert approved.status == PairingStatus.APPROVED
    assert approved.decided_by_id == two_pairs["coordinator"].id
    assert (live(amina), live(claire)) == (1, 1)
    assert (live(two_pairs["nadia"]), live(two_pairs["bruno"])) == (0, 0)

    before = state()
    response = client.post(url(programme, f"pairs/{pairing.id}/approve"))
    assert response.status_code == 302
    assert flashes(client) == ["This pair was already approved."]
    assert state() == before


def test_approve_back_link_stays_on_the_programme(client, two_pairs):
    programme = two_pairs["programme"]
    back = f"/coordinate/{programme.slug}/pairs?status=proposed"
    response = client.post(url(programme, f"pairs/{two_pairs['first'].id}/approve"),
                           data={"back": back})
    assert response.headers["Location"].endswith(back)
    response = client.post(url(programme, f"pairs/{two_pairs['second'].id}/approve"),
                           data={"back": "https://elsewhere.example/"})
    assert response.headers["Location"].endswith(f"/coordinate/{programme.slug}/pairs")


def test_approve_refused_when_the_mentor_is_full(client, auth, matching_programme, person,
                                                 coordinator):
    programme = matching_programme()
    amina = person(programme, "Amina Diallo")
    bea = person(programme, "Bea Okafor")
    claire = person(programme, "Claire Martin", Role.MENTOR, capacity=1)
    auth.login(coordinator(programme))
    run_matching(client, programme)
    [first] = db.session.scalars(select(Pairing)).all()
    other = bea if first.mentee_id == amina.id else amina
    second = proposal(programme, other, claire)
    client.post(url(programme, f"pairs/{first.id}/approve"))
    flashes(client)
    before = state()
    response = client.post(url(programme, f"pairs/{second.id}/approve"))
    assert response.status_code == 302
    assert flashes(client) == ["Claire Martin has no place left (capacity: 1)."]
    assert state() == before
    assert live(claire) == 1 and live(other) == 0


def test_approve_refused_when_the_mentee_already_has_an_approved_mentor(
        client, two_pairs):
    programme, amina = two_pairs["programme"], two_pairs["amina"]
    again = proposal(programme, amina, two_pairs["bruno"])
    client.post(url(programme, f"pairs/{two_pairs['first'].id}/approve"))
    flashes(client)
    before = state()
    client.post(url(programme, f"pairs/{again.id}/approve"))
    assert flashes(client) == ["Amina Diallo already has an approved mentor."]
    assert state() == before
    assert live(two_pairs["bruno"]) == 0


def test_approve_refused_outside_matching_or_running(client, two_pairs):
    programme = two_pairs["programme"]
    db.session.get(Programme, programme.id).status = ProgrammeStatus.OPEN
    db.session.commit()
    before = state()
    client.post(url(programme, f"pairs/{two_pairs['first'].id}/approve"))
    assert flashes(client) == [
        "Pairs can be changed only while the programme is matching or running."]
    assert state() == before


def test_unknown_pair_is_404(client, two_pairs):
    before = state()
    assert client.post(url(two_pairs["programme"], "pairs/999999/approve")).status_code == 404
    assert state() == before


# ---- the database holds the rules -------------------------------------------------------

def test_database_refuses_more_live_pairs_than_capacity(app, matching_programme, person):
    programme = matching_programme()
    claire = person(programme, "Claire Martin", Role.MENTOR, capacity=1)
    amina = person(programme, "Amina Diallo")
    with pytest.raises(IntegrityError):
        db.session.execute(update(Enrolment).where(Enrolment.id == claire.id)
                           .values(live_pairs=2))
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Enrolment).where(Enrolment.id == amina.id)
                           .values(live_pairs=2))
    db.session.rollback()
    db.session.get(Enrolment, claire.id).live_pairs = 5
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.get(Enrolment, claire.id).live_pairs = -1
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert (live(claire), live(amina)) == (0, 0)
    # Within capacity is fine.
    db.session.execute(update(Enrolment).where(Enrolment.id == claire.id).values(live_pairs=1))
    db.session.commit()
    assert live(claire) == 1


def test_database_refuses_two_live_pairs_for_one_mentee(app, matching_programme, person):
    programme = matching_programme()
    amina = person(programme, "Amina Diallo")
    claire = person(programme, "Claire Martin", Role.MENTOR)
    bruno = person(programme, "Bruno Silva", Role.MENTOR)
    first = Pairing(programme_id=programme.id, mentee_id=amina.id, mentor_id=claire.id,
                    status=PairingStatus.APPROVED)
    db.session.add(first)
    db.session.commit()
    for status in (PairingStatus.APPROVED, PairingStatus.ACTIVE):
        db.session.add(Pairing(programme_id=programme.id, mentee_id=amina.id,
                               mentor_id=bruno.id, status=status))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    # Updating another pair of hers to live is refused too.
    other = Pairing(programme_id=programme.id, mentee_id=amina.id, mentor_id=bruno.id,
                    status=PairingStatus.PROPOSED)
    db.session.add(other)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Pairing).where(Pairing.id == other.id)
                           .values(status=PairingStatus.ACTIVE))
    db.session.rollback()
    # Proposals, rejected and superseded pairs do not count.
    for status in (PairingStatus.PROPOSED, PairingStatus.REJECTED, PairingStatus.SUPERSEDED):
        db.session.add(Pairing(programme_id=programme.id, mentee_id=amina.id,
                               mentor_id=bruno.id, status=status))
    db.session.commit()
    assert count(Pairing, Pairing.mentee_id == amina.id,
                 Pairing.status.in_([PairingStatus.APPROVED, PairingStatus.ACTIVE])) == 1


# ---- approve above ----------------------------------------------------------------------

@pytest.fixture
def three_scores(matching_programme, person):
    """Three proposals with three different scores: full, partial and no topic shared."""
    programme = matching_programme()
    people = {
        "high": person(programme, "High Mentee", topics=["Negotiation"], country="KE"),
        "middle": person(programme, "Middle Mentee",
                         topics=["Drafting contributions", "Chairing meetings"], country="KE"),
        "low": person(programme, "Low Mentee", topics=["IMT and mobile broadband"],
                      country="EG"),
    }
    person(programme, "Mentor A", Role.MENTOR, topics=["Negotiation"])
    person(programme, "Mentor B", Role.MENTOR, topics=["Chairing meetings"])
    person(programme, "Mentor C", Role.MENTOR, topics=["Satellite regulatory procedures"])
    people["programme"] = programme
    return people


def _scores(people) -> dict[str, int]:
    return {key: pairing_of(people[key]).score for key in ("high", "middle", "low")}


def test_approve_above_approves_only_proposals_at_or_above_the_score(
        client, auth, coordinator, three_scores):
    programme = three_scores["programme"]
    auth.login(coordinator(programme))
    run_matching(client, programme)
    scores = _scores(three_scores)
    assert scores["high"] > scores["middle"] > scores["low"]

    before = state()
    for bad in ("1001", "-1", "", "lots"):
        client.post(url(programme, "pairs/approve-above"), data={"score": bad})
        assert flashes(client) == ["Give a score from 0 to 1000."]
    assert state() == before

    response = client.post(url(programme, "pairs/approve-above"),
                           data={"score": str(scores["middle"])})
    assert response.status_code == 302
    assert flashes(client) == ["2 pairs approved."]
    assert pairing_of(three_scores["high"], PairingStatus.APPROVED) is not None
    assert pairing_of(three_scores["middle"], PairingStatus.APPROVED) is not None
    assert pairing_of(three_scores["low"], PairingStatus.PROPOSED) is not None
    assert live(three_scores["middle"]) == 1 and live(three_scores["low"]) == 0
    # Nothing left above: nothing changes.
    before = state()
    client.post(url(programme, "pairs/approve-above"), data={"score": str(scores["middle"])})
    assert flashes(client) == ["0 pairs approved."]
    assert state() == before


def test_approving_all_above_a_score_leaves_each_pair_in_the_audit_log(
        client, auth, coordinator, three_scores):
    programme = three_scores["programme"]
    claire = coordinator(programme)
    auth.login(claire)
    run_matching(client, programme)
    client.post(url(programme, "pairs/approve-above"), data={"score": "0"})
    approved = {pairing_of(three_scores[key], PairingStatus.APPROVED)
                for key in ("high", "middle", "low")}
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "pairing.approve")).all()
    assert sorted(e.target_id for e in events) == sorted(p.id for p in approved)
    for event_ in events:
        pairing = db.session.get(Pairing, event_.target_id)
        assert (event_.actor_id, event_.programme_id, event_.target_type) == (
            claire.id, programme.id, "pairing")
        assert event_.before == {"status": "proposed", "mentee": pairing.mentee_id,
                                 "mentor": pairing.mentor_id, "locked": False,
                                 "score": pairing.score}
        assert event_.after == {**event_.before, "status": "approved"}
    page = client.get(url(programme, "audit")).text
    assert all(f"pairing.approve</code> #{p.id}<" in page for p in approved)


def test_approve_above_by_a_regional_co_chair_stays_in_her_region(
        client, auth, coordinator, three_scores):
    programme = three_scores["programme"]
    auth.login(coordinator(programme))
    run_matching(client, programme)
    auth.logout()
    auth.login(coordinator(programme, "ATU"))
    flashes(client)
    client.post(url(programme, "pairs/approve-above"), data={"score": "0"})
    assert flashes(client) == ["2 pairs approved."]
    assert pairing_of(three_scores["low"], PairingStatus.PROPOSED) is not None  # Egypt: ASMG
    assert live(three_scores["low"]) == 0


def test_approve_above_before_any_run(client, auth, matching_programme, coordinator):
    programme = matching_programme()
    auth.login(coordinator(programme))
    client.post(url(programme, "pairs/approve-above"), data={"score": "500"})
    assert flashes(client) == ["Run matching first."]


# ---- reject, lock, forbid ---------------------------------------------------------------

def test_reject_a_proposal_and_an_approved_pair(client, two_pairs):
    programme = two_pairs["programme"]
    first, second = two_pairs["first"], two_pairs["second"]
    client.post(url(programme, f"pairs/{first.id}/reject"), data={"reason": "Same ministry"})
    assert flashes(client) == [
        "Pair rejected: the mentee is back in the pool and this pair will not be proposed "
        "again."]
    db.session.expire_all()
    assert db.session.get(Pairing, first.id).status == PairingStatus.REJECTED
    assert db.session.execute(select(ForbiddenPair.mentee_id, ForbiddenPair.mentor_id,
                                     ForbiddenPair.reason)).all() == [
        (two_pairs["amina"].id, two_pairs["claire"].id, "Same ministry")]

    client.post(url(programme, f"pairs/{second.id}/approve"))
    assert (live(two_pairs["nadia"]), live(two_pairs["bruno"])) == (1, 1)
    client.post(url(programme, f"pairs/{second.id}/reject"))
    flashes(client)
    db.session.expire_all()
    assert db.session.get(Pairing, second.id).status == PairingStatus.REJECTED
    assert (live(two_pairs["nadia"]), live(two_pairs["bruno"])) == (0, 0)

    before = state()
    client.post(url(programme, f"pairs/{second.id}/reject"))
    assert flashes(client) == ["This proposal is no longer open."]
    client.post(url(programme, f"pairs/{second.id}/approve"))
    assert flashes(client) == ["This pair was rejected."]
    assert state() == before

    # The next run gives neither mentee the mentor she was rejected with.
    run_matching(client, programme)
    db.session.expire_all()
    proposed = db.session.execute(select(Pairing.mentee_id, Pairing.mentor_id).where(
        Pairing.status == PairingStatus.PROPOSED)).all()
    assert sorted(proposed) == sorted([(two_pairs["amina"].id, two_pairs["bruno"].id),
                                       (two_pairs["nadia"].id, two_pairs["claire"].id)])


def test_lock_keeps_a_proposal_through_reruns_and_unlock_lets_it_go(
        client, auth, matching_programme, person, coordinator):
    programme = matching_programme()
    amina = person(programme, "Amina Diallo", topics=["Negotiation"])
    dina = person(programme, "Dina Haddad", Role.MENTOR, topics=["Drafting contributions"])
    auth.login(coordinator(programme))
    run_matching(client, programme)
    pairing = pairing_of(amina)
    assert pairing.mentor_id == dina.id
    client.post(url(programme, f"pairs/{pairing.id}/lock"))
    assert flashes(client) == ["Pair locked: re-running keeps it."]
    db.session.expire_all()
    assert db.session.get(Pairing, pairing.id).locked is True
    # A better mentor for her is accepted; the locked proposal still stands.
    claire = person(programme, "Claire Martin", Role.MENTOR, topics=["Negotiation"])
    run_matching(client, programme)
    db.session.expire_all()
    assert [(p.id, p.status, p.locked) for p in db.session.scalars(
        select(Pairing).where(Pairing.mentee_id == amina.id))] == [
        (pairing.id, PairingStatus.PROPOSED, True)]
    assert "locked" in client.get(url(programme, "pairs")).text

    client.post(url(programme, f"pairs/{pairing.id}/unlock"))
    assert flashes(client) == ["Pair unlocked."]
    run_matching(client, programme)
    db.session.expire_all()
    assert db.session.get(Pairing, pairing.id).status == PairingStatus.SUPERSEDED
    assert pairing_of(amina).mentor_id == claire.id

    # An approved pair cannot be locked (it is always kept).
    approved = pairing_of(amina)
    client.post(url(programme, f"pairs/{approved.id}/approve"))
    flashes(client)
    before = state()
    client.post(url(programme, f"pairs/{approved.id}/lock"))
    assert flashes(client) == [
        "Only an open proposal can be locked or unlocked; approved pairs are always kept."]
    assert state() == before


def test_forbidden_pair_is_never_proposed(client, auth, matching_programme, person,
                                          coordinator):
    programme = matching_programme()
    amina = person(programme, "Amina Diallo", topics=["Negotiation"])
    claire = person(programme, "Claire Martin", Role.MENTOR, topics=["Negotiation"])
    dina = person(programme, "Dina Haddad", Role.MENTOR, topics=["Drafting contributions"])
    auth.login(coordinator(programme))
    response = client.post(url(programme, f"forbid/{amina.id}/{claire.id}"),
                           data={"reason": "Her manager"})
    assert response.status_code == 302
    assert flashes(client) == ["This pair will never be proposed."]
    assert db.session.execute(select(ForbiddenPair.mentee_id, ForbiddenPair.mentor_id,
                                     ForbiddenPair.reason)).all() == [
        (amina.id, claire.id, "Her manager")]
    for _ in range(2):
        run_matching(client, programme)
        assert pairing_of(amina).mentor_id == dina.id
    assert count(Pairing, Pairing.mentor_id == claire.id) == 0
    # Forbidding an open proposal rejects it.
    open_pair = pairing_of(amina)
    client.post(url(programme, f"forbid/{amina.id}/{dina.id}"))
    db.session.expire_all()
    assert db.session.get(Pairing, open_pair.id).status == PairingStatus.REJECTED
    assert count(ForbiddenPair) == 2
    # A mentee id given as the mentor is unknown.
    before = state()
    assert client.post(url(programme, f"forbid/{amina.id}/{amina.id}")).status_code == 404
    assert state() == before


# ---- pair by hand -----------------------------------------------------------------------

@pytest.fixture
def manual_case(matching_programme, person, coordinator, auth):
    programme = matching_programme()
    people = {
        "programme": programme,
        "fatou": person(programme, "Fatou Ndiaye", languages=["fr"], country="KE",
                        organisation="ARTP"),
        "ivan": person(programme, "Ivan Petrov", Role.MENTOR, languages=["ru"], country="RU"),
        "colleague": person(programme, "Marie Colleague", Role.MENTOR, languages=["fr"],
                            country="FR", organisation="ARTP"),
        "claire": person(programme, "Claire Martin", Role.MENTOR, languages=["fr", "en"],
                         country="FR"),
    }
    auth.login(coordinator(programme))
    return people


def test_manual_preview_shows_the_score_and_the_broken_rule(client, manual_case):
    programme, fatou = manual_case["programme"], manual_case["fatou"]
    expected = pairings.preview(Scope(programme), fatou.id, manual_case["ivan"].id)
    assert expected.broken == ["no_common_language"]
    page = client.get(url(programme, f"pairs/manual?mentee={fatou.id}"
                                     f"&mentor={manual_case['ivan'].id}"))
    assert page.status_code == 200
    assert f"Score {expected.score} of 1000" in page.text
    assert "Breaks: no common language" in page.text
    assert "I confirm this pair although it breaks a hard rule" in page.text
    page = client.get(url(programme, f"pairs/manual?mentee={fatou.id}"
                                     f"&mentor={manual_case['colleague'].id}"))
    assert "Breaks: same organisation" in page.text
    page = client.get(url(programme, f"pairs/manual?mentee={fatou.id}"
                                     f"&mentor={manual_case['claire'].id}"))
    assert "Breaks:" not in page.text
    assert "shares 1 of 1 wanted topic: Negotiation" in page.text


@pytest.mark.parametrize("mentor_key", ["ivan", "colleague"])
def test_manual_pair_breaking_a_rule_needs_override_and_reason(client, manual_case,
                                                               mentor_key):
    programme, fatou = manual_case["programme"], manual_case["fatou"]
    mentor = manual_case[mentor_key]
    path = url(programme, "pairs/manual")
    before = state()
    for extra in ({}, {"override": "y"}, {"reason": "She asked for him"},
                  {"override": "y", "reason": "   "}):
        response = client.post(path, data={"mentee": fatou.id, "mentor": mentor.id, **extra})
        assert response.status_code == 200  # the form again, with the message
        assert "This pair breaks a hard rule. Confirm the override and give a reason." \
            in html.unescape(response.text)
        assert state() == before

    response = client.post(path, data={"mentee": fatou.id, "mentor": mentor.id,
                                       "override": "y", "reason": "They work together well"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/pairs?status=approved")
    assert flashes(client) == ["Pair approved by hand and locked."]
    pairing = pairing_of(fatou, PairingStatus.APPROVED)
    assert (pairing.mentor_id, pairing.locked, pairing.source, pairing.override_reason) == (
        mentor.id, True, "manual", "They work together well")
    assert pairing.broken in (["no_common_language"], ["same_organisation"])
    assert (live(fatou), live(mentor)) == (1, 1)
    page = client.get(url(programme, "pairs?status=approved")).text
    assert "paired by hand" in page and "They work together well" in page


def test_manual_pair_supersedes_her_open_proposal(client, manual_case):
    programme, fatou, claire = (manual_case[k] for k in ("programme", "fatou", "claire"))
    run_matching(client, programme)
    old = pairing_of(fatou)
    assert old.mentor_id == claire.id
    client.post(url(programme, "pairs/manual"), data={
        "mentee": fatou.id, "mentor": manual_case["ivan"].id, "override": "y",
        "reason": "Wants to learn Russian"})
    db.session.expire_all()
    assert db.session.get(Pairing, old.id).status == PairingStatus.SUPERSEDED
    assert pairing_of(fatou, PairingStatus.APPROVED).mentor_id == manual_case["ivan"].id


def test_manual_pair_with_a_full_mentor_is_refused_even_with_override(
        client, manual_case, person):
    programme, claire = manual_case["programme"], manual_case["claire"]
    other = person(programme, "Other Mentee", languages=["fr"])
    client.post(url(programme, "pairs/manual"), data={"mentee": other.id, "mentor": claire.id})
    assert flashes(client) == ["Pair approved by hand and locked."]
    assert live(claire) == 1  # capacity 1: full
    fatou = manual_case["fatou"]
    before = state()
    page = client.get(url(programme, f"pairs/manual?mentee={fatou.id}&mentor={claire.id}"))
    assert "This mentor has no place left." in page.text
    response = client.post(url(programme, "pairs/manual"), data={
        "mentee": fatou.id, "mentor": claire.id, "override": "y", "reason": "Please"})
    assert response.status_code == 200  # the form says the mentor is not a valid choice
    assert "This mentor has no place left." in response.text
    assert state() == before
    with pytest.raises(Refused) as refused:
        pairings.pair_by_hand(fatou.user, Scope(programme), fatou.id, claire.id, reason="Please",
                              confirm=True)
    db.session.rollback()
    assert refused.value.message == "Claire Martin has no place left (capacity: 1)."
    assert state() == before


def test_manual_pair_needs_accepted_people(client, manual_case, person):
    programme = manual_case["programme"]
    waiting = person(programme, "Waiting Mentee", languages=["fr"],
                     status=EnrolmentStatus.WAITLISTED)
    before = state()
    with pytest.raises(Refused) as refused:
        pairings.pair_by_hand(manual_case["claire"].user, Scope(programme), waiting.id,
                              manual_case["claire"].id)
    db.session.rollback()
    assert refused.value.message == "Both people must be accepted in the programme."
    assert state() == before


def test_nobody_can_be_paired_by_hand_with_herself_even_with_an_override(
        client, manual_case, make_enrolment):
    programme, fatou = manual_case["programme"], manual_case["fatou"]
    # Fatou also applied as a mentor, from another organisation than her mentee application.
    herself = make_enrolment(programme, fatou.user, role=Role.MENTOR,
                             status=EnrolmentStatus.ACCEPTED, languages=["fr"], capacity=1,
                             organisation="")
    before = state()
    page = client.get(url(programme, f"pairs/manual?mentee={fatou.id}&mentor={herself.id}"))
    assert page.status_code == 200
    assert "Fatou Ndiaye cannot be her own mentor." in html.unescape(page.text)
    assert "Approve this pair" not in page.text
    response = client.post(url(programme, "pairs/manual"), data={
        "mentee": fatou.id, "mentor": herself.id, "override": "y", "reason": "She insists"})
    assert response.status_code == 200
    assert "Fatou Ndiaye cannot be her own mentor." in html.unescape(response.text)
    assert state() == before
    with pytest.raises(Refused) as refused:
        pairings.pair_by_hand(fatou.user, Scope(programme), fatou.id, herself.id,
                              reason="She insists", confirm=True)
    db.session.rollback()
    assert refused.value.message == "Fatou Ndiaye cannot be her own mentor."
    assert state() == before


# ---- swap -------------------------------------------------------------------------------

def test_swap_exchanges_mentors_and_rescores_both(client, two_pairs):
    programme, first, second = (two_pairs[k] for k in ("programme", "first", "second"))
    scope = Scope(programme)
    scores_before = (first.score, second.score)
    expected_first = pairings.preview(scope, two_pairs["amina"].id, two_pairs["bruno"].id)
    expected_second = pairings.preview(scope, two_pairs["nadia"].id, two_pairs["claire"].id)
    page = client.get(url(programme, f"pairs/{first.id}/swap"))
    assert page.status_code == 200 and "Nadia Hassan — Bruno Silva" in page.text
    response = client.post(url(programme, f"pairs/{first.id}/swap"), data={"other": second.id})
    assert response.status_code == 302
    assert flashes(client) == ["Mentors swapped."]
    db.session.expire_all()
    one, two = db.session.get(Pairing, first.id), db.session.get(Pairing, second.id)
    assert (one.mentor_id, one.score, one.source) == (two_pairs["bruno"].id,
                                                      expected_first.score, "swap")
    assert (two.mentor_id, two.score) == (two_pairs["claire"].id, expected_second.score)
    assert one.score < scores_before[0] and two.score < scores_before[1]
    assert one.broken == [] and two.broken == []
    assert count(AuditEvent, AuditEvent.action == "pairing.swap") == 1


def test_swap_that_would_break_a_hard_rule_is_refused(client, auth, matching_programme, person,
                                                      coordinator):
    programme = matching_programme()
    fatou = person(programme, "Fatou Ndiaye", topics=["Negotiation"], languages=["fr"])
    amina = person(programme, "Amina Diallo", topics=["Drafting contributions"])
    person(programme, "Claire Martin", Role.MENTOR, topics=["Negotiation"],
           languages=["fr", "en"])
    person(programme, "Bruno Silva", Role.MENTOR, topics=["Drafting contributions"],
           languages=["en"])
    auth.login(coordinator(programme))
    run_matching(client, programme)
    first, second = pairing_of(fatou), pairing_of(amina)
    before = state()
    response = client.post(url(programme, f"pairs/{first.id}/swap"), data={"other": second.id})
    assert response.status_code == 200
    assert "After the swap a pair would break a hard rule." in response.text
    assert state() == before
    # Only open proposals can be swapped.
    client.post(url(programme, f"pairs/{second.id}/approve"))
    flashes(client)
    before = state()
    with pytest.raises(Refused) as refused:
        pairings.swap(amina.user, Scope(programme), first.id, second.id)
    db.session.rollback()
    assert refused.value.message == "Only open proposals can be swapped."
    assert state() == before


# ---- announce ---------------------------------------------------------------------------

def test_announce_emails_each_person_once_and_they_see_their_partner(client, auth,
                                                                     two_pairs):
    programme, first, second = (two_pairs[k] for k in ("programme", "first", "second"))
    amina, claire = two_pairs["amina"], two_pairs["claire"]
    assert emails(kind="introduction") == []  # not after the run
    client.post(url(programme, f"pairs/{first.id}/approve"))
    client.post(url(programme, f"pairs/{second.id}/approve"))
    flashes(client)
    assert emails(kind="introduction") == []  # nor after approval
    page = client.get(url(programme, "pairs/announce"))
    assert page.status_code == 200

    response = client.post(url(programme, "pairs/announce"))
    assert response.status_code == 302
    assert flashes(client) == [
        "2 pairs announced: both people in each have been emailed."]
    db.session.expire_all()
    assert {db.session.get(Pairing, p.id).status for p in (first, second)} == {
        PairingStatus.ACTIVE}
    assert db.session.get(Pairing, first.id).announced_at is not None
    sent = emails(kind="introduction")
    assert sorted(email.recipient for email in sent) == sorted(
        two_pairs[k].user.email for k in ("amina", "claire", "nadia", "bruno"))
    [to_amina] = emails(kind="introduction", to=amina.user.email)
    assert "your mentor, Claire Martin" in to_amina.body
    assert claire.user.email in to_amina.body
    [to_claire] = emails(kind="introduction", to=claire.user.email)
    assert "a mentee, Amina Diallo" in to_claire.body
    assert (live(amina), live(claire)) == (1, 1)

    before = state()
    client.post(url(programme, "pairs/announce"))
    assert flashes(client) == ["There was no approved pair to announce."]
    assert state() == before

    # An announced pair can no longer be rejected from the pairs page.
    client.post(url(programme, f"pairs/{first.id}/reject"))
    assert flashes(client) == ["This pair is already announced and at work."]
    assert state() == before

    auth.logout()
    auth.login(amina.user)
    page = client.get("/me/programmes").text
    assert "Your mentor: Claire Martin" in page
    auth.logout()
    auth.login(claire.user)
    page = client.get("/me/programmes").text
    assert "Your mentee: Amina Diallo" in page


def test_proposed_pairs_are_not_shown_to_people(client, auth, two_pairs):
    client.post(url(two_pairs["programme"], f"pairs/{two_pairs['first'].id}/approve"))
    auth.logout()
    auth.login(two_pairs["amina"].user)
    page = client.get("/me/programmes").text
    assert "Your mentor" not in page and "Claire Martin" not in page


def test_regional_announce_announces_only_her_region(client, auth, coordinator, two_pairs):
    programme = two_pairs["programme"]
    client.post(url(programme, f"pairs/{two_pairs['first'].id}/approve"))
    client.post(url(programme, f"pairs/{two_pairs['second'].id}/approve"))
    auth.logout()
    auth.login(coordinator(programme, "ATU"))
    flashes(client)
    client.post(url(programme, "pairs/announce"))
    assert flashes(client) == ["1 pair announced: both people have been emailed."]
    assert pairing_of(two_pairs["nadia"], PairingStatus.APPROVED) is not None
    assert sorted(e.recipient for e in emails(kind="introduction")) == sorted(
        [two_pairs["amina"].user.email, two_pairs["claire"].user.email])


# ---- scope ------------------------------------------------------------------------------

def test_coordinator_of_another_programme_gets_403_everywhere(client, auth, coordinator,
                                                              matching_programme, two_pairs):
    programme, first, second = (two_pairs[k] for k in ("programme", "first", "second"))
    amina, claire = two_pairs["amina"], two_pairs["claire"]
    client.post(url(programme, f"pairs/{second.id}/approve"))
    other = matching_programme()
    auth.logout()
    auth.login(coordinator(other))
    before = state()
    posts = [f"pairs/{first.id}/approve", f"pairs/{first.id}/reject", f"pairs/{first.id}/lock",
             f"pairs/{first.id}/unlock", f"pairs/{first.id}/swap", "pairs/approve-above",
             f"forbid/{amina.id}/{claire.id}", "pairs/manual", "pairs/announce"]
    data = {"other": second.id, "score": "0", "mentee": amina.id, "mentor": claire.id,
            "override": "y", "reason": "x"}
    for path in posts:
        assert client.post(url(programme, path), data=data).status_code == 403, path
    gets = ["pairs", "pairs.csv", "audit", "pairs/load", f"pairs/{first.id}/swap",
            f"pairs/manual?mentee={amina.id}&mentor={claire.id}", "pairs/announce"]
    for path in gets:
        assert client.get(url(programme, path)).status_code == 403, path
    # Through her own programme's address, the other programme's pairs are unknown.
    for path in (f"pairs/{first.id}/approve", f"pairs/{first.id}/reject",
                 f"pairs/{first.id}/lock", f"pairs/{first.id}/swap",
                 f"forbid/{amina.id}/{claire.id}"):
        assert client.post(url(other, path), data=data).status_code == 404, path
    assert client.get(url(other, f"pairs/manual?mentee={amina.id}&mentor={claire.id}")
                      ).status_code == 404
    assert state() == before


def test_regional_co_chair_cannot_act_on_another_region(client, auth, coordinator, two_pairs):
    programme, first, second = (two_pairs[k] for k in ("programme", "first", "second"))
    nadia, bruno = two_pairs["nadia"], two_pairs["bruno"]  # Nadia is in Egypt: ASMG
    auth.logout()
    auth.login(coordinator(programme, "ATU"))
    flashes(client)
    before = state()
    for path in (f"pairs/{second.id}/approve", f"pairs/{second.id}/reject",
                 f"pairs/{second.id}/lock", f"forbid/{nadia.id}/{bruno.id}"):
        assert client.post(url(programme, path)).status_code == 403, path
    assert client.get(url(programme, f"pairs/{second.id}/swap")).status_code == 403
    assert client.post(url(programme, f"pairs/{first.id}/swap"),
                       data={"other": second.id}).status_code == 200  # not a choice for her
    assert client.get(url(programme, f"pairs/manual?mentee={nadia.id}&mentor={bruno.id}")
                      ).status_code == 403
    assert client.post(url(programme, "pairs/manual"), data={
        "mentee": nadia.id, "mentor": bruno.id}).status_code == 403
    assert state() == before
    # Her own region's pair she may approve.
    client.post(url(programme, f"pairs/{first.id}/approve"))
    assert flashes(client) == ["Pair approved. Nobody is told until you announce."]


def test_regional_co_chair_sees_only_her_region_on_the_page_and_in_the_export(
        client, auth, coordinator, person, two_pairs):
    programme = two_pairs["programme"]
    # Two more, left unmatched (nobody speaks Russian): one in each region.
    person(programme, "Wanjiru Kamau", languages=["ru"], country="KE")
    person(programme, "Yasmin Farouk", languages=["ru"], country="EG")
    run_matching(client, programme)
    auth.logout()
    auth.login(coordinator(programme, "ATU"))
    page = client.get(url(programme, "pairs")).text
    assert "Amina Diallo" in page and "Wanjiru Kamau" in page
    assert "Nadia Hassan" not in page and "Yasmin Farouk" not in page
    export = client.get(url(programme, "pairs.csv")).data.decode("utf-8-sig")
    assert "Amina Diallo" in export and "Wanjiru Kamau" in export
    assert "Nadia Hassan" not in export and "Yasmin Farouk" not in export
    manual = client.get(url(programme, "pairs/manual")).text
    assert "Wanjiru Kamau" in manual and "Yasmin Farouk" not in manual


def test_regional_co_chair_pairs_her_mentee_with_a_mentor_of_any_region(
        client, auth, coordinator, matching_programme, person):
    programme = matching_programme()
    amina = person(programme, "Amina Diallo", country="KE")
    ana = person(programme, "Ana Souza", Role.MENTOR, country="BR")
    auth.login(coordinator(programme, "ATU"))
    assert client.post(url(programme, "matching/run")).status_code == 403
    response = client.post(url(programme, "pairs/manual"),
                           data={"mentee": amina.id, "mentor": ana.id})
    assert response.status_code == 302
    assert flashes(client) == ["Pair approved by hand and locked."]
    pairing = pairing_of(amina, PairingStatus.APPROVED)
    assert pairing.mentor_id == ana.id and pairing.locked


def test_anonymous_is_sent_to_sign_in_and_a_participant_gets_403(client, auth, two_pairs):
    programme, first = two_pairs["programme"], two_pairs["first"]
    auth.logout()
    before = state()
    for path in (f"pairs/{first.id}/approve", f"pairs/{first.id}/reject", "pairs/announce"):
        response = client.post(url(programme, path))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for path in ("pairs", "pairs.csv", "audit"):
        response = client.get(url(programme, path))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login(two_pairs["amina"].user)
    for path in (f"pairs/{first.id}/approve", f"pairs/{first.id}/reject", "pairs/announce",
                 "pairs/manual"):
        assert client.post(url(programme, path)).status_code == 403, path
    for path in ("pairs", "pairs.csv", "audit"):
        assert client.get(url(programme, path)).status_code == 403, path
    assert state() == before


# ---- export, audit, query count ---------------------------------------------------------

def test_csv_export_has_a_bom_one_row_per_pair_and_the_unmatched(client, auth, coordinator,
                                                                 matching_programme, person):
    programme = matching_programme()
    amina = person(programme, "Amina Diallo", topics=["Negotiation"])
    layla = person(programme, "ليلى عبد الله", topics=["Drafting contributions"], country="EG",
                   languages=["ar", "en"])
    olga = person(programme, "Olga Ivanova", languages=["ru"], country="RU")
    person(programme, "Claire Martin", Role.MENTOR, topics=["Negotiation"], country="FR")
    person(programme, "Bruno Silva", Role.MENTOR, topics=["Drafting contributions"],
           country="BR")
    auth.login(coordinator(programme))
    run_matching(client, programme)
    response = client.get(url(programme, "pairs.csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 3
    by_mentee = {row["mentee"]: row for row in rows}
    first = pairing_of(amina)
    row = by_mentee["Amina Diallo"]
    assert (row["pair"], row["status"], row["mentor"], row["score"]) == (
        str(first.id), "proposed", "Claire Martin", str(first.score))
    assert "shares 1 of 1 wanted topic: Negotiation" in row["reasons"]
    assert (row["mentee_region"], row["mentor_region"]) == ("ATU", "CEPT")
    assert by_mentee["ليلى عبد الله"]["mentor"] == "Bruno Silva"
    assert by_mentee["ليلى عبد الله"]["score"] == str(pairing_of(layla).score)
    unmatched = by_mentee["Olga Ivanova"]
    assert (unmatched["pair"], unmatched["status"], unmatched["mentor"]) == ("", "unmatched", "")
    assert unmatched["reasons"] == "no mentor shares a language with her"
    assert unmatched["mentee_email"] == olga.user.email


def test_audit_log_lists_actions_with_who_did_them_filterable(client, auth, coordinator,
                                                              two_pairs):
    programme, first, second = (two_pairs[k] for k in ("programme", "first", "second"))
    client.post(url(programme, f"pairs/{first.id}/approve"))
    client.post(url(programme, f"pairs/{second.id}/lock"))
    client.post(url(programme, f"pairs/{second.id}/reject"))
    auth.logout()
    auth.login(coordinator(programme, name="Henry Reviewer"))
    page = html.unescape(client.get(url(programme, "audit")).text)
    for action in ("matching.run", "pairing.approve", "pairing.lock", "pairing.reject"):
        assert f"<code>{action}</code>" in page, action
    assert page.count("Grace Coordinator") >= 4
    pairs_only = html.unescape(client.get(url(programme, "audit?action=pairing")).text)
    assert "<code>pairing.approve</code>" in pairs_only
    assert "<code>matching.run</code>" not in pairs_only
    runs_only = html.unescape(client.get(url(programme, "audit?action=matching")).text)
    assert "<code>matching.run</code>" in runs_only
    assert "<code>pairing.approve</code>" not in runs_only and "Grace Coordinator" in runs_only


def _cohort(programme, person, size: int) -> None:
    for number in range(size):
        person(programme, f"Mentee {number}", topics=[TOPICS[number % 5]])
    for number in range((size + 1) // 2):
        person(programme, f"Mentor {number}", Role.MENTOR, topics=[TOPICS[number % 5]],
               capacity=2)


def _queries(client, path: str) -> int:
    return statements_of_page(client, path)[0]


def test_pairs_page_issues_the_same_number_of_queries_for_5_and_30_pairs(
        client, auth, make_user, matching_programme, person):
    small, large = matching_programme(), matching_programme()
    _cohort(small, person, 5)
    _cohort(large, person, 30)
    auth.login(make_user(admin=True))
    for programme, size in ((small, 5), (large, 30)):
        run_matching(client, programme)
        assert count(Pairing, Pairing.programme_id == programme.id) == size
    for query in ("", "?sort=name", "?sort=-score&below=2000&status=proposed"):
        client.get(url(small, "pairs" + query))  # warm up
        client.get(url(large, "pairs" + query))
        few = _queries(client, url(small, "pairs" + query))
        many = _queries(client, url(large, "pairs" + query))
        assert few == many, query
    assert client.get(url(large, "pairs")).text.count('class="pair"') == 30


def test_the_pairs_list_counts_what_it_lists_whether_read_from_its_counts_or_not(
        client, two_pairs):
    """The list's total (its pages, "Showing 1-50 of N") comes from the counts by status
    when only a status filters it: it must equal what the filters find."""
    programme = two_pairs["programme"]
    client.post(url(programme, f"pairs/{two_pairs['first'].id}/approve"))
    scope = Scope(programme)
    counts = pair_views.status_counts(scope)
    region = programme.regions[0].id
    for filters in (pair_views.PairFilters(), pair_views.PairFilters(status="approved"),
                    pair_views.PairFilters(status="proposed", sort="name"),
                    pair_views.PairFilters(status="rejected"),
                    pair_views.PairFilters(status="nonsense"),
                    pair_views.PairFilters(below=2000), pair_views.PairFilters(region_id=region)):
        found = len(db.session.scalars(pair_views.pairs_query(scope, filters)).all())
        counted = pair_views.counted(filters, counts)
        assert counted in (None, found), filters
        assert (counted is None) == bool(filters.below or filters.region_id), filters
    assert pair_views.counted(pair_views.PairFilters(), counts) == 2


def _propose(programme, *pairs):
    """A run proposing each (mentee, mentor, score), as an engine would; committed."""
    run = MatchingRun(programme_id=programme.id)
    db.session.add(run)
    db.session.flush()
    db.session.add_all(
        Pairing(programme_id=programme.id, run_id=run.id, mentee_id=mentee.id,
                mentor_id=mentor.id, status=PairingStatus.PROPOSED, score=score)
        for mentee, mentor, score in pairs)
    db.session.commit()


def test_approve_above_skips_a_proposal_whose_mentee_or_mentor_is_already_taken(
        make_programme, make_enrolment, make_user):
    programme = make_programme(status=ProgrammeStatus.MATCHING)
    amina, leila = (make_enrolment(programme, status=EnrolmentStatus.ACCEPTED) for _ in "ab")
    claire = make_enrolment(programme, role=Role.MENTOR, status=EnrolmentStatus.ACCEPTED,
                            capacity=1)
    ana = make_enrolment(programme, role=Role.MENTOR, status=EnrolmentStatus.ACCEPTED,
                         capacity=2)
    _propose(programme, (amina, claire, 900), (amina, ana, 800), (leila, claire, 700))
    admin = make_user(admin=True)
    assert pairings.approve_above(admin, Scope(programme), 0) == (1, 2)
    db.session.commit()
    approved = db.session.scalars(select(Pairing).where(
        Pairing.status == PairingStatus.APPROVED)).all()
    assert [(p.mentee_id, p.mentor_id) for p in approved] == [(amina.id, claire.id)]
    assert (amina.live_pairs, leila.live_pairs, claire.live_pairs, ana.live_pairs) == (1, 0, 1, 0)


def test_with_a_worker_announcing_answers_at_once_and_its_page_tells_how_it_went(
        client, two_pairs, worker_queue):
    """With a job queue the page does not wait for thousands of introductions: it shows the
    job, and the job's page says how many pairs were announced once a worker has run it."""
    programme = two_pairs["programme"]
    client.post(url(programme, f"pairs/{two_pairs['first'].id}/approve"))
    client.post(url(programme, f"pairs/{two_pairs['second'].id}/approve"))
    flashes(client)
    response = client.post(url(programme, "pairs/announce"))
    (job_id,) = worker_queue.waiting
    assert response.location.endswith(f"/coordinate/{programme.slug}/jobs/{job_id}")
    assert emails(kind="introduction") == []  # the worker has not run yet
    assert "Waiting to start." in client.get(response.location).text
    worker_queue.work()
    page = client.get(response.location).text
    assert "2 pairs announced: both people in each have been emailed." in page
    assert len(emails(kind="introduction")) == 4


# ---- approving all above a score is a job ---------------------------------------------------

def test_with_a_worker_a_cochairs_approve_above_shows_its_job_which_counts_her_region_only(
        client, auth, coordinator, three_scores, worker_queue):
    programme = three_scores["programme"]
    auth.login(coordinator(programme))
    run_matching(client, programme)
    auth.logout()
    auth.login(coordinator(programme, "ATU"))
    flashes(client)
    response = client.post(url(programme, "pairs/approve-above"), data={"score": "0"})
    (job_id,) = worker_queue.waiting
    assert response.location.endswith(f"/coordinate/{programme.slug}/jobs/{job_id}")
    assert "Waiting to start." in client.get(response.location).text
    assert count(Pairing, Pairing.status == PairingStatus.APPROVED) == 0
    worker_queue.work()
    page = client.get(response.location).text
    assert "2 pairs approved." in page and "data-refresh" not in page
    assert pairing_of(three_scores["high"], PairingStatus.APPROVED) is not None
    assert pairing_of(three_scores["low"], PairingStatus.PROPOSED) is not None  # Egypt: ASMG
    assert live(three_scores["low"]) == 0


def test_approve_above_says_how_many_proposals_it_skipped(client, auth, coordinator,
                                                         matching_programme, person):
    programme = matching_programme()
    amina, leila = person(programme, "Amina"), person(programme, "Leila")
    claire = person(programme, "Claire", Role.MENTOR)
    ana = person(programme, "Ana", Role.MENTOR, capacity=2)
    _propose(programme, (amina, claire, 900), (amina, ana, 800), (leila, claire, 700))
    auth.login(coordinator(programme))
    flashes(client)
    response = client.post(url(programme, "pairs/approve-above"), data={"score": "0"})
    assert response.location.endswith(f"/coordinate/{programme.slug}/pairs")
    assert flashes(client) == ["1 pair approved. 2 skipped: the mentee or mentor was already "
                               "taken."]


def test_an_approval_whose_starter_stopped_coordinating_before_it_ran_fails_and_says_why(
        client, auth, coordinator, three_scores, worker_queue):
    from tests.helpers import STARTER_GONE, job_page_after_its_starter_left

    programme = three_scores["programme"]
    claire = coordinator(programme)
    auth.login(claire)
    run_matching(client, programme)
    auth.logout()
    page = job_page_after_its_starter_left(
        client, auth, worker_queue, programme, coordinator(programme, "ATU"), claire,
        lambda: client.post(url(programme, "pairs/approve-above"),
                            data={"score": "0"}).location)
    assert STARTER_GONE in page
    assert count(Pairing, Pairing.status == PairingStatus.APPROVED) == 0


def test_the_approval_jobs_page_speaks_arabic(client, auth, coordinator, three_scores,
                                              worker_queue):
    from tests.web.test_languages import html_tag, tr, trn

    programme = three_scores["programme"]
    auth.login(coordinator(programme))
    run_matching(client, programme)
    auth.logout()
    auth.login(coordinator(programme, locale="ar"))
    job_page = client.post(url(programme, "pairs/approve-above"), data={"score": "0"}).location
    worker_queue.work()
    page = client.get(job_page)
    assert 'lang="ar"' in html_tag(page) and 'dir="rtl"' in html_tag(page)
    assert trn("ar", "%(num)d pair approved.", "%(num)d pairs approved.", 3) in page.text
    assert f"<h1>{tr('ar', 'Pairs')}</h1>" in page.text
    assert tr("ar", "Back to the pairs") in page.text


def test_an_approval_delivered_again_while_the_first_delivery_finished_it_does_nothing(
        app, client, auth, coordinator, three_scores, worker_queue):
    """A worker thought lost: its task is delivered again and claimed while the first one
    still works; the second waits for the first, then leaves its result as it is."""
    from mentoring.models import Job, JobStatus
    from mentoring.services import jobs

    programme = three_scores["programme"]
    auth.login(coordinator(programme))
    run_matching(client, programme)
    client.post(url(programme, "pairs/approve-above"), data={"score": "0"})
    (job_id,) = worker_queue.waiting
    second = jobs.claim(job_id)  # the second delivery got the job while it ran
    db.session.commit()
    worker_queue.work()  # the first delivery finishes it
    assert count(Pairing, Pairing.status == PairingStatus.APPROVED) == 3
    jobs.run(second)
    db.session.commit()
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.status, job.result) == (JobStatus.DONE, {"approved": 3, "skipped": 0})


# ---- the pairs page tells the coordinator what to do next ------------------------------------


def announce_button(page: str) -> str | None:
    """The announce link's class, or None when the page shows no such link."""
    found = re.search(r'<a class="([^"]*)" href="[^"]*/pairs/announce">', page)
    return found.group(1) if found else None


def test_before_any_run_the_pairs_page_leads_to_matching_instead_of_empty_tools(
        client, auth, matching_programme, coordinator):
    programme = matching_programme()
    auth.login(coordinator(programme))
    page = client.get(url(programme, "pairs")).text
    assert "No matching run yet." in page
    assert f'<a class="button primary" href="/coordinate/{programme.slug}/matching">' in page
    assert "approve-above" not in page  # nothing to approve yet
    assert 'role="search"' not in page  # nothing to filter
    assert announce_button(page) is None


def test_a_cochair_before_any_run_is_told_who_runs_matching(
        client, auth, matching_programme, coordinator):
    programme = matching_programme()
    auth.login(coordinator(programme, "ATU"))
    page = html.unescape(client.get(url(programme, "pairs")).text)
    assert "The programme's coordinators run matching" in page
    assert "/matching/run" not in page


def test_announce_is_the_main_action_only_when_approved_pairs_wait(client, two_pairs):
    programme = two_pairs["programme"]
    page = client.get(url(programme, "pairs")).text
    assert announce_button(page) is None  # nothing approved: no button leading nowhere
    assert "No approved pair to announce yet" in page
    client.post(url(programme, f"pairs/{two_pairs['first'].id}/approve"))
    page = client.get(url(programme, "pairs")).text
    assert announce_button(page) == "button primary"
    assert "Announce approved pairs (1)" in page


def test_once_every_pair_is_announced_the_page_says_to_move_the_programme_on(
        client, auth, two_pairs, make_user):
    programme = two_pairs["programme"]
    for pairing in (two_pairs["first"], two_pairs["second"]):
        client.post(url(programme, f"pairs/{pairing.id}/approve"))
    client.post(url(programme, "pairs/announce"))
    page = html.unescape(client.get(url(programme, "pairs")).text)
    assert "Every pair is announced." in page
    assert "A site admin moves the programme to “running”" in page

    auth.logout()
    auth.login(make_user(admin=True))
    page = client.get(url(programme, "pairs")).text
    form = re.search(r'<form method="post" action="(/admin/programmes/[^"]+/status)".*?</form>',
                     page, re.S)
    assert form and 'name="status" value="running"' in form.group(0)
    client.post(form.group(1), data={"status": "running"})
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).status == ProgrammeStatus.RUNNING
    assert "Every pair is announced." not in client.get(url(programme, "pairs")).text
