"""Explanations as structured records (code + parameters) and their English rendering.

The engine never stores prose: a pair's parts, an unmatched mentee's reason and each
alternative mentor are dicts with a "code" and parameters, so a web app can translate them.
`render` and friends turn them into the English sentences a coordinator reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np

from . import sparse
from ._gc import paused
from .profiles import Id, id_key
from .result import Result
from .scoring import HARD_RULES, PART_CODES, ScoreModel, _norm

# -- structured records ---------------------------------------------------------------------------


def _people(model: ScoreModel) -> tuple[list, list]:
    """Per mentor (normalised expertise, normalised languages, region) and per mentee (topics
    and languages with their normalised forms, wish id keys, first language, region), computed
    once per model: explaining many pairs then costs no string work per pair."""
    cached = getattr(model, "_explain_people", None)
    if cached is None:
        mentors = [({_norm(t) for t in p.expertise}, {_norm(x) for x in p.languages},
                    p.region or None, _norm(p.region) if p.region else None, id_key(p.id))
                   for p in model.mentors]
        mentees = [([(t, _norm(t)) for t in e.topics], [(x, _norm(x)) for x in e.languages],
                    [id_key(w) for w in e.preferred_mentors],
                    e.languages[0] if e.languages else None,
                    e.region or None, _norm(e.region) if e.region else None)
                   for e in model.mentees]
        cached = (mentors, mentees)
        model._explain_people = cached
    return cached


# Record builders, one per part: the records of many pairs at once, from the part's weight, the
# pairs' values (thousandths), mentee rows `ii`, mentor columns `jj` and `_people` data.

def _topic_records(model, weight, vals, ii, jj, mentors, mentees) -> list[dict[str, Any]]:
    out = []
    for v, i, j in zip(vals, ii, jj, strict=True):
        have, topics = mentors[j][0], mentees[i][0]
        names = [t for t, k in topics if k in have]
        out.append({"code": "topics", "value": v, "weight": weight, "wanted": len(topics),
                    "names": names, "missing": [t for t, k in topics if k not in have],
                    "shared": len(names)})
    return out


def _region_records(model, weight, vals, ii, jj, mentors, mentees) -> list[dict[str, Any]]:
    pref = model.region_pref
    out = []
    for v, i, j in zip(vals, ii, jj, strict=True):
        e, p = mentees[i], mentors[j]
        out.append({"code": "region", "value": v, "weight": weight, "preference": pref[i],
                    "mentee_region": e[4], "mentor_region": p[2],
                    "same": None if not (e[4] and p[2]) else e[5] == p[3]})
    return out


def _language_records(model, weight, vals, ii, jj, mentors, mentees) -> list[dict[str, Any]]:
    out = []
    for v, i, j in zip(vals, ii, jj, strict=True):
        spoken, e = mentors[j][1], mentees[i]
        shared = [x for x, k in e[1] if k in spoken]
        level = ("same_first" if v == 1000 else "first_spoken" if v > 0
                 else "other" if shared else "none")
        out.append({"code": "language", "value": v, "weight": weight, "language": e[3],
                    "shared_languages": shared, "level": level})
    return out


def _timezone_records(model, weight, vals, ii, jj, mentors, mentees) -> list[dict[str, Any]]:
    e_tz, p_tz = model.e_tz, model.p_tz
    out = []
    for v, i, j in zip(vals, ii, jj, strict=True):
        a, b = e_tz[i], p_tz[j]
        if a is None or b is None:
            apart = None
        else:
            d = abs(a - b) % 1440
            apart = min(d, 1440 - d)
        out.append({"code": "timezone", "value": v, "weight": weight, "minutes_apart": apart})
    return out


def _experience_records(model, weight, vals, ii, jj, mentors, mentees) -> list[dict[str, Any]]:
    e_years, p_years = model.e_years, model.p_years
    ahead = model.rules.experience_ahead
    out = []
    for v, i, j in zip(vals, ii, jj, strict=True):
        a, b = e_years[i], p_years[j]
        out.append({"code": "experience", "value": v, "weight": weight,
                    "years_ahead": None if a is None or b is None else b - a,
                    "ahead_wanted": ahead})
    return out


def _wish_records(model, weight, vals, ii, jj, mentors, mentees) -> list[dict[str, Any]]:
    out = []
    for v, i, j in zip(vals, ii, jj, strict=True):
        keys, pk = mentees[i][2], mentors[j][4]
        out.append({"code": "wishes", "value": v, "weight": weight, "count": len(keys),
                    "rank": keys.index(pk) + 1 if pk in keys else None})
    return out


_BUILDERS = {"topics": _topic_records, "region": _region_records,
             "language": _language_records, "timezone": _timezone_records,
             "experience": _experience_records, "wishes": _wish_records}
assert set(_BUILDERS) == set(PART_CODES)  # noqa: S101 - one builder per part


def _weighted(model: ScoreModel) -> list[tuple[int, str]]:
    # Under the wishes objective a pair always says which wish it was, whatever its weight.
    wishes = getattr(model, "objective", "score") == "wishes"
    return [(k, c) for k, c in enumerate(PART_CODES)
            if getattr(model.rules, c) != 0 or (wishes and c == "wishes")]


def _records(model: ScoreModel, rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
             take: np.ndarray | None = None) -> list[tuple[dict[str, Any], ...]]:
    """Per pair (mentee rows, mentor columns, part values as from `part_values`), the records
    of its weighted parts in PART_CODES order: {"code", "value" (thousandths), "weight",
    ...parameters}; with `take` (pairs x parts, bool) only the parts it marks. Built one part
    at a time over all pairs, which keeps the per-record work to one dict."""
    rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    count = rows.size
    mentors, mentees = _people(model)
    columns, where = [], []
    for c, code in _weighted(model):
        idx = np.arange(count) if take is None else np.flatnonzero(take[:, c])
        columns.append(_BUILDERS[code](model, getattr(model.rules, code),
                                       values[idx, c].tolist(), rows[idx].tolist(),
                                       cols[idx].tolist(), mentors, mentees))
        where.append(idx)
    if not columns:
        return [()] * count
    if take is None:
        return list(zip(*columns, strict=True))
    # Every pair's records, in part order: all records by pair (a stable sort keeps the part
    # order within a pair), then cut into one tuple per pair.
    flat = [rec for column in columns for rec in column]
    order = np.argsort(np.concatenate(where), kind="stable").tolist()
    it = iter([flat[k] for k in order])
    return [tuple(islice(it, n)) for n in np.bincount(np.concatenate(where),
                                                       minlength=count).tolist()]


def pair_parts(model: ScoreModel, i: int, j: int) -> tuple[dict[str, Any], ...]:
    """The parts of pair (mentee row i, mentor column j) with a weight above 0, as records:
    {"code", "value" (thousandths), "weight", ...parameters}."""
    milli = model.parts(i, j)
    values = np.array([[milli[code] for code in PART_CODES]], np.int64)
    return _records(model, np.array([i]), np.array([j]), values)[0]


def pairs_parts(model: ScoreModel, rows: np.ndarray, cols: np.ndarray
                ) -> list[tuple[dict[str, Any], ...]]:
    """`pair_parts` of many pairs at once (values computed in bulk)."""
    return _records(model, rows, cols, model.part_values(rows, cols))


def unmatched_reasons(model: ScoreModel, rows: list[int], full: np.ndarray
                      ) -> list[tuple[str, dict[str, Any]]]:
    """Why each of the mentee rows (increasing) has no mentor, given which mentor columns are
    full (bool array), reading the hard rules block by block.

    Codes: no_mentors, no_common_language, no_compatible_mentor (params: how many mentors each
    hard rule excludes), compatible_mentors_full (params: how many are compatible), not_chosen
    (a place was left free by a coordinator's locks or fair mode)."""
    if model.m == 0 or not model.mentors:
        return [("no_mentors", {}) for _ in rows]
    out = []
    step = model.block_rows()
    for k in range(0, len(rows), step):
        part = rows[k: k + step]
        allowed = model.allowed_rows(np.array(part, np.int64))
        # Per row: any mentor speaking a common language, any allowed, any allowed with room.
        speaking = (model.e_langs[part] @ model.p_langs.T) > 0
        has = speaking.any(axis=1)
        some = allowed.any(axis=1)
        room = (allowed & ~full[None, :]).any(axis=1)
        counts = allowed.sum(axis=1)
        free = (allowed & ~full[None, :]).sum(axis=1)
        for n, i in enumerate(part):
            if not has[n]:
                out.append(("no_common_language", {"languages": list(model.mentees[i].languages)}))
            elif not some[n]:
                out.append(_reason(model, i, allowed[n], full))
            elif room[n]:
                out.append(("not_chosen", {"compatible": int(counts[n]), "free": int(free[n])}))
            else:
                out.append(("compatible_mentors_full", {"compatible": int(counts[n])}))
    return out


def _reason(model: ScoreModel, i: int, allowed: np.ndarray, full: np.ndarray
            ) -> tuple[str, dict[str, Any]]:
    speaks = (model.p_langs @ model.e_langs[i]) > 0
    if not speaks.any():
        return "no_common_language", {"languages": list(model.mentees[i].languages)}
    if not allowed.any():
        counts: dict[str, int] = {}
        for j in np.flatnonzero(speaks):
            for rule in model.broken(i, int(j)):
                counts[rule] = counts.get(rule, 0) + 1
        return "no_compatible_mentor", {"rules": counts, "speaking": int(speaks.sum())}
    free = allowed & ~full
    if free.any():
        # Only possible when a coordinator's locks or fair mode leave a place unused.
        return "not_chosen", {"compatible": int(allowed.sum()), "free": int(free.sum())}
    return "compatible_mentors_full", {"compatible": int(allowed.sum())}


@dataclass(frozen=True, slots=True)
class Alternative:
    """A mentor the mentee did not get: score, whether allowed, broken rules, whether full,
    and the parts in which it falls short of the mentee's actual mentor (or of a perfect 1000
    when the mentee is unmatched)."""

    mentor_id: Id
    score: int
    allowed: bool
    broken: tuple[str, ...]
    full: bool
    lacked: tuple[dict[str, Any], ...]

    @property
    def text(self) -> str:
        """This alternative in English."""
        return render_alternative(self)


def _top_columns(key: np.ndarray, k: int) -> np.ndarray:
    """Per row of `key` (int16 >= 0, higher first), the columns of its k best entries, best
    first; ties go to the lower column."""
    rows, m = key.shape
    if k >= m or m < 64:
        top = np.argsort(-key.astype(np.int32), axis=1, kind="stable")
        return top[:, :k]
    group = max(1, min(16, m // (4 * k)))
    width = -(-m // group) * group
    padded = np.full((rows, width), -1, np.int16)
    padded[:, :m] = key
    folded = sparse.fold(padded, group)
    (floor,) = sparse.row_floors(folded, (k,))
    r, c, v = sparse.at_least(padded, folded, floor)
    order = np.lexsort((c, -v.astype(np.int32), r))
    r, c = r[order], c[order]
    rank = np.arange(r.size) - np.searchsorted(r, r)
    keep = rank < k
    return c[keep].reshape(rows, k)  # every row has at least k entries >= its floor


def alternatives(
    result: Result, mentee_ids: list[Id] | None = None, count: int = 3
) -> dict[Id, list[Alternative]]:
    """For each mentee (all, or the ids given) the `count` best other mentors, best first:
    allowed before not allowed, then higher score, then mentor id.

    The best count + 1 mentors per mentee come from the solver's stored best pairs where it
    left them, else from scoring block by block with one partial selection per block; the
    parts every alternative lacks are compared in bulk."""
    with paused():
        return _alternatives(result, mentee_ids, count)


def _alternatives(result: Result, mentee_ids: list[Id] | None, count: int
                  ) -> dict[Id, list[Alternative]]:
    model: ScoreModel = result.model
    m = model.m
    mine = np.full(model.n, -1, np.int64)
    for p in result.pairs:
        mine[model.mentee_index[id_key(p.mentee_id)]] = model.mentor_index[id_key(p.mentor_id)]
    used = np.bincount(mine[mine >= 0], minlength=m)
    caps = np.array([p.capacity for p in model.mentors], np.int64)
    full = used >= caps
    if mentee_ids is None:
        wanted = list(range(model.n))
    else:
        wanted = [model.mentee_index[id_key(x)] for x in mentee_ids]
    rows = np.unique(np.array(wanted, np.int64))
    picks: dict[int, list[Alternative]] = {}
    take = min(count + 1, m)
    alt_r, alt_c, alt_s, alt_a = [], [], [], []
    # The sparse solver leaves each mentee's best allowed mentors on the model: rows that
    # have enough of them need no scoring here.
    best = getattr(model, "best_pairs", None)
    if best is not None and take <= best[1].shape[1] and rows.size:
        slot = np.full(model.n, -1, np.int64)
        slot[best[0]] = np.arange(best[0].size)
        have = slot[rows] >= 0
        have[have] = best[3][slot[rows[have]]]
        known = rows[have]
        if known.size:
            top = best[1][slot[known], :take]
            own = mine[known]
            keep = top != own[:, None]
            keep &= np.cumsum(keep, axis=1) <= count
            r_loc, pos = np.nonzero(keep)
            alt_r.append(known[r_loc])
            alt_c.append(top[r_loc, pos])
            alt_s.append(best[2][slot[known], :take][r_loc, pos])
            alt_a.append(np.ones(r_loc.size, bool))  # the solver's best pairs are allowed
        rows = rows[~have]
    step = model.block_rows()
    for start in range(0, rows.size, step):
        chunk = rows[start: start + step]
        lo, hi = int(chunk[0]), int(chunk[-1]) + 1
        if hi - lo == chunk.size:
            scores, allowed = model.block(lo, hi)
        else:
            scores, allowed = model.rows(chunk)
        if take <= 0:
            continue
        key = np.where(allowed, scores + np.int16(1001), scores)
        top = _top_columns(key, take)
        own = mine[chunk]
        # Drop the mentee's own mentor, then keep `count`.
        keep = top != own[:, None]
        rank = np.cumsum(keep, axis=1)
        keep &= rank <= count
        r_loc, pos = np.nonzero(keep)
        cols = top[r_loc, pos]
        alt_r.append(chunk[r_loc])
        alt_c.append(cols)
        alt_s.append(scores[r_loc, cols])
        alt_a.append(allowed[r_loc, cols])
    if alt_r:
        ar, ac = np.concatenate(alt_r), np.concatenate(alt_c)
        a_s, a_a = np.concatenate(alt_s), np.concatenate(alt_a)
        order = np.argsort(ar, kind="stable")  # by mentee, each mentee's best first
        ar, ac, a_s, a_a = ar[order], ac[order], a_s[order], a_a[order]
    else:
        ar = ac = np.zeros(0, np.int64)
        a_s, a_a = np.zeros(0, np.int16), np.zeros(0, bool)
    values = model.part_values(ar, ac)
    own_cols = mine[ar]
    ref = np.full(values.shape, 1000, np.int64)
    has = own_cols >= 0
    if has.any():
        ref[has] = model.part_values(ar[has], own_cols[has])
    lack = values < ref  # (only weighted parts become records)
    broken: list[tuple[str, ...]] = [()] * ar.size
    bad = np.flatnonzero(~a_a)
    if bad.size:
        for k, b in zip(bad.tolist(), model.broken_many(ar[bad], ac[bad]), strict=True):
            broken[k] = b
    lacked_all = _records(model, ar, ac, values, lack)
    ids = [p.id for p in model.mentors]
    full_l = full.tolist()
    for i, j, sc, ok, b, lacked in zip(ar.tolist(), ac.tolist(), a_s.tolist(), a_a.tolist(),
                                       broken, lacked_all, strict=True):
        picks.setdefault(i, []).append(Alternative(ids[j], sc, ok, b, full_l[j], lacked))
    out: dict[Id, list[Alternative]] = {}
    for i in wanted:
        out[model.mentees[i].id] = picks.get(i, [])
    return out


# -- English rendering ---------------------------------------------------------------------

def _hours(minutes: int) -> str:
    h = minutes / 60
    return f"{h:g} h" if h == int(h) else f"{h:.2f}".rstrip("0") + " h"


def _list(names: list[str]) -> str:
    return ", ".join(names)


def render_part(part: dict[str, Any]) -> str:
    """One part record in English ("" for a part with nothing worth saying)."""
    code = part["code"]
    if code == "topics":
        wanted, shared = part["wanted"], part["shared"]
        if wanted == 0:
            return "no topics stated"
        if shared == 0:
            return f"shares none of {wanted} wanted topics"
        noun = "topic" if wanted == 1 else "topics"
        return f"shares {shared} of {wanted} wanted {noun}: {_list(part['names'])}"
    if code == "region":
        if part["same"] is None:
            return "" if part["preference"] == "none" else "region unknown"
        if part["same"]:
            return f"same region ({part['mentor_region']})"
        return f"other region ({part['mentor_region']}, mentee {part['mentee_region']})"
    if code == "language":
        level = part["level"]
        if level == "same_first":
            return f"both speak {part['language']} first"
        if level == "first_spoken":
            return f"speaks the mentee's first language ({part['language']})"
        if level == "other":
            return f"shares {_list(part['shared_languages'])}, not the mentee's first language"
        return "no common language"
    if code == "timezone":
        d = part["minutes_apart"]
        if d is None:
            return "time zone unknown"
        return "same time zone" if d == 0 else f"{_hours(d)} apart"
    if code == "experience":
        y = part["years_ahead"]
        if y is None:
            return "experience unknown"
        if y == 0:
            return "same years of experience"
        unit = "year" if abs(y) == 1 else "years"
        return f"mentor {y} {unit} ahead" if y > 0 else f"mentor {-y} {unit} behind"
    if code == "wishes":
        if part["count"] == 0:
            return ""
        if part["rank"] is None:
            return "not among the mentee's wishes"
        return f"the mentee's choice {part['rank']} of {part['count']}"
    return code


def render(parts: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> str:
    """Parts joined into one English line, in the engine's fixed part order."""
    return "; ".join(t for t in (render_part(p) for p in parts) if t)


_RULE_TEXT = {
    "no_common_language": "no common language",
    "same_organisation": "same organisation",
    "experience_gap_below_minimum": "not enough years ahead",
    "woman_mentor_required": "the mentee asked for a woman mentor",
    "forbidden_by_coordinator": "forbidden by a coordinator",
    "same_person": "same person",
}
assert set(_RULE_TEXT) == set(HARD_RULES)  # noqa: S101 - keeps the two lists in step


def render_rule(code: str) -> str:
    """A hard rule code in English."""
    return _RULE_TEXT.get(code, code)


def render_reason(code: str, params: dict[str, Any]) -> str:
    """An unmatched reason in English."""
    if code == "no_mentors":
        return "there are no mentors"
    if code == "no_common_language":
        return "no mentor shares a language"
    if code == "no_compatible_mentor":
        detail = ", ".join(f"{render_rule(r)}: {n}" for r, n in sorted(params["rules"].items()))
        return f"no mentor meets the hard rules ({detail})"
    if code == "compatible_mentors_full":
        n = params["compatible"]
        return "the only compatible mentor is full" if n == 1 else (
            f"every compatible mentor is full ({n} compatible)")
    if code == "not_chosen":
        free = params["free"]
        return f"left unmatched by the coordinator's choices ({free} compatible with room)"
    return code


def render_alternative(alt: Alternative) -> str:
    """An alternative mentor in English, e.g. "M7 (612): full; lacks: 5 h apart"."""
    bits = []
    if alt.full:
        bits.append("full")
    if alt.broken:
        bits.append("breaks: " + ", ".join(render_rule(r) for r in alt.broken))
    lacks = render(alt.lacked)
    if lacks:
        bits.append("lacks: " + lacks)
    return f"{alt.mentor_id} ({alt.score})" + (": " + "; ".join(bits) if bits else "")
