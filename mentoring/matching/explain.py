"""Explanations as structured records (code + parameters) and their English rendering.

The engine never stores prose: a pair's parts, an unmatched mentee's reason and each
alternative mentor are dicts with a "code" and parameters, so a web app can translate them.
`render` and friends turn them into the English sentences a coordinator reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .profiles import Id, id_key
from .result import Result
from .scoring import HARD_RULES, PART_CODES, ScoreModel, _norm

# -- structured records ---------------------------------------------------------------------------


def _people(model: ScoreModel) -> tuple[list, list]:
    """Per mentor (normalised expertise, normalised languages) and per mentee (wish id keys),
    computed once per model: explaining many pairs then costs no string work per pair."""
    cached = getattr(model, "_explain_people", None)
    if cached is None:
        mentors = [({_norm(t) for t in p.expertise}, {_norm(x) for x in p.languages})
                   for p in model.mentors]
        mentees = [[id_key(w) for w in e.preferred_mentors] for e in model.mentees]
        cached = (mentors, mentees)
        model._explain_people = cached
    return cached


def pair_parts(model: ScoreModel, i: int, j: int) -> tuple[dict[str, Any], ...]:
    """The parts of pair (mentee row i, mentor column j) with a weight above 0, as records:
    {"code", "value" (thousandths), "weight", ...parameters}."""
    milli = model.parts(i, j)
    e, p = model.mentees[i], model.mentors[j]
    mentors, mentees = _people(model)
    have, spoken = mentors[j]
    out = []
    for code in PART_CODES:
        weight = getattr(model.rules, code)
        if weight == 0:
            continue
        rec: dict[str, Any] = {"code": code, "value": milli[code], "weight": weight}
        if code == "topics":
            rec["wanted"] = len(e.topics)
            rec["names"] = [t for t in e.topics if _norm(t) in have]
            rec["missing"] = [t for t in e.topics if _norm(t) not in have]
            rec["shared"] = len(rec["names"])
        elif code == "region":
            rec["preference"] = model.region_pref[i]
            rec["mentee_region"] = e.region or None
            rec["mentor_region"] = p.region or None
            rec["same"] = (
                None if not (e.region and p.region) else _norm(e.region) == _norm(p.region)
            )
        elif code == "language":
            first = e.languages[0] if e.languages else None
            rec["language"] = first
            rec["shared_languages"] = [x for x in e.languages if _norm(x) in spoken]
            if milli[code] == 1000:
                rec["level"] = "same_first"
            elif milli[code] > 0:
                rec["level"] = "first_spoken"
            else:
                rec["level"] = "other" if rec["shared_languages"] else "none"
        elif code == "timezone":
            a, b = model.e_tz[i], model.p_tz[j]
            if a is None or b is None:
                rec["minutes_apart"] = None
            else:
                d = abs(a - b) % 1440
                rec["minutes_apart"] = min(d, 1440 - d)
        elif code == "experience":
            a, b = model.e_years[i], model.p_years[j]
            rec["years_ahead"] = None if a is None or b is None else b - a
            rec["ahead_wanted"] = model.rules.experience_ahead
        elif code == "wishes":
            keys = mentees[i]
            pk = id_key(p.id)
            rec["count"] = len(keys)
            rec["rank"] = keys.index(pk) + 1 if pk in keys else None
        out.append(rec)
    return tuple(out)


def unmatched_reason(model: ScoreModel, i: int, full: np.ndarray) -> tuple[str, dict[str, Any]]:
    """Why mentee row i has no mentor, given which mentor columns are full (bool array).

    Codes: no_mentors, no_common_language, no_compatible_mentor (params: how many mentors each
    hard rule excludes), compatible_mentors_full (params: how many are compatible).
    """
    if model.m == 0 or not model.mentors:
        return "no_mentors", {}
    _, allowed = model.block(i, i + 1)
    return _reason(model, i, allowed[0], full)


def unmatched_reasons(model: ScoreModel, rows: list[int], full: np.ndarray
                      ) -> list[tuple[str, dict[str, Any]]]:
    """`unmatched_reason` of many mentee rows (increasing), scored block by block."""
    if model.m == 0 or not model.mentors:
        return [("no_mentors", {}) for _ in rows]
    out = []
    step = model.block_rows()
    for k in range(0, len(rows), step):
        part = rows[k: k + step]
        _, allowed = model.rows(np.array(part, np.int64))
        out += [_reason(model, i, allowed[n], full) for n, i in enumerate(part)]
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


@dataclass(frozen=True)
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


def alternatives(
    result: Result, mentee_ids: list[Id] | None = None, count: int = 3
) -> dict[Id, list[Alternative]]:
    """For each mentee (all, or the ids given) the `count` best other mentors, best first:
    allowed before not allowed, then higher score, then mentor id."""
    model: ScoreModel = result.model
    used = np.zeros(model.m, np.int64)
    assigned: dict[int, int] = {}
    for p in result.pairs:
        j = model.mentor_index[id_key(p.mentor_id)]
        used[j] += 1
        assigned[model.mentee_index[id_key(p.mentee_id)]] = j
    caps = np.array([p.capacity for p in model.mentors], np.int64)
    if mentee_ids is None:
        rows = list(range(model.n))
    else:
        rows = [model.mentee_index[id_key(x)] for x in mentee_ids]
    out: dict[Id, list[Alternative]] = {}
    step = model.block_rows()
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        lo, hi = min(chunk), max(chunk) + 1
        if hi - lo > 2 * len(chunk):
            blocks = [model.block(i, i + 1) for i in chunk]
            scores = np.vstack([b[0] for b in blocks])
            allowed = np.vstack([b[1] for b in blocks])
            offsets = {i: k for k, i in enumerate(chunk)}
        else:
            scores, allowed = model.block(lo, hi)
            offsets = {i: i - lo for i in chunk}
        for i in chunk:
            s = scores[offsets[i]].astype(np.int64)
            a = allowed[offsets[i]]
            mine = assigned.get(i, -1)
            # Sort key: allowed first, then score, then column (column order is id order).
            key = np.where(a, s + 2000, s) * (model.m + 1) + (model.m - np.arange(model.m))
            if mine >= 0:
                key[mine] = -1
            k = min(count, model.m - (mine >= 0))
            if k <= 0:
                out[model.mentees[i].id] = []
                continue
            top = np.argpartition(-key, k - 1)[:k] if k < model.m else np.arange(model.m)
            top = top[np.argsort(-key[top], kind="stable")][:k]
            ref = model.parts(i, mine) if mine >= 0 else None
            alts = []
            for j in top:
                j = int(j)
                parts = pair_parts(model, i, j)
                lacked = tuple(
                    p for p in parts
                    if p["value"] < (ref[p["code"]] if ref is not None else 1000)
                )
                alts.append(Alternative(
                    mentor_id=model.mentors[j].id,
                    score=int(s[j]),
                    allowed=bool(a[j]),
                    broken=tuple(model.broken(i, j)),
                    full=bool(used[j] >= caps[j]),
                    lacked=lacked,
                ))
            out[model.mentees[i].id] = alts
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
