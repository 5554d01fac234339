"""Matching engine: optimal, explainable mentee-mentor pairing. A pure leaf package (NumPy,
SciPy and the standard library only; nothing from Flask, SQLAlchemy or the rest of the app).

Data
    Mentor(id, languages, expertise, region, years_experience, timezone, capacity,
           organisation, gender, name, person)
    Mentee(id, languages, topics, region, years_experience, timezone, organisation,
           region_preference, wants_woman_mentor, preferred_mentors, name, person)
    Rules(topics=40, region=10, language=15, timezone=10, experience=10, wishes=15,
          default_region_preference="none", experience_ahead=3.0, min_experience_gap=None,
          forbid_same_organisation=True, require_woman_mentor_when_asked=True)
        Rules.from_dict(d) / rules.to_dict() for JSON files and database columns; bad values
        raise ValueError. Ids may be str or int; they are compared and sorted by str(id).
        Lists (languages, topics) are ordered: the first language is the first language,
        topics are ranked. `person` (optional, str or int, compared by str) names the human
        behind a profile: someone who applied both as mentor and as mentee has the same key in
        both lists. A time zone is an IANA name or a UTC offset ("+05:30", "UTC-3"),
        read at the fixed REFERENCE_INSTANT (2025-01-15 12:00 UTC) so results never drift.

Scores
    Every part is in thousandths (0-1000); the score is the weighted mean, rounded half up, an
    integer 0-1000. Parts: topics (share of wanted topics covered, ranked topics weigh
    n, n-1, ..., 1), region (per preference "same"/"other"/"none"; unknown region 500),
    language (1000 same first language, 600 mentor speaks the mentee's first language, else
    0), timezone (1000 at 0 h apart down to 0 at 12 h, wrapping), experience (mentor ahead
    by `experience_ahead` years or more = 1000, linear below, years rounded to whole years),
    wishes (the mentee's k-th of n ranked wishes = (n-k+1)/n, not wished 0; withdrawn
    mentors keep their rank). Unknown data on
    either side gives 500 for that part.
    Hard rules (a pair is impossible): no common language; same organisation (when
    forbid_same_organisation); mentor fewer than min_experience_gap years ahead (when set,
    and both known); mentee asked for a woman mentor and the mentor is not one (when
    require_woman_mentor_when_asked); a pair a coordinator forbade; a mentee and a mentor with
    the same person key (always: one cannot mentor oneself).

Solving
    solve(mentors, mentees, rules=None, locked=[(mentee_id, mentor_id)], forbidden=[...],
          fair=False, method="auto", stable=False, objective="score", quota_rules=())
          -> Result
        Maximum number of mentees matched, then maximum total score; with fair=True the
        lowest free pair score is first raised as high as it can go (Result.threshold);
        with stable=True the mentee-proposing stable matching instead (deferred acceptance
        on the scores, ties to the lower id; method "stable"); with objective="wishes" the
        rank-maximal matching: most matched, then most 1st wishes, 2nd, ..., then the best
        total (exact: lexicographic integer weights in chunks of levels, each chunk solved
        on the optimal face of the one before, see `wishes`; up to 40M mentee-mentor cells;
        method "wishes"); with quota_rules (quotas.parse_rules(json))
        every rule is met, then most matched, then the best total (a mixed-integer programme
        on the candidate graph, see `quotas`; method "quotas"; QuotaError for a rule that
        does not fit the cohort, QuotasUnmet with each broken rule's best reachable value).
        Locked pairs are kept (even if they break a hard rule; see Pair.broken) and use up
        places. Deterministic: same input, same output, whatever the input order.
    Result.pairs: tuple[Pair(mentee_id, mentor_id, score, parts, locked, broken)], by mentee id
    Result.unmatched: tuple[Unmatched(mentee_id, reason, params, text)]
    Result.summary: Summary(matched, unmatched, total, lowest, mean, blocking)
    Summary.wishes: pairs at each mentee's 1st, 2nd, ... wish; Summary.wishes_none: mentees
        with wishes who got none of them.
    Result.quotas: tuple[QuotaOutcome(name, count, base, bound, met)]; Result.without_quotas:
        Price(matched, total, lowest) of the same run without them.
    Result.blocking: tuple[Blocking(mentee_id, mentor_id, score)], by mentee then mentor id:
        allowed pairs not in the matching whose mentee scores that mentor higher than her
        own (or is unmatched) and whose mentor has a free place or a mentee she scores
        lower. Locked mentees and their places are left out (they cannot move).
    score_pair(mentor, mentee, rules=None, forbidden=False) -> Pair   # one manual pairing
    solve(..., priority={mentee_id: n}): when places are scarce the higher n are matched
        first (lexicographically by priority), then the best total (see `priority`).
    rematch(mentors, waiting, rules, taken=[mentor_id, ...], forbidden=..., priority=...)
        -> Result: only the waiting mentees, on the places the `taken` ones (one mentor id
        a place held by a pair that must not move) leave free (see `rematch`).

Explaining
    Pair.parts are records {"code", "value", "weight", ...params}; e.g.
    {"code": "topics", "value": 900, "weight": 40, "shared": 3, "wanted": 4,
     "names": [...], "missing": [...]}. Codes: topics, region, language, timezone,
    experience, wishes. Unmatched reasons: no_mentors, no_common_language,
    no_compatible_mentor {"rules": {rule: count}}, compatible_mentors_full {"compatible": n}.
    Hard rule codes: no_common_language, same_organisation, experience_gap_below_minimum,
    woman_mentor_required, forbidden_by_coordinator, same_person.
    render(parts) / render_part(part) / render_reason(code, params) / render_rule(code) give
    English; a web app may translate the records instead.
    alternatives(result, mentee_ids=None, count=3) -> {mentee_id: [Alternative(mentor_id,
        score, allowed, broken, full, lacked)]}: the next best mentors and where each falls
        short of the mentor the mentee got.

Memory
    gc_paused(): a context manager that pauses Python's cyclic garbage collector for a block
        that builds many small objects without cycles (the engine's own work, or a caller
        turning thousands of rows into profiles and results into rows).

Command line
    python -m mentoring.matching MENTORS.csv MENTEES.csv [--weights FILE.json] [--fair]
        [--objective score|wishes] [--quotas QUOTAS.json] [--stable] [--out PAIRS.csv]
        [--scores SCORES.csv]
    The summary on standard error gives the counts and scores, then "blocking pairs: N",
    the rank profile when any mentee has wishes ("wishes: 1st wish 312, 2nd 41, none 120"),
    with --quotas a line per rule and the price of the quotas, with --stable the optimum's
    figures beside the stable matching's. Exit status 2: bad input (file, line, column; or
    the quota file and rule); 3: quotas that cannot all be met (nothing written).
    Columns as the profiles' fields; `person` is optional in both files (a mentee and a mentor
    with the same person are never paired). The mentees' `wishes` (or `preferred_mentors`)
    ranks up to 5 mentor ids of the mentors file; `gender` is optional for mentees.
"""

from ._gc import paused as gc_paused
from .explain import (
    Alternative,
    alternatives,
    pair_parts,
    render,
    render_alternative,
    render_part,
    render_reason,
    render_rule,
)
from .profiles import Mentee, Mentor, is_woman
from .rematch import free_places, rematch
from .result import Blocking, Pair, Result, Summary, Unmatched
from .rules import Rules
from .scoring import HARD_RULES, PART_CODES, ScoreModel
from .solver import build_model, score_pair, solve
from .timezones import REFERENCE_INSTANT, utc_offset_minutes

__all__ = [
    "HARD_RULES",
    "PART_CODES",
    "REFERENCE_INSTANT",
    "Alternative",
    "Blocking",
    "Mentee",
    "Mentor",
    "Pair",
    "Result",
    "Rules",
    "ScoreModel",
    "Summary",
    "Unmatched",
    "alternatives",
    "build_model",
    "free_places",
    "gc_paused",
    "is_woman",
    "pair_parts",
    "rematch",
    "render",
    "render_alternative",
    "render_part",
    "render_reason",
    "render_rule",
    "score_pair",
    "solve",
    "utc_offset_minutes",
]
