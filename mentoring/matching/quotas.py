"""Quotas: rules on how many matched pairs of a kind there must (or may) be, met exactly by a
mixed-integer programme (SciPy's `milp`, HiGHS) on the candidate graph.

A rule counts the matched pairs whose mentee passes every filter of `mentee` and whose mentor
passes every filter of `mentor` (fields: region (equal), gender (the profile's answer),
language (that side speaks it), topic (the mentee wants it / the mentor offers it)), with
`cross_region` true / false keeping only pairs whose two known regions differ / are equal.
Its bound is one of min / max (counts) or min_share / max_share (fractions 0-1) of all matched
pairs, or with "of": "group" of the mentees (free and locked) who pass the mentee filters.

Programme: a 0/1 variable per candidate pair; a mentee takes at most one, a mentor at most
her free places; a rule is one linear row (a share F = p/q of the pairs is q x count - p x
pairs >= 0 or <= 0, exact in integers); locked pairs are constants. The objective weighs a
pair BIG + score (as `dense`), so the most mentees are matched, then the best total, in two
steps: the most pairs from the linear relaxation's bound (reached on these cohorts; else a
branch and bound, `_most_pairs`), then the best total with exactly that many pairs at a
relative gap of 0, on the pairs whose reduced cost in the relaxation does not rule them out
(`_best_total` holds the proof). The relaxations are solved by column generation
(`_generate`) and their bounds computed here from the prices by weak duality over every
pair (`_dual_bound`), never taken from the solver. The solution is rounded and every
constraint re-checked in integers. Candidates: every allowed pair up to ALL_PAIRS cells;
beyond, each free mentee's TOP best pairs, for each rule the TOP_RULE best pairs it counts of
each mentee it may count, and the pairs of the matching without quotas (so that matching is
always a candidate).

When the rules cannot all be met, `QuotasUnmet` names, for each rule that cannot be met even
on its own, the best value it can reach; if each can be met alone but not all together, the
rules broken by the matching that breaks them least (the smallest sum of shortfalls).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix, csc_matrix, vstack

try:  # HiGHS's own interface, bundled with SciPy 1.15 and later (not public: used if present)
    from scipy.optimize._highspy import _core as _highs

    for _part in ("_Highs", "HighsLp", "HighsModelStatus", "ObjSense", "MatrixFormat",
                  "kHighsInf"):
        getattr(_highs, _part)
except (ImportError, AttributeError):  # older SciPy: every relaxation is solved whole
    _highs = None

from .dense import big_weight
from .profiles import GENDERS
from .scoring import ScoreModel, _norm

FIELDS = ("region", "gender", "language", "topic")
BOUNDS = ("min", "max", "min_share", "max_share")
ALL_PAIRS = 40_000  # up to this many free mentee x mentor cells every allowed pair is a candidate
TOP = 16
TOP_RULE = 8
PRESOLVE = False  # HiGHS presolve spends longer on these programmes than it saves
DISP = False  # HiGHS's log on standard output (for studying a slow programme)
FIX_START = 0.5  # reduced cost up to which pairs join when too few are kept (_best_total)
START_TOP, START_RULE = 2, 1  # first columns of the relaxations: per mentee, best and per rule
PAIRS_CROSSOVER = False  # the most pairs' rounds end at the interior point (see _generate)
PRICE_TOL = 1e-7  # a left-out pair whose reduced cost is above this joins the relaxation
PAIRS_SLACK = 1e-3  # added to the relaxation's most pairs before rounding down
TIME_LIMIT: float | None = None  # seconds per programme; None = until solved (benches set it)


class QuotaError(ValueError):
    """A rule that cannot be read: names the rule (its position from 1 and name) and, when
    one field is at fault, that field ("name", "mentee.region", "cross_region", "min_share",
    "of", ...), so a form can show the message beside it."""

    def __init__(self, index: int | None, name: str | None, message: str,
                 field: str | None = None) -> None:
        self.index, self.name, self.message, self.field = index, name, message, field
        where = "" if index is None else f"rule {index}" + (f" ({name!r})" if name else "")
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class Rule:
    """One quota: filters on each side, cross_region (None = either), its bound and what a
    share is of ("pairs" or "group")."""

    name: str
    mentee: tuple[tuple[str, str], ...]
    mentor: tuple[tuple[str, str], ...]
    cross_region: bool | None
    bound: str
    value: float
    of: str = "pairs"

    @property
    def share(self) -> bool:
        """Whether the bound is a fraction."""
        return self.bound.endswith("_share")

    @property
    def at_least(self) -> bool:
        """Whether the bound is a minimum."""
        return self.bound.startswith("min")

    def describe_bound(self) -> str:
        """E.g. "min 10" or "max_share 0.3 of group"."""
        of = f" of {'the group' if self.of == 'group' else 'pairs'}" if self.share else ""
        value = f"{self.value:g}" if self.share else f"{int(self.value)}"
        return f"{self.bound} {value}{of}"


@dataclass(frozen=True, slots=True)
class QuotaOutcome:
    """A rule's reached count, what it is counted against (all pairs or the group) and
    whether its bound is met."""

    name: str
    count: int
    base: int
    bound: str
    met: bool

    @property
    def text(self) -> str:
        """E.g. "ATU mentees: 41 of 45 (91.1 %), min_share 0.9 of the group: met"."""
        share = f" ({100 * self.count / self.base:.1f} %)" if self.base else ""
        return (f"{self.name}: {self.count} of {self.base}{share}, {self.bound}: "
                f"{'met' if self.met else 'NOT met'}")


class QuotasUnmet(ValueError):  # noqa: N818 - reads as what happened, like the CLI's message
    """The rules cannot all be met: `broken` holds (rule, best reachable count, base) for
    each rule named."""

    def __init__(self, broken: list[tuple[Rule, int, int]], together: bool) -> None:
        self.broken, self.together = broken, together
        lines = [f"{r.name} ({r.describe_bound()}): best reachable {c}"
                 + (f" of {b} ({100 * c / b:.1f} %)" if r.share and b else "")
                 for r, c, b in broken]
        head = ("the quotas cannot all be met together" if together
                else "some quotas cannot be met")
        super().__init__(head + "; " + "; ".join(lines))


def parse_rules(data: Any) -> list[Rule]:
    """Rules from parsed JSON (a list of objects); raises QuotaError naming the rule."""
    if not isinstance(data, list):
        raise QuotaError(None, None, "the quotas must be a JSON list of rules")
    rules = []
    for k, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise QuotaError(k, None, "a rule must be a JSON object")
        name = item.get("name", f"rule {k}")
        if not isinstance(name, str) or not name.strip():
            raise QuotaError(k, None, "'name' must be a non-empty text", "name")

        def bad(message: str, field: str | None = None, k=k, name=name) -> QuotaError:
            return QuotaError(k, name, message, field)

        unknown = sorted(set(item) - {"name", "mentee", "mentor", "cross_region", "of",
                                      *BOUNDS})
        if unknown:
            raise bad(f"unknown field(s): {', '.join(unknown)}")
        sides = []
        for side in ("mentee", "mentor"):
            filters = item.get(side, {})
            if not isinstance(filters, dict):
                raise bad(f"'{side}' must be an object of filters", side)
            for field, value in filters.items():
                if field not in FIELDS:
                    raise bad(f"unknown {side} filter {field!r} (one of {', '.join(FIELDS)})",
                              side)
                if not isinstance(value, str) or not value.strip():
                    raise bad(f"{side} filter {field!r} must be a non-empty text",
                              f"{side}.{field}")
                if field == "gender" and value.strip().casefold() not in GENDERS:
                    raise bad(f"{side} gender must be one of {', '.join(GENDERS[:-1])}, "
                              f"not {value!r}", f"{side}.gender")
            sides.append(tuple(sorted((f, v.strip()) for f, v in filters.items())))
        cross = item.get("cross_region")
        if cross is not None and not isinstance(cross, bool):
            raise bad("'cross_region' must be true or false", "cross_region")
        given = [b for b in BOUNDS if b in item]
        if len(given) != 1:
            raise bad(f"give exactly one bound of {', '.join(BOUNDS)}")
        bound = given[0]
        value = item[bound]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value):
            raise bad(f"'{bound}' must be a number", bound)
        if bound.endswith("_share"):
            if not 0 <= value <= 1:
                raise bad(f"'{bound}' must be a fraction from 0 to 1", bound)
        elif value < 0 or value != int(value):
            raise bad(f"'{bound}' must be a whole number, 0 or more", bound)
        of = item.get("of", "pairs")
        if of not in ("pairs", "group"):
            raise bad("'of' must be \"pairs\" or \"group\"", "of")
        if of == "group" and not bound.endswith("_share"):
            raise bad("'of' only goes with min_share or max_share", "of")
        rules.append(Rule(name.strip(), sides[0], sides[1], cross, bound, float(value), of))
    return rules


def _side_pass(model: ScoreModel, filters, mentee: bool, rule: Rule, index: int) -> np.ndarray:
    people = model.mentees if mentee else model.mentors
    ok = np.ones(len(people), bool)
    side = "mentee" if mentee else "mentor"
    for field, value in filters:
        want = _norm(value)
        if field == "region":
            have = [_norm(p.region) for p in people]
            ok &= np.array([h == want for h in have], bool)
            known = {_norm(p.region) for p in [*model.mentees, *model.mentors] if p.region}
        elif field == "gender":
            have = [_norm(getattr(p, "gender", "") or "") for p in people]
            if mentee and not any(have):
                raise QuotaError(index, rule.name, "no mentee states a gender (the mentees "
                                 "file has no gender column, or it is empty)", "mentee.gender")
            ok &= np.array([h == want for h in have], bool)
            known = set(GENDERS)
        elif field == "language":
            ok &= np.array([want in {_norm(x) for x in p.languages} for p in people], bool)
            known = {_norm(x) for p in [*model.mentees, *model.mentors] for x in p.languages}
        else:
            lists = [p.topics if mentee else p.expertise for p in people]
            ok &= np.array([want in {_norm(t) for t in ts} for ts in lists], bool)
            known = {_norm(t) for p in model.mentees for t in p.topics} | {
                _norm(t) for p in model.mentors for t in p.expertise}
        if want not in known:
            raise QuotaError(index, rule.name, f"{side} {field} {value!r} is nowhere in the "
                             "cohort", f"{side}.{field}")
    return ok


class Counter:
    """Which pairs each rule counts, for a model: per rule, mentee and mentor pass masks, the
    cross-region condition and the group size."""

    def __init__(self, model: ScoreModel, rules: list[Rule]) -> None:
        self.model, self.rules = model, rules
        self.e_pass = [_side_pass(model, r.mentee, True, r, k) for k, r in
                       enumerate(rules, start=1)]
        self.p_pass = [_side_pass(model, r.mentor, False, r, k) for k, r in
                       enumerate(rules, start=1)]
        codes: dict[str, int] = {}
        self.e_reg = np.array([codes.setdefault(_norm(e.region), len(codes)) if e.region
                               else -1 for e in model.mentees], np.int64)
        self.p_reg = np.array([codes.setdefault(_norm(p.region), len(codes)) if p.region
                               else -2 for p in model.mentors], np.int64)
        self.group = [int(p.sum()) for p in self.e_pass]

    def counts(self, r: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Whether rule r counts each pair (mentee rows, mentor columns)."""
        ok = self.e_pass[r][rows] & self.p_pass[r][cols]
        cross = self.rules[r].cross_region
        if cross is not None:
            a, b = self.e_reg[rows], self.p_reg[cols]
            known = (a >= 0) & (b >= 0)
            ok &= known & ((a != b) if cross else (a == b))
        return ok

    def counts_block(self, r: int, rows: np.ndarray) -> np.ndarray:
        """Whether rule r counts each pair of the mentee rows x every mentor."""
        ok = self.e_pass[r][rows][:, None] & self.p_pass[r][None, :]
        cross = self.rules[r].cross_region
        if cross is not None:
            a, b = self.e_reg[rows][:, None], self.p_reg[None, :]
            ok &= (a >= 0) & (b >= 0) & ((a != b) if cross else (a == b))
        return ok

    def outcomes(self, rows: np.ndarray, cols: np.ndarray) -> list[QuotaOutcome]:
        """Each rule's count and whether it is met by the matching (all its pairs)."""
        out = []
        for r, rule in enumerate(self.rules):
            count = int(self.counts(r, rows, cols).sum())
            base = self.group[r] if rule.of == "group" else int(rows.size)
            out.append(QuotaOutcome(rule.name, count, base, rule.describe_bound(),
                                    _met(rule, count, base)))
        return out


def _met(rule: Rule, count: int, base: int) -> bool:
    f = Fraction(str(rule.value))
    if not rule.share:
        return count >= rule.value if rule.at_least else count <= rule.value
    return count >= f * base if rule.at_least else count <= f * base


def candidates(model: ScoreModel, counter: Counter, free: np.ndarray, cap: np.ndarray,
               extra: tuple[np.ndarray, np.ndarray], keys: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs (mentee rows, mentor columns, scores), unique, sorted. `keys` is the
    sparse solve's int16 key matrix of the free rows (for the same places), when it kept
    one: the pairs are read from it instead of scored again."""
    from .explain import _top_columns

    usable = cap > 0
    out_r, out_c = [np.asarray(extra[0], np.int64)], [np.asarray(extra[1], np.int64)]
    out_s = [model.pairs(out_r[0], out_c[0])[0].astype(np.int64)]
    every = free.size * model.m <= ALL_PAIRS
    step = model.block_rows()
    for k in range(0, free.size, step):
        rows = free[k:k + step]
        if keys is None:
            score, allowed = model.rows(rows)
            allowed &= usable[None, :]
        else:  # the score where allowed (mentors without a place are not), < 0 where not
            allowed = keys[k:k + step] >= 0
            score = np.maximum(keys[k:k + step], np.int16(0))  # _top_columns reads >= 0
        masks = [allowed] if every else [allowed] + [
            allowed & counter.counts_block(r, rows) for r in range(len(counter.rules))]
        for n, mask in enumerate(masks):
            if every:
                r, c = np.nonzero(mask)
            else:
                # Only the mentees a rule may count have pairs it counts: the others' rows
                # are not searched.
                some = np.flatnonzero(mask.any(axis=1)) if n else np.arange(rows.size)
                key = np.where(mask[some], score[some] + np.int16(1001), score[some])
                top = _top_columns(key, min(TOP if n == 0 else TOP_RULE, model.m))
                r = np.repeat(some, top.shape[1])
                c = top.ravel()
                keep = mask[r, c]
                r, c = r[keep], c[keep]
            out_r.append(rows[r])
            out_c.append(c.astype(np.int64))
            out_s.append(score[r, c].astype(np.int64))  # the block's scores are `pairs`'
    rows = np.concatenate(out_r).astype(np.int64)
    cols = np.concatenate(out_c).astype(np.int64)
    key, first = np.unique(rows * model.m + cols, return_index=True)
    rows, cols = np.divmod(key, model.m)
    return rows, cols, np.concatenate(out_s)[first]


@dataclass
class Programme:
    """The pieces of the mixed-integer programme shared by every solve of one cohort."""

    rows: np.ndarray
    cols: np.ndarray
    scores: np.ndarray
    base: list  # per-pair constraint rows (mentees, mentors) with their upper bounds
    counted: list  # per rule: whether each candidate pair counts
    locked_counts: list  # per rule: locked pairs it counts
    locked_pairs: int
    group: list
    start: np.ndarray | None = None  # pairs the relaxations start from (None: every pair)
    plain: np.ndarray | None = None  # the matching without quotas (0/1 per pair), if known


def _rule_row(rule: Rule, counted: np.ndarray, locked_count: int, locked_pairs: int,
              group: int, pairs: int | None = None) -> tuple[np.ndarray, float, float]:
    """The rule as coef . x in [lo, hi] (integers). With `pairs`, the programme's pairs are
    fixed at that many, and a share of the pairs is a share of a known number: a count
    rounded to a whole one, as a share of the group is (the same 0/1 points, a tighter
    relaxation: 805 pairs with a woman mentor, not 804.6)."""
    if not rule.share:
        coef = counted.astype(np.int64)
        target = int(rule.value) - locked_count
    elif rule.of == "group" or pairs is not None:
        coef = counted.astype(np.int64)
        base = group if rule.of == "group" else pairs + locked_pairs
        f = Fraction(str(rule.value)) * base
        target = (math.ceil(f) if rule.at_least else math.floor(f)) - locked_count
    else:
        f = Fraction(str(rule.value))
        p, q = f.numerator, f.denominator
        coef = q * counted.astype(np.int64) - p
        target = p * locked_pairs - q * locked_count
    return (coef, target, np.inf) if rule.at_least else (coef, -np.inf, target)


def _solve_milp(prog: Programme, objective: np.ndarray, rule_rows: list, slack: bool = False,
                gap: float = 0.0):
    """Maximise objective . x (plus, with `slack`, one shortfall variable per rule row whose
    objective is in `objective`'s tail) within the relative `gap`; returns x (rounded) and
    the solver's bound on the maximum, or None if infeasible."""
    e = prog.rows.size
    n_slack = len(rule_rows) if slack else 0
    if e + n_slack == 0:  # no pair to choose: only the empty matching
        if all(a <= 0 <= b for _, a, b in rule_rows):
            return np.zeros(0, np.int64), 0.0
        return None
    constraints = _constraints(prog, rule_rows, n_slack)
    upper = np.concatenate([np.ones(e), np.full(n_slack, np.inf)])
    res = milp(-objective.astype(np.float64), integrality=np.ones(e + n_slack),
               bounds=Bounds(np.zeros(e + n_slack), upper), constraints=constraints,
               options={"mip_rel_gap": gap, "disp": DISP, "presolve": PRESOLVE,
                        **({} if TIME_LIMIT is None else {"time_limit": TIME_LIMIT})})
    if res.status == 2:  # infeasible
        return None
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"the quota programme was not solved: {res.message}")
    return np.rint(res.x).astype(np.int64), -float(res.mip_dual_bound)


def _pairs_bound(prog: Programme, rule_rows: list) -> float | None:
    """The most pairs of the linear relaxation (every x between 0 and 1): an upper bound on
    the pairs of any matching that meets the rules, or None when even the relaxation cannot
    meet them. The pairs the relaxation ended on become the start of the next one."""
    if prog.rows.size == 0:
        return None if not all(a <= 0 <= b for _, a, b in rule_rows) else 0.0
    relaxed = _generate(prog, np.ones(prog.rows.size), rule_rows, simplex=False)
    if relaxed is None:
        return None
    prog.start = relaxed[2]
    return relaxed[0]


def _relaxation(prog: Programme, objective: np.ndarray, rule_rows: list
                ) -> tuple[float, np.ndarray, np.ndarray] | None:
    """An upper bound z on objective . x over the linear relaxation, each pair's reduced
    cost d (how much the bound falls per unit of the pair, see `_dual_bound`: for every
    feasible 0/1 x, objective . x <= z - sum of d_j x_j over d_j > 0) and the pairs its
    solution uses, by column generation (`_generate`); None if it is infeasible."""
    relaxed = _generate(prog, objective, rule_rows, simplex=True)
    return None if relaxed is None else (relaxed[0], -relaxed[1], relaxed[3])


def _dual_bound(a: csc_matrix, lo: np.ndarray, hi: np.ndarray, objective: np.ndarray,
                duals: np.ndarray) -> tuple[float, np.ndarray]:
    """An upper bound on objective . x over every x in [0, 1] with lo <= a x <= hi, from any
    row prices `duals`, and each variable's reduced cost r = objective - a' duals.

    Weak duality, checked here rather than trusted to the solver's tolerances: a price is
    kept only on the side of a row that has a bound (> 0 on an upper bound, < 0 on a lower
    one, else 0), so duals . (a x) <= B, the sum of price x bound; and r . x <= the sum of
    the positive r minus |r_j| x_j for each r_j < 0 and minus r_j (1 - x_j) for each
    r_j > 0. So objective . x = duals . (a x) + r . x <= B + sum(max(r, 0)) = z, whatever
    the prices, and a solution taking a pair with r_j < -G or leaving one with r_j > G is
    worth at most z - G."""
    y = np.where(duals > 0, np.where(np.isfinite(hi), duals, 0.0),
                 np.where(np.isfinite(lo), duals, 0.0))
    bound = float(np.where(y > 0, y * np.where(np.isfinite(hi), hi, 0.0),
                           y * np.where(np.isfinite(lo), lo, 0.0)).sum())
    reduced = objective - a.T @ y
    return bound + float(np.maximum(reduced, 0.0).sum()), reduced


def _generate(prog: Programme, objective: np.ndarray, rule_rows: list, simplex: bool
              ) -> tuple[float, np.ndarray, np.ndarray] | None:
    """The relaxation by column generation: solved on the pairs of `prog.start` first, then
    every left-out pair whose reduced cost under the prices found is positive joins, until
    none does or the bound (`_dual_bound`, over every pair) meets the value reached. Returns
    the bound, the reduced costs and the pairs used, or None if the relaxation is infeasible.

    Each round's LP is HiGHS's: the first by its interior point method with crossover, the
    next ones warm, by the simplex method from the last basis (`simplex`; the most pairs,
    whose objective is flat, are faster cold by the interior point method each round, and
    without crossover: any prices give a valid bound, and its vertex would serve no warm
    start). The bound is valid at every round: the rounds only make it tighter."""
    e = prog.rows.size
    (con,) = _constraints(prog, rule_rows, 0)
    a = con.A.tocsc()
    lo, hi = con.lb, con.ub
    if _highs is None:  # older SciPy: the whole relaxation at once
        return _whole(a, lo, hi, objective)
    used = np.ones(e, bool) if prog.start is None else prog.start.copy()
    warm = prog.plain if simplex and prog.plain is not None and prog.plain.size == e else None
    if warm is not None:
        used |= warm == 1
    h = _highs._Highs()
    h.setOptionValue("output_flag", DISP)
    h.setOptionValue("presolve", "off")
    h.setOptionValue("solver", "ipm")
    # The most pairs are read from the interior point's prices alone (the bound is ours, and
    # those rounds are cold anyway): crossover to a vertex, most of their time, is skipped,
    # unless the interior point alone ends imprecise.
    crossover = simplex or PAIRS_CROSSOVER
    h.setOptionValue("run_crossover", "on" if crossover else "off")
    if TIME_LIMIT is not None:
        h.setOptionValue("time_limit", float(TIME_LIMIT))
    inf = _highs.kHighsInf
    lp = _highs.HighsLp()
    lp.num_col_, lp.num_row_ = 0, a.shape[0]
    lp.row_lower_ = np.where(np.isfinite(lo), lo, -inf)
    lp.row_upper_ = np.where(np.isfinite(hi), hi, inf)
    lp.sense_ = _highs.ObjSense.kMaximize
    lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
    lp.a_matrix_.num_row_ = a.shape[0]
    lp.a_matrix_.start_ = np.zeros(1, np.int32)
    h.passModel(lp)
    new = np.flatnonzero(used)
    order = []  # the pairs in HiGHS's column order
    while True:
        block = a[:, new]
        order.append(new)
        h.addCols(new.size, objective[new].astype(np.float64), np.zeros(new.size),
                  np.ones(new.size), block.nnz, block.indptr[:-1].astype(np.int32),
                  block.indices.astype(np.int32), block.data.astype(np.float64))
        if warm is not None:
            _cross_over_from(h, warm[new].astype(np.float64), block)
            warm = None
        h.run()
        status = h.getModelStatus()
        empty = status == _highs.HighsModelStatus.kModelEmpty  # no pair yet: x = 0
        if empty and not ((lo <= 0) & (hi >= 0)).all():
            status = _highs.HighsModelStatus.kInfeasible
        if status == _highs.HighsModelStatus.kInfeasible:
            if used.all():
                return None
            new = np.flatnonzero(~used)  # too few pairs to meet the rules: take them all
            used[:] = True
            h.setOptionValue("solver", "simplex" if simplex else "ipm")
            continue
        if status != _highs.HighsModelStatus.kOptimal and not empty and not crossover:
            crossover = True  # the same round again, to a vertex
            h.setOptionValue("run_crossover", "on")
            new = new[:0]
            continue
        if status != _highs.HighsModelStatus.kOptimal and not empty:
            raise RuntimeError("the quota programme's relaxation was not solved: "
                               f"{h.modelStatusToString(status)}")
        value = 0.0 if empty else h.getInfo().objective_function_value
        duals = (np.zeros(a.shape[0]) if empty
                 else np.asarray(h.getSolution().row_dual, np.float64))
        bound, reduced = _dual_bound(a, lo, hi, objective, duals)
        new = np.flatnonzero(~used & (reduced > PRICE_TOL))
        if new.size == 0 or bound - value <= PRICE_TOL * max(1.0, abs(value)):
            support = np.zeros(e, bool)
            if not empty:
                support[np.concatenate(order)] = np.asarray(h.getSolution().col_value) > 1e-9
            return bound, reduced, used, support
        used[new] = True
        h.setOptionValue("solver", "simplex" if simplex else "ipm")


def _cross_over_from(h, x: np.ndarray, a: csc_matrix) -> None:
    """A first basis for the simplex method by HiGHS's crossover from the 0/1 point x (the
    matching without quotas: optimal without the rule rows, so most of its basis stays),
    with zero prices. Only a start: the simplex method then solves the relaxation as
    always, and if crossover fails it starts from its own."""
    solution = _highs.HighsSolution()
    solution.col_value = x
    solution.row_value = a @ x
    solution.col_dual = np.zeros(x.size)
    solution.row_dual = np.zeros(a.shape[0])
    solution.value_valid = solution.dual_valid = True
    h.crossover(solution)
    h.setOptionValue("solver", "simplex")


def _whole(a: csc_matrix, lo: np.ndarray, hi: np.ndarray, objective: np.ndarray
           ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray] | None:
    """The relaxation on every pair at once (SciPy's linprog, HiGHS's interior point)."""
    up, down = np.isfinite(hi), np.isfinite(lo)
    res = linprog(-objective.astype(np.float64), A_ub=vstack([a[up], -a[down]]).tocsr(),
                  b_ub=np.concatenate([hi[up], -lo[down]]), bounds=(0, 1), method="highs-ipm")
    if res.status == 2:
        return None
    if res.status != 0:
        raise RuntimeError(f"the quota programme's relaxation was not solved: {res.message}")
    y = -np.asarray(res.ineqlin.marginals, np.float64)
    duals = np.zeros(a.shape[0])
    duals[np.flatnonzero(up)] += y[:int(up.sum())]
    duals[np.flatnonzero(down)] -= y[int(up.sum()):]
    bound, reduced = _dual_bound(a, lo, hi, objective, duals)
    return bound, reduced, np.ones(a.shape[1], bool), np.asarray(res.x) > 1e-9


def _best_total(prog: Programme, scores: np.ndarray, rule_rows: list) -> np.ndarray | None:
    """The 0/1 solution of the most total score meeting `rule_rows` (gap 0), or None if
    there is none; solved on the pairs the relaxation does not rule out.

    Reduced-cost fixing: the relaxation's bound z and reduced costs d (`_dual_bound`) give,
    for every feasible x, total(x) <= z - d_j x_j for each pair j with d_j >= 0. Solve the
    programme on some pairs, every pair of d_j < 0 among them; if its best total I has
    z - I <= G + 1/2, G the least d_j of the pairs left out, a solution using one of them
    would total below z - G <= I + 1/2, and totals are whole numbers, so at most I: I is
    the best of the whole programme (the margin of half a point is far above the rounding
    of z and d, about 1e-6 here). The first pairs are those the relaxation's solution uses
    (on the bench cohorts it is whole: the programme is the proof, 6,933 pairs at 10,000).
    Else, when it found a solution, the pairs with d_j <= z - I - 1/2 join, which proves
    the next solve (it keeps every pair kept so far, so its I is no lower) and adds a pair;
    when it found none, those with d_j up to a limit growing fourfold from FIX_START (at
    most to every pair, then exact as is)."""
    e = prog.rows.size
    if e == 0:
        solved = _solve_milp(prog, scores, rule_rows)
        return None if solved is None else solved[0]
    relaxed = _relaxation(prog, scores, rule_rows)
    if relaxed is None:
        return None
    z, reduced, support = relaxed
    limit = FIX_START
    keep = support | (reduced < 0)
    while True:
        every = bool(keep.all())
        sub = _subset(prog, keep)
        solved = _solve_milp(sub, scores[keep], [(c[keep], a, b) for c, a, b in rule_rows])
        if solved is not None:
            x = np.zeros(e, np.int64)
            x[keep] = solved[0]
            gap = z - float(scores[keep] @ solved[0])
            if every or gap <= reduced[~keep].min() + 0.5:
                return x
            limit = gap - 0.5
        elif every:
            return None
        else:
            limit = max(4 * limit, 1.0)
        keep |= reduced <= limit


def _subset(prog: Programme, keep: np.ndarray) -> Programme:
    """The programme on the pairs `keep` only."""
    base = []
    for mat, ub in prog.base:
        mat = mat.tocsc()[:, np.flatnonzero(keep)].tocoo()
        base.append((mat, ub))
    return Programme(prog.rows[keep], prog.cols[keep], prog.scores[keep], base,
                     [c[keep] for c in prog.counted], prog.locked_counts, prog.locked_pairs,
                     prog.group)


def _constraints(prog: Programme, rule_rows: list, n_slack: int) -> list:
    """The programme's rows (mentees, mentors, then each rule, with its shortfall variable
    when `n_slack`) as one LinearConstraint, or none."""
    e = prog.rows.size
    blocks, lo, hi = [], [], []
    for mat, ub in prog.base:
        blocks.append(coo_matrix((mat.data, (mat.row, mat.col)), shape=(mat.shape[0],
                                                                          e + n_slack)))
        lo.append(np.full(mat.shape[0], -np.inf))
        hi.append(ub)
    for k, (coef, a, b) in enumerate(rule_rows):
        data = np.append(coef, 1.0 if np.isfinite(a) else -1.0) if n_slack else coef
        cols = np.append(np.arange(e), e + k) if n_slack else np.arange(e)
        blocks.append(coo_matrix((data.astype(np.float64), (np.zeros(cols.size, int), cols)),
                                 shape=(1, e + n_slack)))
        lo.append(np.array([a], float))
        hi.append(np.array([b], float))
    return [LinearConstraint(vstack(blocks).tocsr(), np.concatenate(lo),
                             np.concatenate(hi))] if blocks else []


def solve_quotas(model: ScoreModel, counter: Counter, free: np.ndarray, cap: np.ndarray,
                 locked: dict[int, int], plain: tuple[np.ndarray, np.ndarray],
                 keys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Best matching of the free rows meeting every rule (most matched, then best total):
    (mentor column or -1 per free row, its score or -1). Raises QuotasUnmet. `keys`: the
    sparse solve's key matrix, if any (see `candidates`)."""
    rows, cols, scores = candidates(model, counter, free, cap, plain, keys)
    local = np.full(model.n, -1, np.int64)
    local[free] = np.arange(free.size)
    e = rows.size
    mentee_mat = coo_matrix((np.ones(e), (local[rows], np.arange(e))), shape=(free.size, e))
    mentor_mat = coo_matrix((np.ones(e), (cols, np.arange(e))), shape=(model.m, e))
    lock_r = np.fromiter(locked, np.int64, len(locked))
    lock_c = np.fromiter(locked.values(), np.int64, len(locked))
    prog = Programme(rows, cols, scores,
                     [(mentee_mat, np.ones(free.size)), (mentor_mat, cap.astype(float))],
                     [counter.counts(r, rows, cols) for r in range(len(counter.rules))],
                     [int(counter.counts(r, lock_r, lock_c).sum())
                      for r in range(len(counter.rules))],
                     len(locked), counter.group)
    rule_rows = [_rule_row(rule, prog.counted[r], prog.locked_counts[r], prog.locked_pairs,
                           prog.group[r]) for r, rule in enumerate(counter.rules)]
    prog.start = _start(prog, scores)
    # The matching without quotas, when it meets every rule, is the answer with no programme
    # at all: it has the most pairs, then the best total, of every matching of the allowed
    # pairs within the places (the exact unconstrained optimum); the matchings meeting the
    # rules are some of those, so none has more pairs, or as many with a better total, and
    # it is one of them. Its pairs are always candidates, and the rule rows are read in
    # integers here (the same rows _check reads), locked pairs included.
    prog.plain = _plain_vector(prog, plain, model.m)
    x = _plain_if_met(prog, rule_rows)
    if x is None:
        x = _quota_solve(prog, counter, rule_rows, scores, free.size, cap)
    _check(prog, x, rule_rows, cap, free.size, local)
    match = np.full(free.size, -1, np.int64)
    got = np.full(free.size, -1, np.int64)
    on = np.flatnonzero(x[:e] == 1)
    match[local[rows[on]]] = cols[on]
    got[local[rows[on]]] = scores[on]
    return match, got


def _start(prog: Programme, scores: np.ndarray) -> np.ndarray:
    """The pairs the first relaxation is solved on: each mentee's START_TOP best and, for
    each rule, her START_RULE best that it counts (the rest join by their reduced costs)."""
    take = np.zeros(prog.rows.size, bool)
    for mask, k in [(np.ones(prog.rows.size, bool), START_TOP)] + [
            (c, START_RULE) for c in prog.counted]:
        idx = np.flatnonzero(mask)
        idx = idx[np.lexsort((-scores[idx], prog.rows[idx]))]  # by mentee, best first
        first = np.flatnonzero(np.r_[True, prog.rows[idx][1:] != prog.rows[idx][:-1]])
        rank = np.arange(idx.size) - np.repeat(first, np.diff(np.r_[first, idx.size]))
        take[idx[rank < k]] = True
    return take


def _plain_vector(prog: Programme, plain: tuple[np.ndarray, np.ndarray], m: int
                  ) -> np.ndarray | None:
    """The 0/1 vector of the matching without quotas over the candidates (None if one of
    its pairs is not a candidate: never, candidates take them all)."""
    key = prog.rows * m + prog.cols  # sorted and unique (see candidates)
    want = np.asarray(plain[0], np.int64) * m + np.asarray(plain[1], np.int64)
    at = np.searchsorted(key, want)
    if want.size and (at.max() >= key.size or (key[at] != want).any()):
        return None
    x = np.zeros(key.size, np.int64)
    x[at] = 1
    return x


def _plain_if_met(prog: Programme, rule_rows: list) -> np.ndarray | None:
    """The 0/1 vector of the matching without quotas (`prog.plain`), if it meets every rule
    row (counted in integers); else None."""
    x = prog.plain
    if x is None:
        return None
    for coef, a, b in rule_rows:
        v = int(np.asarray(coef, np.int64)[x == 1].sum())
        if not a <= v <= b:
            return None
    return x


def _quota_solve(prog: Programme, counter: Counter, rule_rows: list, scores: np.ndarray,
                 nf: int, cap: np.ndarray) -> np.ndarray:
    """The best 0/1 solution meeting the rules by the programmes (raises QuotasUnmet)."""
    # The most pairs first, then the best total with exactly that many (at gap 0). The
    # linear relaxation's most pairs z (column generation, `_generate`) bounds the pairs t* of
    # every matching that meets the rules, so t* <= floor(z) (HiGHS solves to tolerances of
    # about 1e-7; PAIRS_SLACK keeps a z computed a hair below a whole number from being
    # rounded down). If the best-total programme with exactly floor(z) pairs is feasible,
    # floor(z) = t* and its solution is the answer: one MILP. On these cohorts the
    # relaxation's fractions come from the shares of the pairs (805 pairs with a woman
    # mentor allow 1341.67 pairs at 60 %), and floor(z) is reached. With the pairs fixed, a
    # share of them is a whole count (`_with_pairs`): the same 0/1 points, and a relaxation
    # whose bound is the optimum on these cohorts (the fraction of a woman mentor's pair cost
    # 38.8 points of bound at 10,000 x 3,000, which took a second programme on 56,000 pairs).
    bound = _pairs_bound(prog, rule_rows)
    if bound is None:
        raise _unmet(prog, counter, rule_rows)
    most = min(nf, int(cap.sum()), math.floor(bound + PAIRS_SLACK))
    solved = _best_total(prog, scores, _with_pairs(prog, counter, most))
    if solved is None:
        most = _most_pairs(prog, counter, rule_rows, scores, nf, int(cap.sum()))
        solved = _best_total(prog, scores, _with_pairs(prog, counter, most))
    return solved


def _with_pairs(prog: Programme, counter: Counter, most: int) -> list:
    """The rule rows of the programme whose pairs are fixed at `most`, and that row."""
    return [_rule_row(rule, prog.counted[r], prog.locked_counts[r], prog.locked_pairs,
                      prog.group[r], pairs=most) for r, rule in enumerate(counter.rules)
            ] + [(np.ones(prog.rows.size, np.int64), most, most)]


def _most_pairs(prog: Programme, counter: Counter, rule_rows: list, scores: np.ndarray,
                nf: int, places: int) -> int:
    """The most pairs of a matching meeting the rules, when the relaxation's bound is not
    reached. Weighing a pair BIG + score, a matching of t pairs is worth at least t BIG and
    one of t + 1 pairs at least (t + 1) BIG, so a solution of t pairs whose bound is below
    (t + 1) BIG has the most pairs. A relative gap of about one pair lets HiGHS stop there
    instead of proving the best total, which a share of the pairs makes slow (the relaxation
    keeps a fraction of a pair); the bound is checked here, and the gap narrowed until it
    proves it."""
    big = big_weight(nf, places)
    most_pairs = min(nf, places)
    for gap in (0.9 / (most_pairs + 1), 0.2 / (most_pairs + 1), 0.0):
        first = _solve_milp(prog, big + scores, rule_rows, gap=gap)
        if first is None:
            raise _unmet(prog, counter, rule_rows)
        most = int(first[0].sum())
        if first[1] < (most + 1) * big:
            break
    return most


def _check(prog: Programme, x: np.ndarray, rule_rows: list, cap: np.ndarray, nf: int,
           local: np.ndarray) -> None:
    """Every constraint again, in integers (HiGHS works in floating point)."""
    e = prog.rows.size
    on = x[:e] == 1
    ok = (np.bincount(local[prog.rows[on]], minlength=nf) <= 1).all()
    ok &= (np.bincount(prog.cols[on], minlength=cap.size) <= cap).all()
    for coef, a, b in rule_rows:
        v = int(coef[on].sum())
        ok &= a <= v <= b
    if not ok:
        raise RuntimeError("the quota programme's solution breaks a constraint")


def _unmet(prog: Programme, counter: Counter, rule_rows: list) -> QuotasUnmet:
    """Why the rules cannot all be met: each rule that cannot be met alone with its best
    reachable count, else the rules the least-short matching breaks."""
    broken = []
    for r, rule in enumerate(counter.rules):
        coef = rule_rows[r][0]
        x, _ = _solve_milp(prog, coef if rule.at_least else -coef, [])
        count = int(prog.counted[r][x == 1].sum()) + prog.locked_counts[r]
        base = prog.group[r] if rule.of == "group" else int(x.sum()) + prog.locked_pairs
        if not _met(rule, count, base):
            broken.append((rule, count, base))
    if broken:
        return QuotasUnmet(broken, together=False)
    e = prog.rows.size
    weights = np.concatenate([np.zeros(e), -np.ones(len(rule_rows))])
    x, _ = _solve_milp(prog, weights, rule_rows, slack=True)
    on = x[:e] == 1
    outcome = counter.outcomes(prog.rows[on], prog.cols[on])
    for r, rule in enumerate(counter.rules):
        if x[e + r] > 0:
            broken.append((rule, outcome[r].count + prog.locked_counts[r], outcome[r].base
                           + (prog.locked_pairs if rule.of != "group" else 0)))
    return QuotasUnmet(broken, together=True)
