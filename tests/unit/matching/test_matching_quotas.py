"""Quotas: met exactly and optimal (against every matching of tiny cohorts), never better
than the run without them, bad rules named, rules that cannot be met explained."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mentoring.matching import Mentee, Mentor, Rules, build_model, quotas, solve
from mentoring.matching.profiles import id_key
from mentoring.matching.quotas import QuotaError, QuotasUnmet, parse_rules
from tests.unit.matching.matching_helpers import matchings, problems, random_cohort

POOL = [
    {"name": "CITEL mentees", "mentee": {"region": "CITEL"}, "mentor": {}, "min": 1},
    {"name": "woman mentors", "mentor": {"gender": "woman"}, "min_share": 0.5},
    {"name": "few French", "mentee": {"language": "French"}, "mentor": {"language": "French"},
     "max": 1},
    {"name": "APT served", "mentee": {"region": "APT"}, "min_share": 0.5, "of": "group"},
    {"name": "abroad", "mentee": {}, "mentor": {}, "cross_region": True, "max_share": 0.5},
    {"name": "at home", "cross_region": False, "min": 1},
    {"name": "spectrum", "mentee": {"topic": "spectrum"}, "mentor": {"topic": "spectrum"},
     "min": 1},
]


def _norm(text):
    return " ".join(text.split()).casefold()


def rule_counts(rule, model, i, j):
    """Whether `rule` (a dict) counts pair (i, j), read straight from the profiles."""
    e, p = model.mentees[i], model.mentors[j]
    for side, person in (("mentee", e), ("mentor", p)):
        for field, value in rule.get(side, {}).items():
            if field == "region" and _norm(person.region) != _norm(value):
                return False
            if field == "gender" and _norm(person.gender) != _norm(value):
                return False
            if field == "language" and _norm(value) not in {_norm(x) for x in person.languages}:
                return False
            listed = person.topics if side == "mentee" else person.expertise
            if field == "topic" and _norm(value) not in {_norm(t) for t in listed}:
                return False
    cross = rule.get("cross_region")
    if cross is not None:
        if not (e.region and p.region):
            return False
        if (_norm(e.region) != _norm(p.region)) != cross:
            return False
    return True


def meets(rule, model, pairs):
    count = sum(rule_counts(rule, model, i, j) for i, j in pairs)
    bound = next(b for b in ("min", "max", "min_share", "max_share") if b in rule)
    value = Fraction(str(rule[bound]))
    if bound.endswith("share"):
        if rule.get("of") == "group":
            base = sum(1 for i in range(model.n) if _passes_mentee(rule, model, i))
        else:
            base = len(pairs)
        value = value * base
    return count >= value if bound.startswith("min") else count <= value


def _passes_mentee(rule, model, i):
    e = model.mentees[i]
    for field, value in rule.get("mentee", {}).items():
        if field == "region" and _norm(e.region) != _norm(value):
            return False
        if field == "language" and _norm(value) not in {_norm(x) for x in e.languages}:
            return False
        if field == "topic" and _norm(value) not in {_norm(t) for t in e.topics}:
            return False
    return True


@settings(max_examples=80, deadline=None)
@given(problems(), st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=3,
                            unique=True))
def test_quotas_are_met_and_the_matching_is_the_best_that_meets_them(problem, picks):
    check_best_meeting(problem, [POOL[k] for k in picks])


@settings(max_examples=60, deadline=None)
@given(problems(), st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=3,
                            unique=True))
def test_pairs_left_out_by_their_reduced_cost_come_back_until_the_bound_proves_it(problem,
                                                                                   picks):
    # With a first limit of 0, the pairs of the relaxation's solution first, then those of
    # reduced cost up to the limit: the programme on them is infeasible or not proven best,
    # and the limit grows.
    first, quotas.FIX_START = quotas.FIX_START, 0.0
    try:
        check_best_meeting(problem, [POOL[k] for k in picks])
    finally:
        quotas.FIX_START = first


@pytest.mark.parametrize("seed", range(24))
def test_a_first_programme_on_too_few_pairs_is_not_taken_for_the_best(seed, monkeypatch):
    # Whatever pairs the first programme is given (here the pairs the relaxation prices
    # out and a random 30 % of the others, instead of its solution's: in most of these
    # cohorts its best is below the optimum or it has none), pairs join by their reduced
    # costs until whole totals prove the best, which is the best of every matching.
    real = quotas._relaxation
    rnd = np.random.default_rng(seed)

    def thin(prog, objective, rule_rows):
        relaxed = real(prog, objective, rule_rows)
        if relaxed is None:
            return None
        z, reduced, support = relaxed
        return z, reduced, (reduced > 1e-9) | (rnd.random(support.size) < 0.3)

    monkeypatch.setattr(quotas, "_relaxation", thin)
    monkeypatch.setattr(quotas, "FIX_START", 0.0)
    mentors, mentees = random_cohort(seed, 6, 3, cap=(1, 2))
    check_best_meeting((mentors, mentees, Rules(), [], []), [POOL[1], POOL[4]])


def test_a_programme_left_without_enough_pairs_grows_to_every_pair(monkeypatch):
    # Reduced costs all far above the limit: at first no pair is kept, the programme on none
    # is infeasible (it needs pairs), and the limit grows until every pair is back.
    real = quotas._relaxation
    kept = []

    def dear(prog, objective, rule_rows):
        z, reduced, _ = real(prog, objective, rule_rows)
        return z, np.full(reduced.size, 1e4), np.zeros(reduced.size, bool)

    real_subset = quotas._subset
    monkeypatch.setattr(quotas, "_relaxation", dear)
    monkeypatch.setattr(quotas, "FIX_START", 0.0)
    monkeypatch.setattr(quotas, "_subset", lambda p, k: kept.append(int(k.sum()))
                        or real_subset(p, k))
    mentors, mentees = random_cohort(7, 6, 3, cap=(1, 2))
    check_best_meeting((mentors, mentees, Rules(), [], []), [POOL[1]])
    assert kept[0] == 0 and kept[-1] > 0 and len(kept) > 2


def test_when_the_relaxation_promises_a_pair_too_many_the_most_pairs_are_searched(
        monkeypatch):
    # In this cohort the relaxation's most pairs round down to one more pair than any
    # matching meeting the rules has: the programme with that many pairs is infeasible and
    # the most pairs are found by the branch and bound of `_most_pairs`.
    mentors, mentees = random_cohort(2382, 5, 3, cap=(1, 2))
    calls = []
    real = quotas._most_pairs
    monkeypatch.setattr(quotas, "_most_pairs", lambda *a: calls.append(1) or real(*a))
    check_best_meeting((mentors, mentees, Rules(), [], []), [POOL[k] for k in (1, 5, 4)])
    assert calls == [1]


def check_best_meeting(problem, chosen):
    """The solve meets the rules `chosen` (dicts) and is the best matching that does, found
    by trying every matching; never better than the run without quotas."""
    mentors, mentees, rules, locked, forbidden = problem
    try:
        quota_rules = parse_rules(chosen)
        result = solve(mentors, mentees, rules, locked, forbidden, quota_rules=quota_rules)
    except QuotasUnmet:
        result = None
    except QuotaError:
        assume(False)  # a value the tiny cohort does not have
    model = build_model(mentors, mentees, rules, forbidden)
    score, allowed = model.dense()
    cap = np.array([p.capacity for p in model.mentors], int)
    lock = {model.mentee_index[id_key(e)]: model.mentor_index[id_key(p)] for e, p in locked}
    for j in lock.values():
        cap[j] -= 1
    free = [i for i in range(model.n) if i not in lock]
    best = None
    for pairs in matchings(allowed[free], cap):
        every = [(free[k], j) for k, j in pairs] + list(lock.items())
        if all(meets(rule, model, every) for rule in chosen):
            key = (len(pairs), sum(int(score[free[k], j]) for k, j in pairs))
            best = key if best is None or key > best else best
    if best is None:
        assert result is None
        return
    assert result is not None and result.method == "quotas"
    free_pairs = [p for p in result.pairs if not p.locked]
    assert (len(free_pairs), sum(p.score for p in free_pairs)) == best
    every = [(model.mentee_index[id_key(p.mentee_id)], model.mentor_index[id_key(p.mentor_id)])
             for p in result.pairs]
    assert all(meets(rule, model, every) for rule in chosen)
    assert all(q.met for q in result.quotas) and len(result.quotas) == len(chosen)
    plain = solve(mentors, mentees, rules, locked, forbidden)
    w = result.without_quotas
    assert (w.matched, w.total) == (plain.summary.matched, plain.summary.total)
    assert (result.summary.matched, result.summary.total) <= (w.matched, w.total)


BAD = [
    ({"name": "x", "mentee": {"colour": "red"}, "min": 1}, "rule 1 ('x'): unknown mentee "
     "filter 'colour'"),
    ({"name": "x", "min": 1, "max": 2}, "give exactly one bound"),
    ({"name": "x", "min": 1.5}, "'min' must be a whole number"),
    ({"name": "x", "min_share": 1.2}, "'min_share' must be a fraction from 0 to 1"),
    ({"name": "x", "min": 1, "of": "group"}, "'of' only goes with min_share or max_share"),
    ({"name": "x", "min": 1, "limit": 3}, "unknown field(s): limit"),
    ({"name": "x", "mentor": {"gender": "female"}, "min": 1}, "mentor gender must be one of"),
    ({"name": "x", "cross_region": "yes", "min": 1}, "'cross_region' must be true or false"),
]


@pytest.mark.parametrize("rule, message", BAD)
def test_a_bad_rule_is_named(rule, message):
    with pytest.raises(QuotaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_rules([rule])


@pytest.mark.parametrize("rule, field", [
    ({"name": " ", "min": 1}, "name"),
    ({"name": "x", "mentee": {"colour": "red"}, "min": 1}, "mentee"),
    ({"name": "x", "mentor": {"gender": "female"}, "min": 1}, "mentor.gender"),
    ({"name": "x", "mentee": {"topic": ""}, "min": 1}, "mentee.topic"),
    ({"name": "x", "cross_region": "yes", "min": 1}, "cross_region"),
    ({"name": "x", "max": -1}, "max"),
    ({"name": "x", "min_share": 1.2}, "min_share"),
    ({"name": "x", "min": 1, "of": "group"}, "of"),
    ({"name": "x", "min": 1, "max": 2}, None),
])
def test_a_bad_rule_names_the_field_at_fault(rule, field):
    """So a form can put the message beside the field (the web's quota form does)."""
    with pytest.raises(QuotaError) as caught:
        parse_rules([rule])
    assert caught.value.field == field


def test_values_the_cohort_does_not_have_are_named():
    mentors = [Mentor("X", ["English"], ["a"], region="ATU")]
    mentees = [Mentee("A", ["English"], ["a"], region="ATU")]
    rules = parse_rules([{"name": "typo", "mentee": {"region": "AUT"}, "min": 1}])
    with pytest.raises(QuotaError, match="rule 1 \\('typo'\\): mentee region 'AUT' is "
                                         "nowhere in the cohort"):
        solve(mentors, mentees, quota_rules=rules)
    rules = parse_rules([{"name": "w", "mentee": {"gender": "woman"}, "min": 1}])
    with pytest.raises(QuotaError, match="no mentee states a gender"):
        solve(mentors, mentees, quota_rules=rules)


def _cohort():
    # Two Arabic-speaking mentors, one place each; three mentees of whom two speak Arabic.
    mentors = [Mentor("X", ["Arabic", "English"], ["a"], region="ASMG", gender="woman"),
               Mentor("Y", ["English"], ["a"], region="CEPT", gender="man"),
               Mentor("Z", ["Arabic"], ["a"], region="ASMG", gender="man")]
    mentees = [Mentee("A", ["Arabic"], ["a"], region="ASMG"),
               Mentee("B", ["English", "Arabic"], ["a"], region="CEPT"),
               Mentee("C", ["English"], ["a"], region="CEPT")]
    return mentors, mentees


def test_a_rule_that_cannot_be_met_alone_gives_its_best_reachable_value():
    mentors, mentees = _cohort()
    rules = parse_rules([{"name": "Arabic pairs", "mentee": {"language": "Arabic"},
                          "mentor": {"language": "Arabic"}, "min": 3}])
    with pytest.raises(QuotasUnmet) as caught:
        solve(mentors, mentees, quota_rules=rules)
    assert not caught.value.together
    assert [(r.name, c) for r, c, _ in caught.value.broken] == [("Arabic pairs", 2)]
    assert "Arabic pairs (min 3): best reachable 2" in str(caught.value)


def test_rules_that_cannot_be_met_together_are_named():
    mentors, mentees = _cohort()
    rules = parse_rules([
        {"name": "Arabic pairs", "mentee": {"language": "Arabic"},
         "mentor": {"language": "Arabic"}, "min": 2},
        {"name": "woman mentors", "mentor": {"gender": "woman"}, "min_share": 0.5},
        {"name": "all matched", "mentee": {}, "min_share": 1.0, "of": "group"},
    ])
    with pytest.raises(QuotasUnmet) as caught:
        solve(mentors, mentees, quota_rules=rules)
    assert caught.value.together and caught.value.broken


def test_quotas_cost_points_and_the_price_is_reported():
    mentors, mentees = _cohort()
    plain = solve(mentors, mentees)
    rules = parse_rules([{"name": "home", "cross_region": False, "min_share": 1.0}])
    r = solve(mentors, mentees, quota_rules=rules)
    assert r.without_quotas.total == plain.summary.total
    assert all(q.met for q in r.quotas)
    assert r.quotas[0].text.startswith(f"home: {r.summary.matched} of {r.summary.matched}")
    assert (r.summary.matched, r.summary.total) <= (plain.summary.matched, plain.summary.total)



LOOSE = [
    {"name": "any share", "mentor": {"gender": "woman"}, "min_share": 0},
    {"name": "all abroad", "cross_region": True, "max_share": 1},
    {"name": "no floor", "mentee": {"region": "CITEL"}, "min": 0},
]


@settings(max_examples=60, deadline=None)
@given(problems(), st.lists(st.integers(0, len(POOL + LOOSE) - 1), min_size=1, max_size=3,
                            unique=True))
def test_the_matching_without_quotas_is_kept_only_when_it_meets_every_rule(problem, picks):
    # The shortcut (no programme when the matching without quotas meets the rules) against
    # every matching: loose rules always take it, the pool's rules sometimes.
    pool = POOL + LOOSE
    chosen = [pool[k] for k in picks]
    taken = []
    real = quotas._quota_solve
    quotas._quota_solve = lambda *a: taken.append(1) or real(*a)
    try:
        check_best_meeting(problem, chosen)
    finally:
        quotas._quota_solve = real
    if all(k >= len(POOL) for k in picks):
        assert taken == []


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6))
def test_the_bound_holds_for_any_prices_and_rules_out_what_it_says(seed):
    # Weak duality as `_dual_bound` states it, against every 0/1 point of small random
    # programmes and random prices (most far from optimal, some on unbounded sides): no
    # feasible x is worth more than z - (|r_j| for each pair taken with r_j < 0) - (r_j for
    # each pair left with r_j > 0).
    rnd = np.random.default_rng(seed)
    rows, cols = rnd.integers(1, 4), rnd.integers(1, 7)
    a = rnd.integers(-2, 3, size=(rows, cols)).astype(float)
    lo = np.where(rnd.random(rows) < 0.4, -np.inf, rnd.integers(-2, 2, rows))
    hi = np.where(rnd.random(rows) < 0.4, np.inf, rnd.integers(0, 4, rows))
    objective = rnd.integers(-5, 10, cols).astype(float)
    duals = rnd.normal(0, 3, rows)
    from scipy.sparse import csc_matrix
    z, r = quotas._dual_bound(csc_matrix(a), lo, hi, objective, duals)
    for bits in range(2 ** cols):
        x = np.array([(bits >> k) & 1 for k in range(cols)], float)
        if ((a @ x >= lo) & (a @ x <= hi)).all():
            penalty = -(r[r < 0] * x[r < 0]).sum() + (r[r > 0] * (1 - x[r > 0])).sum()
            assert objective @ x <= z - penalty + 1e-9


@settings(max_examples=40, deadline=None)
@given(problems(), st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=3,
                            unique=True))
def test_relaxations_started_on_no_pair_price_every_pair_back(problem, picks):
    # Column generation from an empty start: each pair joins the relaxation only when the
    # prices make it worth it (or when too few pairs cannot meet the rules), and the answer
    # is still the best matching. The candidates are picked as for large cohorts (each
    # mentee's best and each rule's best, scored in blocks), which here keeps every pair.
    first = quotas.START_TOP, quotas.START_RULE, quotas.ALL_PAIRS
    quotas.START_TOP, quotas.START_RULE, quotas.ALL_PAIRS = 0, 0, 0
    try:
        check_best_meeting(problem, [POOL[k] for k in picks])
    finally:
        quotas.START_TOP, quotas.START_RULE, quotas.ALL_PAIRS = first


def test_candidates_of_a_large_cohort_carry_the_scores_of_their_pairs(monkeypatch):
    monkeypatch.setattr(quotas, "ALL_PAIRS", 0)  # each mentee's best, as beyond 40,000 cells
    mentors, mentees = random_cohort(3, 40, 70, cap=(1, 2))
    model = build_model(mentors, mentees, Rules(), [])
    counter = quotas.Counter(model, parse_rules([POOL[1], POOL[3], POOL[4]]))
    cap = np.array([p.capacity for p in model.mentors])
    plain = (np.array([0, 5]), np.array([3, 7]))
    rows, cols, scores = quotas.candidates(model, counter, np.arange(model.n), cap, plain)
    expected, _ = model.pairs(rows, cols)
    assert (scores == expected).all()
    pairs = set(zip(rows.tolist(), cols.tolist(), strict=True))
    assert {(0, 3), (5, 7)} <= pairs
    assert rows.size < model.n * model.m  # not every pair: 16 best each, plus the rules'
    score, allowed = model.rows(np.arange(model.n))
    for r in range(3):  # each rule's 8 best pairs of each mentee it counts are candidates
        counted = allowed & counter.counts_block(r, np.arange(model.n))
        for i in range(model.n):
            best = sorted(np.flatnonzero(counted[i]), key=lambda j, i=i: (-score[i, j], j))
            assert {(i, int(j)) for j in best[:quotas.TOP_RULE]} <= pairs


@settings(max_examples=40, deadline=None)
@given(problems(), st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=3,
                            unique=True))
def test_without_highs_own_interface_the_whole_relaxation_is_solved(problem, picks):
    # SciPy before 1.15 has no HiGHS interface of its own: the relaxations are solved on
    # every pair at once by linprog, with the same bound.
    real, quotas._highs = quotas._highs, None
    try:
        check_best_meeting(problem, [POOL[k] for k in picks])
    finally:
        quotas._highs = real


def test_column_generation_reaches_the_whole_relaxation(monkeypatch):
    # The bound the pricing rounds end on is the relaxation's optimum itself (the one
    # linprog finds on every pair at once), so the prices are read with HiGHS's signs and
    # the proof's limit is not spent on a loose bound.
    seen = []
    real = quotas._generate

    def both(prog, objective, rule_rows, simplex):
        out = real(prog, objective, rule_rows, simplex)
        (con,) = quotas._constraints(prog, rule_rows, 0)
        whole = quotas._whole(con.A.tocsc(), con.lb, con.ub, objective)
        seen.append((out[0], whole[0], int(out[2].sum()), out[2].size))
        return out

    monkeypatch.setattr(quotas, "_generate", both)
    mentors, mentees = random_cohort(11, 60, 12, cap=(1, 3))
    rules = [{"name": "woman mentors", "mentor": {"gender": "woman"}, "min_share": 0.6},
             {"name": "abroad", "cross_region": True, "max_share": 0.3}]
    result = solve(mentors, mentees, quota_rules=parse_rules(rules))
    assert all(q.met for q in result.quotas)
    assert len(seen) == 2  # the most pairs, then the best total
    for ours, whole, _, _ in seen:
        assert abs(ours - whole) <= 1e-6 * max(1.0, abs(whole))
    assert seen[0][2] < seen[0][3]  # the first relaxation did without some pairs


@pytest.mark.parametrize("bound, value", [("min_share", 0.6), ("max_share", 0.3),
                                          ("min_share", 1.0), ("max_share", 0.0)])
def test_a_share_of_a_fixed_number_of_pairs_is_a_whole_count(bound, value):
    # With the pairs fixed at 7 (and 2 locked, 1 of them counted), "q x count - p x pairs"
    # and the whole count it is rounded to allow exactly the same counts.
    (rule,) = parse_rules([{"name": "r", "mentor": {"gender": "woman"}, bound: value}])
    counted = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1], bool)
    share_row = quotas._rule_row(rule, counted, 1, 2, 0)
    count_row = quotas._rule_row(rule, counted, 1, 2, 0, pairs=7)
    assert (count_row[0] == counted).all()
    for x in range(2 ** counted.size):
        on = np.array([(x >> k) & 1 for k in range(counted.size)], bool)
        if on.sum() != 7:
            continue
        share_ok = share_row[1] <= share_row[0][on].sum() <= share_row[2]
        assert share_ok == (count_row[1] <= count_row[0][on].sum() <= count_row[2])
    whole = count_row[1] if rule.at_least else count_row[2]
    assert whole == int(whole)


def test_a_share_of_the_pairs_costs_no_second_programme(monkeypatch):
    # The best total's relaxation counts the woman mentors' pairs in whole pairs (the pairs
    # being fixed), so its bound is the optimum here and the first programme proves it.
    calls = []
    real = quotas._solve_milp
    monkeypatch.setattr(quotas, "_solve_milp", lambda *a, **k: calls.append(1) or real(*a, **k))
    mentors, mentees = random_cohort(11, 60, 12, cap=(1, 3))
    rules = [{"name": "woman mentors", "mentor": {"gender": "woman"}, "min_share": 0.6},
             {"name": "abroad", "cross_region": True, "max_share": 0.3}]
    result = solve(mentors, mentees, quota_rules=parse_rules(rules))
    assert result.method == "quotas" and all(q.met for q in result.quotas)
    assert (result.summary.matched, result.summary.total) == (21, 15443)  # as before
    assert len(calls) == 1


def test_a_large_cohort_reads_its_candidates_and_audit_from_the_sparse_solve(monkeypatch):
    # Beyond the dense solve the sparse one keeps the key matrix; the candidates and the
    # blocking pairs of the quotas' matching are read from it, and are those of rescoring
    # (mentors with no place left and mentees with few allowed mentors included).
    from mentoring.matching import sparse, stability
    mentors, mentees = random_cohort(5, 900, 150, cap=(1, 3))
    locked = [(mentees[0].id, mentors[0].id)]
    rules = parse_rules([POOL[1], POOL[3], POOL[4]])
    seen = {}
    real_candidates = quotas.candidates

    def both(model, counter, free, cap, extra, keys=None):
        out = real_candidates(model, counter, free, cap, extra, keys)
        seen["keys"] = keys is not None
        again = real_candidates(model, counter, free, cap, extra)
        assert all((a == b).all() and a.shape == b.shape for a, b in zip(out, again,
                                                                          strict=True))
        seen["cap"] = cap
        return out

    monkeypatch.setattr(quotas, "candidates", both)
    result = solve(mentors, mentees, locked=locked, quota_rules=rules)
    assert result.method == "quotas" and seen["keys"]
    model = build_model(mentors, mentees, Rules(), [])
    cap = seen["cap"]
    free = np.array([i for i in range(model.n) if mentees[i].id != locked[0][0]])
    match = np.full(free.size, -1)
    scores = np.full(free.size, -1)
    at = {i: k for k, i in enumerate(free.tolist())}
    for p in result.pairs:
        if not p.locked:
            k = at[model.mentee_index[id_key(p.mentee_id)]]
            match[k], scores[k] = model.mentor_index[id_key(p.mentor_id)], p.score
    rows, cols, vals = stability.blocking_pairs(model, free, cap, match, scores)  # rescored
    assert [(b.mentee_id, b.mentor_id, b.score) for b in result.blocking] == [
        (mentees[i].id, mentors[j].id, s) for i, j, s in zip(rows, cols, vals, strict=True)]
    assert len(result.blocking) > 0
    assert sparse.CACHE_CELLS >= free.size * model.m


def test_the_most_pairs_end_at_the_interior_point_or_cross_over_when_it_is_imprecise(
        monkeypatch):
    # The most pairs' rounds skip crossover; where the interior point alone ends without a
    # verdict (HiGHS's "unknown", here made up for the first round) the round is run again
    # with it, and the answer is still the best matching.
    options = []
    real = quotas._highs._Highs
    unknown = quotas._highs.HighsModelStatus.kUnknown

    class Spy(real):
        def setOptionValue(self, name, value):  # noqa: N802 - HiGHS's name
            if name == "run_crossover":
                options.append((id(self), value))
            return super().setOptionValue(name, value)

        def getModelStatus(self):  # noqa: N802
            if options[0] == (id(self), "off") and len(options) == 1:
                return unknown
            return super().getModelStatus()

    monkeypatch.setattr(quotas._highs, "_Highs", Spy)
    mentors, mentees = random_cohort(3, 6, 3, cap=(1, 2))
    check_best_meeting((mentors, mentees, Rules(), [], []), [POOL[1], POOL[4]])
    first = options[0][0]  # the most pairs' relaxation
    assert [v for k, v in options if k == first] == ["off", "on"]


def test_the_best_total_starts_from_the_matching_without_quotas(monkeypatch):
    # Its relaxation's simplex starts from a crossover of the matching without quotas; the
    # start changes the work, never the answer (also when crossover does nothing).
    mentors, mentees = random_cohort(11, 60, 12, cap=(1, 3))
    rules = parse_rules([{"name": "woman mentors", "mentor": {"gender": "woman"},
                          "min_share": 0.6},
                         {"name": "abroad", "cross_region": True, "max_share": 0.3}])
    calls = []
    real = quotas._highs._Highs

    class Spy(real):
        def crossover(self, solution):
            calls.append(int(np.asarray(solution.col_value).sum()))
            return super().crossover(solution)

    monkeypatch.setattr(quotas._highs, "_Highs", Spy)
    warm = solve(mentors, mentees, quota_rules=rules)
    assert calls == [warm.without_quotas.matched]  # one start, the unconstrained matching

    class Idle(real):
        def crossover(self, solution):
            return quotas._highs.HighsStatus.kError

    monkeypatch.setattr(quotas._highs, "_Highs", Idle)
    cold = solve(mentors, mentees, quota_rules=rules)
    assert (warm.summary.matched, warm.summary.total) == (21, 15443)  # as without a start
    assert (cold.summary.matched, cold.summary.total) == (21, 15443)

