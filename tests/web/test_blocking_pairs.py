"""Stability through the coordinator's pages: each run's blocking pairs (count on the pairs
page, the list with what makes each one block, a co-chair's region only) and the "Stable
matching" option with what it costs.

The cohort, worked out by hand: Amina (ATU) wants "Negotiation" and speaks English; Béatrice
(CEPT) wants it too but speaks only French. Xavier offers it and speaks English and French;
Yusuf offers only "Drafting contributions" and speaks only English (one place each). The
most pairs is Amina-Yusuf and Béatrice-Xavier (Béatrice can only have Xavier); yet Amina scores
Xavier higher than Yusuf and Xavier scores Amina higher than Béatrice (her first language is
his second): Amina-Xavier blocks. The stable matching pairs them and leaves Béatrice out.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.matching import score_pair
from mentoring.models import BlockingPair, MatchingRun, Pairing, Role
from mentoring.services.matching import rules_for, to_profile
from tests.helpers import text as text_of
from tests.web import test_matching_runs as runs
from tests.web.test_matching_runs import flashes, run

#: The matching pages' fixtures: a programme in status "matching", an accepted person.
matching_programme, person = runs.matching_programme, runs.person


@pytest.fixture
def cohort(matching_programme, person):
    programme = matching_programme()
    amina = person(programme, "Amina Diallo", topics=["Negotiation"], languages=["en"],
                   country="KE")
    beatrice = person(programme, "Béatrice Moreau", topics=["Negotiation"], languages=["fr"],
                      country="FR")
    xavier = person(programme, "Xavier Dupont", Role.MENTOR, topics=["Negotiation"],
                    languages=["en", "fr"], country="KE")
    yusuf = person(programme, "Yusuf Bello", Role.MENTOR, topics=["Drafting contributions"],
                   languages=["en"], country="KE")
    rules = rules_for(programme)
    scores = {(e.user.name.split()[0], m.user.name.split()[0]):
              score_pair(to_profile(m), to_profile(e), rules).score
              for e in (amina, beatrice) for m in (xavier, yusuf)}
    assert scores["Amina", "Xavier"] > scores["Amina", "Yusuf"]
    assert scores["Amina", "Xavier"] > scores["Béatrice", "Xavier"]
    return programme, scores


def test_a_run_stores_its_blocking_pairs_and_the_pairs_page_links_to_their_list(
        client, auth, cohort, coordinator):
    programme, scores = cohort
    auth.login(coordinator(programme))
    run(client, programme)
    matching_run = db.session.scalar(select(MatchingRun))
    assert matching_run.summary["blocking"] == 1
    assert matching_run.settings["stable"] is False
    pairs_page = text_of(client.get(f"/coordinate/{programme.slug}/pairs"))
    assert "Blocking pairs: 1" in pairs_page
    assert f'href="/coordinate/{programme.slug}/pairs/blocking"' in pairs_page

    page = text_of(client.get(f"/coordinate/{programme.slug}/pairs/blocking"))
    row = page.split("<tbody>")[1].split("</tbody>")[0]
    cells = [cell.strip() for cell in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)]
    assert cells == ["Amina Diallo", str(scores["Amina", "Yusuf"]), "Xavier Dupont",
                     f"lowest score {scores['Béatrice', 'Xavier']}",
                     str(scores["Amina", "Xavier"])]

    # A second run keeps one run's list: the earlier rows are gone.
    client.post(f"/coordinate/{programme.slug}/matching/run")
    runs = db.session.scalars(select(MatchingRun.id).order_by(MatchingRun.id)).all()
    assert db.session.scalars(select(BlockingPair.run_id)).all() == [runs[-1]]


def test_a_cochair_sees_only_the_blocking_pairs_of_her_regions_mentees(
        client, auth, cohort, coordinator):
    programme, _scores = cohort
    auth.login(coordinator(programme))
    run(client, programme)
    auth.logout()
    auth.login(coordinator(programme, "CEPT"))
    page = text_of(client.get(f"/coordinate/{programme.slug}/pairs/blocking"))
    assert "Amina Diallo" not in page
    assert "No blocking pairs" in page and "1 blocking pairs in all" in page
    auth.logout()
    auth.login(coordinator(programme, "ATU"))
    assert "Amina Diallo" in text_of(client.get(f"/coordinate/{programme.slug}/pairs/blocking"))


def test_before_any_run_the_blocking_pairs_page_says_so(client, auth, cohort, coordinator):
    programme, _scores = cohort
    auth.login(coordinator(programme))
    page = text_of(client.get(f"/coordinate/{programme.slug}/pairs/blocking"))
    assert "No matching run yet." in page


def test_the_blocking_pairs_list_is_paged(client, auth, matching_programme, person,
                                          coordinator):
    programme = matching_programme()
    mentees = [person(programme, f"Mentee {n:02d}") for n in range(8)]
    mentors = [person(programme, f"Mentor {n:02d}", Role.MENTOR) for n in range(8)]
    matching_run = MatchingRun(programme_id=programme.id, summary={"blocking": 64})
    db.session.add(matching_run)
    db.session.flush()
    db.session.add_all([BlockingPair(run_id=matching_run.id, mentee_id=e.id, mentor_id=m.id,
                                     score=700, mentee_score=None, mentor_lowest=600)
                        for e in mentees for m in mentors])
    db.session.commit()
    auth.login(coordinator(programme))
    first = text_of(client.get(f"/coordinate/{programme.slug}/pairs/blocking"))
    assert first.count("lowest score 600") == 50 and "Showing 1–50 of 64" in first
    second = text_of(client.get(f"/coordinate/{programme.slug}/pairs/blocking?page=2"))
    assert second.count("lowest score 600") == 14 and "Showing 51–64 of 64" in second
    assert "Mentee 07" in second and "Mentee 07" not in first
    assert "unmatched" in second


def test_the_stable_option_proposes_the_stable_matching_and_shows_its_cost(
        client, auth, cohort, coordinator):
    programme, scores = cohort
    auth.login(coordinator(programme))
    matching_page = text_of(client.get(f"/coordinate/{programme.slug}/matching"))
    assert "Stable matching" in matching_page
    run(client, programme, stable="y")
    matching_run = db.session.scalar(select(MatchingRun))
    assert matching_run.settings["stable"] is True
    [pairing] = db.session.scalars(select(Pairing)).all()
    assert (pairing.mentee.user.name, pairing.mentor.user.name) == ("Amina Diallo",
                                                                     "Xavier Dupont")
    optimum = scores["Amina", "Yusuf"] + scores["Béatrice", "Xavier"]
    assert matching_run.summary["blocking"] == 0
    assert matching_run.summary["optimum"] == {"matched": 2, "total": optimum,
                                               "lowest": min(scores["Amina", "Yusuf"],
                                                             scores["Béatrice", "Xavier"]),
                                               "blocking": 1}
    page = text_of(client.get(f"/coordinate/{programme.slug}/pairs"))
    lost = optimum - scores["Amina", "Xavier"]
    share = f"{100 * lost / optimum:.1f}".rstrip("0").rstrip(".")
    assert "stable matching" in page and "Blocking pairs: 0" in page
    assert (f"Total {scores['Amina', 'Xavier']:,} against {optimum:,} for the best matching "
            f"(which has 1 blocking pairs): stability costs {lost} points, {share}%.") in page


def test_fair_mode_and_the_stable_matching_are_not_asked_together(
        client, auth, cohort, coordinator):
    programme, _scores = cohort
    auth.login(coordinator(programme))
    response = run(client, programme, stable="y", fair="y")
    assert response.headers["Location"].endswith(f"/coordinate/{programme.slug}/matching")
    assert flashes(client) == ["Choose fair mode or the stable matching, not both."]
    assert db.session.scalar(select(MatchingRun)) is None
