"""The wishes objective: rank-maximal (most matched, then most 1st wishes, 2nd, ..., then the
best total), checked against trying every matching; its profile and explanations."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.matching import Mentee, Mentor, Rules, build_model, solve
from mentoring.matching.profiles import id_key
from mentoring.matching.wishes import rank_matrix, weights
from tests.unit.matching.matching_helpers import matchings, problems


@st.composite
def wish_problems(draw):
    """Small cohorts where mentees rank up to four mentors (one perhaps withdrawn)."""
    mentors, mentees, rules, locked, forbidden = draw(problems())
    rnd = random.Random(draw(st.integers(0, 10**6)))
    ids = [p.id for p in mentors] + ["gone"]
    mentees = [replace(e, preferred_mentors=rnd.sample(ids, rnd.randint(0, min(4, len(ids)))))
               for e in mentees]
    return mentors, mentees, rules, locked, forbidden


def best_profile(score, allowed, free, cap, rank):
    """(matched, 1st wishes, 2nd, ..., total) of the lexicographically best matching of the
    free rows, trying every one."""
    top = max(4, int(rank.max()) if rank.size else 0)
    best = None
    for pairs in matchings(allowed[free], cap):
        key = [len(pairs)] + [0] * top + [sum(int(score[free[k], j]) for k, j in pairs)]
        for k, j in pairs:
            if rank[k, j]:
                key[rank[k, j]] += 1
        if best is None or key > best:
            best = key
    return best


@settings(max_examples=150, deadline=None)
@given(wish_problems())
def test_the_wishes_objective_is_rank_maximal(problem):
    mentors, mentees, rules, locked, forbidden = problem
    result = solve(mentors, mentees, rules, locked, forbidden, objective="wishes")
    model = build_model(mentors, mentees, rules, forbidden)
    score, allowed = model.dense()
    cap = np.array([p.capacity for p in model.mentors], int)
    lock_rows = {model.mentee_index[id_key(e)] for e, _ in locked}
    for _, p in locked:
        cap[model.mentor_index[id_key(p)]] -= 1
    free = [i for i in range(model.n) if i not in lock_rows]
    rank = rank_matrix(model, np.array(free, np.int64))
    want = best_profile(score, allowed, free, cap, rank)
    got = [0] * len(want)
    local = {i: k for k, i in enumerate(free)}
    for p in result.pairs:
        i, j = model.mentee_index[id_key(p.mentee_id)], model.mentor_index[id_key(p.mentor_id)]
        if p.locked:
            continue
        assert allowed[i, j]
        got[0] += 1
        if rank[local[i], j]:
            got[rank[local[i], j]] += 1
        got[-1] += p.score
    assert got == want
    assert result.method == "wishes"


def _two_rivals():
    # A wishes only X; B wishes X then Y. The scores favour B-X and A-Y (topics only).
    x = Mentor("X", ["English"], ["a", "b"], capacity=1)
    y = Mentor("Y", ["English"], ["a"], capacity=1)
    a = Mentee("A", ["English"], ["a"], preferred_mentors=["X"])
    b = Mentee("B", ["English"], ["b", "a"], preferred_mentors=["X", "Y"])
    rules = Rules(topics=100, region=0, language=0, timezone=0, experience=0, wishes=0)
    return [x, y], [a, b], rules


def test_first_wishes_come_before_the_total_and_the_profile_counts_them():
    mentors, mentees, rules = _two_rivals()
    by_score = solve(mentors, mentees, rules)
    assert {(p.mentee_id, p.mentor_id) for p in by_score.pairs} == {("A", "Y"), ("B", "X")}
    assert (by_score.summary.wishes, by_score.summary.wishes_none) == ((1, 0), 1)
    by_wish = solve(mentors, mentees, rules, objective="wishes")
    # One first wish either way; then B's second wish (Y) beats no wish for A.
    assert {(p.mentee_id, p.mentor_id) for p in by_wish.pairs} == {("A", "X"), ("B", "Y")}
    assert (by_wish.summary.wishes, by_wish.summary.wishes_none) == ((1, 1), 0)
    assert by_wish.summary.total < by_score.summary.total
    # The explanation says which wish it was, though wishes weigh nothing in the score.
    text = {p.mentee_id: p.text for p in by_wish.pairs}
    assert text["A"].endswith("the mentee's choice 1 of 1")
    assert text["B"].endswith("the mentee's choice 2 of 2")
    assert "choice" not in by_score.pairs[0].text


def test_more_mentees_matched_comes_before_first_wishes():
    # Giving C her first wish (X) would leave A without a mentor.
    x = Mentor("X", ["English"], ["a"], capacity=1)
    y = Mentor("Y", ["French"], ["a"], capacity=1)
    a = Mentee("A", ["English"], ["a"])
    c = Mentee("C", ["English", "French"], ["a"], preferred_mentors=["X"])
    r = solve([x, y], [a, c], objective="wishes")
    assert {(p.mentee_id, p.mentor_id) for p in r.pairs} == {("A", "X"), ("C", "Y")}
    assert (r.summary.wishes, r.summary.wishes_none) == ((0,), 1)


def test_weights_that_would_not_stay_exact_are_refused():
    n = 2000
    rank = np.zeros((n, n), np.int64)
    for r in range(1, 6):
        rank[np.arange(n), (np.arange(n) + r) % n] = r
    with pytest.raises(ValueError, match="cannot be solved exactly"):
        weights(rank, np.zeros((n, n), np.int16), np.ones((n, n), bool), np.ones(n, np.int64))


def test_wishes_objective_does_not_combine_with_stable_or_fair():
    mentors, mentees, rules = _two_rivals()
    for option in ({"stable": True}, {"fair": True}):
        with pytest.raises(ValueError, match="cannot be combined"):
            solve(mentors, mentees, rules, objective="wishes", **option)
