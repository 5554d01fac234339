"""Exact matching for large cohorts on a sparse candidate graph, certified by LP duality.

1. One scoring pass over all pairs, in row blocks, as int16 keys (the score where allowed,
   negative where not). Per free mentee, thresholds from strided column-group maxima (the
   c-th largest of the groups' maxima is at most the row's c-th largest key) give a superset
   of its `k` best pairs and of its `reserve` best pairs, ties included, without sorting a
   row; the best score left out of the reserve bounds the rest of the row. Per mentor, about
   its best `per_place` x capacity pairs are kept, above a running threshold estimated from a
   sample of the rows seen. Up to CACHE_CELLS pairs, the whole key matrix is kept instead
   of a reserve (the certificate then reads every pair from it).
   Each mentee's BEST best allowed mentors are left on the model for `alternatives`.
2. Candidates: the k best pairs of each mentee plus the mentors' pairs. Solved exactly with
   LAPJVsp (SciPy) on mentor places, those of the least connected mentors first; a pair
   weighs BIG + score, so cardinality comes first.
   "Unmatched" columns are only added when the candidates cannot match the smaller side
   completely (LAPJVsp's cost grows with rows x columns).
3. Certificate: mentor prices v >= 0 (0 for mentors with room), the highest any dual of the
   candidate optimum allows: shortest paths to T in the residual graph. With u_i = the
   mentee's matched profit (BIG + s - v), or 0 if unmatched, (u, v) is a feasible dual of
   the full problem iff no pair anywhere has BIG + s - v_j > u_i; then the dual objective
   equals the matching's weight, so the matching is optimal for the full problem, not just
   the candidates. With the key matrix at hand every pair is checked: rows are screened in
   int16 (max over the row of key - v, prices clipped to the range that matters) and only
   flagged rows are checked exactly. Without it, reserve pairs are checked exactly; a pair
   outside the reserve scores at most the row's bound, so most mentees are cleared by that
   bound alone and only the rest are rescored (screened the same way).
4. Mentees with a violating pair get their GROW_K best violating pairs as new candidates.
   While they are at most REPAIR_SHARE of the mentees, they are re-placed by a warm-started
   repair (`network`: they are released from the optimal matching, their duals raised, and
   phases of shortest paths and maximum flows with the existing prices restore optimality on
   the enlarged candidates); beyond that LAPJVsp solves the enlarged candidates afresh.
   Then the certificate is checked again; the loop ends because candidates only grow.
Fair mode repeats this for each threshold of a binary search on the lowest score.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .dense import big_weight
from .network import Network, _ranges
from .scoring import ScoreModel

TOP_K = 16
PER_PLACE = 12
RESERVE = 32  # best pairs per mentee kept for exact pricing without rescoring
GROW_K = 8  # most violating pairs added per mentee that fails the certificate
BEST = 4  # best mentors per mentee left on the model for `alternatives` (3 + its own)
REPAIR_SHARE = 0.25  # up to this share of the mentees are re-placed by repair, not a fresh solve
_BIN = 3  # score histogram bins of 2**_BIN points (thresholds are bin edges)
_NBINS = (1000 >> _BIN) + 2  # bin 0 holds "not allowed" (-1)
_FAR = np.iinfo(np.int64).max // 4


@dataclass
class Outcome:
    """Matching of the free rows (mentor column or -1), fairness threshold, rounds used, and
    the score of each row's pair (-1 if unmatched)."""

    match: np.ndarray
    threshold: int | None
    rounds: int
    scores: np.ndarray
    scoring: float = 0.0  # seconds spent scoring every pair and choosing the candidates
    keys: np.ndarray | None = None  # the free rows' int16 keys, when the pool kept them


def _outcome(pool: _Pool, match: np.ndarray, threshold: int | None, rounds: int) -> Outcome:
    on = pool.cols == match[pool.rows]  # every pair of the matching is a candidate
    scores = np.full(match.size, -1, np.int64)
    scores[pool.rows[on]] = pool.scores[on]
    assert (scores[match >= 0] >= 0).all(), "a pair outside the candidates"  # noqa: S101
    return Outcome(match, threshold, rounds, scores, keys=pool.cache)


CACHE_CELLS = 40_000_000  # keep the whole int16 score matrix up to this many cells
SAMPLE = 8  # every SAMPLE-th row estimates the mentors' candidate thresholds
NOT_ALLOWED = -30000  # int16 key of padding; a pair that may not be used keys -30000..-29000
_ROWS = 8  # rows per group when looking for mentors' candidates


def _cat(parts: list, dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _column_edges(hist: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Per mentor (rows of `hist`, counts per score bin): the highest bin edge with at least
    `want` sampled scores at or above it (0 if none)."""
    above = np.cumsum(hist[:, :0:-1], axis=1)[:, ::-1]
    b = (above >= np.maximum(want, 1)[:, None]).sum(axis=1)
    return np.where(b > 0, (b - 1) << _BIN, 0).astype(np.int16)


def fold(key: np.ndarray, group: int) -> np.ndarray:
    """Maxima of `key` (rows x width, width a multiple of `group`) over strided column groups:
    folded[r, g] = max of key[r, g::width // group]."""
    rows, width = key.shape
    return key.reshape(rows, group, width // group).max(axis=1)


def row_floors(folded: np.ndarray, counts: tuple[int, ...]) -> list[np.ndarray]:
    """Per row and each count c: a score t >= 0 such that at least c entries of the row are
    >= t, or 0 when there are fewer groups than c (then every allowed entry is kept).

    The c-th largest group maximum is at most the c-th largest entry (c groups reach it), so
    the entries >= t are a superset of the row's c best, ties included."""
    rows, ng = folded.shape
    out = []
    kth = sorted({ng - min(c, ng) for c in counts})
    part = np.partition(folded, kth, axis=1) if rows and ng else folded
    for c in counts:
        if c > ng:
            out.append(np.zeros(rows, np.int16))
        else:
            out.append(np.maximum(part[:, ng - c], 0).astype(np.int16))
    return out


def at_least(key: np.ndarray, folded: np.ndarray, floor: np.ndarray):
    """Entries of `key` that are >= floor[row], as (row, column, value), looked up only in the
    column groups whose maximum (`folded`, from `fold`) reaches the floor."""
    ng = folded.shape[1]
    width = key.shape[1]
    group = width // max(1, ng)
    r, g = np.nonzero(folded >= floor[:, None])
    cols = g[:, None] + ng * np.arange(group)[None, :]
    vals = key.ravel().take(r[:, None] * width + cols)
    hit = np.flatnonzero(vals >= floor[r][:, None])
    return r[hit // group], cols.ravel()[hit], vals.ravel()[hit]


def _group(m: int, reserve: int) -> int:
    """Columns per strided group: at most 16, leaving at least 4 x reserve groups, and a
    divisor of m when one is close (so no padding is needed)."""
    top = max(1, min(16, m // max(1, 4 * reserve)))
    for g in range(top, max(1, top // 2) - 1, -1):
        if m % g == 0:
            return g
    return top


def _key(score: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """int16 key: the score where allowed, score - 30000 (< 0) where not (pure arithmetic,
    several times faster than a masked select)."""
    key = np.multiply(allowed, np.int16(30000), dtype=np.int16)
    key += score
    key -= np.int16(30000)
    return key


def key_blocks(model: ScoreModel, free: np.ndarray, usable: np.ndarray, step: int):
    """(local rows, int16 keys) of the `free` mentee rows, `step` model rows at a time;
    mentors not `usable` (no place to give) are not allowed."""
    local = np.full(model.n, -1, np.int64)
    local[free] = np.arange(free.size)
    blocked = ~usable
    for start in range(0, model.n if model.m else 0, step):
        stop = min(model.n, start + step)
        loc = local[start:stop]
        keep = loc >= 0
        if not keep.any():
            continue
        score, allowed = model.block(start, stop)
        if blocked.any():
            allowed &= usable[None, :]
        if not keep.all():
            score, allowed, loc = score[keep], allowed[keep], loc[keep]
        yield loc, _key(score, allowed)


class _Pool:
    """Free mentees' reserve pairs, row bounds and the current candidate pairs; with the whole
    score matrix kept (int16, NOT_ALLOWED where a pair may not be used) when it is small."""

    def __init__(self, model: ScoreModel, free: np.ndarray, cap: np.ndarray, k: int,
                 per_place: int, reserve: int) -> None:
        self.model, self.free, self.cap = model, free, cap
        nf, m = free.size, model.m
        self.usable = cap > 0
        cached = nf * m <= CACHE_CELLS
        # With the whole matrix kept, the certificate needs no reserve beyond the k best.
        reserve = k if cached else max(reserve, k)
        group = _group(m, reserve)
        width = -(-m // group) * group
        self.bound = np.full(nf, -1, np.int16)  # best score of any pair outside the reserve
        self.cache = np.empty((nf, m), np.int16) if cached else None
        res_r, res_c, res_s, res_top, res_best = [], [], [], [], []
        # Per mentor, about its best per_place x capacity pairs: scores at or above a running
        # threshold, estimated from every SAMPLE-th row seen so far (so it only rises, and what
        # is collected is a superset of what the final threshold keeps).
        want = per_place * cap
        col_hist = np.zeros((m, _NBINS), np.int64) if per_place > 0 else None
        col_edge = np.zeros(width, np.int16)
        col_codes = (np.arange(m, dtype=np.int32) * _NBINS)[None, :]
        sampled = blocks = 0
        col_r, col_c, col_s = [], [], []
        step = max(_ROWS, model.block_rows() // _ROWS * _ROWS)
        for loc, key in key_blocks(model, free, self.usable, step):
            rows = loc.size
            tall = -(-rows // _ROWS) * _ROWS
            if width != m or tall != rows:
                padded = np.full((tall, width), NOT_ALLOWED, np.int16)
                padded[:rows, :m] = key
                key = padded
            if self.cache is not None:
                self.cache[loc] = key[:rows, :m]
            folded = fold(key[:rows], group)
            tb, tk, tr = row_floors(folded, (BEST, k, reserve))
            r, c, s = at_least(key[:rows], folded, tr)
            if self.cache is None:
                kept = np.bincount(r, minlength=rows)
                n_allowed = np.count_nonzero(key[:rows] >= 0, axis=1)
                self.bound[loc] = np.where(kept < n_allowed, tr - 1, -1)
            res_r.append(loc[r].astype(np.int32))
            res_c.append(c.astype(np.int32))
            res_s.append(s)
            res_top.append(s >= tk[r])
            res_best.append(s >= tb[r])
            if col_hist is not None:
                sample = key[:rows:SAMPLE, :m]
                sampled += sample.shape[0]
                codes = (np.maximum(sample, -1) >> _BIN).astype(np.int32) + 1 + col_codes
                col_hist += np.bincount(codes.ravel(), minlength=m * _NBINS).reshape(
                    m, _NBINS)
                blocks += 1
                if blocks & (blocks - 1) == 0 or blocks % 16 == 0:  # 1, 2, 4, 8, 16, 32, 48..
                    # (this block's own sample counts: a one-block cohort is not swept whole)
                    col_edge[:m] = _column_edges(col_hist, (want * sampled) // max(1, nf))
                # Row groups whose maximum reaches a mentor's threshold, then their rows.
                folded = key.reshape(-1, _ROWS, width).max(axis=1)
                g, c = np.nonzero(folded >= np.maximum(col_edge, 0)[None, :])
                rr = g[:, None] * _ROWS + np.arange(_ROWS)[None, :]
                vals = key.ravel().take(rr * width + c[:, None])
                hit = np.flatnonzero(vals >= np.maximum(col_edge[c], 0)[:, None])
                col_r.append(loc[rr.ravel()[hit]].astype(np.int32))
                col_c.append(c[hit // _ROWS].astype(np.int32))
                col_s.append(vals.ravel()[hit])
                if blocks % 64 == 0:  # drop what the risen thresholds no longer keep
                    cr, cc, cs = _cat(col_r, np.int32), _cat(col_c, np.int32), _cat(col_s,
                                                                                      np.int16)
                    last = cs >= col_edge[cc]
                    col_r, col_c, col_s = [cr[last]], [cc[last]], [cs[last]]
                    del cr, cc, cs, last
        self.res_r, self.res_c = _cat(res_r, np.int32), _cat(res_c, np.int32)
        self.res_s = _cat(res_s, np.int16)
        del res_r, res_c, res_s
        if self.usable.all() and m:
            self._leave_best(model, _cat(res_best, bool))
        del res_best
        top = _cat(res_top, bool)
        del res_top
        rows, cols, scores = [self.res_r[top]], [self.res_c[top]], [self.res_s[top]]
        del top
        if col_hist is not None:
            col_edge[:m] = _column_edges(col_hist, (want * sampled) // max(1, nf))
            cr, cc, cs = _cat(col_r, np.int32), _cat(col_c, np.int32), _cat(col_s, np.int16)
            del col_r, col_c, col_s
            last = cs >= col_edge[cc]
            rows.append(cr[last])
            cols.append(cc[last])
            scores.append(cs[last])
            del cr, cc, cs, last
        self.rows = np.zeros(0, np.int64)
        self.cols = np.zeros(0, np.int64)
        self.scores = np.zeros(0, np.int64)
        self.add(np.concatenate(rows), np.concatenate(cols), np.concatenate(scores))

    def _leave_best(self, model: ScoreModel, near: np.ndarray) -> None:
        """Leave each free mentee's BEST best allowed mentors (score, then lower column; all
        are among the reserve pairs flagged `near`) on the model for `alternatives`, with
        which mentees have that many: (mentee rows, columns (rows x BEST, -1 = none), their
        scores, complete)."""
        nf, count = self.free.size, BEST
        rr, rc, rs = self.res_r[near], self.res_c[near], self.res_s[near]
        # One int64 key (row, then score down, then column) sorts faster than a lexsort.
        order = np.argsort((rr.astype(np.int64) * 1001 + (1000 - rs)) * self.model.m + rc)
        r, c = rr[order].astype(np.int64), rc[order].astype(np.int64)
        rank = np.arange(r.size) - np.searchsorted(r, r)
        sel = rank < count
        cols = np.full((nf, count), -1, np.int64)
        cols[r[sel], rank[sel]] = c[sel]
        scores = np.full((nf, count), -1, np.int16)
        scores[r[sel], rank[sel]] = rs[order][sel]
        complete = np.bincount(r[sel], minlength=nf) == count
        model.best_pairs = (self.free.copy(), cols, scores, complete)

    def add(self, rows: np.ndarray, cols: np.ndarray, scores: np.ndarray) -> None:
        """Add pairs (duplicates are dropped); pairs stay sorted by (row, column), as int64."""
        width = self.model.m + 1
        key = np.concatenate([self.rows * width + self.cols,
                              rows.astype(np.int64) * width + cols])
        s = np.concatenate([self.scores, scores.astype(np.int64)])
        key, first = np.unique(key, return_index=True)
        self.scores = s[first]
        del s, first
        self.rows, self.cols = np.divmod(key, width)


def _lapjvsp(graph: csr_matrix, other: int) -> tuple[np.ndarray, np.ndarray]:
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    real = col_ind < other
    return row_ind[real], col_ind[real]


def _expanded(nf: int, cap: np.ndarray, rows, cols, scores, dummy: float | None,
              top: int = 1001) -> tuple[csr_matrix, int, bool, np.ndarray]:
    """The capacity-expanded cost graph (one node per mentor place) of the pairs (sorted by
    mentee, then mentor) as CSR, with the smaller side as rows; `dummy` adds one "unmatched"
    column per row at that cost. Returns the graph, the number of real columns, whether the
    rows are places, and the mentor of each place node."""
    places = int(cap.sum())
    by_place = places < nf
    # (big + top + 1) - (big + s): all positive
    cost = float(top + 1) - scores.astype(np.float64)
    if by_place:  # rows are places: each place of mentor j gets all of j's pairs
        # Pairs come sorted by (mentee, mentor): a stable sort by mentor orders them by
        # (mentor, mentee) (radix sort of small integers).
        order = np.argsort(cols.astype(np.int16) if cap.size < 2**15 else cols, kind="stable")
        counts = np.bincount(cols, minlength=cap.size)
        first = np.cumsum(counts) - counts
        owner = np.repeat(np.arange(cap.size), cap)
        # LAPJVsp places rows in order: the places of the least connected mentors first
        # (they have the fewest ways out) shortens its searches by about a quarter.
        owner = owner[np.argsort(counts[owner], kind="stable")]
        take = _ranges(first[owner], first[owner] + counts[owner])
        indices = rows[order].astype(np.int32)[take]
        data = cost[order][take]
        lens = counts[owner]
        side, other = places, nf
    else:  # rows are mentees: each pair (i, j) gets one entry per place of j
        order = np.arange(rows.size)  # already by (mentee, mentor)
        start = np.cumsum(cap) - cap
        rep = cap[cols[order]]
        first = np.repeat(start[cols[order]], rep)
        take = np.repeat(np.arange(order.size), rep)
        indices = (first + np.arange(take.size) - np.repeat(np.cumsum(rep) - rep, rep)
                   ).astype(np.int32)
        data = cost[order][take]
        lens = np.bincount(rows, weights=cap[cols], minlength=nf).astype(np.int64)
        side, other = nf, places
        owner = np.repeat(np.arange(cap.size), cap)
    del take, order
    indptr = np.zeros(side + 1, np.int64)
    np.cumsum(lens, out=indptr[1:])
    if dummy is not None:  # append column other + row to every row
        at = indptr[1:]
        indices = np.insert(indices, at, (other + np.arange(side)).astype(np.int32))
        data = np.insert(data, at, dummy)
        indptr = indptr + np.arange(side + 1)
        width = other + side
    else:
        width = other
    graph = csr_matrix((data, indices, indptr.astype(np.int32 if indptr[-1] < 2**31 else
                                                    np.int64)), shape=(side, width))
    return graph, other, by_place, owner


def _assign(nf: int, cap: np.ndarray, rows, cols, scores, top: int = 1001,
            big: int | None = None) -> np.ndarray:
    """Max-cardinality, then max-score matching of nf rows on the given pairs (sorted by
    mentee, then mentor; exact). Scores are whole numbers 0..top-1 (`top` and `big`, above
    the total of any matching, are given when they are not the 0-1000 of a pair's score;
    big + top must stay below 2**51 so that float64 sums stay exact).

    A pair weighs big + score; LAPJVsp minimises (big + top + 1) - weight, and an
    "unmatched" column costs big + top + 1. LAPJVsp handles every row with a search that
    first resets all columns, so the smaller side (mentees or places) becomes the rows, and
    the "unmatched" columns are only added when the rows cannot all be matched (then every
    optimum leaves some row unmatched)."""
    match = np.full(nf, -1, np.int64)
    if nf == 0 or rows.size == 0:
        return match
    if big is None:
        big = big_weight(nf, int(cap.sum()))
    try:
        graph, other, by_place, owner = _expanded(nf, cap, rows, cols, scores, None, top)
        row_ind, col_ind = _lapjvsp(graph, other)
    except ValueError:  # no full matching of the rows: some must stay unmatched
        graph, other, by_place, owner = _expanded(nf, cap, rows, cols, scores,
                                                  float(big + top + 1), top)
        row_ind, col_ind = _lapjvsp(graph, other)
    del graph
    if by_place:
        row_ind, col_ind = col_ind, row_ind
    match[row_ind] = owner[col_ind]
    return match


def _shortest(nodes: int, src: np.ndarray, dst: np.ndarray, cost: np.ndarray,
              source: int) -> np.ndarray:
    """Distances from `source` (Bellman-Ford, vectorised over arcs; stops as soon as nothing
    improves). Unreachable nodes get a huge value."""
    # Arcs grouped by head (a stable radix sort of int32 heads; order within a group is free).
    order = np.argsort(dst.astype(np.int32), kind="stable")
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


def _doubtful_rows(cache: np.ndarray, vp: np.ndarray, up: np.ndarray,
                  flat: bool = False) -> np.ndarray:
    """Rows of the cached key matrix that may hold a pair with key - vp[j] > up[i] (a superset,
    computed in int16: every mentor price that matters lies in -1001..1001, and the few
    mentors priced below that, which have room, are checked exactly; rows with up < -1 are
    not screened). With `flat`, every allowed pair's key counts as 0."""
    nf, m = cache.shape
    if nf == 0 or m == 0:
        return np.zeros(0, np.int64)
    cheap = vp < -1001
    # A price of 1001 or more clears every pair of a row with up >= -1.
    q = np.where(cheap, 1001, np.minimum(vp, 1001)).astype(np.int16)
    ucl = np.clip(up, -1, 3000).astype(np.int16)
    out = []
    step = max(1, (1 << 21) // max(1, m))
    for k in range(0, nf, step):
        # key >= -31767 and -1001 <= q <= 1001, so key - q stays inside int16.
        block = cache[k:k + step]
        if flat:
            block = np.where(block >= 0, np.int16(0), np.int16(NOT_ALLOWED))
        worst = (block - q[None, :]).max(axis=1)
        out.append(np.flatnonzero(worst > ucl[k:k + step]) + k)
    if cheap.any():
        cols = np.flatnonzero(cheap)
        for k in range(0, nf, step):
            sub = cache[k:k + step, cols].astype(np.int64)
            if flat:
                sub = np.where(sub >= 0, 0, -1)
            over = ((sub >= 0) & (sub - vp[cols][None, :] > up[k:k + step, None])).any(axis=1)
            out.append(np.flatnonzero(over) + k)
    return np.unique(np.concatenate(out)) if out else np.zeros(0, np.int64)


def _violations(key: np.ndarray, loc: np.ndarray, vp: np.ndarray, up: np.ndarray,
                lowest: int, found: list) -> None:
    """Append to `found` the pairs (row, column, score, profit) of the key rows (mentee rows
    `loc`) with key >= max(lowest, 0) and key - vp[j] > up[row]: rows are screened in int16
    (`_doubtful_rows`), then only the doubtful ones are checked exactly."""
    doubt = _doubtful_rows(key, vp, up[loc])
    for k in range(0, doubt.size, 4096):
        sub = doubt[k:k + 4096]
        rows_key = key[sub].astype(np.int64)
        profit = rows_key - vp[None, :]
        r, c = np.nonzero((rows_key >= max(lowest, 0)) & (profit > up[loc[sub]][:, None]))
        found.append((loc[sub[r]], c.astype(np.int64), rows_key[r, c], profit[r, c]))


def _certify(pool: _Pool, match: np.ndarray, v: np.ndarray, big: int,
             threshold: int | None, grow: int) -> np.ndarray:
    """Check the dual over every pair; add violating pairs as candidates. Returns the mentees
    that had a violation (none = the matching is proven optimal)."""
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
    found: list = []
    if pool.cache is not None:  # every pair is at hand: check them all, no bounds needed
        _violations(pool.cache, np.arange(nf), vp, up, lowest, found)
    else:
        # Reserve pairs: exact.
        rr, rc, rs = pool.res_r, pool.res_c, pool.res_s.astype(np.int64)
        prof = rs - vp[rc]
        bad = (prof > up[rr]) & (rs >= lowest)
        found.append((rr[bad].astype(np.int64), rc[bad].astype(np.int64), rs[bad], prof[bad]))
        # Pairs outside the reserve score at most the row's bound and cost at least the
        # cheapest usable price; the rows this does not clear are rescored.
        usable = pool.usable
        vmin = int(vp[usable].min()) if usable.any() else 0
        bound = pool.bound.astype(np.int64)
        doubt = np.flatnonzero((bound >= max(lowest, 0)) & (bound - vmin > up))
        step = model.block_rows()
        for k in range(0, doubt.size, step):
            loc = doubt[k: k + step]
            score, allowed = model.rows(free[loc])
            allowed &= pool.usable[None, :]
            _violations(_key(score, allowed), loc, vp, up, lowest, found)
    rows = np.concatenate([f[0] for f in found]) if found else np.zeros(0, np.int64)
    if rows.size == 0:
        return rows
    cols = np.concatenate([f[1] for f in found])
    scores = np.concatenate([f[2] for f in found])
    profit = np.concatenate([f[3] for f in found])
    pool.add(*_best_per_row(rows, cols, scores, profit, grow))
    return np.unique(rows)


def _solve_certified(pool: _Pool, threshold: int | None) -> tuple[np.ndarray, int]:
    nf, cap, m = pool.free.size, pool.cap, pool.model.m
    big = big_weight(nf, int(cap.sum()))
    ceiling = big + 1001  # a price no pair can pay: as good as infinite, and exact in float64

    def current():
        keep = pool.scores >= threshold if threshold is not None else slice(None)
        return pool.rows[keep], pool.cols[keep], pool.scores[keep]

    rows, cols, scores = current()
    match = _assign(nf, cap, rows, cols, scores)
    v = np.minimum(_prices(m, cap, rows, cols, scores, match, big), ceiling)
    rounds = 1
    while True:
        bad = _certify(pool, match, v, big, threshold, GROW_K)
        if bad.size == 0:
            return match, rounds
        rounds += 1
        rows, cols, scores = current()
        if bad.size > REPAIR_SHARE * nf:  # most mentees to move: a fresh solve is cheaper
            match = _assign(nf, cap, rows, cols, scores)
            v = np.minimum(_prices(m, cap, rows, cols, scores, match, big), ceiling)
            continue
        on = cols == match[rows]
        u = np.zeros(nf, np.int64)
        u[rows[on]] = big + scores[on] - v[cols[on]]
        net = Network(nf, cap, rows, cols, scores, big, match,
                      np.concatenate([u, -v, [0]]))
        net.release(bad)
        net.repair()
        match = net.match
        v = net.prices(ceiling)
        del net  # before the next round builds its own


def solve_sparse(model: ScoreModel, free: np.ndarray, cap: np.ndarray, fair: bool = False,
                 k: int | None = None, per_place: int | None = None,
                 reserve: int | None = None) -> Outcome:
    """Exact, certified matching of the `free` mentee rows with mentor places `cap`
    (k, per_place, reserve default to TOP_K, PER_PLACE, RESERVE)."""
    k = TOP_K if k is None else k
    per_place = PER_PLACE if per_place is None else per_place
    reserve = RESERVE if reserve is None else reserve
    started = time.perf_counter()
    pool = _Pool(model, np.asarray(free, np.int64), np.asarray(cap, np.int64), k, per_place,
                 reserve)
    scoring = time.perf_counter() - started
    outcome = _fair_or_plain(pool, fair)
    outcome.scoring = scoring
    return outcome


def _fair_or_plain(pool: _Pool, fair: bool) -> Outcome:
    match, rounds = _solve_certified(pool, None)
    if not fair or not (match >= 0).any():
        return _outcome(pool, match, None, rounds)
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
        return _outcome(pool, best, threshold, rounds)
    return _outcome(pool, match, threshold, rounds)
