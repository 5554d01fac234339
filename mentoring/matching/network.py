"""Warm-started repair of an optimal matching: successive shortest paths with node potentials.

The matching is a circulation in a residual network on mentee nodes, mentor nodes and one node
T (source and sink merged):

    T -> i      mentee i may be matched (it has no unit yet)       cost 0
    i -> T      matched mentee i may be dropped                     cost 0
    i -> j      mentee i takes a place of mentor j (not its own)    cost -(BIG + score)
    j -> i      mentee i leaves its mentor j                        cost +(BIG + score)
    j -> T      mentor j has a free place                           cost 0
    T -> j      mentor j gives a used place back                    cost 0

A matching is optimal on its pairs iff node potentials p exist with every residual arc's reduced
cost  cost + p[tail] - p[head]  >= 0 (no negative cycle). In LP terms p_i = u_i, p_j = -v_j and
p_T = 0, with u, v the mentee and mentor duals.

When pairs are added that violate the duals, each affected mentee is *released*: it leaves its
mentor (or, if unmatched, takes a unit from T), which leaves it with one unit too many and its old
mentor (or T) one too few, and its potential is raised until none of its arcs has a negative
reduced cost. Every arc then has a reduced cost >= 0 again, and the imbalances are removed by
successive shortest paths: one Dijkstra search (SciPy, reduced costs, bounded by a distance limit
that grows when nothing is found) from all nodes with a unit too many; potentials then rise by the
distances, so every arc of the shortest-path forest has reduced cost 0, and units are pushed
along node-disjoint forest paths to nodes with a unit too few. Pushing along zero-cost arcs keeps
every reduced cost >= 0, so when no imbalance is left the matching is optimal again on all pairs.
Only the arcs at nodes whose potential or flow changed are re-priced, so one round costs about
the size of the region searched, not of the network.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

_INF = np.inf
# Arc kinds (see the module docstring).
_TAKE, _LEAVE, _DROP, _ADD, _ROOM, _BACK = range(6)


def _ranges(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Concatenation of the index ranges starts[k]:stops[k]."""
    lens = stops - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    shift = np.repeat(starts - (np.cumsum(lens) - lens), lens)
    return shift + np.arange(total)


class Network:
    """Residual network of a matching of `nf` mentees to mentors with places `cap` on the given
    pairs (weights big + score), with potentials `p` (nf + m + 1 int64 values, T last)."""

    def __init__(self, nf: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                 scores: np.ndarray, big: int, match: np.ndarray, p: np.ndarray) -> None:
        m = cap.size
        self.nf, self.m, self.t = nf, m, nf + m
        self.cap = cap.astype(np.int64)
        t = self.t
        rows = np.asarray(rows, np.int64)
        cols = np.asarray(cols, np.int64)
        k = rows.size
        # Arcs are laid out directly in CSR order (by tail, heads increasing), given pairs
        # sorted by (mentee, mentor): a mentee's row holds its TAKE arcs then DROP (head T is
        # the largest node), a mentor's row its LEAVE arcs (by mentee) then ROOM, T's row the
        # ADD arcs then the BACK arcs. `at_*` are the CSR positions of each kind's arcs.
        if k and np.any(np.diff(rows * (m + 1) + cols) <= 0):
            raise ValueError("pairs must be unique and sorted by (mentee, mentor)")
        per_i = np.bincount(rows, minlength=nf)
        per_j = np.bincount(cols, minlength=m)
        deg = np.concatenate([per_i + 1, per_j + 1, [nf + m]])
        indptr = np.zeros(t + 2, np.int64)
        np.cumsum(deg, out=indptr[1:])
        first_i = np.cumsum(per_i) - per_i
        at_take = indptr[rows] + (np.arange(k) - first_i[rows])
        by_col = np.argsort(cols, kind="stable")  # pairs by (mentor, mentee)
        rank = np.empty(k, np.int64)
        rank[by_col] = np.arange(k) - (np.cumsum(per_j) - per_j)[cols[by_col]]
        at_leave = indptr[nf + cols] + rank
        del by_col, rank
        at_drop = indptr[1:nf + 1] - 1
        at_room = indptr[nf + 1:t + 1] - 1
        at_add = indptr[t] + np.arange(nf)
        at_back = indptr[t] + nf + np.arange(m)
        size = int(indptr[-1])
        self.src = np.repeat(np.arange(t + 1, dtype=np.int32), deg)
        self.dst = np.empty(size, np.int32)
        self.cost = np.zeros(size, np.int64)
        self.kind = np.empty(size, np.int8)
        self.who = np.empty(size, np.int32)
        self.rev = np.empty(size, np.int32)
        self.perm = np.empty(size, np.int32)  # CSR position -> arc in kind order
        w = big + scores.astype(np.int64)
        ar_k, ar_n, ar_m = np.arange(k), np.arange(nf), np.arange(m)
        base = 0
        for at, head, cost, kind, who, partner in (
                (at_take, nf + cols, -w, _TAKE, ar_k, at_leave),
                (at_leave, rows, w, _LEAVE, ar_k, at_take),
                (at_drop, t, 0, _DROP, ar_n, at_add),
                (at_add, ar_n, 0, _ADD, ar_n, at_drop),
                (at_room, t, 0, _ROOM, ar_m, at_back),
                (at_back, nf + ar_m, 0, _BACK, ar_m, at_room)):
            self.dst[at] = head
            self.cost[at] = cost
            self.kind[at] = kind
            self.who[at] = who
            self.rev[at] = partner
            self.perm[at] = base + np.arange(at.size)
            base += at.size
        del at_take, at_leave, at_drop, at_room, at_add, at_back, w
        self.indptr = indptr
        self.pair_i, self.pair_j = rows.astype(np.int64), cols.astype(np.int64)
        self.match = match.astype(np.int64).copy()
        self.sup = (self.match >= 0).astype(np.int64)
        self.out = np.bincount(self.match[self.match >= 0], minlength=m).astype(np.int64)
        self.p = p.astype(np.int64).copy()
        self.excess = np.zeros(t + 1, np.int64)
        self.data = np.empty(self.src.size, np.float64)
        self.graph = csr_matrix((self.data, self.dst.astype(np.int32),
                                 self.indptr.astype(np.int32)), shape=(t + 1, t + 1))
        self.data = self.graph.data  # priced in place, shared with the graph
        self._price()

    # -- arcs ------------------------------------------------------------------------------------

    def _residual(self, arcs: np.ndarray) -> np.ndarray:
        kind, who = self.kind[arcs], self.who[arcs]
        res = np.zeros(arcs.size, bool)
        pair = kind <= _LEAVE
        if pair.any():
            k = who[pair]
            on = self.match[self.pair_i[k]] == self.pair_j[k]
            res[pair] = np.where(kind[pair] == _TAKE, ~on, on)
        mentee = (kind == _DROP) | (kind == _ADD)
        if mentee.any():
            s = self.sup[who[mentee]]
            res[mentee] = np.where(kind[mentee] == _DROP, s == 1, s == 0)
        mentor = kind >= _ROOM
        if mentor.any():
            j = who[mentor]
            res[mentor] = np.where(kind[mentor] == _ROOM, self.out[j] < self.cap[j],
                                   self.out[j] > 0)
        return res

    def _price(self, arcs: np.ndarray | None = None) -> None:
        """Reduced costs of `arcs` (all when None; inf where an arc is not residual) into the
        graph data."""
        if arcs is None or arcs.size * 4 > self.src.size:
            on = self.match[self.pair_i] == self.pair_j
            res = np.concatenate([~on, on, self.sup == 1, self.sup == 0, self.out < self.cap,
                                  self.out > 0])[self.perm]
            rc = self.cost + self.p[self.src] - self.p[self.dst]
            np.copyto(self.data, np.where(res, rc.astype(np.float64), _INF))
            return
        rc = self.cost[arcs] + self.p[self.src[arcs]] - self.p[self.dst[arcs]]
        self.data[arcs] = np.where(self._residual(arcs), rc.astype(np.float64), _INF)

    def _arcs_at(self, nodes: np.ndarray) -> np.ndarray:
        out = _ranges(self.indptr[nodes], self.indptr[nodes + 1])
        return np.concatenate([out, self.rev[out]])

    def check(self) -> None:
        """Assert that every residual arc has a reduced cost >= 0 (for tests)."""
        arcs = np.arange(self.src.size)
        rc = self.cost + self.p[self.src] - self.p[self.dst]
        assert (rc[self._residual(arcs)] >= 0).all(), "negative reduced cost"  # noqa: S101

    # -- repair ----------------------------------------------------------------------------------

    def release(self, mentees: np.ndarray) -> None:
        """Take the given mentees out of the matching, each holding one unit that must be placed
        again, and raise their potentials so that all their arcs have reduced cost >= 0."""
        mentees = np.unique(np.asarray(mentees, np.int64))
        if mentees.size == 0:
            return
        nf, t = self.nf, self.t
        old = self.match[mentees]
        was = old >= 0
        np.add.at(self.excess, nf + old[was], -1)  # the old mentor misses a mentee
        self.excess[t] -= int((~was).sum())  # T gave a unit to a mentee it did not have
        self.excess[mentees] += 1
        self.match[mentees] = -1
        self.sup[mentees] = 1
        arcs = _ranges(self.indptr[mentees], self.indptr[mentees + 1])
        best = np.full(t + 1, np.iinfo(np.int64).min // 2)
        np.maximum.at(best, self.src[arcs], -self.cost[arcs] + self.p[self.dst[arcs]])
        self.p[mentees] = np.maximum(best[mentees], self.p[t])
        # Their arcs and the reverse arcs (their old mentors', T's) are all at these mentees.
        self._price(self._arcs_at(mentees))

    def _arc(self, a: int, b: int) -> int:
        lo, hi = int(self.indptr[a]), int(self.indptr[a + 1])
        return lo + int(np.searchsorted(self.dst[lo:hi], b))

    def _push(self, path: list[int]) -> list[int]:
        """Move one unit along the node path; returns the arcs used."""
        arcs = []
        for a, b in zip(path[:-1], path[1:], strict=False):
            arc = self._arc(a, b)
            kind, who = int(self.kind[arc]), int(self.who[arc])
            if kind == _TAKE:
                self.match[self.pair_i[who]] = self.pair_j[who]
            elif kind == _LEAVE:
                self.match[self.pair_i[who]] = -1
            elif kind == _DROP:
                self.sup[who] = 0
            elif kind == _ADD:
                self.sup[who] = 1
            elif kind == _ROOM:
                self.out[who] += 1
            else:
                self.out[who] -= 1
            arcs.append(arc)
        self.excess[path[0]] -= 1
        self.excess[path[-1]] += 1
        return arcs

    def repair(self, limit: float = 64.0) -> int:
        """Remove all imbalances by shortest paths (see the module docstring); returns the number
        of Dijkstra searches."""
        t = self.t
        searches = 0
        while True:
            sources = np.flatnonzero(self.excess > 0)
            if sources.size == 0:
                return searches
            searches += 1
            d, pred, _ = dijkstra(self.graph, indices=sources, min_only=True,
                               return_predecessors=True, limit=limit)
            reached = np.flatnonzero(np.isfinite(d))
            short = np.flatnonzero(self.excess[reached] < 0)
            sinks = reached[short]
            if sinks.size == 0 and not np.isfinite(limit):
                raise RuntimeError("an imbalance cannot be removed: the matching was infeasible")
            # Potentials rise by min(d, limit), shifted by -limit so that nodes not reached
            # keep theirs (a constant shift changes no reduced cost).
            dist = d[reached]
            top = limit if np.isfinite(limit) else float(dist.max())
            lift = np.rint(dist - top).astype(np.int64)
            moved = reached[lift != 0]
            self.p[moved] += lift[lift != 0]
            full = moved.size * 8 > t  # re-price everything rather than gather most arcs
            changed = [self._arcs_at(moved)] if moved.size and not full else []
            if sinks.size == 0:
                limit *= 4
                if limit > 2.0**45:
                    limit = _INF
            else:
                taken = np.zeros(t + 1, bool)
                for x in sinks[np.lexsort((sinks, d[sinks]))].tolist():
                    path = [x]
                    y = x
                    while pred[y] >= 0:
                        y = int(pred[y])
                        path.append(y)
                    if taken[path].any():
                        continue
                    taken[path] = True
                    path.reverse()
                    arcs = np.array(self._push(path), np.int64)
                    # A push changes whether an arc and its reverse are residual, nothing else.
                    changed.append(arcs)
                    changed.append(self.rev[arcs])
            if full:
                self._price()
            elif changed:
                self._price(np.concatenate(changed))  # repeats are harmless

    # -- duals -----------------------------------------------------------------------------------

    def prices(self, ceiling: int) -> np.ndarray:
        """The highest mentor prices v (>= 0, <= ceiling) of any dual certificate of the current
        (optimal) matching: v_j = length of the cheapest residual path from mentor j to T."""
        nf, t = self.nf, self.t
        dist = dijkstra(self.graph.T.tocsr(), indices=t)
        dj = dist[nf:t]
        v = np.full(self.m, ceiling, np.int64)
        ok = np.isfinite(dj)
        v[ok] = np.rint(dj[ok]).astype(np.int64) - self.p[nf:t][ok] + self.p[t]
        return np.clip(v, 0, ceiling)
