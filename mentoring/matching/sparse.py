"""Exact matching for large cohorts on a sparse candidate graph, certified by LP duality.

1. Candidates: each free mentee's k best allowed mentors (one pass over all pairs, in blocks).
2. Solve exactly on the candidates: LAPJVsp (SciPy) on mentor places plus one "unmatched"
   column per mentee; a pair weighs BIG + score, so cardinality comes first.
3. Certificate: mentor prices v >= 0 (0 for mentors with room) from shortest paths in the
   residual graph. With u_i = the mentee's matched profit (BIG + s - v), or 0 if unmatched,
   (u, v) is a feasible dual of the full problem iff no pair anywhere has BIG + s - v_j > u_i.
   Then the dual objective equals the matching's weight, so the matching is optimal for the
   full problem, not just the candidates. A pair left out of the candidates scores at most
   the mentee's k-th candidate score, so most mentees are cleared by that bound alone; the
   rest are rescored exactly. Mentees with a violating pair get those pairs as new
   candidates and the loop repeats (it ends: candidates only grow).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .dense import big_weight
from .scoring import ScoreModel

TOP_K = 24
GROW_K = 24
_NONE = np.iinfo(np.int32).min // 2
_FAR = np.iinfo(np.int64).max // 4


@dataclass
class Outcome:
    """Matching of the free rows (mentor column or -1), fairness threshold, rounds used."""

    match: np.ndarray
    threshold: int | None
    rounds: int


class _Candidates:
    """Candidate pairs of the free rows: local row, mentor column, score; plus the bound."""

    def __init__(self, model: ScoreModel, free: np.ndarray, cap: np.ndarray, k: int) -> None:
        self.model, self.free, self.cap = model, free, cap
        self.local = np.full(model.n, -1, np.int64)
        self.local[free] = np.arange(free.size)
        rows_l, cols_l, scores_l = [], [], []
        self.bound = np.full(free.size, -1, np.int32)  # best score of any left-out pair
        usable = cap > 0
        step = model.block_rows()
        for start in range(0, model.n, step):
            stop = min(model.n, start + step)
            loc = self.local[start:stop]
            keep = loc >= 0
            if not keep.any():
                continue
            score, allowed = model.block(start, stop)
            allowed &= usable[None, :]
            key = np.where(allowed, score, -1).astype(np.int16)[keep]
            loc = loc[keep]
            kk = min(k, model.m)
            if kk < model.m:
                top = np.argpartition(-key, kk - 1, axis=1)[:, :kk]
                # Everything outside `top` scores at most the smallest key inside it.
                self.bound[loc] = np.take_along_axis(key, top, axis=1).min(axis=1)
            else:
                top = np.broadcast_to(np.arange(model.m), key.shape)
            val = np.take_along_axis(key, top, axis=1)
            ok = val >= 0
            rows_l.append(np.broadcast_to(loc[:, None], top.shape)[ok])
            cols_l.append(top[ok])
            scores_l.append(val[ok])
        self.rows = np.concatenate(rows_l) if rows_l else np.zeros(0, np.int64)
        self.cols = np.concatenate(cols_l).astype(np.int64) if cols_l else np.zeros(0, np.int64)
        self.scores = (np.concatenate(scores_l).astype(np.int64) if scores_l
                       else np.zeros(0, np.int64))

    def add(self, rows: np.ndarray, cols: np.ndarray, scores: np.ndarray) -> None:
        """Add pairs (duplicates are dropped)."""
        r = np.concatenate([self.rows, rows])
        c = np.concatenate([self.cols, cols])
        s = np.concatenate([self.scores, scores])
        _, first = np.unique(r * (self.model.m + 1) + c, return_index=True)
        self.rows, self.cols, self.scores = r[first], c[first], s[first]


def _assign(nf: int, cap: np.ndarray, rows, cols, scores) -> np.ndarray:
    """Max-cardinality, then max-score matching of nf rows on the given pairs (exact)."""
    match = np.full(nf, -1, np.int64)
    if nf == 0 or rows.size == 0:
        return match
    places = int(cap.sum())
    big = big_weight(nf, places)
    start = np.cumsum(cap) - cap
    rep = cap[cols]
    r = np.repeat(rows, rep)
    s = np.repeat(scores, rep)
    offset = np.arange(rep.sum()) - np.repeat(np.cumsum(rep) - rep, rep)
    c = np.repeat(start[cols], rep) + offset
    # Costs: (big + 1002) - (big + s) for a pair, big + 1002 for "unmatched"; all positive.
    # LAPJVsp searches the whole graph for each row that ends "unmatched", so the smaller
    # side (mentees or places) becomes the rows: then few rows are left over.
    if places < nf:
        r, c, side, other = c, r, places, nf
    else:
        side, other = nf, places
    cost = np.concatenate([1002.0 - s, np.full(side, float(big + 1002))])
    graph = csr_matrix(
        (cost, (np.concatenate([r, np.arange(side)]),
                np.concatenate([c, other + np.arange(side)]))),
        shape=(side, other + side),
    )
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    real = col_ind < other
    row_ind, col_ind = row_ind[real], col_ind[real]
    if places < nf:
        row_ind, col_ind = col_ind, row_ind
    owner = np.repeat(np.arange(cap.size), cap)
    match[row_ind] = owner[col_ind]
    return match


def _shortest(nodes: int, src: np.ndarray, dst: np.ndarray, cost: np.ndarray,
              source: int) -> np.ndarray:
    """Distances from `source` (Bellman-Ford, vectorised over arcs; stops as soon as nothing
    improves). Unreachable nodes get a huge value."""
    order = np.lexsort((cost, dst))
    src, dst, cost = src[order], dst[order], cost[order]
    d = np.full(nodes, _FAR, np.int64)
    d[source] = 0
    if dst.size == 0:
        return d
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    targets = dst[starts]
    for _ in range(nodes + 1):
        best = np.minimum.reduceat(d[src] + cost, starts)
        better = best < d[targets]
        if not better.any():
            return d
        d[targets[better]] = best[better]
    raise RuntimeError("negative cycle: the matching was not optimal")


def _prices(m: int, cap: np.ndarray, cand_rows, cand_cols, cand_scores, match, big) -> np.ndarray:
    """Mentor prices v (int64, >= 0, 0 where a place is free) certifying `match` on the pairs."""
    used = np.bincount(match[match >= 0], minlength=m)
    t = m
    mt = match[cand_rows]
    matched_row = mt >= 0
    own = np.full(match.size, 0, np.int64)
    on_match = cand_cols == mt
    own[cand_rows[on_match]] = cand_scores[on_match]
    other = matched_row & ~on_match
    mrows = np.flatnonzero(match >= 0)
    free_rows = ~matched_row
    src = np.concatenate([
        mt[other],                                  # mentor a -> j: reassign a's mentee to j
        match[mrows],                               # a -> T: drop a's mentee
        np.full(int(free_rows.sum()), t),           # T -> j: take an unmatched mentee
        np.flatnonzero(used < cap),                 # j -> T: j has room
        np.full(int((used > 0).sum()), t),          # T -> j: j gives a place back
    ])
    dst = np.concatenate([
        cand_cols[other],
        np.full(mrows.size, t),
        cand_cols[free_rows],
        np.full(int((used < cap).sum()), t),
        np.flatnonzero(used > 0),
    ])
    cost = np.concatenate([
        own[cand_rows[other]] - cand_scores[other],
        big + own[mrows],
        -(big + cand_scores[free_rows]),
        np.zeros(int((used < cap).sum()), np.int64),
        np.zeros(int((used > 0).sum()), np.int64),
    ])
    # Prices are the distances from each mentor to T: the highest prices any dual certificate
    # could give, which clears unmatched mentees (they need dear mentors) soonest.
    dist = _shortest(m + 1, dst.astype(np.int64), src.astype(np.int64), cost.astype(np.int64), t)
    return np.maximum(0, np.minimum(dist[:m], _FAR // 2))


def _certify(cands: _Candidates, match: np.ndarray, v: np.ndarray, big: int,
             threshold: int | None, grow: int) -> int:
    """Check the dual over every pair; add violating pairs as candidates. Returns how many
    mentees had a violation (0 = the matching is proven optimal)."""
    model, free = cands.model, cands.free
    nf = free.size
    u = np.zeros(nf, np.int64)
    matched = np.flatnonzero(match >= 0)
    on = cands.cols == match[cands.rows]
    own = np.zeros(nf, np.int64)
    own[cands.rows[on]] = cands.scores[on]
    u[matched] = big + own[matched] - v[match[matched]]
    # Exact check on the candidates: any failure here is a bug, not a missing candidate.
    prof = big + cands.scores - v[cands.cols]
    if threshold is not None:
        prof = np.where(cands.scores >= threshold, prof, _NONE)
    assert (u >= 0).all() and (prof <= u[cands.rows]).all(), "dual infeasible on candidates"  # noqa: S101
    # Left-out pairs score at most `bound` and cost at least the cheapest usable price.
    usable = cands.cap > 0
    vmin = int(v[usable].min()) if usable.any() else 0
    doubt = np.flatnonzero((cands.bound >= 0) & (big + cands.bound.astype(np.int64) - vmin > u))
    if threshold is not None:
        doubt = doubt[cands.bound[doubt] >= threshold]
    if doubt.size == 0:
        return 0
    rows_g = free[doubt]
    shift = (v - big).astype(np.int64)
    bad = 0
    step = model.block_rows()
    for k in range(0, rows_g.size, step):
        part = rows_g[k: k + step]
        loc = doubt[k: k + step]
        score, allowed = model.rows(part)
        allowed &= usable[None, :]
        if threshold is not None:
            allowed &= score >= threshold
        profit = np.where(allowed, score.astype(np.int64) - shift[None, :], _NONE)
        over = profit > u[loc][:, None]
        hit = over.any(axis=1)
        if not hit.any():
            continue
        bad += int(hit.sum())
        profit, loc, score = profit[hit], loc[hit], score[hit]
        g = min(grow, model.m)
        top = np.argpartition(-profit, g - 1, axis=1)[:, :g] if g < model.m else (
            np.broadcast_to(np.arange(model.m), profit.shape))
        take = np.take_along_axis(profit, top, axis=1) > u[loc][:, None]
        cands.add(np.broadcast_to(loc[:, None], top.shape)[take], top[take],
                  np.take_along_axis(score, top, axis=1)[take].astype(np.int64))
    return bad


def _solve_certified(cands: _Candidates, threshold: int | None) -> tuple[np.ndarray, int]:
    nf, cap, m = cands.free.size, cands.cap, cands.model.m
    big = big_weight(nf, int(cap.sum()))
    rounds = 0
    while True:
        rounds += 1
        keep = cands.scores >= threshold if threshold is not None else slice(None)
        rows, cols, scores = cands.rows[keep], cands.cols[keep], cands.scores[keep]
        match = _assign(nf, cap, rows, cols, scores)
        v = _prices(m, cap, rows, cols, scores, match, big)
        if _certify(cands, match, v, big, threshold, GROW_K) == 0:
            return match, rounds


def solve_sparse(model: ScoreModel, free: np.ndarray, cap: np.ndarray, fair: bool = False,
                 k: int = TOP_K) -> Outcome:
    """Exact, certified matching of the `free` mentee rows with mentor places `cap`."""
    cands = _Candidates(model, np.asarray(free, np.int64), np.asarray(cap, np.int64), k)
    match, rounds = _solve_certified(cands, None)
    if not fair or not (match >= 0).any():
        return Outcome(match, None, rounds)
    size = int((match >= 0).sum())
    on = cands.cols == match[cands.rows]
    low = int(cands.scores[on].min())
    # Every pair that could lift the lowest score is at least `low`; its level is among the
    # candidates' scores or the bounds of left-out pairs, so search all levels up to 1000.
    levels = np.arange(low, 1001)
    lo, hi = 0, levels.size
    best = match
    while hi - lo > 1:
        mid = (lo + hi) // 2
        trial, r = _solve_certified(cands, int(levels[mid]))
        rounds += r
        if int((trial >= 0).sum()) == size:
            lo, best = mid, trial
        else:
            hi = mid
    threshold = int(levels[lo])
    if lo > 0:
        # `best` came from the threshold probe, already certified optimal at that threshold.
        return Outcome(best, threshold, rounds)
    return Outcome(match, threshold, rounds)
