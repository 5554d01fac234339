"""Stability: the blocking pairs of a matching, and the stable matching of the same cohort.

A pair (mentee i, mentor j), allowed and not in the matching, *blocks* when both would rather
be together: i is unmatched or scores j strictly higher than her own mentor, and j has a free
place or holds a mentee whom she scores strictly lower than i. Scores are the one preference
both sides share (a pair's score is the same for the mentee and the mentor).

Locked pairs cannot move: their mentees are left out and their places are taken, so both the
audit and the stable matching are about the free mentees and the places left, as `solve` is.

The audit is vectorised: per free mentee her own score (-1 when unmatched), per mentor the
score a mentee must beat (-1 with a free place, else her lowest free mentee's score, 1001
when she has no place to give); a pair blocks when its int16 key (the score where allowed,
negative where not) beats both. One comparison pass over every pair, in row blocks, or over
the key matrix the sparse solver already holds.

The stable matching is the mentee-proposing deferred acceptance (Gale-Shapley with
capacities): each free mentee proposes to her best mentor not yet tried (higher score first,
then lower mentor column), each mentor keeps her best `capacity` proposals (higher score
first, then lower mentee row) and rejects the rest, until nobody is rejected or has nobody
left to try. Ties broken this way make the preferences strict, and a matching stable for the
strict preferences has no pair that both strictly prefer: no blocking pair. Proposals are
made in rounds, all at once; preferences are read lazily, DEPTH at a time per mentee, so
most mentees' rows are scored once.
"""

from __future__ import annotations

import numpy as np

from .scoring import ScoreModel
from .sparse import _key, key_blocks

DEPTH = 16  # preferences read per mentee at a time
_NEVER = 1001  # a score no pair reaches


def bars(cap: np.ndarray, match: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """Per free mentee the score a pair must beat for her (her own, -1 when unmatched), and
    per mentor the score a mentee must beat for her (-1 with a free place, else her lowest
    mentee's, 1001 when she has no place at all)."""
    m = cap.size
    got = match >= 0
    used = np.bincount(match[got], minlength=m)
    lowest = np.full(m, _NEVER, np.int64)
    np.minimum.at(lowest, match[got], scores[got])
    mentor_bar = np.where(used < cap, -1, lowest)
    own = np.where(got, scores, -1).astype(np.int64)
    return own, mentor_bar


def blocking_pairs(model: ScoreModel, free: np.ndarray, cap: np.ndarray, match: np.ndarray,
                   scores: np.ndarray, keys: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The blocking pairs of a matching of the `free` mentee rows (match: mentor column or -1
    per free row, scores: its score or -1) with mentor places `cap`: (mentee rows, mentor
    columns, scores), sorted by mentee row then mentor column. `keys` is the int16 key matrix
    of the free rows when one is at hand (else the pairs are scored block by block)."""
    own, mentor_bar = bars(cap, match, scores)
    # int16 thresholds: every bar lies in -1..1001, every key in -30000..1000.
    own16 = own.astype(np.int16)
    bar16 = mentor_bar.astype(np.int16)
    out_r, out_c, out_s = [], [], []

    def scan(loc: np.ndarray, key: np.ndarray) -> None:
        hit = key > own16[loc][:, None]
        hit &= key > bar16[None, :]
        r, c = np.nonzero(hit)
        out_r.append(free[loc[r]])
        out_c.append(c.astype(np.int64))
        out_s.append(key[r, c].astype(np.int64))

    if keys is not None:
        step = max(1, (1 << 21) // max(1, keys.shape[1]))
        for k in range(0, keys.shape[0], step):
            loc = np.arange(k, min(keys.shape[0], k + step))
            scan(loc, keys[k:k + step])
    else:
        for loc, key in key_blocks(model, free, cap > 0, model.block_rows()):
            scan(loc, key)
    if not out_r:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    rows, cols, vals = np.concatenate(out_r), np.concatenate(out_c), np.concatenate(out_s)
    order = np.lexsort((cols, rows))
    return rows[order], cols[order], vals[order]


class _Preferences:
    """Each free mentee's allowed mentors, best first (score down, then column up), read
    DEPTH at a time: the next ones after the last (score, column) read."""

    def __init__(self, model: ScoreModel, free: np.ndarray, cap: np.ndarray) -> None:
        self.model, self.free, self.usable = model, free, cap > 0
        nf = free.size
        self.cols = np.full((nf, DEPTH), -1, np.int64)
        self.scores = np.full((nf, DEPTH), -1, np.int64)
        self.pos = np.zeros(nf, np.int64)
        self.last_score = np.full(nf, _NEVER, np.int64)
        self.last_col = np.full(nf, -1, np.int64)
        self.done = np.zeros(nf, bool)  # every allowed mentor has been read
        self.bar = np.full(model.m, -1, np.int64)  # per mentor: lower scores are refused
        for loc, key in key_blocks(model, free, cap > 0, model.block_rows()):
            self._fill(loc, key)

    def _fill(self, loc: np.ndarray, key: np.ndarray) -> None:
        m = key.shape[1]
        col = np.arange(m, dtype=np.int64)[None, :]
        k64 = key.astype(np.int64)
        ls, lc = self.last_score[loc][:, None], self.last_col[loc][:, None]
        after = (k64 < ls) | ((k64 == ls) & (col > lc))
        # A full mentor refuses anyone scoring below her lowest mentee, and her mentees only
        # get better: such mentors need not be read (nor proposed to) any more.
        after &= k64 >= self.bar[None, :]
        # One int64 rank per pair: higher score first, then lower column; -1 = not a choice.
        rank = np.where(after & (k64 >= 0), k64 * m + (m - 1 - col), -1)
        depth = min(DEPTH, m)
        top = np.argpartition(-rank, depth - 1, axis=1)[:, :depth] if depth < m else (
            np.broadcast_to(np.arange(m), (loc.size, m)))
        vals = np.take_along_axis(rank, top, axis=1)
        order = np.argsort(-vals, axis=1, kind="stable")
        vals = np.take_along_axis(vals, order, axis=1)
        top = np.take_along_axis(top, order, axis=1)
        ok = vals >= 0
        self.cols[loc] = -1
        self.scores[loc] = -1
        self.cols[loc, :depth] = np.where(ok, top, -1)
        self.scores[loc, :depth] = np.where(ok, vals // m, -1)
        self.pos[loc] = 0
        self.done[loc] = ok.sum(axis=1) < depth
        n_ok = ok.sum(axis=1)
        has = n_ok > 0
        last = np.maximum(n_ok - 1, 0)
        self.last_score[loc[has]] = self.scores[loc[has], last[has]]
        self.last_col[loc[has]] = self.cols[loc[has], last[has]]

    def next(self, loc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The next choice of each of the given mentees whose mentor does not already refuse
        her: (mentees that have one, their mentor columns, scores); reads further
        preferences where a mentee used up those read."""
        out = []
        while loc.size:
            empty = self.pos[loc] >= DEPTH
            empty |= self.cols[loc, np.minimum(self.pos[loc], DEPTH - 1)] < 0
            refill = np.sort(loc[empty & ~self.done[loc]])
            if refill.size:
                score, allowed = self.model.rows(self.free[refill])
                allowed &= self.usable[None, :]
                self._fill(refill, _key(score, allowed))
            # Skip, at once, the choices read whose mentor now refuses the mentee's score.
            c = self.cols[loc]
            open_ = np.arange(DEPTH)[None, :] >= self.pos[loc][:, None]
            open_ &= (c >= 0) & (self.scores[loc] >= self.bar[np.maximum(c, 0)])
            first = np.where(open_.any(axis=1), open_.argmax(axis=1), DEPTH)
            self.pos[loc] = first
            stuck = (first == DEPTH) & ~self.done[loc]
            out.append(self._take(loc[~stuck]))
            loc = loc[stuck]  # every choice read refuses her: read on
        if not out:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty
        return tuple(np.concatenate(parts) for parts in zip(*out, strict=True))

    def _take(self, loc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        at = np.minimum(self.pos[loc], DEPTH - 1)
        c = self.cols[loc, at]
        has = (self.pos[loc] < DEPTH) & (c >= 0)
        loc = loc[has]
        at = at[has]
        self.pos[loc] += 1
        return loc, self.cols[loc, at], self.scores[loc, at]


def deferred_acceptance(model: ScoreModel, free: np.ndarray, cap: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """The mentee-proposing stable matching of the `free` mentee rows with mentor places
    `cap`: (mentor column or -1 per free row, its score or -1)."""
    nf = free.size
    match = np.full(nf, -1, np.int64)
    scores = np.full(nf, -1, np.int64)
    if nf == 0 or model.m == 0:
        return match, scores
    prefs = _Preferences(model, free, cap)
    held_i = held_j = held_s = np.zeros(0, np.int64)
    proposers = np.arange(nf)
    while proposers.size:
        who, to, s = prefs.next(proposers)
        if who.size == 0:
            break
        touched = np.zeros(model.m, bool)
        touched[to] = True
        mine = touched[held_j]
        ai = np.concatenate([held_i[mine], who])
        aj = np.concatenate([held_j[mine], to])
        a_s = np.concatenate([held_s[mine], s])
        # Per mentor: higher score first, then the lower mentee row; keep `cap` of them.
        order = np.lexsort((ai, -a_s, aj))
        ai, aj, a_s = ai[order], aj[order], a_s[order]
        rank = np.arange(aj.size) - np.searchsorted(aj, aj)
        keep = rank < cap[aj]
        held_i = np.concatenate([held_i[~mine], ai[keep]])
        held_j = np.concatenate([held_j[~mine], aj[keep]])
        held_s = np.concatenate([held_s[~mine], a_s[keep]])
        # A mentor who is now full refuses anyone scoring below her lowest mentee.
        full = keep & (rank == cap[aj] - 1)
        prefs.bar[aj[full]] = a_s[full]
        proposers = np.sort(ai[~keep])
    match[held_i] = held_j
    scores[held_i] = held_s
    return match, scores
