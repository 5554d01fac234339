"""The "wishes first" objective: a rank-maximal matching, exact.

Among all matchings: as many mentees matched as possible, then as many first wishes as
possible, then second wishes, and so on, then the best total score. A wish's rank is its
place in the mentee's list (a withdrawn mentor keeps her place, as in scoring).

Lexicographic weights (`weights`, the dense solver). Let K bound the number of pairs (free
mentees and places, whichever fewer), R the last rank anyone wished, and U_r bound the pairs
at a rank-r wish in any matching (the free mentees with an allowed rank-r wish, the places of
the mentors so wished, and K, whichever is fewest). With the score of a matching S in
[0, 1000 K], define from the bottom up

    L_{R+1} = 1000 K,   W_r = L_{r+1} + 1,   L_r = L_{r+1} + U_r W_r   (r = R .. 1),
    A = L_1 + 1,

and weigh a pair A + W_r + score when it is its mentee's rank-r wish, A + score otherwise.
Proof that the heaviest matching is the rank-maximal one: for two matchings M and M', the
difference of weights is A d_0 + sum_r W_r d_r + d_S, where d_0 is the difference in pairs,
d_r in rank-r wishes, d_S in total score, with |d_r| <= U_r and |d_S| <= 1000 K. If the
first non-zero difference is d_r >= 1 (r = 0 for the pairs, with W_0 = A), everything after
it is at least -(sum_{q>r} U_q W_q + 1000 K) = -L_{r+1}, so the weights differ by at least
W_r - L_{r+1} = 1 > 0; if only d_S differs, by d_S. So a heavier matching is always the
lexicographically better one, and the maximum-weight matching is rank-maximal.
The solvers add weights in float64, exact for whole numbers below 2**53: the weights are
checked against 2**51 (room for the sums of a few of them the solver forms). They grow as the
product of the U_r: 10,000 x 3,000 with three ranks of wishes needs about 2**55.

Staged (`staged`, the sparse solver, any size whose int16 score matrix is kept). The levels
(pairs, rank 1, ..., rank R, score) are cut into consecutive chunks whose lexicographic
weights (as above, with L_{last+1} = 0 when the chunk ends before the score) fit 2**51, and
the chunks are solved in order, each on the *optimal face* of the one before. A chunk is a
maximum-weight matching on the candidate graph, certified over every pair left by LP duality
(mentee duals u >= 0, mentor prices v >= 0, u_i + v_j >= weight of every pair, equality on
the matching, u_i = 0 unmatched, v_j = 0 with a free place), as in `sparse`. Complementary
slackness: a matching is optimal for a chunk iff it uses only pairs of reduced cost
u_i + v_j - weight = 0 and matches every mentee with u_i > 0 and fills every mentor with
v_j > 0 (whatever optimal dual is used). So after a chunk the pairs of positive reduced cost
are dropped for good, and the next chunk weighs a pair

    BIG + H ([u_i > 0] + [v_j > 0]) + g_ij,

with g its own lexicographic weights of total at most G and H = G + 1, BIG above any total
(so the most pairs come first: in the first chunk that is the first level; later, no
matching of the pairs left has more pairs than the previous optimum, which is among them).
Proof: the previous chunk's optimum uses only pairs left and saturates those mentees and
mentors, so it reaches the most H terms; a matching with as many pairs that misses one of
them loses at least H > G, more than g can give back. So the next optimum saturates them all
and uses only pairs of reduced cost 0: it is optimal for the previous chunk (and, by
induction, for every chunk before), and among those it is the best for its own levels.
The last chunk holds the score, so the result is the rank-maximal matching with the best
total. The weights now grow only within a chunk: at 10,000 x 3,000 (three ranks) the
ranks make one chunk (weights below 2**31) and the score another (below 2**36), two
certified solves on the scores computed once.
"""

from __future__ import annotations

import time

import numpy as np

from . import sparse
from .network import Network
from .profiles import id_key
from .scoring import ScoreModel

EXACT = 2**51  # largest pair weight whose float64 sums stay exact
#: Most levels in one chunk of the staged solve (0: as many as stay exact; tests set 1).
CHUNK_LEVELS = 0
#: Mentee rows x mentor places up to which the wishes objective is solved (densely).
DENSE_CELLS = 5_000_000


def ranks(model: ScoreModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every wish of the cohort's mentees for a mentor in it: (mentee rows, mentor columns,
    ranks from 1), sorted by mentee row then mentor column."""
    ri, rj, rr = [], [], []
    for i, e in enumerate(model.mentees):
        for rank, wish in enumerate(e.preferred_mentors, start=1):
            j = model.mentor_index.get(id_key(wish))
            if j is not None:
                ri.append(i)
                rj.append(j)
                rr.append(rank)
    order = np.lexsort((rj, ri)) if ri else np.zeros(0, np.int64)
    return (np.array(ri, np.int64)[order], np.array(rj, np.int64)[order],
            np.array(rr, np.int64)[order])


def rank_matrix(model: ScoreModel, free: np.ndarray) -> np.ndarray:
    """Rank of each free mentee's wish for each mentor (free rows x mentors, 0 = not
    wished)."""
    out = np.zeros((free.size, model.m), np.int64)
    local = np.full(model.n, -1, np.int64)
    local[free] = np.arange(free.size)
    ri, rj, rr = ranks(model)
    keep = local[ri] >= 0
    out[local[ri[keep]], rj[keep]] = rr[keep]
    return out


def level_weights(bounds: list[int]) -> tuple[list[int], int]:
    """The lexicographic weights W of consecutive levels, each above what all the levels
    after it can add up to (bounds[q] bounds level q's total over any matching; the last
    level weighs 1), and the most they add up to together (see the module docstring)."""
    w = [0] * len(bounds)
    below = 0
    for q in range(len(bounds) - 1, -1, -1):
        w[q] = below + 1
        below += bounds[q] * w[q]
    return w, below


def _bounds(rows: np.ndarray, cols: np.ndarray, rank: np.ndarray, top: int, k: int,
            cap: np.ndarray) -> list[int]:
    """U_1 .. U_top (module docstring) of the wish pairs (rows, cols, rank) that may be used,
    then 1000 k for the score."""
    out = []
    for r in range(1, top + 1):
        at = rank == r
        out.append(min(k, np.unique(rows[at]).size, int(cap[np.unique(cols[at])].sum())))
    return [*out, 1000 * k]


def dense_fits(model: ScoreModel, free: np.ndarray, cap: np.ndarray) -> bool:
    """Whether `weights` stays exact for these free rows (counting every wish, allowed or
    not, so it may say no where `weights` would still fit)."""
    local = np.full(model.n, -1, np.int64)
    local[free] = np.arange(free.size)
    ri, rj, rr = ranks(model)
    keep = (local[ri] >= 0) & (cap[rj] > 0)
    top = int(rr[keep].max()) if keep.any() else 0
    w, total = level_weights(_bounds(local[ri[keep]], rj[keep], rr[keep], top,
                                     min(free.size, int(cap.sum())), cap))
    return total + 1 + w[0] + 1000 < EXACT


def weights(rank: np.ndarray, score: np.ndarray, allowed: np.ndarray,
            cap: np.ndarray) -> np.ndarray:
    """The lexicographic pair weights (int64, see the module docstring) of the free rows;
    raises ValueError when they would not stay exact."""
    n = rank.shape[0]
    usable = allowed & (cap > 0)[None, :]
    k = min(n, int(cap.sum()))
    top = int(rank.max()) if rank.size else 0
    rows, cols = np.nonzero(usable & (rank > 0))
    w, total = level_weights(_bounds(rows, cols, rank[rows, cols], top, k, cap))
    big = total + 1
    if big + w[0] + 1000 >= EXACT:
        raise ValueError(
            f"the wishes objective cannot be solved exactly for this cohort: {k} pairs and "
            f"{top} ranks of wishes need weights above 2**51")
    return big + score.astype(np.int64) + np.array([0, *w[:-1]], np.int64)[rank]


def profile(rank_of_pair: list[int], wishing: int, top: int) -> tuple[tuple[int, ...], int]:
    """Counts of pairs at each rank 1..top (the ranks of the matched pairs, 0 = not a wish)
    and how many of the `wishing` mentees got none of their wishes."""
    counts = [0] * top
    for r in rank_of_pair:
        if 0 < r <= top:
            counts[r - 1] += 1
    return tuple(counts), wishing - sum(counts)


#: A pair set aside (a wish, or ruled out by a chunk) has its int16 key lowered by _MARK, below
#: every key of a pair not allowed (-30000..-29000) and still screened in int16
#: (`sparse._doubtful_rows`); adding it back restores the key.
_MARK = 31767


def _chunk(bounds: list[int], first: int, sat: int) -> tuple[int, list[int], int]:
    """The chunk of levels that starts at `first`: its last level, the weights W of its
    levels (`level_weights`) and G, the most they add up to in a matching; as many levels
    as keep (sat + 4) (G + 1) + 1001 below EXACT, which bounds BIG + top (`sat` mentees and
    places carry H = G + 1). bounds[q] bounds level q's total over any matching."""
    best = None
    for last in range(first, len(bounds)):
        w, total = level_weights(bounds[first:last + 1])
        if best is not None and ((sat + 4) * (total + 1) + 1001 >= EXACT
                                 or last - first + 1 > (CHUNK_LEVELS or len(bounds))):
            break
        best = last, w, total
    return best


class _Stage:
    """One chunk's certified maximum-weight matching on the candidates (see the module
    docstring): weight BIG + H (sigma_i + tau_j) + g for the pairs still allowed."""

    def __init__(self, nf, cap, levels, flat, g_total, sigma, tau, g_top):
        self.nf, self.cap, self.levels, self.flat = nf, cap, levels, flat
        sat = min(nf, int(cap.sum()))
        sat = min(sat, int(sigma.sum())) + min(sat, int(cap[tau].sum()))
        self.h = g_total + 1 if sat else 0
        self.sigma, self.tau = sigma.astype(np.int64), tau.astype(np.int64)
        self.big = g_total + self.h * sat + 1  # above any matching's total
        self.top = self.h * int(sigma.any()) + self.h * int(tau.any()) + g_top + 1
        assert self.big + self.top < EXACT, "a chunk's weights are not exact"  # noqa: S101

    def weights(self, cand) -> np.ndarray:
        """The candidates' weights beyond BIG."""
        g = self.levels[cand.rank]
        if not self.flat:
            g = g + self.levels[-1] * cand.scores
        return g + self.h * (self.sigma[cand.rows] + self.tau[cand.cols])

    def duals(self, rows, cols, wt, match, v):
        """Mentee duals u of the matching with mentor prices v (checked on the candidates)."""
        on = cols == match[rows]
        u = np.zeros(self.nf, np.int64)
        u[rows[on]] = self.big + wt[on] - v[cols[on]]
        assert (u >= 0).all() and (  # noqa: S101
            self.big + wt - v[cols] <= u[rows]).all(), "dual infeasible on candidates"
        return u

    def violations(self, work, u, v):
        """Pairs of `work` (int16 keys, < 0 = not allowed) that break the dual: (rows,
        columns, keys, profits). g is 0 for every such pair (`flat`) or its score."""
        nf, m = work.shape
        q = v - self.h * self.tau - self.big  # pair (i, j) breaks it iff g - q_j > r_i
        r = u - self.h * self.sigma
        found = []

        def exact(rows, cols):
            step = max(1, (1 << 20) // max(1, cols.size))
            for k in range(0, rows.size, step):
                sub = rows[k:k + step]
                key = work[np.ix_(sub, cols)].astype(np.int64)
                profit = (0 if self.flat else key) - q[cols][None, :]
                a, b = np.nonzero((key >= 0) & (profit > r[sub][:, None]))
                found.append((sub[a], cols[b], key[a, b], profit[a, b]))

        doubt = sparse._doubtful_rows(work, q, r, self.flat)
        exact(np.union1d(doubt, np.flatnonzero(r < -1)), np.arange(m))
        rows, cols, keys, profit = (np.concatenate(x) for x in zip(*found, strict=True)) \
            if found else [np.zeros(0, np.int64)] * 4
        if rows.size == 0:
            return None
        first = np.unique(rows * m + cols, return_index=True)[1]  # a pair found twice
        return rows[first], cols[first], keys[first], profit[first]

    def ban(self, work, u, v):
        """Set aside in `work` the pairs of positive reduced cost (g = 0 for them all):
        a_i + b_j > 0."""
        nf, m = work.shape
        a = u - self.h * self.sigma - self.big
        b = v - self.h * self.tau
        rows = np.flatnonzero(a + b.max(initial=0) > 0) if m else np.zeros(0, np.int64)
        step = max(1, (1 << 20) // max(1, m))
        for k in np.unique(rows // step) * step:
            block = work[k:k + step]  # a view: marked in place
            block[(b[None, :] > -a[k:k + step, None]) & (block >= 0)] -= _MARK


class _Candidates:
    """The candidate pairs (sorted by row, then column) with their scores and wish ranks."""

    def __init__(self, m, rows, cols, scores, rank):
        self.m = m
        self.rows, self.cols, self.scores, self.rank = rows, cols, scores, rank

    def add(self, rows, cols, scores):
        """Add pairs that are not wishes (duplicates are dropped)."""
        width = self.m + 1
        key = np.concatenate([self.rows * width + self.cols, rows * width + cols])
        key, first = np.unique(key, return_index=True)
        self.scores = np.concatenate([self.scores, scores])[first]
        self.rank = np.concatenate([self.rank, np.zeros(rows.size, np.int64)])[first]
        self.rows, self.cols = np.divmod(key, width)

    def keep(self, mask):
        self.rows, self.cols = self.rows[mask], self.cols[mask]
        self.scores, self.rank = self.scores[mask], self.rank[mask]


def staged(model: ScoreModel, free: np.ndarray, cap: np.ndarray) -> sparse.Outcome:
    """The rank-maximal matching of the `free` mentee rows (mentor places `cap`) by chunks on
    the sparse solver's certified candidate graph (see the module docstring). Needs the whole
    score matrix kept: nf x m up to sparse.CACHE_CELLS."""
    started = time.perf_counter()
    free = np.asarray(free, np.int64)
    cap = np.asarray(cap, np.int64)
    nf, m = free.size, model.m
    pool = sparse._Pool(model, free, cap, sparse.TOP_K, sparse.PER_PLACE, sparse.RESERVE)
    if pool.cache is None and nf and m:
        raise ValueError(f"the wishes objective is solved for up to "
                         f"{sparse.CACHE_CELLS:,} mentee-mentor cells; this cohort has "
                         f"{nf * m:,}")
    scoring = time.perf_counter() - started
    match = np.full(nf, -1, np.int64)
    if nf == 0 or m == 0:
        return sparse.Outcome(match, None, 0, np.full(nf, -1, np.int64), scoring, pool.cache)
    local = np.full(model.n, -1, np.int64)
    local[free] = np.arange(nf)
    ri, rj, rr = ranks(model)
    mine = local[ri] >= 0
    wr, wc, wk = local[ri[mine]], rj[mine], rr[mine]
    ws = pool.cache[wr, wc].astype(np.int64)
    ok = ws >= 0  # allowed, and the mentor has a free place
    wr, wc, wk, ws = wr[ok], wc[ok], wk[ok], ws[ok]
    work = pool.cache  # set aside: the wishes, and pairs as chunks rule them out (restored)
    work[wr, wc] -= _MARK
    cand = _Candidates(m, wr, wc, ws, wk)
    on = work[pool.rows, pool.cols] >= 0
    cand.add(pool.rows[on], pool.cols[on], pool.scores[on])
    try:
        match, rounds = _chunks(cand, work, cap, nf, m, int(wk.max()) if wk.size else 0)
    finally:
        for k in range(0, nf, 1024):
            block = work[k:k + 1024]
            block[block < sparse.NOT_ALLOWED] += _MARK
    on = cand.cols == match[cand.rows]
    scores = np.full(nf, -1, np.int64)
    scores[cand.rows[on]] = cand.scores[on]
    return sparse.Outcome(match, None, rounds, scores, scoring, pool.cache)


def _chunks(cand: _Candidates, work: np.ndarray, cap: np.ndarray, nf: int, m: int,
            top_rank: int) -> tuple[np.ndarray, int]:
    """Solve the chunks in order (module docstring); the last one's matching and the rounds
    of candidate growth in all."""
    k_pairs = min(nf, int(cap.sum()))
    sigma = np.zeros(nf, bool)
    tau = np.zeros(m, bool)
    first, rounds = 1, 0
    while True:
        # level q = rank q, level top_rank + 1 = the score
        wish = cand.rank > 0
        bounds = [0, *_bounds(cand.rows[wish], cand.cols[wish], cand.rank[wish], top_rank,
                              k_pairs, cap)]
        sat = min(k_pairs, int(sigma.sum())) + min(k_pairs, int(cap[tau].sum()))
        last, w, g_total = _chunk(bounds, first, sat)
        levels = np.zeros(top_rank + 2, np.int64)
        levels[first:last + 1] = w
        flat = last <= top_rank  # the chunk ends before the score
        g_top = int(levels.max()) + (0 if flat else 1000)
        stage = _Stage(nf, cap, levels, flat, g_total, sigma, tau, g_top)
        match, u, v, r = _certified(stage, cand, work)
        rounds += r
        if not flat:
            return match, rounds
        cand.keep(u[cand.rows] + v[cand.cols] - stage.big - stage.weights(cand) == 0)
        stage.ban(work, u, v)
        sigma, tau = u > 0, v > 0
        first = last + 1


def _certified(stage: _Stage, cand: _Candidates, work: np.ndarray):
    """The chunk's optimal matching over every pair still allowed, its duals (u, v) and the
    rounds of candidate growth."""
    nf, cap, big, top = stage.nf, stage.cap, stage.big, stage.top
    m = cap.size
    ceiling = big + top  # a price no pair can pay

    wt = stage.weights(cand)
    match = sparse._assign(nf, cap, cand.rows, cand.cols, wt, top, big)
    v = np.minimum(sparse._prices(m, cap, cand.rows, cand.cols, wt, match, big), ceiling)
    rounds = 1
    while True:
        u = stage.duals(cand.rows, cand.cols, wt, match, v)
        found = stage.violations(work, u, v)
        if found is None:
            return match, u, v, rounds
        rows, cols, keys, profit = found
        rows, cols, keys = sparse._best_per_row(rows, cols, keys, profit, sparse.GROW_K)
        bad = np.unique(rows)
        cand.add(rows, cols, keys)
        wt = stage.weights(cand)
        rounds += 1
        # The repair's float64 distances (sums of reduced costs along paths) stay exact while
        # BIG times the nodes stays below 2**51.
        if bad.size > sparse.REPAIR_SHARE * nf or big * (nf + m + 1) >= EXACT:
            match = sparse._assign(nf, cap, cand.rows, cand.cols, wt, top, big)
            v = np.minimum(sparse._prices(m, cap, cand.rows, cand.cols, wt, match, big),
                           ceiling)
            continue
        net = Network(nf, cap, cand.rows, cand.cols, wt, big, match,
                      np.concatenate([u, -v, [0]]), top)
        net.release(bad)
        net.repair()
        match = net.match
        v = net.prices(ceiling)
        del net
