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
the primal-dual method, in phases: one Dijkstra search (SciPy, reduced costs, bounded by a
distance limit that grows when nothing is found) from all nodes with a unit too many; potentials
then rise by the distances, so every shortest path is made of arcs of reduced cost 0; then one
maximum flow (SciPy, Dinic) over those arcs sends as many units as they can carry to nodes with
a unit too few. Sending flow along zero-cost arcs keeps every reduced cost >= 0, so when no
imbalance is left the matching is optimal again on all pairs. A phase moves many mentees at
once (a shortest-path tree alone would move one per tree branch); only the arcs at nodes whose
potential or flow changed are re-priced.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra, maximum_flow

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
    pairs (weights big + score, scores below `top`), with potentials `p` (nf + m + 1 int64
    values, T last)."""

    def __init__(self, nf: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                 scores: np.ndarray, big: int, match: np.ndarray, p: np.ndarray,
                 top: int = 1001) -> None:
        m = cap.size
        self.nf, self.m, self.t = nf, m, nf + m
        self.cap = cap.astype(np.int64)
        t = self.t
        k = np.asarray(rows).size
        # Positions and node numbers in int32 unless the network is too large for it (memory).
        ix = np.int32 if 2 * (k + t) + 2 < 2**31 else np.int64
        rows = np.asarray(rows).astype(ix, copy=False)
        cols = np.asarray(cols).astype(ix, copy=False)
        # Arcs are laid out directly in CSR order (by tail, heads increasing), given pairs
        # sorted by (mentee, mentor): a mentee's row holds its TAKE arcs then DROP (head T is
        # the largest node), a mentor's row its LEAVE arcs (by mentee) then ROOM, T's row the
        # ADD arcs then the BACK arcs. `at_*` are the CSR positions of each kind's arcs.
        if k and not ((rows[1:] > rows[:-1])
                      | ((rows[1:] == rows[:-1]) & (cols[1:] > cols[:-1]))).all():
            raise ValueError("pairs must be unique and sorted by (mentee, mentor)")
        per_i = np.bincount(rows, minlength=nf)
        per_j = np.bincount(cols, minlength=m)
        deg = np.concatenate([per_i + 1, per_j + 1, [nf + m]])
        indptr = np.zeros(t + 2, ix)
        np.cumsum(deg, out=indptr[1:])
        first_i = (np.cumsum(per_i) - per_i).astype(ix)
        at_take = indptr[rows] + (np.arange(k, dtype=ix) - first_i[rows])
        # Pairs by (mentor, mentee): a stable sort of small integers (radix sort in int16).
        by_col = np.argsort(cols.astype(np.int16) if m < 2**15 else cols, kind="stable")
        rank = np.empty(k, ix)
        rank[by_col] = np.arange(k, dtype=ix) - (np.cumsum(per_j) - per_j).astype(ix)[
            cols[by_col]]
        at_leave = indptr[nf + cols] + rank
        del by_col, rank
        at_drop = indptr[1:nf + 1] - 1
        at_room = indptr[nf + 1:t + 1] - 1
        at_add = indptr[t] + np.arange(nf, dtype=ix)
        at_back = indptr[t] + nf + np.arange(m, dtype=ix)
        size = int(indptr[-1])
        self.src = np.repeat(np.arange(t + 1, dtype=np.int32), deg)
        self.dst = np.empty(size, np.int32)
        # Costs are +-(big + score); int32 holds them for up to two million places.
        self.cost = np.zeros(size, np.int32 if big + top < 2**31 else np.int64)
        self.kind = np.empty(size, np.int8)
        self.who = np.empty(size, np.int32)
        self.rev = np.empty(size, np.int32)
        self.perm = np.empty(size, np.int32)  # CSR position -> arc in kind order
        w = scores.astype(self.cost.dtype) + big
        ar_k, ar_n, ar_m = np.arange(k, dtype=ix), np.arange(nf, dtype=ix), np.arange(m, dtype=ix)
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
        self.indptr = indptr.astype(np.int64)
        self.pair_i, self.pair_j = rows, cols
        self.match = match.astype(np.int64).copy()
        self.sup = (self.match >= 0).astype(np.int64)
        self.out = np.bincount(self.match[self.match >= 0], minlength=m).astype(np.int64)
        self.p = p.astype(np.int64).copy()
        self.excess = np.zeros(t + 1, np.int64)
        self.data = np.empty(self.src.size, np.float64)
        self.graph = csr_matrix((self.data, self.dst, self.indptr.astype(np.int32)),
                                shape=(t + 1, t + 1), copy=False)
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
            step = 1 << 20  # in slices: the temporaries stay small however large the network
            for a in range(0, self.src.size, step):
                rc = self.p[self.src[a:a + step]]
                rc -= self.p[self.dst[a:a + step]]
                rc += self.cost[a:a + step]
                out = self.data[a:a + step]
                np.copyto(out, rc, casting="unsafe")
                out[~res[a:a + step]] = _INF
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

    def repair(self, limit: float = 16.0) -> int:
        """Remove all imbalances by phases of the primal-dual method (see the module
        docstring); returns the number of phases (Dijkstra searches)."""
        t = self.t
        phases = 0
        while True:
            sources = np.flatnonzero(self.excess > 0)
            if sources.size == 0:
                return phases
            phases += 1
            d = dijkstra(self.graph, indices=sources, min_only=True, limit=limit)
            reached = np.flatnonzero(np.isfinite(d))
            dist = d[reached]
            sink_d = dist[self.excess[reached] < 0]
            found = sink_d.size > 0
            if not found and not np.isfinite(limit):
                raise RuntimeError("an imbalance cannot be removed: the matching was infeasible")
            # Potentials rise by min(d, top), shifted by -top so that nodes at or beyond top keep
            # theirs (a constant shift changes no reduced cost); top is the farthest sink found
            # (every shortest path to a sink becomes zero-cost), else the limit.
            if found:
                top = float(sink_d.max())
            else:
                top = limit if np.isfinite(limit) else float(dist.max())
            lift = np.rint(np.minimum(dist, top) - top).astype(np.int64)
            moved = reached[lift != 0]
            self.p[moved] += lift[lift != 0]
            if moved.size * 8 > t:  # re-price everything rather than gather most arcs
                self._price()
            elif moved.size:
                self._price(self._arcs_at(moved))
            if found:
                self._augment()
            else:
                limit *= 4
                if limit > 2.0**45:
                    limit = _INF

    def _augment(self) -> None:
        """Send as many units as possible from nodes with a unit too many to nodes with a unit
        too few along residual arcs of reduced cost 0 (one maximum flow), and apply it."""
        t = self.t
        s, z = t + 1, t + 2
        zero = np.flatnonzero(self.data == 0)  # residual (finite) arcs of reduced cost 0
        kind, who = self.kind[zero], self.who[zero]
        room = np.ones(zero.size, np.int64)
        j = kind == _ROOM
        room[j] = self.cap[who[j]] - self.out[who[j]]
        j = kind == _BACK
        room[j] = self.out[who[j]]
        plus = np.flatnonzero(self.excess > 0)
        minus = np.flatnonzero(self.excess < 0)
        tails = np.concatenate([self.src[zero], np.full(plus.size, s), minus])
        heads = np.concatenate([self.dst[zero], plus, np.full(minus.size, z)])
        caps = np.concatenate([room, self.excess[plus], -self.excess[minus]])
        net = csr_matrix((caps.astype(np.int32), (tails, heads)), shape=(t + 3, t + 3))
        flow = maximum_flow(net, s, z, method="dinic").flow.tocoo()
        go = flow.data > 0
        u, v, f = flow.row[go].astype(np.int64), flow.col[go].astype(np.int64), flow.data[go]
        self.excess[v[u == s]] -= f[u == s]
        self.excess[u[v == z]] += f[v == z]
        inner = (u <= t) & (v <= t)
        u, v, f = u[inner], v[inner], f[inner].astype(np.int64)
        # Our arc of each (tail, head) with flow: among the zero-cost arcs, in CSR order.
        arcs = zero[np.searchsorted(self.src[zero].astype(np.int64) * (t + 1) + self.dst[zero],
                                    u * (t + 1) + v)]
        kind, who = self.kind[arcs], self.who[arcs]
        # A mentee may leave one mentor and take another in the same flow: leave first.
        leave = who[kind == _LEAVE]
        self.match[self.pair_i[leave]] = -1
        take = who[kind == _TAKE]
        self.match[self.pair_i[take]] = self.pair_j[take]
        self.sup[who[kind == _DROP]] = 0
        self.sup[who[kind == _ADD]] = 1
        np.add.at(self.out, who[kind == _ROOM], f[kind == _ROOM])
        np.add.at(self.out, who[kind == _BACK], -f[kind == _BACK])
        # Flow on an arc changes whether it and its reverse are residual, nothing else.
        self._price(np.concatenate([arcs, self.rev[arcs]]))

    # -- duals -----------------------------------------------------------------------------------

    def prices(self, ceiling: int) -> np.ndarray:
        """The highest mentor prices v (>= 0, <= ceiling) of any dual certificate of the current
        (optimal) matching: v_j = length of the cheapest residual path from mentor j to T."""
        nf, t = self.nf, self.t
        # The reversed network has the same arcs (each arc's partner runs the other way), so it
        # is this CSR structure with each arc weighted as its partner: no transposed copy.
        back = csr_matrix((self.data[self.rev], self.dst, self.graph.indptr),
                          shape=self.graph.shape, copy=False)
        dist = dijkstra(back, indices=t)
        dj = dist[nf:t]
        v = np.full(self.m, ceiling, np.int64)
        ok = np.isfinite(dj)
        v[ok] = np.rint(dj[ok]).astype(np.int64) - self.p[nf:t][ok] + self.p[t]
        return np.clip(v, 0, ceiling)
