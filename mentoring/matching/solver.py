"""`solve`: the whole-cohort match, and `score_pair` for a single manual pairing.

Both sort mentors and mentees by id first, so the order of input rows never changes who gets
whom. Locked pairs are taken out beforehand and use up their mentor's places; the remaining
mentees are matched exactly, densely for small cohorts and on a certified sparse candidate
graph beyond that (same optimum, far less time and memory).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import numpy as np

from . import dense, quotas, sparse, stability, wishes
from . import priority as priorities
from ._gc import paused
from .explain import pair_parts, pairs_parts, render_reason, unmatched_reasons
from .profiles import Id, Mentee, Mentor, id_key
from .result import Blocking, Pair, Price, Result, Summary, Unmatched
from .rules import Rules
from .scoring import ScoreModel
from .timezones import REFERENCE_INSTANT

# Above this many cells (free mentees x free places) the dense matrix costs more than the
# sparse certified solve; both are exact.
DENSE_CELLS = 200_000


def _sorted_unique(people: Sequence, kind: str) -> list:
    seen: dict[str, object] = {}
    for p in people:
        key = id_key(p.id)
        if key in seen:
            raise ValueError(f"duplicate {kind} id {p.id!r}")
        seen[key] = p
    return [seen[k] for k in sorted(seen)]


def build_model(
    mentors: Sequence[Mentor],
    mentees: Sequence[Mentee],
    rules: Rules | None = None,
    forbidden: Iterable[tuple[Id, Id]] = (),
    at: datetime = REFERENCE_INSTANT,
) -> ScoreModel:
    """The compiled scoring model `solve` uses, with mentors and mentees sorted by id."""
    return ScoreModel(
        _sorted_unique(mentors, "mentor"),
        _sorted_unique(mentees, "mentee"),
        rules or Rules(),
        forbidden,
        at,
    )


def solve(
    mentors: Sequence[Mentor],
    mentees: Sequence[Mentee],
    rules: Rules | None = None,
    locked: Iterable[tuple[Id, Id]] = (),
    forbidden: Iterable[tuple[Id, Id]] = (),
    fair: bool = False,
    method: str = "auto",
    at: datetime = REFERENCE_INSTANT,
    stable: bool = False,
    objective: str = "score",
    quota_rules: Sequence[quotas.Rule] = (),
    priority: Mapping[Id, int] | None = None,
) -> Result:
    """Match the cohort: as many mentees as possible, then the highest total score.

    `locked` (mentee_id, mentor_id) pairs are kept as they are and use up mentor places;
    `forbidden` pairs are never used. With `fair`, the lowest score among the free pairs is
    raised as far as possible (keeping the maximum number matched) before maximising the
    total. `method` is "auto", "dense" or "sparse" (all exact). With `stable`, the matching
    is instead the mentee-proposing stable one (deferred acceptance on the scores; method
    "stable"). `objective` "wishes" is the rank-maximal matching instead: as many mentees
    matched as possible, then as many first wishes, then second wishes, ..., then the best
    total (see `wishes`; method "wishes"; "dense" is one set of lexicographic weights,
    "sparse" the staged solve). `quota_rules` (`quotas.parse_rules`) must all be
    met: then the most mentees matched, then the best total (a mixed-integer programme, see
    `quotas`; method "quotas"; raises quotas.QuotaError for a rule that does not fit the
    cohort, quotas.QuotasUnmet when they cannot all be met). `priority` ({mentee_id: whole
    number}, higher first, 0 when left out) matches the mentees of a higher priority first
    when places are scarce, then the best total (see `priority`; method "priority").
    Every result lists its blocking pairs
    (`Result.blocking`). Raises ValueError on bad ids and on options that do not combine.
    """
    if method not in ("auto", "dense", "sparse"):
        raise ValueError("method must be auto, dense or sparse")
    if objective not in ("score", "wishes"):
        raise ValueError("objective must be score or wishes")
    if stable and fair:
        raise ValueError("a stable matching cannot also be fair")
    if objective == "wishes" and (stable or fair):
        raise ValueError("the wishes objective cannot be combined with stable or fair")
    if quota_rules and (stable or fair or objective != "score"):
        raise ValueError("quotas cannot be combined with stable, fair or the wishes objective")
    if priority is not None and (stable or fair or objective != "score" or quota_rules):
        raise ValueError("a priority cannot be combined with stable, fair, wishes or quotas")
    with paused():
        return _solve(mentors, mentees, rules, locked, forbidden, fair, method, at, stable,
                      objective, list(quota_rules), priority)


def _solve(mentors, mentees, rules, locked, forbidden, fair, method, at, stable,
           objective, quota_rules, priority=None) -> Result:
    started = time.perf_counter()
    model = build_model(mentors, mentees, rules, forbidden, at)
    compiled = time.perf_counter()
    cap = np.array([p.capacity for p in model.mentors], np.int64)
    lock_of: dict[int, int] = {}
    for mentee_id, mentor_id in locked:
        i = model.mentee_index.get(id_key(mentee_id))
        j = model.mentor_index.get(id_key(mentor_id))
        if i is None or j is None:
            raise ValueError(f"locked pair ({mentee_id!r}, {mentor_id!r}) names an unknown id")
        if i in lock_of:
            raise ValueError(f"mentee {mentee_id!r} is locked more than once")
        lock_of[i] = j
        cap[j] -= 1
        if cap[j] < 0:
            raise ValueError(f"mentor {mentor_id!r} has more locked mentees than places")
    free = np.array([i for i in range(model.n) if i not in lock_of], np.int64)
    counter = quotas.Counter(model, quota_rules) if quota_rules else None

    if method == "auto":
        method = "dense" if free.size * int(cap.sum()) <= DENSE_CELLS else "sparse"
        if objective == "wishes" and method == "dense" and not wishes.dense_fits(model, free,
                                                                                  cap):
            method = "sparse"  # the staged solve stays exact where one set of weights cannot
    threshold = None
    rounds = 0
    keys = None
    if stable:
        method = "stable"
        match, scores = stability.deferred_acceptance(model, free, cap)
        scoring = 0.0
    elif objective == "wishes" and method == "sparse" and priority is None:
        method = "wishes"
        model.objective = "wishes"  # explanations then always say which wish a pair was
        cells = free.size * model.m
        if cells > sparse.CACHE_CELLS:
            raise ValueError(f"the wishes objective is solved for up to "
                             f"{sparse.CACHE_CELLS:,} mentee-mentor cells; this cohort has "
                             f"{cells:,}")
        outcome = wishes.staged(model, free, cap)
        match, scores, scoring, keys = outcome.match, outcome.scores, outcome.scoring, \
            outcome.keys
        rounds = outcome.rounds
        del outcome
    elif method == "dense" or objective == "wishes" or priority is not None:
        if priority is not None:
            method = "priority"
            cells = free.size * int(cap.sum())
            if cells > priorities.DENSE_CELLS:
                raise ValueError(f"a priority is solved for up to "
                                 f"{priorities.DENSE_CELLS:,} mentee-place cells; this cohort "
                                 f"has {cells:,}")
        if objective == "wishes":
            method = "wishes"
            model.objective = "wishes"  # explanations then always say which wish a pair was
            cells = free.size * int(cap.sum())
            if cells > wishes.DENSE_CELLS:
                raise ValueError(f"the wishes objective is solved for up to "
                                 f"{wishes.DENSE_CELLS:,} mentee-place cells; this cohort "
                                 f"has {cells:,}")
        score, allowed = model.dense()
        score, allowed = score[free], allowed[free]
        scoring = time.perf_counter() - compiled
        if priority is not None:
            level = priorities.levels(model, free, priority)
            match = dense.assign_weights(priorities.weights(level, score, cap), allowed, cap)
        elif objective == "wishes":
            weight = wishes.weights(wishes.rank_matrix(model, free), score, allowed, cap)
            match = dense.assign_weights(weight, allowed, cap)
        elif fair:
            match, threshold = dense.assign_fair(score, allowed, cap)
        else:
            match = dense.assign(score, allowed, cap)
        got = np.flatnonzero(match >= 0)
        scores = np.full(free.size, -1, np.int64)
        scores[got] = score[got, match[got]]
    else:
        outcome = sparse.solve_sparse(model, free, cap, fair=fair)
        match, threshold, rounds = outcome.match, outcome.threshold, outcome.rounds
        scores = outcome.scores
        scoring = outcome.scoring
        keys = outcome.keys
        del outcome

    without = None
    if counter is not None:
        without = _price(model, free, match, scores, lock_of)
        got = match >= 0
        # The key matrix of the free rows (when the sparse solve kept it) serves the
        # candidates and then the audit of the programme's matching: no rescoring.
        match, scores = quotas.solve_quotas(model, counter, free, cap, lock_of,
                                            (free[got], match[got]), keys)
        method = "quotas"

    solved = time.perf_counter()
    rows, cols, vals = stability.blocking_pairs(model, free, cap, match, scores, keys)
    del keys
    mentee_ids = [e.id for e in model.mentees]
    mentor_ids = [p.id for p in model.mentors]
    blocking = tuple(Blocking(mentee_ids[i], mentor_ids[j], s)
                     for i, j, s in zip(rows.tolist(), cols.tolist(), vals.tolist(), strict=True))
    audited = time.perf_counter()

    assigned = dict(lock_of)
    known = {}  # scores of the solver's pairs (locked pairs are scored in _result)
    for i, j, s in zip(free.tolist(), match.tolist(), scores.tolist(), strict=True):
        if j >= 0:
            assigned[i] = j
            known[i] = s
    result = _result(model, assigned, set(lock_of), fair, threshold, method, rounds, known,
                     blocking, counter, without)
    result.timings.update(compile=compiled - started, score=scoring,
                          solve=solved - compiled - scoring,
                          audit=audited - solved,
                          explain=time.perf_counter() - audited)
    return result


def _result(
    model: ScoreModel,
    assigned: dict[int, int],
    locked: set[int],
    fair: bool,
    threshold: int | None,
    method: str,
    rounds: int,
    known: dict[int, int],
    blocking: tuple[Blocking, ...],
    counter: quotas.Counter | None = None,
    without: Price | None = None,
) -> Result:
    rows = np.array(sorted(assigned), np.int64)
    cols = np.array([assigned[i] for i in rows.tolist()], np.int64)
    scores = np.array([known.get(i, -1) for i in rows.tolist()], np.int64)
    allowed = np.ones(rows.size, bool)  # the solver only uses allowed pairs
    if locked:  # a coordinator's pair may break a rule: score it
        mine = np.isin(rows, np.fromiter(locked, np.int64, len(locked)))
        s, ok = model.pairs(rows[mine], cols[mine])
        scores[mine], allowed[mine] = s, ok
    parts = pairs_parts(model, rows, cols)
    pairs = []
    for k, (i, j, s, ok) in enumerate(zip(rows.tolist(), cols.tolist(), scores.tolist(),
                                          allowed.tolist(), strict=True)):
        pairs.append(Pair(
            mentee_id=model.mentees[i].id,
            mentor_id=model.mentors[j].id,
            score=s,
            parts=parts[k],
            locked=i in locked,
            broken=() if ok else tuple(model.broken(i, j)),
        ))
    used = np.bincount(cols, minlength=model.m) if cols.size else np.zeros(model.m, np.int64)
    full = used >= np.array([p.capacity for p in model.mentors], np.int64)
    unmatched = []
    left = sorted(set(range(model.n)) - set(assigned))
    for i, (code, params) in zip(left, unmatched_reasons(model, left, full), strict=True):
        unmatched.append(Unmatched(model.mentees[i].id, code, params, render_reason(code, params)))
    total = int(scores.sum()) if rows.size else 0
    ri, rj, rr = wishes.ranks(model)
    rank_of = dict(zip(zip(ri.tolist(), rj.tolist(), strict=True), rr.tolist(), strict=True))
    wish_counts, wish_none = wishes.profile(
        [rank_of.get(ij, 0) for ij in zip(rows.tolist(), cols.tolist(), strict=True)],
        sum(1 for e in model.mentees if e.preferred_mentors), int(rr.max()) if rr.size else 0)
    summary = Summary(
        matched=len(pairs),
        unmatched=len(unmatched),
        total=total,
        lowest=int(scores.min()) if rows.size else None,
        mean=round(total / len(pairs), 3) if pairs else None,
        blocking=len(blocking),
        wishes=wish_counts,
        wishes_none=wish_none,
    )
    outcomes = () if counter is None else tuple(counter.outcomes(rows, cols))
    return Result(tuple(pairs), tuple(unmatched), summary, fair, threshold, method, rounds, model,
                  blocking=blocking, quotas=outcomes, without_quotas=without)


def _price(model: ScoreModel, free: np.ndarray, match: np.ndarray, scores: np.ndarray,
           lock_of: dict[int, int]) -> Price:
    """The figures of the matching without quotas, locked pairs included."""
    lr = np.fromiter(lock_of, np.int64, len(lock_of))
    lc = np.fromiter(lock_of.values(), np.int64, len(lock_of))
    locked_scores = model.pairs(lr, lc)[0].astype(np.int64)
    every = np.concatenate([scores[match >= 0], locked_scores])
    return Price(int(every.size), int(every.sum()), int(every.min()) if every.size else None)


def score_pair(
    mentor: Mentor,
    mentee: Mentee,
    rules: Rules | None = None,
    forbidden: bool = False,
    at: datetime = REFERENCE_INSTANT,
) -> Pair:
    """Score one given pair (e.g. a manual pairing): its score, parts and broken hard rules
    (`forbidden` says a coordinator forbade it). Gives the same score `solve` would use."""
    model = ScoreModel([mentor], [mentee], rules or Rules(),
                       [(mentee.id, mentor.id)] if forbidden else (), at)
    score, allowed = model.pairs(np.array([0]), np.array([0]))
    return Pair(
        mentee_id=mentee.id,
        mentor_id=mentor.id,
        score=int(score[0]),
        parts=pair_parts(model, 0, 0),
        broken=tuple(model.broken(0, 0)),
    )
