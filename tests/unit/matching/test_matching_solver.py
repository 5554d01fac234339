"""Property tests of `solve` against brute force on small random cohorts."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring.matching import Mentee, Mentor, Rules, build_model, solve
from mentoring.matching.profiles import id_key
from tests.unit.matching.matching_helpers import brute_force, problems, random_cohort


def check(mentors, mentees, rules, locked, forbidden, fair, method="auto"):
    result = solve(mentors, mentees, rules, locked=locked, forbidden=forbidden, fair=fair,
                   method=method)
    model = build_model(mentors, mentees, rules, forbidden)
    score, allowed = model.dense()
    caps = {id_key(p.id): p.capacity for p in mentors}
    lock_map = {id_key(e): id_key(m) for e, m in locked}
    # Validity: every mentee once, capacities, hard rules, locks kept.
    seen = [id_key(p.mentee_id) for p in result.pairs]
    seen += [id_key(u.mentee_id) for u in result.unmatched]
    assert sorted(seen) == sorted(id_key(e.id) for e in mentees)
    used: dict[str, int] = {}
    for p in result.pairs:
        used[id_key(p.mentor_id)] = used.get(id_key(p.mentor_id), 0) + 1
        i, j = model.mentee_index[id_key(p.mentee_id)], model.mentor_index[id_key(p.mentor_id)]
        assert p.score == score[i, j]
        assert p.locked == (id_key(p.mentee_id) in lock_map)
        if not p.locked:
            assert allowed[i, j]
            # Nobody is her own mentor, whatever the model says.
            assert model.mentees[i].person is None \
                or id_key(model.mentees[i].person) != id_key(model.mentors[j].person)
        else:
            assert lock_map[id_key(p.mentee_id)] == id_key(p.mentor_id)
    assert all(used[k] <= caps[k] for k in used)
    assert all(e in {id_key(p.mentee_id) for p in result.pairs} for e in lock_map)
    # Optimality of the free part against brute force.
    free = [i for i, e in enumerate(model.mentees) if id_key(e.id) not in lock_map]
    room = np.array([caps[id_key(p.id)] for p in model.mentors], int)
    for j in lock_map.values():
        room[model.mentor_index[j]] -= 1
    best = brute_force(score[free], allowed[free], room, fair=fair)
    free_scores = [p.score for p in result.pairs if not p.locked]
    got = (len(free_scores), sum(free_scores))
    if fair:
        got = (len(free_scores), min(free_scores) if free_scores else 10**9, sum(free_scores))
    assert got == best
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.booleans())
def test_dense_is_valid_and_optimal(problem, fair):
    check(*problem, fair=fair, method="dense")


@settings(max_examples=60, deadline=None)
@given(problems(), st.booleans())
def test_sparse_is_valid_and_optimal(problem, fair):
    check(*problem, fair=fair, method="sparse")


@settings(max_examples=40, deadline=None)
@given(problems(), st.booleans(), st.integers(0, 1000))
def test_same_output_whatever_the_input_order(problem, fair, seed):
    mentors, mentees, rules, locked, forbidden = problem
    a = solve(mentors, mentees, rules, locked, forbidden, fair=fair)
    rnd = random.Random(seed)
    mentors2, mentees2 = mentors[:], mentees[:]
    rnd.shuffle(mentors2)
    rnd.shuffle(mentees2)
    b = solve(mentors2, mentees2, rules, locked[::-1], forbidden[::-1], fair=fair)
    assert a == b
    assert repr(a.pairs) == repr(b.pairs)


def test_fair_mode_raises_the_lowest_score():
    # Plain: A-X (1000) + B-Y (167) = 1167. Fair: A-Y (333) + B-X (833) = 1166, lowest 333.
    x = Mentor("X", ["English"], ["a", "b", "c", "d", "e"], capacity=1)
    y = Mentor("Y", ["English"], ["b", "f"], capacity=1)
    a = Mentee("A", ["English"], ["a", "b", "c"])
    b = Mentee("B", ["English"], ["d", "e", "f"])
    rules = Rules(topics=100, region=0, language=0, timezone=0, experience=0, wishes=0)
    plain = solve([x, y], [a, b], rules)
    fair = solve([x, y], [a, b], rules, fair=True)
    assert {(p.mentee_id, p.mentor_id, p.score) for p in plain.pairs} == {
        ("A", "X", 1000), ("B", "Y", 167)}
    assert {(p.mentee_id, p.mentor_id, p.score) for p in fair.pairs} == {
        ("A", "Y", 333), ("B", "X", 833)}
    assert fair.summary.lowest == fair.threshold == 333 > plain.summary.lowest
    assert fair.summary.total == plain.summary.total - 1


def test_cardinality_comes_before_score():
    x = Mentor("X", ["English"], ["a"], capacity=1)
    y = Mentor("Y", ["French"], [], capacity=1)
    a = Mentee("A", ["English", "French"], ["a"])
    b = Mentee("B", ["English"], [])
    r = solve([x, y], [a, b])
    assert {(p.mentee_id, p.mentor_id) for p in r.pairs} == {("A", "Y"), ("B", "X")}


def test_locks_keep_pairs_even_against_rules_and_count_against_capacity():
    x = Mentor("X", ["English"], ["a"], capacity=1)
    y = Mentor("Y", ["French"], ["a"], capacity=1)
    a = Mentee("A", ["English"], ["a"])
    b = Mentee("B", ["English"], ["a"])
    r = solve([x, y], [a, b], locked=[("A", "Y")])
    pairs = {p.mentee_id: p for p in r.pairs}
    assert pairs["A"].mentor_id == "Y" and pairs["A"].locked
    assert pairs["A"].broken == ("no_common_language",)
    assert pairs["B"].mentor_id == "X"
    r = solve([x, y], [a, b], locked=[("A", "X")])
    assert [u.reason for u in r.unmatched] == ["compatible_mentors_full"]
    with pytest.raises(ValueError, match="more locked mentees than places"):
        solve([x, y], [a, b], locked=[("A", "X"), ("B", "X")])
    with pytest.raises(ValueError, match="unknown id"):
        solve([x, y], [a, b], locked=[("A", "nobody")])


def test_forbidden_pairs_are_never_used():
    x = Mentor("X", ["English"], ["a"], capacity=2)
    a = Mentee("A", ["English"], ["a"])
    r = solve([x], [a], forbidden=[("A", "X")])
    assert r.pairs == () and r.unmatched[0].reason == "no_compatible_mentor"
    assert r.unmatched[0].params["rules"] == {"forbidden_by_coordinator": 1}


def test_duplicate_and_mixed_ids():
    with pytest.raises(ValueError, match="duplicate mentor id"):
        solve([Mentor(1, ["en"]), Mentor("1", ["en"])], [])
    r = solve([Mentor(2, ["en"]), Mentor("10", ["en"])], [Mentee(5, ["en"]), Mentee("4", ["en"])])
    assert [p.mentee_id for p in r.pairs] == ["4", 5]


def test_empty_cohorts():
    assert solve([], []).summary.matched == 0
    r = solve([], [Mentee("A", ["en"])])
    assert r.unmatched[0].reason == "no_mentors"
    assert solve([Mentor("X", ["en"])], []).pairs == ()


@pytest.mark.parametrize("fair", [False, True])
@pytest.mark.parametrize("seed, n, m, cap", [(1, 300, 60, (1, 4)), (2, 400, 60, (1, 5)),
                                             (3, 250, 150, (1, 2)), (4, 500, 30, (1, 3))])
def test_sparse_equals_dense_on_larger_cohorts(seed, n, m, cap, fair):
    mentors, mentees = random_cohort(seed, n, m, cap)
    rnd = random.Random(seed)
    forbidden = [(e.id, p.id) for e in mentees for p in mentors if rnd.random() < 0.05]
    locked = [(mentees[k].id, mentors[k].id) for k in range(3)]
    d = solve(mentors, mentees, locked=locked, forbidden=forbidden, fair=fair, method="dense")
    s = solve(mentors, mentees, locked=locked, forbidden=forbidden, fair=fair, method="sparse")
    assert s.method == "sparse" and d.method == "dense"
    assert (s.summary.matched, s.summary.total) == (d.summary.matched, d.summary.total)
    assert s.threshold == d.threshold
    assert s.summary.lowest == d.summary.lowest or not fair


@pytest.mark.parametrize("seed, cap", [(5, (1, 2)), (6, (1, 5)), (7, (3, 4))])
def test_certificate_grows_too_small_candidate_sets_to_the_optimum(seed, cap):
    from mentoring.matching import dense, sparse

    mentors, mentees = random_cohort(seed, 300, 80, cap)
    model = build_model(mentors, mentees, Rules())
    caps = np.array([p.capacity for p in model.mentors])
    score, allowed = model.dense()
    want = dense.assign(score, allowed, caps)
    out = sparse.solve_sparse(model, np.arange(model.n), caps, k=1, per_place=0, reserve=1)
    assert out.rounds > 1  # one candidate per mentee cannot be enough: the loop must grow it
    got_rows = np.flatnonzero(out.match >= 0)
    want_rows = np.flatnonzero(want >= 0)
    assert got_rows.size == want_rows.size
    assert score[got_rows, out.match[got_rows]].sum() == score[want_rows, want[want_rows]].sum()
    assert allowed[got_rows, out.match[got_rows]].all()
    assert (np.bincount(out.match[got_rows], minlength=model.m) <= caps).all()


@pytest.mark.parametrize("method", ["dense", "sparse"])
def test_the_result_says_where_the_time_went(method):
    mentors, mentees = random_cohort(5, 60, 20, (1, 3))
    started = time.perf_counter()
    result = solve(mentors, mentees, Rules(), method=method)
    wall = time.perf_counter() - started
    t = result.timings
    assert set(t) == {"compile", "score", "solve", "audit", "explain"}
    assert all(v >= 0 for v in t.values()) and sum(t.values()) <= wall
    # Timings are not part of the outcome: two runs compare equal.
    assert result == solve(mentors, mentees, Rules(), method=method)
