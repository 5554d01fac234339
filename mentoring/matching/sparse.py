"""Exact matching for large cohorts on a sparse candidate graph, certified by LP duality.

1. One scoring pass over all pairs (in blocks) keeps each free mentee's `reserve` best
   allowed pairs (a per-row score threshold from a histogram, so ties stay together) and
   the best score of any pair left out of them (the row's bound).
2. Candidates: each mentee's k best pairs plus, per mentor, the best `per_place` x capacity
   pairs of the reserve, so that the candidate graph usually fills as many places as the full
   graph can. Solved exactly with LAPJVsp (SciPy) on mentor places; a pair weighs BIG + score,
   so cardinality comes first. "Unmatched" columns are only added when the candidates cannot
   match the smaller side completely (LAPJVsp's cost grows with rows x columns).
3. Certificate: mentor prices v >= 0 (0 for mentors with room) from shortest paths in the
   residual graph. With u_i = the mentee's matched profit (BIG + s - v), or 0 if unmatched,
   (u, v) is a feasible dual of the full problem iff no pair anywhere has BIG + s - v_j > u_i.
   Then the dual objective equals the matching's weight, so the matching is optimal for the
   full problem, not just the candidates. Reserve pairs are checked exactly; a pair outside
   the reserve scores at most the row's bound, so most mentees are cleared by that bound
   alone and the rest are rescored. Mentees with a violating pair get their best violating
   pairs as new candidates and the loop repeats (it ends: candidates only grow).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .dense import big_weight
from .scoring import ScoreModel

TOP_K = 12
PER_PLACE = 8
RESERVE = 32  # best pairs per mentee kept for exact pricing without rescoring
GROW_K = 8  # most violating pairs added per mentee that fails the certificate
_BIN = 3  # score histogram bins of 2**_BIN points (thresholds are bin edges)
_NBINS = (1000 >> _BIN) + 2  # bin 0 holds "not allowed" (-1)
_FAR = np.iinfo(np.int64).max // 4


@dataclass
class Outcome:
    """Matching of the free rows (mentor column or -1), fairness threshold, rounds used."""

    match: np.ndarray
    threshold: int | None
    rounds: int


def _thresholds(key: np.ndarray, counts: tuple[int, ...]) -> tuple[list[np.ndarray], np.ndarray]:
    """Per row of `key` (int16 scores, -1 = not allowed) and each count c: the highest bin edge
    t such that at least c allowed scores are >= t (0 when the row has fewer than c allowed
    pairs). Also the number of allowed pairs per row."""
    rows = key.shape[0]
    codes = (key >> _BIN).astype(np.int32) + 1
    codes += (np.arange(rows, dtype=np.int32) * _NBINS)[:, None]
    hist = np.bincount(codes.ravel(), minlength=rows * _NBINS).reshape(rows, _NBINS)
    above = np.cumsum(hist[:, :0:-1], axis=1)[:, ::-1]  # above[:, b-1] = count in bins >= b
    out = []
    for c in counts:
        b = (above >= c).sum(axis=1)  # highest bin (1-based) with at least c at or above it
        out.append(np.where(b > 0, (b - 1) << _BIN, 0).astype(np.int16))
    return out, above[:, 0]


CACHE_CELLS = 40_000_000  # keep the whole int16 score matrix up to this many cells
SAMPLE = 4  # every SAMPLE-th row estimates the mentors' candidate thresholds


def _cat(parts: list, dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _column_edges(hist: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Per mentor (rows of `hist`, counts per score bin): the highest bin edge with at least
    `want` sampled scores at or above it (0 if none)."""
    above = np.cumsum(hist[:, :0:-1], axis=1)[:, ::-1]
    b = (above >= np.maximum(want, 1)[:, None]).sum(axis=1)
    return np.where(b > 0, (b - 1) << _BIN, 0).astype(np.int16)


class _Pool:
    """Free mentees' reserve pairs, row bounds and the current candidate pairs; with the whole
    score matrix kept (int16, -1 = not allowed) when it is small enough."""

    def __init__(self, model: ScoreModel, free: np.ndarray, cap: np.ndarray, k: int,
                 per_place: int, reserve: int) -> None:
        self.model, self.free, self.cap = model, free, cap
        nf, m = free.size, model.m
        self.usable = cap > 0
        local = np.full(model.n, -1, np.int64)
        local[free] = np.arange(nf)
        reserve = max(reserve, k)
        self.bound = np.full(nf, -1, np.int16)  # best score of any pair outside the reserve
        self.cache = np.empty((nf, m), np.int16) if nf * m <= CACHE_CELLS else None
        res_r, res_c, res_s, res_top = [], [], [], []
        # Per mentor, about its best per_place x capacity pairs: scores at or above a running
        # threshold, estimated from every SAMPLE-th row seen so far (so it only rises, and what
        # is collected is a superset of what the final threshold keeps).
        want = per_place * cap
        col_hist = np.zeros((m, _NBINS), np.int64) if per_place > 0 else None
        col_edge = np.zeros(m, np.int16)
        col_codes = (np.arange(m, dtype=np.int32) * _NBINS)[None, :]
        sampled = 0
        col_r, col_c, col_s = [], [], []
        step = model.block_rows()
        for start in range(0, model.n, step):
            stop = min(model.n, start + step)
            loc = local[start:stop]
            keep = loc >= 0
            if not keep.any():
                continue
            score, allowed = model.block(start, stop)
            allowed &= self.usable[None, :]
            key = np.where(allowed, score, np.int16(-1))
            if not keep.all():
                key, loc = key[keep], loc[keep]
            if self.cache is not None:
                self.cache[loc] = key
            (tk, tr), n_allowed = _thresholds(key, (k, reserve))
            r, c = np.nonzero(key >= np.maximum(tr, 0)[:, None])
            s = key[r, c]
            kept = np.bincount(r, minlength=loc.size)
            self.bound[loc] = np.where(kept < n_allowed, tr - 1, -1)
            res_r.append(loc[r].astype(np.int32))
            res_c.append(c.astype(np.int32))
            res_s.append(s)
            res_top.append(s >= tk[r])
            if col_hist is not None:
                r, c = np.nonzero((key >= col_edge[None, :]) & (key >= 0))
                col_r.append(loc[r].astype(np.int32))
                col_c.append(c.astype(np.int32))
                col_s.append(key[r, c])
                sample = key[::SAMPLE]
                sampled += sample.shape[0]
                codes = (sample >> _BIN).astype(np.int32) + 1 + col_codes
                col_hist += np.bincount(codes.ravel(), minlength=m * _NBINS).reshape(
                    m, _NBINS)
                col_edge = _column_edges(col_hist, (want * sampled) // max(1, nf))
        self.res_r, self.res_c = _cat(res_r, np.int32), _cat(res_c, np.int32)
        self.res_s = _cat(res_s, np.int16)
        top = _cat(res_top, bool)
        rows, cols, scores = self.res_r[top], self.res_c[top], self.res_s[top]
        if col_hist is not None:
            cr, cc, cs = _cat(col_r, np.int32), _cat(col_c, np.int32), _cat(col_s, np.int16)
            last = cs >= col_edge[cc]
            rows = np.concatenate([rows, cr[last]])
            cols = np.concatenate([cols, cc[last]])
            scores = np.concatenate([scores, cs[last]])
        self.rows = np.zeros(0, np.int64)
        self.cols = np.zeros(0, np.int64)
        self.scores = np.zeros(0, np.int64)
        self.add(rows.astype(np.int64), cols.astype(np.int64), scores.astype(np.int64))

    def add(self, rows: np.ndarray, cols: np.ndarray, scores: np.ndarray) -> None:
        """Add pairs (duplicates are dropped)."""
        r = np.concatenate([self.rows, rows])
        c = np.concatenate([self.cols, cols])
        s = np.concatenate([self.scores, scores])
        _, first = np.unique(r * (self.model.m + 1) + c, return_index=True)
        self.rows, self.cols, self.scores = r[first], c[first], s[first]


def _lapjvsp(side: int, other: int, r, c, cost, dummy: float | None):
    graph_r, graph_c, data, width = r, c, cost, other
    if dummy is not None:
        graph_r = np.concatenate([r, np.arange(side)])
        graph_c = np.concatenate([c, other + np.arange(side)])
        data = np.concatenate([cost, np.full(side, dummy)])
        width = other + side
    graph = csr_matrix((data, (graph_r, graph_c)), shape=(side, width))
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    real = col_ind < other
    return row_ind[real], col_ind[real]


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
    # LAPJVsp handles every row with a search that first resets all columns, so the smaller
    # side (mentees or places) becomes the rows, and the "unmatched" columns are only added
    # when the rows cannot all be matched (then every optimum leaves some row unmatched).
    if places < nf:
        r, c, side, other = c, r, places, nf
    else:
        side, other = nf, places
    cost = 1002.0 - s
    try:
        row_ind, col_ind = _lapjvsp(side, other, r, c, cost, None)
    except ValueError:  # no full matching of the rows: some must stay unmatched
        row_ind, col_ind = _lapjvsp(side, other, r, c, cost, float(big + 1002))
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


def _best_per_row(rows, cols, scores, profit, grow: int):
    """Of the given pairs, each row's `grow` highest-profit ones (ties: lower column)."""
    order = np.lexsort((cols, -profit, rows))
    rows, cols, scores = rows[order], cols[order], scores[order]
    first = np.searchsorted(rows, rows)
    keep = np.arange(rows.size) - first < grow
    return rows[keep], cols[keep], scores[keep]


def _certify(pool: _Pool, match: np.ndarray, v: np.ndarray, big: int,
             threshold: int | None, grow: int) -> int:
    """Check the dual over every pair; add violating pairs as candidates. Returns how many
    mentees had a violation (0 = the matching is proven optimal)."""
    model, free = pool.model, pool.free
    nf = free.size
    vp = v.astype(np.int64) - big  # profit of pair (i, j) beyond BIG is s - vp[j]
    matched = np.flatnonzero(match >= 0)
    on = pool.cols == match[pool.rows]
    own = np.zeros(nf, np.int64)
    own[pool.rows[on]] = pool.scores[on]
    up = np.zeros(nf, np.int64)  # the mentees' duals u (0 when unmatched)
    up[matched] = own[matched] - vp[match[matched]]
    lowest = -1 if threshold is None else threshold
    # Exact check on the candidates: any failure here is a bug, not a missing candidate.
    ok = pool.scores >= lowest
    assert (up >= 0).all() and (  # noqa: S101
        pool.scores[ok] - vp[pool.cols[ok]] <= up[pool.rows[ok]]).all(), \
        "dual infeasible on candidates"
    # Reserve pairs: exact.
    rr, rc, rs = pool.res_r, pool.res_c, pool.res_s.astype(np.int64)
    prof = rs - vp[rc]
    bad = (prof > up[rr]) & (rs >= lowest)
    found = [(rr[bad].astype(np.int64), rc[bad].astype(np.int64), rs[bad], prof[bad])]
    # Pairs outside the reserve score at most the row's bound and cost at least the cheapest
    # usable price; rows that this does not clear are rescored.
    usable = pool.usable
    vmin = int(vp[usable].min()) if usable.any() else 0
    bound = pool.bound.astype(np.int64)
    doubt = np.flatnonzero((bound >= max(lowest, 0)) & (bound - vmin > up))
    if pool.cache is not None:
        found = []
        step = max(1, (1 << 21) // max(1, model.m))
        for k in range(0, nf, step):
            key = pool.cache[k:k + step]
            # key - v' > u  <=>  key > u + v' (compared in int32: |u + v'| stays small enough,
            # and a cheaper comparison than building the profits of every pair).
            limit = np.clip(up[k:k + step][:, None] + vp[None, :], -1, 1001).astype(np.int32)
            over = key > limit
            if lowest > 0:
                over &= key >= lowest
            r, c = np.nonzero(over)
            if r.size:
                s_rc = key[r, c].astype(np.int64)
                found.append((r + k, c.astype(np.int64), s_rc, s_rc - vp[c]))
        found.append((np.zeros(0, np.int64),) * 4)
        doubt = doubt[:0]
    step = model.block_rows()
    for k in range(0, doubt.size, step):
        loc = doubt[k: k + step]
        score, allowed = model.rows(free[loc])
        allowed &= usable[None, :]
        if threshold is not None:
            allowed &= score >= threshold
        profit = score.astype(np.int64) - vp[None, :]
        over = allowed & (profit > up[loc][:, None])
        r, c = np.nonzero(over)
        if r.size:
            found.append((loc[r], c.astype(np.int64), score[r, c].astype(np.int64),
                          profit[r, c]))
    rows = np.concatenate([f[0] for f in found])
    if rows.size == 0:
        return 0
    cols = np.concatenate([f[1] for f in found])
    scores = np.concatenate([f[2] for f in found])
    profit = np.concatenate([f[3] for f in found])
    pool.add(*_best_per_row(rows, cols, scores, profit, grow))
    return int(np.unique(rows).size)


def _solve_certified(pool: _Pool, threshold: int | None) -> tuple[np.ndarray, int]:
    nf, cap, m = pool.free.size, pool.cap, pool.model.m
    big = big_weight(nf, int(cap.sum()))
    rounds = 0
    while True:
        rounds += 1
        keep = pool.scores >= threshold if threshold is not None else slice(None)
        rows, cols, scores = pool.rows[keep], pool.cols[keep], pool.scores[keep]
        match = _assign(nf, cap, rows, cols, scores)
        v = _prices(m, cap, rows, cols, scores, match, big)
        if _certify(pool, match, v, big, threshold, GROW_K) == 0:
            return match, rounds


def solve_sparse(model: ScoreModel, free: np.ndarray, cap: np.ndarray, fair: bool = False,
                 k: int = TOP_K, per_place: int = PER_PLACE,
                 reserve: int = RESERVE) -> Outcome:
    """Exact, certified matching of the `free` mentee rows with mentor places `cap`."""
    pool = _Pool(model, np.asarray(free, np.int64), np.asarray(cap, np.int64), k, per_place,
                 reserve)
    match, rounds = _solve_certified(pool, None)
    if not fair or not (match >= 0).any():
        return Outcome(match, None, rounds)
    size = int((match >= 0).sum())
    on = pool.cols == match[pool.rows]
    low = int(pool.scores[on].min())
    # Every pair that could lift the lowest score is at least `low`; its level is among the
    # candidates' scores or the bounds of left-out pairs, so search all levels up to 1000.
    levels = np.arange(low, 1001)
    lo, hi = 0, levels.size
    best = match
    while hi - lo > 1:
        mid = (lo + hi) // 2
        trial, r = _solve_certified(pool, int(levels[mid]))
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
