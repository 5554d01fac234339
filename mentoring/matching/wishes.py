"""The "wishes first" objective: a rank-maximal matching, exact on the assignment solver.

Among all matchings: as many mentees matched as possible, then as many first wishes as
possible, then second wishes, and so on, then the best total score. A wish's rank is its
place in the mentee's list (a withdrawn mentor keeps her place, as in scoring).

It is one maximum-weight matching with lexicographic integer weights, chosen from the actual
cohort. Let K bound the number of pairs (free mentees and places, whichever fewer), R the
last rank anyone wished, and U_r bound the pairs at a rank-r wish in any matching (the free
mentees with an allowed rank-r wish, the places of the mentors so wished, and K, whichever
is fewest). With the score of a matching S in [0, 1000 K], define from the bottom up

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

The solver adds weights in float64, exact for whole numbers below 2**53: the weights are
checked against 2**51 (room for the sums of a few of them the solver forms) and a cohort whose
counts would overflow that is refused with a ValueError, never solved approximately.
"""

from __future__ import annotations

import numpy as np

from .profiles import id_key
from .scoring import ScoreModel

EXACT = 2**51  # largest pair weight whose float64 sums stay exact
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


def weights(rank: np.ndarray, score: np.ndarray, allowed: np.ndarray,
            cap: np.ndarray) -> np.ndarray:
    """The lexicographic pair weights (int64, see the module docstring) of the free rows;
    raises ValueError when they would not stay exact."""
    n = rank.shape[0]
    usable = allowed & (cap > 0)[None, :]
    k = min(n, int(cap.sum()))
    top = int(rank.max()) if rank.size else 0
    level = [0] * (top + 2)  # level[r] = W_r for r = 1..top
    below = 1000 * k  # L_{r+1}
    for r in range(top, 0, -1):
        at = usable & (rank == r)
        u = min(k, int(at.any(axis=1).sum()), int(cap[at.any(axis=0)].sum()))
        level[r] = below + 1
        below += u * level[r]
    big = below + 1
    if big + (level[1] if top else 0) + 1000 >= EXACT:
        raise ValueError(
            f"the wishes objective cannot be solved exactly for this cohort: {k} pairs and "
            f"{top} ranks of wishes need weights above 2**51")
    return big + score.astype(np.int64) + np.array(level, np.int64)[rank]


def profile(rank_of_pair: list[int], wishing: int, top: int) -> tuple[tuple[int, ...], int]:
    """Counts of pairs at each rank 1..top (the ranks of the matched pairs, 0 = not a wish)
    and how many of the `wishing` mentees got none of their wishes."""
    counts = [0] * top
    for r in rank_of_pair:
        if 0 < r <= top:
            counts[r - 1] += 1
    return tuple(counts), wishing - sum(counts)
