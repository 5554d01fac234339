"""Tests of the sparse solver's warm-start repair, its no-cache certificate path and the bulk
explanation helpers, against the dense optimum and the one-pair reference functions."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring.matching import Rules, alternatives, build_model, dense, network, solve, sparse
from mentoring.matching.dense import big_weight
from mentoring.matching.explain import pair_parts, pairs_parts
from mentoring.matching.scoring import PART_CODES
from tests.unit.matching.matching_helpers import random_cohort

RULES = [Rules(), Rules(min_experience_gap=2, forbid_same_organisation=False),
         Rules(topics=100, region=0, language=0, timezone=0, experience=0, wishes=1)]


def _problem(seed: int, n: int, m: int, cap: tuple[int, int], locks: int):
    mentors, mentees = random_cohort(seed, n, m, cap)
    rnd = random.Random(seed)
    forbidden = [(e.id, p.id) for e in mentees for p in mentors if rnd.random() < 0.05]
    room = {p.id: p.capacity for p in mentors}
    locked = []
    for e in mentees[:locks]:
        p = rnd.choice(mentors)
        if room[p.id] > 0 and (e.id, p.id) not in forbidden:
            room[p.id] -= 1
            locked.append((e.id, p.id))
    return mentors, mentees, locked, forbidden


def _same(mentors, mentees, rules, locked, forbidden, fair):
    d = solve(mentors, mentees, rules, locked=locked, forbidden=forbidden, fair=fair,
              method="dense")
    s = solve(mentors, mentees, rules, locked=locked, forbidden=forbidden, fair=fair,
              method="sparse")
    assert (s.summary.matched, s.summary.total) == (d.summary.matched, d.summary.total)
    assert s.threshold == d.threshold
    if fair:
        assert s.summary.lowest == d.summary.lowest
    return s


@pytest.fixture
def repair_always(monkeypatch):
    """Tiny first candidate sets and repair for any number of failing mentees; counts the
    repairs."""
    calls = []
    original = network.Network.repair

    def counted(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(network.Network, "repair", counted)
    monkeypatch.setattr(sparse, "REPAIR_SHARE", 2.0)
    monkeypatch.setattr(sparse, "TOP_K", 1)
    monkeypatch.setattr(sparse, "PER_PLACE", 0)
    monkeypatch.setattr(sparse, "RESERVE", 1)
    return calls


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10**6), st.integers(1, 60), st.integers(1, 15),
       st.sampled_from([(1, 1), (1, 2), (1, 5), (3, 4)]), st.integers(0, 4), st.booleans(),
       st.integers(0, len(RULES) - 1))
def test_repair_reaches_the_dense_optimum(repair_always, seed, n, m, cap, locks, fair, rules):
    mentors, mentees, locked, forbidden = _problem(seed, n, m, cap, locks)
    _same(mentors, mentees, RULES[rules], locked, forbidden, fair)


@pytest.mark.parametrize("fair", [False, True])
@pytest.mark.parametrize("seed, n, m, cap", [(11, 300, 60, (1, 4)), (12, 400, 70, (1, 5)),
                                             (13, 200, 150, (1, 2)), (14, 120, 40, (3, 6))])
def test_repair_on_larger_cohorts(repair_always, seed, n, m, cap, fair):
    mentors, mentees, locked, forbidden = _problem(seed, n, m, cap, 3)
    s = _same(mentors, mentees, Rules(), locked, forbidden, fair)
    assert s.rounds > 1 and repair_always  # the tiny candidate sets needed repairing


@pytest.mark.parametrize("fair", [False, True])
@pytest.mark.parametrize("seed, cap", [(21, (1, 3)), (22, (1, 5)), (23, (2, 2))])
def test_certificate_without_the_score_cache(monkeypatch, seed, cap, fair):
    # The large-cohort path: reserve pairs, row bounds and rescoring instead of the cache.
    monkeypatch.setattr(sparse, "CACHE_CELLS", 0)
    monkeypatch.setattr(sparse, "TOP_K", 2)
    monkeypatch.setattr(sparse, "RESERVE", 3)
    mentors, mentees, locked, forbidden = _problem(seed, 250, 60, cap, 2)
    _same(mentors, mentees, Rules(), locked, forbidden, fair)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 40), st.integers(1, 12),
       st.sampled_from([(1, 1), (1, 3), (2, 5)]), st.floats(0.05, 1.0))
def test_network_repair_keeps_reduced_costs_and_reaches_the_optimum(seed, n, m, cap, share):
    """Optimal on a subset of pairs, then all pairs added and random mentees released:
    the repair must give the optimum of all pairs, with no negative reduced cost left."""
    rng = np.random.default_rng(seed)
    caps = rng.integers(cap[0], cap[1] + 1, m)
    allowed = rng.random((n, m)) < 0.6
    score = rng.integers(0, 1001, (n, m))
    rows, cols = np.nonzero(allowed)
    scores = score[rows, cols]
    if rows.size == 0:
        return
    sub = rng.random(rows.size) < share
    big = big_weight(n, int(caps.sum()))
    match = sparse._assign(n, caps, rows[sub], cols[sub], scores[sub])
    v = np.minimum(sparse._prices(m, caps, rows[sub], cols[sub], scores[sub], match, big),
                   big + 1001)
    on = cols[sub] == match[rows[sub]]
    u = np.zeros(n, np.int64)
    u[rows[sub][on]] = big + scores[sub][on] - v[cols[sub][on]]
    net = network.Network(n, caps, rows, cols, scores, big, match, np.concatenate([u, -v, [0]]))
    # Release every mentee with an arc of negative reduced cost, plus a few at random.
    bad = np.unique(rows[big + scores - v[cols] > u[rows]])
    extra = np.flatnonzero(rng.random(n) < 0.1)
    net.release(np.union1d(bad, extra))
    net.repair(limit=float(rng.choice([1.0, 64.0])))
    net.check()
    assert (net.excess == 0).all()
    got = net.match
    want = dense.assign(np.where(allowed, score, 0), allowed, caps)
    assert (got >= 0).sum() == (want >= 0).sum()
    g, w = np.flatnonzero(got >= 0), np.flatnonzero(want >= 0)
    assert score[g, got[g]].sum() == score[w, want[w]].sum()
    assert allowed[g, got[g]].all()
    assert (np.bincount(got[g], minlength=m) <= caps).all()
    # The repaired potentials give a certificate: prices within bounds, duals feasible.
    prices = net.prices(big + 1001)
    assert (prices >= 0).all()


def test_bulk_part_values_and_rules_match_the_single_pair_versions():
    for seed in range(8):
        mentors, mentees = random_cohort(seed, 25, 10, (1, 3), people=6)
        rnd = random.Random(seed)
        forbidden = [(e.id, p.id) for e in mentees for p in mentors if rnd.random() < .1]
        for rules in (*RULES, Rules(experience_ahead=0), Rules(experience_ahead=2.5)):
            model = build_model(mentors, mentees, rules, forbidden)
            r, c = (x.ravel() for x in np.meshgrid(np.arange(model.n), np.arange(model.m),
                                                   indexing="ij"))
            values = model.part_values(r, c)
            broken = model.broken_many(r, c)
            parts = pairs_parts(model, r, c)
            score, allowed = model.pairs(r, c)
            full_score, full_allowed = model.dense()
            assert (score == full_score[r, c]).all() and (allowed == full_allowed[r, c]).all()
            for k in range(r.size):
                i, j = int(r[k]), int(c[k])
                ref = model.parts(i, j)
                assert values[k].tolist() == [ref[x] for x in PART_CODES]
                assert broken[k] == tuple(model.broken(i, j))
                assert parts[k] == pair_parts(model, i, j)


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_alternatives_from_the_solvers_best_pairs_equal_fresh_scoring(seed):
    mentors, mentees, _, forbidden = _problem(seed, 300, 70, (1, 3), 0)
    r = solve(mentors, mentees, forbidden=forbidden, method="sparse")
    assert getattr(r.model, "best_pairs", None) is not None
    some = [e.id for e in mentees[3:60:3]]
    stored = (alternatives(r), alternatives(r, some, 2), alternatives(r, some, 7))
    del r.model.best_pairs
    fresh = (alternatives(r), alternatives(r, some, 2), alternatives(r, some, 7))
    assert repr(stored) == repr(fresh)
