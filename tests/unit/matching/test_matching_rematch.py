"""Priority (longest waiting first) against trying every matching, and the rematch: only the
waiting mentees are matched, on the places left free; no pair that holds a place moves."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.matching import Mentee, Mentor, rematch, solve
from mentoring.matching.profiles import id_key
from tests.unit.matching.matching_helpers import free_rows, matchings, problems


@st.composite
def priority_problems(draw):
    mentors, mentees, rules, locked, forbidden = draw(problems())
    rnd = random.Random(draw(st.integers(0, 10**6)))
    top = draw(st.integers(0, 3))
    priority = {e.id: rnd.randint(0, top) for e in mentees if rnd.random() < 0.8}
    return mentors, mentees, rules, locked, forbidden, priority


def best_by_priority(score, allowed, free, cap, level):
    """(matched at each priority, highest first..., total) of the best matching, by trying
    every one."""
    classes = sorted(set(level), reverse=True)
    return max(([sum(1 for k, _ in pairs if level[k] == c) for c in classes]
                + [sum(int(score[free[k], j]) for k, j in pairs)])
               for pairs in matchings(allowed[free], cap))


@settings(max_examples=200, deadline=None)
@given(priority_problems())
def test_the_highest_priority_is_matched_first_then_the_best_total(problem):
    mentors, mentees, rules, locked, forbidden, priority = problem
    result = solve(mentors, mentees, rules, locked, forbidden, priority=priority)
    model, score, allowed, cap, free = free_rows(mentors, mentees, rules, locked, forbidden)
    level = [priority.get(model.mentees[i].id, 0) for i in free]
    want = best_by_priority(score, allowed, free, cap, level)
    classes = sorted(set(level), reverse=True)
    got = [0] * len(classes) + [0]
    for p in result.pairs:
        i, j = model.mentee_index[id_key(p.mentee_id)], model.mentor_index[id_key(p.mentor_id)]
        if p.locked:
            assert (p.mentee_id, p.mentor_id) in locked
            continue
        assert allowed[i, j]
        got[classes.index(priority.get(p.mentee_id, 0))] += 1
        got[-1] += p.score
    assert got == want
    assert result.method == "priority"


def test_the_longest_waiting_gets_the_last_place_even_at_a_lower_score():
    place = Mentor("X", ["English"], ["a"], capacity=1)
    fits = Mentee("new", ["English"], ["a"])
    waited = Mentee("old", ["English"], ["b"])
    plain = solve([place], [fits, waited])
    assert plain.mentor_of("new") == "X"
    first = solve([place], [fits, waited], priority={"old": 30, "new": 2})
    assert first.mentor_of("old") == "X" and first.mentor_of("new") is None


def test_priority_does_not_combine_with_other_objectives():
    with pytest.raises(ValueError):
        solve([], [], fair=True, priority={})
    with pytest.raises(ValueError):
        solve([], [], objective="wishes", priority={})


@settings(max_examples=150, deadline=None)
@given(priority_problems())
def test_rematch_moves_no_pair_that_holds_a_place(problem):
    mentors, mentees, rules, locked, forbidden, priority = problem
    held = {e for e, _ in locked}
    waiting = [e for e in mentees if e.id not in held]
    result = rematch(mentors, waiting, rules, taken=[p for _, p in locked],
                     forbidden=forbidden, priority=priority)
    # Only the waiting are matched, never on a place a kept pair holds, never forbidden.
    assert {p.mentee_id for p in result.pairs} <= {e.id for e in waiting}
    assert not any(p.locked for p in result.pairs)
    assert not {(p.mentee_id, p.mentor_id) for p in result.pairs} & set(forbidden)
    load = Counter([p for _, p in locked] + [p.mentor_id for p in result.pairs])
    assert all(load[p.id] <= p.capacity for p in mentors)
    # The same as solving the whole cohort with the kept pairs locked.
    whole = solve(mentors, mentees, rules, locked, forbidden, priority=priority)
    free = [p for p in whole.pairs if not p.locked]
    assert len(free) == len(result.pairs)
    assert sum(p.score for p in free) == sum(p.score for p in result.pairs)
    assert Counter(priority.get(p.mentee_id, 0) for p in free) == \
        Counter(priority.get(p.mentee_id, 0) for p in result.pairs)


def test_a_mentor_with_more_pairs_than_places_offers_none():
    mentor = Mentor("X", ["English"], ["a"], capacity=1)
    result = rematch([mentor], [Mentee("e", ["English"], ["a"])], taken=["X", "X"])
    assert result.pairs == ()
    assert result.unmatched[0].reason == "compatible_mentors_full"
