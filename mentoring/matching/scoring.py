"""Every mentee-mentor score at once: profiles compiled into two integer feature matrices.

Each score part is an integer in thousandths (0-1000). Every part is written as a bilinear
form of a mentee feature row and a mentor feature column, so one matrix product yields the
weighted sum of all parts for a whole block of pairs; a second product counts shared
languages minus 1000 per broken hard rule. All entries are small integers, so float32
products are exact and the scores do not depend on block shape or summation order.
The final score of a pair is round-half-up(sum of weight x part / total weight), in 0..1000.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from datetime import datetime

import numpy as np

from .profiles import Id, Mentee, Mentor, id_key
from .rules import Rules
from .timezones import REFERENCE_INSTANT, utc_offset_minutes

PART_CODES = ("topics", "region", "language", "timezone", "experience", "wishes")
HARD_RULES = (
    "no_common_language",
    "same_organisation",
    "experience_gap_below_minimum",
    "woman_mentor_required",
    "forbidden_by_coordinator",
    "same_person",
)
UNKNOWN = 500  # a part whose data is missing on either side counts as half met
_VIOLATION = -1000.0  # one broken rule outweighs any number of shared languages
# Rows per block: bounds temporaries to roughly BLOCK_CELLS x 10 bytes whatever the cohort.
BLOCK_CELLS = 1 << 21


def topic_weights(n: int) -> list[int]:
    """Thousandths each of `n` ranked topics is worth: proportional to n, n-1, ..., 1, summing
    to 1000 (largest remainder, earlier topics first on ties)."""
    return list(_topic_weights(n))


@functools.lru_cache(maxsize=256)
def _topic_weights(n: int) -> tuple[int, ...]:
    if n == 0:
        return []
    total = n * (n + 1) // 2
    exact = [(n - r) * 1000 / total for r in range(n)]
    out = [math.floor(x) for x in exact]
    order = sorted(range(n), key=lambda r: (-(exact[r] - out[r]), r))
    for r in order[: 1000 - sum(out)]:
        out[r] += 1
    return tuple(out)


def timezone_part(minutes_apart: int) -> int:
    """Closeness in thousandths: 1000 at 0 h apart, 0 at 12 h, wrapping round the day."""
    d = abs(int(minutes_apart)) % 1440
    d = min(d, 1440 - d)
    return ((720 - d) * 2000 + 720) // 1440


def experience_part(gap: int, ahead: float) -> int:
    """Thousandths for a mentor `gap` whole years ahead, full when at least `ahead` years."""
    if ahead <= 0:
        return 1000 if gap >= 0 else 0
    return max(0, min(1000, math.floor(gap * 1000 / ahead + 0.5)))


def wish_part(rank: int, count: int) -> int:
    """Thousandths for the mentee's `rank`-th (0-based) of `count` ranked wishes."""
    return ((count - rank) * 2000 + count) // (2 * count)


def whole_years(years: float | None) -> int | None:
    """Years of experience as used by scoring: rounded half up to whole years."""
    if years is None or (isinstance(years, float) and math.isnan(years)):
        return None
    return math.floor(float(years) + 0.5)


@functools.lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class ScoreModel:
    """Mentors and mentees (in the given order) compiled for block-wise vectorised scoring.

    `forbidden` holds (mentee_id, mentor_id) pairs a coordinator forbade. A mentee and a
    mentor with the same `person` key are one person and never allowed together.
    """

    def __init__(
        self,
        mentors: Sequence[Mentor],
        mentees: Sequence[Mentee],
        rules: Rules,
        forbidden: Iterable[tuple[Id, Id]] = (),
        at: datetime = REFERENCE_INSTANT,
    ) -> None:
        self.mentors = list(mentors)
        self.mentees = list(mentees)
        self.rules = rules
        self.n, self.m = len(self.mentees), len(self.mentors)
        self.mentor_index = {id_key(p.id): j for j, p in enumerate(self.mentors)}
        self.mentee_index = {id_key(p.id): i for i, p in enumerate(self.mentees)}
        self._build(at)
        self._build_sparse(forbidden)

    # -- compilation ---------------------------------------------------------------------------

    def _build(self, at: datetime) -> None:
        r, n, m = self.rules, self.n, self.m
        mentors, mentees = self.mentors, self.mentees
        cols_a: list[np.ndarray] = []  # mentee-side feature blocks (n x f)
        cols_b: list[np.ndarray] = []  # mentor-side feature blocks (m x f)

        # Topics: a mentee's topic weights against the mentor's expertise indicator.
        topics = sorted({_norm(t) for e in mentees for t in e.topics})
        tix = {t: k for k, t in enumerate(topics)}
        self.topic_milli = np.zeros((n, len(topics)), np.float32)
        spots: list[int] = []
        milli: list[int] = []
        for i, e in enumerate(mentees):
            if e.topics:
                base = i * len(topics)
                spots += [base + tix[_norm(t)] for t in e.topics]
                milli += _topic_weights(len(e.topics))
        # One scatter; a topic listed twice keeps its later weight (assignment in order).
        self.topic_milli.ravel()[spots] = milli
        expertise = np.zeros((m, len(topics)), np.float32)
        for j, p in enumerate(mentors):
            for t in p.expertise:
                k = tix.get(_norm(t))
                if k is not None:
                    expertise[j, k] = 1
        self.expertise = expertise
        cols_a.append(self.topic_milli * r.topics)
        cols_b.append(expertise)

        # Languages: same first language (400) + mentee's first language spoken (600).
        langs = sorted({_norm(x) for p in [*mentors, *mentees] for x in p.languages})
        lix = {x: k for k, x in enumerate(langs)}
        nl = len(langs)
        e_first = np.zeros((n, nl), np.float32)
        e_all = np.zeros((n, nl), np.float32)
        for i, e in enumerate(mentees):
            if e.languages:
                e_first[i, lix[_norm(e.languages[0])]] = 1
            for x in e.languages:
                e_all[i, lix[_norm(x)]] = 1
        p_first = np.zeros((m, nl), np.float32)
        p_all = np.zeros((m, nl), np.float32)
        for j, p in enumerate(mentors):
            if p.languages:
                p_first[j, lix[_norm(p.languages[0])]] = 1
            for x in p.languages:
                p_all[j, lix[_norm(x)]] = 1
        self.e_first, self.p_first, self.e_langs, self.p_langs = e_first, p_first, e_all, p_all
        cols_a += [e_first * (400 * r.language), e_first * (600 * r.language)]
        cols_b += [p_first, p_all]

        # Region: value when equal / different / mentor region unknown, per mentee.
        regions = sorted({_norm(p.region) for p in [*mentors, *mentees] if p.region})
        rix = {x: k for k, x in enumerate(regions)}
        same, diff, unk = np.zeros(n), np.zeros(n), np.zeros(n)
        e_reg = np.zeros((n, len(regions)), np.float32)
        self.region_pref = []
        for i, e in enumerate(mentees):
            pref = e.region_preference or r.default_region_preference
            self.region_pref.append(pref)
            if pref == "none":
                same[i] = diff[i] = unk[i] = 1000
            elif not e.region:
                same[i] = diff[i] = unk[i] = UNKNOWN
            else:
                hit, miss = (1000, 0) if pref == "same" else (0, 1000)
                same[i], diff[i], unk[i] = hit, miss, UNKNOWN
            if e.region:
                e_reg[i, rix[_norm(e.region)]] = 1
        p_reg = np.zeros((m, len(regions)), np.float32)
        p_reg_unknown = np.zeros((m, 1), np.float32)
        for j, p in enumerate(mentors):
            if p.region:
                p_reg[j, rix[_norm(p.region)]] = 1
            else:
                p_reg_unknown[j, 0] = 1
        self.region_values = (same, diff, unk)
        cols_a += [
            e_reg * ((same - diff) * r.region)[:, None],
            ((unk - diff) * r.region)[:, None],
            (diff * r.region)[:, None],
        ]
        cols_b += [p_reg, p_reg_unknown, np.ones((m, 1), np.float32)]

        # Time zone: one mentor column per distinct offset; the mentee row holds closeness.
        self.e_tz = [utc_offset_minutes(e.timezone, at) for e in mentees]
        self.p_tz = [utc_offset_minutes(p.timezone, at) for p in mentors]
        a, b = self._categorical(self.e_tz, self.p_tz, self._tz_value)
        cols_a.append(a * r.timezone)
        cols_b.append(b)

        # Experience: one mentor column per distinct whole number of years.
        self.e_years = [whole_years(e.years_experience) for e in mentees]
        self.p_years = [whole_years(p.years_experience) for p in mentors]
        a, b = self._categorical(self.e_years, self.p_years, self._exp_value)
        cols_a.append(a * r.experience)
        cols_b.append(b)

        # Rounding: one more feature adds W/2 + 1/4 (W = total weight) to every product, so
        # that score = trunc(product x (1/W)) (see `_rounded`).
        cols_a.append(np.full((n, 1), r.total_weight / 2 + 0.25, np.float32))
        cols_b.append(np.ones((m, 1), np.float32))
        self.a_score = np.ascontiguousarray(np.hstack(cols_a), np.float32)
        self.b_score = np.ascontiguousarray(np.hstack(cols_b).T, np.float32)

        # Hard rules: shared-language count, minus 1000 per broken rule that is bilinear.
        ha, hb = [e_all], [p_all]
        self.wants_woman = np.array(
            [bool(e.wants_woman_mentor) and r.require_woman_mentor_when_asked for e in mentees],
            bool,
        )
        self.mentor_woman = np.array([p.is_woman for p in mentors], bool)
        ha.append((_VIOLATION * self.wants_woman)[:, None].astype(np.float32))
        hb.append((~self.mentor_woman)[:, None].astype(np.float32))
        if r.min_experience_gap is not None:
            a, b = self._categorical(self.e_years, self.p_years, self._gap_broken)
            ha.append(a * _VIOLATION)
            hb.append(b)
        self.a_hard = np.ascontiguousarray(np.hstack(ha), np.float32)
        self.b_hard = np.ascontiguousarray(np.hstack(hb).T, np.float32)

        orgs = sorted({_norm(p.organisation) for p in [*mentors, *mentees] if p.organisation})
        oix = {x: k for k, x in enumerate(orgs)}
        self.org_rule = r.forbid_same_organisation and bool(orgs)
        # Unknown organisations get distinct negative codes so they never compare equal.
        self.e_org = np.array([oix.get(_norm(e.organisation), -1) for e in mentees], np.int32)
        self.p_org = np.array([oix.get(_norm(p.organisation), -2) for p in mentors], np.int32)

        # Same person: only people in both lists get a code (others distinct negatives), so
        # the rule costs nothing unless someone applied in both roles.
        mentor_people = {id_key(p.person) for p in mentors if p.person is not None}
        both = sorted({id_key(e.person) for e in mentees if e.person is not None}
                      & mentor_people)
        pix = {x: k for k, x in enumerate(both)}
        self.person_rule = bool(both)
        self.e_person = np.array([-1 if e.person is None else pix.get(id_key(e.person), -1)
                                  for e in mentees], np.int32)
        self.p_person = np.array([-2 if p.person is None else pix.get(id_key(p.person), -2)
                                  for p in mentors], np.int32)

    @staticmethod
    def _categorical(e_vals: list, p_vals: list, value) -> tuple[np.ndarray, np.ndarray]:
        cats = sorted({v for v in p_vals if v is not None}) + [None]
        cix = {c: k for k, c in enumerate(cats)}
        b = np.zeros((len(p_vals), len(cats)), np.float32)
        b[np.arange(len(p_vals)), [cix[v] for v in p_vals]] = 1
        # One row of values per distinct mentee value, then gathered for every mentee.
        distinct: dict = {}
        e_ix = np.array([distinct.setdefault(ev, len(distinct)) for ev in e_vals], np.int64)
        table = np.array([[value(ev, pv) for pv in cats] for ev in distinct], np.float32)
        a = table.reshape(len(distinct), len(cats))[e_ix] if e_vals else (
            np.zeros((0, len(cats)), np.float32))
        return a, b

    @staticmethod
    def _tz_value(e: int | None, p: int | None) -> int:
        return UNKNOWN if e is None or p is None else timezone_part(e - p)

    def _exp_value(self, e: int | None, p: int | None) -> int:
        if e is None or p is None:
            return UNKNOWN
        return experience_part(p - e, self.rules.experience_ahead)

    def _gap_broken(self, e: int | None, p: int | None) -> int:
        gap = self.rules.min_experience_gap
        return int(e is not None and p is not None and gap is not None and p - e < gap)

    def _build_sparse(self, forbidden: Iterable[tuple[Id, Id]]) -> None:
        wi, wj, wv = [], [], []
        for i, e in enumerate(self.mentees):
            # Ranks count over the whole list, so a pair scores the same in any cohort.
            wishes = e.preferred_mentors
            for rank, x in enumerate(wishes):
                j = self.mentor_index.get(id_key(x))
                if j is not None:
                    wi.append(i)
                    wj.append(j)
                    wv.append(wish_part(rank, len(wishes)))
        self.wish_i = np.array(wi, np.int64)
        self.wish_j = np.array(wj, np.int64)
        self.wish_milli = np.array(wv, np.int64)
        self.wish_lookup = {(i, j): v for i, j, v in zip(wi, wj, wv, strict=True)}
        fi, fj = [], []
        for mentee_id, mentor_id in forbidden:
            i = self.mentee_index.get(id_key(mentee_id))
            j = self.mentor_index.get(id_key(mentor_id))
            if i is None or j is None:
                raise ValueError(
                    f"forbidden pair ({mentee_id!r}, {mentor_id!r}) names an unknown id")
            fi.append(i)
            fj.append(j)
        order = np.lexsort((fj, fi)) if fi else np.zeros(0, np.int64)
        self.forbid_i = np.array(fi, np.int64)[order]
        self.forbid_j = np.array(fj, np.int64)[order]
        self.forbidden_set = set(zip(fi, fj, strict=True))
        # The cells the allowed mask clears one by one: forbidden pairs and each person who
        # applied in both roles with herself (a handful, so no n x m comparison is needed).
        si, sj = [], []
        if self.person_rule:
            by_code: dict[int, list[int]] = {}
            for j in np.flatnonzero(self.p_person >= 0).tolist():
                by_code.setdefault(int(self.p_person[j]), []).append(j)
            for i in np.flatnonzero(self.e_person >= 0).tolist():
                js = by_code.get(int(self.e_person[i]), [])
                si += [i] * len(js)
                sj += js
        xi = np.concatenate([self.forbid_i, np.array(si, np.int64)])
        xj = np.concatenate([self.forbid_j, np.array(sj, np.int64)])
        order = np.lexsort((xj, xi))
        self.excluded_i, self.excluded_j = xi[order], xj[order]

    # -- evaluation ----------------------------------------------------------------------------

    def block_rows(self) -> int:
        """Rows per block so that a block stays small in memory."""
        return max(1, min(self.n, BLOCK_CELLS // max(1, self.m)))

    def block(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores (int16, 0-1000) and allowed mask (bool) of mentees start:stop x all mentors."""
        lo, hi = np.searchsorted(self.wish_i, [start, stop])
        flo, fhi = np.searchsorted(self.excluded_i, [start, stop])
        return self._evaluate(
            slice(start, stop),
            (self.wish_i[lo:hi] - start, self.wish_j[lo:hi], self.wish_milli[lo:hi]),
            (self.excluded_i[flo:fhi] - start, self.excluded_j[flo:fhi]),
        )

    def rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Like `block`, for any increasing array of mentee rows."""
        rows = np.asarray(rows, np.int64)
        w = np.isin(self.wish_i, rows)
        f = np.isin(self.excluded_i, rows)
        return self._evaluate(
            rows,
            (np.searchsorted(rows, self.wish_i[w]), self.wish_j[w], self.wish_milli[w]),
            (np.searchsorted(rows, self.excluded_i[f]), self.excluded_j[f]),
        )

    def allowed_rows(self, rows: np.ndarray) -> np.ndarray:
        """The allowed mask of `rows` (increasing mentee rows) x all mentors, as in `rows`
        but without the scores."""
        rows = np.asarray(rows, np.int64)
        f = np.isin(self.excluded_i, rows)
        return self._allowed(rows, (np.searchsorted(rows, self.excluded_i[f]),
                                    self.excluded_j[f]))

    def _rounded(self, num: np.ndarray) -> np.ndarray:
        """int16 scores from products that include the W/2 + 1/4 feature, in place.

        The weighted sum S is a whole number, so (S + W/2) / W is a multiple of 1/(2W); the
        extra 1/4 moves it up by 1/(4W), never across a whole number, and float32 rounding of
        the product by 1/W (under 2.5e-4 for S <= 1000 W, W <= 600) is far smaller than
        1/(4W), so truncation gives round-half-up(S / W) exactly."""
        np.multiply(num, np.float32(1 / self.rules.total_weight), out=num)
        return num.astype(np.int16)

    def _evaluate(self, sel, wishes, excluded) -> tuple[np.ndarray, np.ndarray]:
        num = self.a_score[sel] @ self.b_score
        wi, wj, wv = wishes
        if wi.size:
            num[wi, wj] += (wv * self.rules.wishes).astype(np.float32)
        score = self._rounded(num)
        del num
        return score, self._allowed(sel, excluded)

    def _allowed(self, sel, excluded) -> np.ndarray:
        allowed = (self.a_hard[sel] @ self.b_hard) >= 0.5
        if self.org_rule:
            allowed &= self.e_org[sel][:, None] != self.p_org[None, :]
        xi, xj = excluded
        if xi.size:
            allowed[xi, xj] = False
        return allowed

    def dense(self) -> tuple[np.ndarray, np.ndarray]:
        """Scores and allowed mask of every pair (n x m); for small cohorts only."""
        return self.block(0, self.n)

    def pairs(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores and allowed flags of the listed pairs, equal to what `block` gives them."""
        rows = np.asarray(rows, np.int64)
        cols = np.asarray(cols, np.int64)
        num = np.einsum("pf,fp->p", self.a_score[rows], self.b_score[:, cols])
        codes = self._codes()
        keys = codes["wish_key"]
        wishes = np.zeros(rows.size, np.float32)
        if keys.size and rows.size:
            q = rows * (self.m + 1) + cols
            pos = np.minimum(np.searchsorted(keys, q), keys.size - 1)
            wishes = np.where(keys[pos] == q, codes["wish_milli"][pos], 0).astype(np.float32)
        score = self._rounded((num + wishes * np.float32(self.rules.wishes)).astype(np.float32))
        allowed = np.einsum("pf,fp->p", self.a_hard[rows], self.b_hard[:, cols]) >= 0.5
        if self.org_rule:
            allowed &= self.e_org[rows] != self.p_org[cols]
        if self.forbidden_set:
            allowed &= ~np.isin(rows * (self.m + 1) + cols, codes["forbid_key"])
        if self.person_rule:
            allowed &= self.e_person[rows] != self.p_person[cols]
        return score, allowed

    def parts(self, i: int, j: int) -> dict[str, int]:
        """Each part of one pair in thousandths (the terms the scores are built from)."""
        r = self.rules
        shares_first = bool(self.e_first[i] @ self.p_first[j])
        first_spoken = bool(self.e_first[i] @ self.p_langs[j])
        same, diff, unk = (v[i] for v in self.region_values)
        e, p = self.mentees[i], self.mentors[j]
        if not p.region:
            region = unk
        elif e.region and _norm(e.region) == _norm(p.region):
            region = same
        else:
            region = diff
        del r
        return {
            "topics": int(self.topic_milli[i] @ self.expertise[j]),
            "region": int(region),
            "language": 400 * shares_first + 600 * first_spoken,
            "timezone": self._tz_value(self.e_tz[i], self.p_tz[j]),
            "experience": self._exp_value(self.e_years[i], self.p_years[j]),
            "wishes": self.wish_lookup.get((i, j), 0),
        }

    # -- many pairs at once (explanations) ------------------------------------------------------

    def _codes(self) -> dict:
        """Per-person integer codes for the vectorised part values, built once on first use."""
        codes = getattr(self, "_part_codes", None)
        if codes is None:
            regions: dict[str, int] = {}
            e_reg = np.array([regions.setdefault(_norm(e.region), len(regions)) if e.region
                              else -1 for e in self.mentees], np.int64)
            p_reg = np.array([regions.setdefault(_norm(p.region), len(regions)) if p.region
                              else -2 for p in self.mentors], np.int64)
            first = self.e_first.argmax(axis=1) if self.e_first.size else np.zeros(self.n, int)
            has_first = self.e_first.any(axis=1) if self.e_first.size else np.zeros(self.n, bool)
            p_first = self.p_first.argmax(axis=1) if self.p_first.size else np.zeros(self.m, int)
            p_has = self.p_first.any(axis=1) if self.p_first.size else np.zeros(self.m, bool)
            none = np.iinfo(np.int64).min

            def known(values: list) -> np.ndarray:
                return np.array([none if v is None else v for v in values], np.int64)

            wish_key = self.wish_i * (self.m + 1) + self.wish_j
            order = np.argsort(wish_key, kind="stable")
            forbid_key = self.forbid_i * (self.m + 1) + self.forbid_j
            codes = {
                "e_reg": e_reg, "p_reg": p_reg,
                "same": np.asarray(self.region_values[0], np.int64),
                "diff": np.asarray(self.region_values[1], np.int64),
                "unk": np.asarray(self.region_values[2], np.int64),
                "e_first": np.where(has_first, first, -1).astype(np.int64),
                "p_first": np.where(p_has, p_first, -2).astype(np.int64),
                "p_langs": self.p_langs > 0,
                "e_tz": known(self.e_tz), "p_tz": known(self.p_tz),
                "e_years": known(self.e_years), "p_years": known(self.p_years),
                "wish_key": wish_key[order], "wish_milli": self.wish_milli[order],
                "forbid_key": np.sort(forbid_key),
                "none": none,
            }
            self._part_codes = codes
        return codes

    def part_values(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """`parts` of many pairs at once: an int64 array (pairs x 6) in PART_CODES order."""
        rows = np.asarray(rows, np.int64)
        cols = np.asarray(cols, np.int64)
        k = rows.size
        out = np.zeros((k, len(PART_CODES)), np.int64)
        if k == 0:
            return out
        c = self._codes()
        out[:, 0] = np.einsum("pf,pf->p", self.topic_milli[rows],
                              self.expertise[cols]).astype(np.int64)
        pr = c["p_reg"][cols]
        out[:, 1] = np.where(pr == -2, c["unk"][rows],
                             np.where(c["e_reg"][rows] == pr, c["same"][rows], c["diff"][rows]))
        ef = c["e_first"][rows]
        spoken = np.zeros(k, bool)
        has = ef >= 0
        spoken[has] = c["p_langs"][cols[has], ef[has]]
        out[:, 2] = 400 * (ef == c["p_first"][cols]) + 600 * spoken
        none = c["none"]
        a, b = c["e_tz"][rows], c["p_tz"][cols]
        unknown = (a == none) | (b == none)
        d = np.abs(np.where(unknown, 0, a - b)) % 1440
        d = np.minimum(d, 1440 - d)
        out[:, 3] = np.where(unknown, UNKNOWN, ((720 - d) * 2000 + 720) // 1440)
        a, b = c["e_years"][rows], c["p_years"][cols]
        unknown = (a == none) | (b == none)
        gap = np.where(unknown, 0, b - a)
        ahead = self.rules.experience_ahead
        if ahead <= 0:
            exp = np.where(gap >= 0, 1000, 0)
        else:
            exp = np.clip(np.floor(gap.astype(np.float64) * 1000 / ahead + 0.5), 0, 1000)
        out[:, 4] = np.where(unknown, UNKNOWN, exp.astype(np.int64))
        keys = c["wish_key"]
        if keys.size:
            q = rows * (self.m + 1) + cols
            pos = np.minimum(np.searchsorted(keys, q), keys.size - 1)
            out[:, 5] = np.where(keys[pos] == q, c["wish_milli"][pos], 0)
        return out

    def broken_many(self, rows: np.ndarray, cols: np.ndarray) -> list[tuple[str, ...]]:
        """`broken` of many pairs at once, as tuples."""
        rows = np.asarray(rows, np.int64)
        cols = np.asarray(cols, np.int64)
        if rows.size == 0:
            return []
        c = self._codes()
        flags = np.zeros((rows.size, len(HARD_RULES)), bool)
        flags[:, 0] = ~((self.e_langs[rows] * self.p_langs[cols]).sum(axis=1) > 0)
        if self.org_rule:
            flags[:, 1] = self.e_org[rows] == self.p_org[cols]
        gap = self.rules.min_experience_gap
        if gap is not None:
            a, b = c["e_years"][rows], c["p_years"][cols]
            flags[:, 2] = (a != c["none"]) & (b != c["none"]) & (b - a < gap)
        flags[:, 3] = self.wants_woman[rows] & ~self.mentor_woman[cols]
        if c["forbid_key"].size:
            flags[:, 4] = np.isin(rows * (self.m + 1) + cols, c["forbid_key"])
        if self.person_rule:
            flags[:, 5] = self.e_person[rows] == self.p_person[cols]
        names = np.array(HARD_RULES, dtype=object)
        cache: dict[int, tuple[str, ...]] = {}
        bits = flags @ (1 << np.arange(len(HARD_RULES)))
        out = []
        for b in bits.tolist():
            t = cache.get(b)
            if t is None:
                t = cache[b] = tuple(names[[(b >> r) & 1 == 1 for r in range(len(HARD_RULES))]])
            out.append(t)
        return out

    def broken(self, i: int, j: int) -> list[str]:
        """Codes of the hard rules pair (i, j) breaks, in HARD_RULES order."""
        out = []
        if not (self.e_langs[i] @ self.p_langs[j]) > 0:
            out.append("no_common_language")
        if self.org_rule and self.e_org[i] == self.p_org[j]:
            out.append("same_organisation")
        if self._gap_broken(self.e_years[i], self.p_years[j]):
            out.append("experience_gap_below_minimum")
        if self.wants_woman[i] and not self.mentor_woman[j]:
            out.append("woman_mentor_required")
        if (i, j) in self.forbidden_set:
            out.append("forbidden_by_coordinator")
        if self.person_rule and self.e_person[i] == self.p_person[j]:
            out.append("same_person")
        return out


def combine(parts: dict[str, int], rules: Rules) -> int:
    """The score (0-1000) that the weights make of a pair's parts, rounded half up."""
    num = sum(parts[c] * getattr(rules, c) for c in PART_CODES)
    return (2 * num + rules.total_weight) // (2 * rules.total_weight)
