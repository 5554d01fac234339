"""The wishes objective: rank-maximal (most matched, then most 1st wishes, 2nd, ..., then the
best total), checked against trying every matching; its profile and explanations."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.matching import Mentee, Mentor, Rules, build_model, solve, sparse, wishes
from mentoring.matching.profiles import id_key
from mentoring.matching.wishes import rank_matrix, weights
from tests.unit.matching.matching_helpers import matchings, problems, random_cohort


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


def _profile(result, model, rank, free):
    """(matched, 1st wishes, 2nd, ..., total) of the result's free pairs."""
    got = [0] * (max(4, int(rank.max()) if rank.size else 0) + 2)
    local = {i: k for k, i in enumerate(free)}
    for p in result.pairs:
        i, j = model.mentee_index[id_key(p.mentee_id)], model.mentor_index[id_key(p.mentor_id)]
        if p.locked:
            continue
        got[0] += 1
        if rank[local[i], j]:
            got[rank[local[i], j]] += 1
        got[-1] += p.score
    return got


@settings(max_examples=150, deadline=None)
@given(wish_problems(), st.sampled_from(["auto", "sparse", "sparse by levels"]))
def test_the_wishes_objective_is_rank_maximal(problem, method):
    # "sparse" is the staged solve on the certified candidate graph; "by levels" cuts it into
    # one chunk per level (pairs and 1st wishes, 2nd, ..., score), each on the last one's face.
    mentors, mentees, rules, locked, forbidden = problem
    with pytest.MonkeyPatch.context() as patch:
        if method == "sparse by levels":
            patch.setattr(wishes, "CHUNK_LEVELS", 1)
        result = solve(mentors, mentees, rules, locked, forbidden, objective="wishes",
                       method=method.split()[0])
    model = build_model(mentors, mentees, rules, forbidden)
    score, allowed = model.dense()
    cap = np.array([p.capacity for p in model.mentors], int)
    lock_rows = {model.mentee_index[id_key(e)] for e, _ in locked}
    for _, p in locked:
        cap[model.mentor_index[id_key(p)]] -= 1
    free = [i for i in range(model.n) if i not in lock_rows]
    rank = rank_matrix(model, np.array(free, np.int64))
    want = best_profile(score, allowed, free, cap, rank)
    assert all(allowed[model.mentee_index[id_key(p.mentee_id)],
                       model.mentor_index[id_key(p.mentor_id)]]
               for p in result.pairs if not p.locked)
    assert _profile(result, model, rank, free) == want
    assert result.method == "wishes"


@pytest.mark.parametrize("seed", range(6))
def test_the_staged_solve_finds_the_dense_optimum_on_larger_cohorts(seed):
    # Up to five ranked wishes, among a few popular mentors so that wishes compete; the dense
    # solve (one set of lexicographic weights) is the reference.
    rnd = random.Random(seed)
    mentors, mentees = random_cohort(seed, 90, 30, cap=(1, 3))
    popular = [p.id for p in mentors[:10]]
    mentees = [replace(e, preferred_mentors=rnd.sample(popular, rnd.randint(0, 5)))
               for e in mentees]
    locked = [(mentees[0].id, mentors[-1].id)]
    dense = solve(mentors, mentees, locked=locked, objective="wishes", method="dense")
    model = build_model(mentors, mentees)
    free = np.arange(1, model.n)
    rank = rank_matrix(model, free)
    for levels in (0, 1, 2):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(wishes, "CHUNK_LEVELS", levels)
            staged = solve(mentors, mentees, locked=locked, objective="wishes",
                           method="sparse")
        assert _profile(staged, model, rank, free.tolist()) == \
            _profile(dense, model, rank, free.tolist())
        assert (staged.summary.wishes, staged.summary.wishes_none) == \
            (dense.summary.wishes, dense.summary.wishes_none)


def test_the_staged_solve_hands_the_audit_every_score_as_it_found_it():
    # Pairs set aside while solving are marked in the kept score matrix, which the blocking
    # pairs audit then reads: every mark must be gone.
    rnd = random.Random(7)
    mentors, mentees = random_cohort(7, 80, 25, cap=(1, 2))
    mentees = [replace(e, preferred_mentors=rnd.sample([p.id for p in mentors[:6]], 3))
               for e in mentees]
    model = build_model(mentors, mentees)
    cap = np.array([p.capacity for p in model.mentors], np.int64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wishes, "CHUNK_LEVELS", 1)
        out = wishes.staged(model, np.arange(model.n), cap)
    score, allowed = model.dense()
    assert out.rounds >= 4  # three ranks and the score, one chunk each
    assert (out.keys == sparse._key(score, allowed)).all()


def test_a_cohort_too_large_for_one_set_of_weights_is_solved_by_stages():
    # 300 mentees each ranking five of 300 single-place mentors: one set of exact weights
    # would need about 2**59, so the dense solve refuses; the staged one gives everyone her
    # first wish (the only way: the first wishes are all different mentors).
    n = 300
    mentors = [Mentor(f"m{j:03d}", ["English"], ["a"], capacity=1) for j in range(n)]
    mentees = [Mentee(f"e{i:03d}", ["English"], ["a"],
                      preferred_mentors=[f"m{(i + r) % n:03d}" for r in range(1, 6)])
               for i in range(n)]
    with pytest.raises(ValueError, match="cannot be solved exactly"):
        solve(mentors, mentees, objective="wishes", method="dense")
    result = solve(mentors, mentees, objective="wishes")
    assert result.summary.wishes == (n, 0, 0, 0, 0)
    assert {(p.mentee_id, p.mentor_id) for p in result.pairs} == {
        (f"e{i:03d}", f"m{(i + 1) % n:03d}") for i in range(n)}


def test_a_cohort_whose_scores_are_not_kept_is_refused_with_its_size(monkeypatch):
    mentors, mentees = random_cohort(3, 20, 10)
    monkeypatch.setattr(sparse, "CACHE_CELLS", 100)
    with pytest.raises(ValueError, match="up to 100 mentee-mentor cells; this cohort has 200"):
        solve(mentors, mentees, objective="wishes", method="sparse")


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
