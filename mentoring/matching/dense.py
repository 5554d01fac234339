"""Exact assignment on a full score matrix with SciPy's linear_sum_assignment.

Mentors are expanded into one column per free place. Every allowed pair weighs BIG + score
with BIG above any possible total score, so the optimum first matches as many mentees as
possible and then maximises the total score; a forbidden pair weighs 0, which is no better
than leaving the mentee unmatched, so it is never reported.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching


def big_weight(rows: int, places: int) -> int:
    """A weight above the largest total score any matching of this size could reach."""
    return 1001 * max(1, min(rows, places)) + 1


def assign(score: np.ndarray, allowed: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Mentor column of each row (-1 if unmatched) of a max-cardinality, then max-total
    matching in which column j takes at most cap[j] rows."""
    n = score.shape[0]
    big = big_weight(n, int(cap.sum()))
    return assign_weights(score.astype(np.float64) + big, allowed, cap)


def assign_weights(weight: np.ndarray, allowed: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Mentor column of each row (-1 if unmatched) of a maximum-weight matching on the allowed
    pairs in which column j takes at most cap[j] rows; every allowed weight must be above 0
    (a pair not allowed weighs as much as no pair) and whole numbers below 2**51, so that
    float64 sums stay exact."""
    n, m = weight.shape
    match = np.full(n, -1, np.int64)
    cols = np.repeat(np.arange(m), cap)
    if n == 0 or cols.size == 0 or not allowed.any():
        return match
    weight = np.where(allowed, weight.astype(np.float64), 0.0)
    expanded = np.take(weight, cols, axis=1)
    del weight
    r, c = linear_sum_assignment(expanded, maximize=True)
    mentor = cols[c]
    ok = allowed[r, mentor]
    match[r[ok]] = mentor[ok]
    return match


def max_cardinality(allowed: np.ndarray, cap: np.ndarray) -> int:
    """Size of a maximum matching using only allowed pairs and at most cap[j] rows per column."""
    n, m = allowed.shape
    cols = np.repeat(np.arange(m), cap)
    if n == 0 or cols.size == 0:
        return 0
    expanded = np.take(allowed, cols, axis=1)
    graph = csr_matrix(expanded, dtype=np.int8)
    match = maximum_bipartite_matching(graph, perm_type="column")
    return int((match >= 0).sum())


def assign_fair(
    score: np.ndarray, allowed: np.ndarray, cap: np.ndarray
) -> tuple[np.ndarray, int | None]:
    """Like `assign`, but first makes the lowest score in the matching as high as it can be
    among maximum-cardinality matchings. Returns the matching and that threshold."""
    base = assign(score, allowed, cap)
    size = int((base >= 0).sum())
    if size == 0:
        return base, None
    rows = np.flatnonzero(base >= 0)
    low = int(score[rows, base[rows]].min())
    levels = np.unique(score[allowed & (score >= low)])
    # Invariant: levels[lo] keeps the maximum size; levels[hi] (if any) does not.
    lo, hi = 0, len(levels)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if max_cardinality(allowed & (score >= levels[mid]), cap) == size:
            lo = mid
        else:
            hi = mid
    threshold = int(levels[lo])
    if threshold == low:
        return base, threshold
    return assign(score, allowed & (score >= threshold), cap), threshold
