"""Stability: blocking pairs counted exactly (against a pair-by-pair count), and the stable
matching (against a textbook one-proposal-at-a-time deferred acceptance)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.matching import Mentee, Mentor, Rules, build_model, solve
from mentoring.matching.profiles import id_key
from tests.unit.matching.matching_helpers import problems, random_cohort


def _free_problem(mentors, mentees, rules, locked, forbidden):
    """Scores, allowed mask, free mentee rows and places left, as the engine sees them."""
    model = build_model(mentors, mentees, rules, forbidden)
    score, allowed = model.dense()
    cap = np.array([p.capacity for p in model.mentors], int)
    lock_rows = set()
    for e, p in locked:
        lock_rows.add(model.mentee_index[id_key(e)])
        cap[model.mentor_index[id_key(p)]] -= 1
    free = [i for i in range(model.n) if i not in lock_rows]
    return model, score, allowed, free, cap


def blocking_by_hand(model, score, allowed, free, cap, result):
    """Every (mentee id, mentor id) pair that blocks, one pair at a time."""
    mine = {model.mentee_index[id_key(p.mentee_id)]: model.mentor_index[id_key(p.mentor_id)]
            for p in result.pairs if not p.locked}
    out = set()
    for i in free:
        own = score[i, mine[i]] if i in mine else -1
        for j in range(model.m):
            if not allowed[i, j] or mine.get(i) == j or score[i, j] <= own:
                continue
            held = [k for k, jj in mine.items() if jj == j]
            if len(held) < cap[j] or any(score[k, j] < score[i, j] for k in held):
                out.add((model.mentees[i].id, model.mentors[j].id))
    return out


def textbook_deferred_acceptance(score, allowed, free, cap):
    """One free mentee proposes at a time to her best mentor not yet tried (score, then lower
    column); a mentor keeps her best `cap` (score, then lower row)."""
    prefs = {i: sorted((j for j in range(score.shape[1]) if allowed[i, j] and cap[j] > 0),
                       key=lambda j, i=i: (-score[i, j], j)) for i in free}
    held: dict[int, list[int]] = {j: [] for j in range(score.shape[1])}
    nxt = dict.fromkeys(free, 0)
    waiting = list(free)
    while waiting:
        i = waiting.pop()
        if nxt[i] >= len(prefs[i]):
            continue
        j = prefs[i][nxt[i]]
        nxt[i] += 1
        held[j].append(i)
        held[j].sort(key=lambda k, j=j: (-score[k, j], k))
        if len(held[j]) > cap[j]:
            waiting.append(held[j].pop())
    return {i: j for j, ks in held.items() for i in ks}


@settings(max_examples=120, deadline=None)
@given(problems(), st.sampled_from(["dense", "sparse"]), st.booleans())
def test_every_blocking_pair_is_listed_and_nothing_else(problem, method, fair):
    mentors, mentees, rules, locked, forbidden = problem
    result = solve(mentors, mentees, rules, locked, forbidden, fair=fair, method=method)
    model, score, allowed, free, cap = _free_problem(*problem)
    want = blocking_by_hand(model, score, allowed, free, cap, result)
    got = [(b.mentee_id, b.mentor_id) for b in result.blocking]
    assert set(got) == want and len(got) == len(want) == result.summary.blocking
    for b in result.blocking:
        i, j = model.mentee_index[id_key(b.mentee_id)], model.mentor_index[id_key(b.mentor_id)]
        assert b.score == score[i, j]


@settings(max_examples=120, deadline=None)
@given(problems())
def test_the_stable_matching_is_deferred_acceptance_and_has_no_blocking_pair(problem):
    mentors, mentees, rules, locked, forbidden = problem
    result = solve(mentors, mentees, rules, locked, forbidden, stable=True)
    model, score, allowed, free, cap = _free_problem(*problem)
    assert result.method == "stable"
    assert result.blocking == () and result.summary.blocking == 0
    assert blocking_by_hand(model, score, allowed, free, cap, result) == set()
    want = textbook_deferred_acceptance(score, allowed, free, cap)
    got = {model.mentee_index[id_key(p.mentee_id)]: model.mentor_index[id_key(p.mentor_id)]
           for p in result.pairs if not p.locked}
    assert got == want
    assert all(p.mentor_id == dict(locked)[p.mentee_id] for p in result.pairs if p.locked)


@pytest.mark.parametrize("seed, n, m, cap", [(1, 400, 60, (1, 4)), (2, 300, 150, (1, 2))])
def test_stable_matching_of_a_larger_cohort_reads_preferences_in_steps(seed, n, m, cap):
    # Deeper than the DEPTH preferences read at first: mentees go on reading their lists.
    mentors, mentees = random_cohort(seed, n, m, cap)
    rnd = random.Random(seed)
    forbidden = [(e.id, p.id) for e in mentees for p in mentors if rnd.random() < 0.05]
    result = solve(mentors, mentees, forbidden=forbidden, stable=True)
    model, score, allowed, free, caps = _free_problem(mentors, mentees, Rules(), [], forbidden)
    want = textbook_deferred_acceptance(score, allowed, free, caps)
    got = {model.mentee_index[id_key(p.mentee_id)]: model.mentor_index[id_key(p.mentor_id)]
           for p in result.pairs}
    assert got == want
    optimum = solve(mentors, mentees, forbidden=forbidden)
    assert optimum.summary.blocking > 0  # the optimum is not stable here ...
    assert optimum.summary.total > result.summary.total  # ... and stability costs points


def test_a_mentee_and_a_mentor_who_both_prefer_each_other_block():
    # The optimum A-X (1000), B-Y (167) is stable: B prefers X (833) but X holds A at 1000.
    x = Mentor("X", ["English"], ["a", "b", "c", "d", "e"], capacity=1)
    y = Mentor("Y", ["English"], ["b", "f"], capacity=1)
    a = Mentee("A", ["English"], ["a", "b", "c"])
    b = Mentee("B", ["English"], ["d", "e", "f"])
    rules = Rules(topics=100, region=0, language=0, timezone=0, experience=0, wishes=0)
    assert solve([x, y], [a, b], rules).blocking == ()
    # The fair matching (A-Y 333, B-X 833) is blocked by A-X: A prefers X (1000 > 333) and X
    # holds B at 833 < 1000.
    fair = solve([x, y], [a, b], rules, fair=True)
    assert [(p.mentee_id, p.mentor_id, p.score) for p in fair.blocking] == [("A", "X", 1000)]
    # A locked mentee cannot be displaced: X (full with locked B) blocks with nobody.
    z = Mentor("Z", ["English"], ["a", "b", "c"], capacity=2)
    r = solve([x, z], [a, b], rules, locked=[("B", "X")])
    assert r.blocking == () and r.mentor_of("A") == "Z"
