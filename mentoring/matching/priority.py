"""Priority: when places are scarce, mentees of a higher priority are matched first.

`solve(..., priority={mentee_id: p})` (p a whole number, higher first; a mentee left out has
0) returns, among all matchings, one whose set of matched mentees is lexicographically best
by priority (as many of the highest priority as possible, then of the next, ...), and among
those the best total score. The rematch uses the days a mentee has waited.

It is one maximum-weight matching with *linear* weights. The mentees a matching can cover
form a matroid (a transversal matroid: mentees against mentor places), and for a matroid the
greedy algorithm, which only compares weights, finds a heaviest independent set for any
weights; taking the mentees in decreasing priority, it finds the lexicographically best set.
So with class weights that grow with the priority (class c, counted from 1 for the lowest
priority present, weighs c D), every maximum-weight set of mentees is lexicographically best,
and is a basis (all weights are positive): as many mentees as possible are matched. With
D = 1000 K + 1, K bounding the pairs (free mentees and places, whichever fewer), the class
weights of two sets of mentees differ by a multiple of D when they differ at all, which a
difference of total scores (at most 1000 K) cannot make up. A pair then weighs
c(mentee) D + score: the heaviest matching covers a lexicographically best set of mentees
and, among those, has the best total score.

The weights stay below 2**51 (float64 sums exact), else ValueError: never approximate.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .profiles import Id, id_key
from .scoring import ScoreModel
from .wishes import EXACT

#: Mentee rows x mentor places up to which a priority is solved (densely).
DENSE_CELLS = 5_000_000


def levels(model: ScoreModel, free: np.ndarray, priority: Mapping[Id, int]) -> np.ndarray:
    """Each free mentee's priority (0 when not given), by row of `free`."""
    given = {id_key(k): v for k, v in priority.items()}
    out = np.zeros(free.size, np.int64)
    for k, i in enumerate(free.tolist()):
        value = given.get(id_key(model.mentees[i].id), 0)
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ValueError(f"priority of mentee {model.mentees[i].id!r} must be a whole "
                             f"number")
        out[k] = value
    return out


def weights(level: np.ndarray, score: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Pair weights (rows of the free mentees x mentors) whose heaviest matching is the
    priority's lexicographically best, then the best total score (see the module's proof)."""
    n = score.shape[0]
    pairs = max(1, min(n, int(cap.sum())))
    d = 1000 * pairs + 1
    if n == 0:
        return score.astype(np.float64)
    classes = np.unique(level)
    rank = np.searchsorted(classes, level) + 1  # 1 for the lowest priority present
    if int(classes.size) * d + 1000 >= EXACT:
        raise ValueError("too many distinct priorities for this cohort to be solved exactly")
    return (rank * d)[:, None].astype(np.float64) + score.astype(np.float64)
