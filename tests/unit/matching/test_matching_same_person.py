"""Someone who applies both as mentor and as mentee is never paired with herself.

Her two applications are two profiles with the same `person` key; without it the engine would
see two strangers, and her mentor profile is often her own best match.
"""

from __future__ import annotations

import pytest

from mentoring.matching import Mentee, Mentor, Rules, score_pair, solve
from mentoring.matching.cli import main
from mentoring.matching.profiles import id_key
from tests.unit.matching.matching_helpers import random_cohort

METHODS = ["dense", "sparse"]


def ana_as_mentor(**values) -> Mentor:
    # Her own mentor profile covers every topic she wants, in her language and time zone.
    return Mentor("ana-mentor", ["English"], ["spectrum", "satellites"], region="CITEL",
                  years_experience=15, timezone="-05:00", person="ana", **values)


def ana_as_mentee() -> Mentee:
    return Mentee("ana-mentee", ["English"], ["spectrum", "satellites"], region="CITEL",
                  years_experience=2, timezone="-05:00", person="ana")


@pytest.mark.parametrize("method", METHODS)
def test_she_gets_another_mentor_and_her_mentor_place_goes_to_someone_else(method):
    bruno = Mentor("bruno", ["English"], ["spectrum"], years_experience=4, person="bruno")
    carla = Mentee("carla", ["English"], ["satellites"], person="carla")
    result = solve([ana_as_mentor(), bruno], [ana_as_mentee(), carla], method=method)
    assert {(p.mentee_id, p.mentor_id) for p in result.pairs} == {
        ("ana-mentee", "bruno"), ("carla", "ana-mentor")}
    assert result.summary.matched == 2


@pytest.mark.parametrize("method", METHODS)
def test_when_she_is_the_only_mentor_she_stays_unmatched_and_the_reason_says_why(method):
    result = solve([ana_as_mentor()], [ana_as_mentee()], method=method)
    assert result.pairs == ()
    [unmatched] = result.unmatched
    assert (unmatched.reason, unmatched.params) == (
        "no_compatible_mentor", {"rules": {"same_person": 1}, "speaking": 1})
    assert unmatched.text == "no mentor meets the hard rules (same person: 1)"


def test_scoring_her_with_herself_says_it_breaks_the_rule():
    pair = score_pair(ana_as_mentor(), ana_as_mentee())
    assert pair.broken == ("same_person",)
    # Without person keys they are two strangers: nothing is broken.
    stranger = Mentor("ana-mentor", ["English"], ["spectrum"])
    assert not score_pair(stranger, ana_as_mentee()).broken


def test_person_keys_compare_as_text_and_blank_keys_name_nobody():
    mentor = Mentor("m", ["English"], ["spectrum"], person=7)
    assert score_pair(mentor, Mentee("e", ["English"], ["spectrum"], person="7")).broken
    for blank in (None, "", "  "):
        lone = Mentor("m", ["English"], ["spectrum"], person=blank)
        assert not score_pair(lone, Mentee("e", ["English"], ["spectrum"], person=blank)).broken


def test_a_locked_pair_of_one_person_is_kept_but_said_to_break_the_rule():
    result = solve([ana_as_mentor()], [ana_as_mentee()], locked=[("ana-mentee", "ana-mentor")])
    [pair] = result.pairs
    assert pair.locked and pair.broken == ("same_person",)


def with_people(mentors, mentees, shared: int):
    """The first `shared` mentees are also mentors: the same person keys on both sides."""
    mentors = [Mentor(**{**vars(p), "person": f"p{k}"}) for k, p in enumerate(mentors)]
    mentees = [Mentee(**{**vars(e), "person": f"p{k}" if k < shared else f"q{k}"})
               for k, e in enumerate(mentees)]
    return mentors, mentees


@pytest.mark.parametrize("fair", [False, True])
@pytest.mark.parametrize("seed, n, m", [(11, 60, 40), (12, 400, 60)])
def test_no_one_is_paired_with_herself_and_sparse_equals_dense(seed, n, m, fair):
    mentors, mentees = random_cohort(seed, n, m, (1, 3))
    # Same language, topics and organisation for her two profiles: the best pair on paper.
    mentors = [Mentor(**{**vars(p), "organisation": ""}) for p in mentors]
    mentees = [Mentee(**{**vars(e), "languages": mentors[k].languages,
                         "topics": mentors[k].expertise, "organisation": ""})
               if k < m else e for k, e in enumerate(mentees)]
    mentors, mentees = with_people(mentors, mentees, shared=m)
    person = {id_key(p.id): p.person for p in mentors}
    person.update({id_key(e.id): e.person for e in mentees})
    results = [solve(mentors, mentees, Rules(), fair=fair, method=method)
               for method in METHODS]
    for result in results:
        assert result.pairs
        assert all(person[id_key(p.mentee_id)] != person[id_key(p.mentor_id)]
                   for p in result.pairs)
    dense, sparse = results
    assert (sparse.summary.matched, sparse.summary.total) == (
        dense.summary.matched, dense.summary.total)
    # Without the keys, some of them would have been paired with themselves.
    anonymous = solve([Mentor(**{**vars(p), "person": None}) for p in mentors],
                      [Mentee(**{**vars(e), "person": None}) for e in mentees], Rules())
    assert any(person[id_key(p.mentee_id)] == person[id_key(p.mentor_id)]
               for p in anonymous.pairs)


def test_the_command_line_reads_an_optional_person_column(tmp_path, capsys):
    (tmp_path / "mentors.csv").write_text(
        "id,languages,expertise,person\n"
        "m1,English,spectrum,ana@example.org\n"
        "m2,English,satellites,bo@example.org\n", encoding="utf-8")
    (tmp_path / "mentees.csv").write_text(
        "id,languages,topics,Person\n"
        "e1,English,spectrum,ana@example.org\n"
        "e2,English,satellites,\n", encoding="utf-8")
    out = tmp_path / "pairs.csv"
    assert main([str(tmp_path / "mentors.csv"), str(tmp_path / "mentees.csv"),
                 "--out", str(out)]) == 0
    rows = out.read_text(encoding="utf-8").splitlines()
    # Ana (e1) would take her own spectrum place as m1; she gets Bo, and m1 goes to e2.
    assert [row.split(",")[:2] for row in rows[1:]] == [["e1", "m2"], ["e2", "m1"]]
