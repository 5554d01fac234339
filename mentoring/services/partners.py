"""Never the same pair twice: who was paired with whom before, and where that mattered.

Two people who were a pair (announced: active, completed or ended) are not proposed again:
- in an earlier cycle of the programme (the programme it was copied from and its ancestors),
  when the programme's "new partners only" is on (the default), in either role;
- in the programme itself (a pair that ended or completed), always.
The engine sees them as forbidden pairs; its words for a forbidden pair ("forbidden by a
coordinator") are then put right here, and a pair's explanation or an unmatched mentee's
reason names the earlier partners who would otherwise have been chosen.

How a mentee's last pair ended says too whether she is matched again at all
(:func:`matched_again`): the waiting of a rematch, and who a full run leaves out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..matching import Mentee, Mentor, Result
from ..matching.profiles import id_key
from ..models import Enrolment, Pairing, PairingStatus, Programme, Role
from ..models.aliases import MENTEE, MENTOR

#: The statuses of a pair whose two people worked together.
FORMED = (PairingStatus.ACTIVE, PairingStatus.COMPLETED, PairingStatus.ENDED)
#: The hard rule code an earlier partner shows as (the engine says forbidden_by_coordinator).
RULE = "earlier_partner"


def ancestors(programme: Programme) -> list[int]:
    """The ids of the programme it was copied from, that one's, and so on (oldest last)."""
    out: list[int] = []
    current = programme.previous_id
    while current is not None and current not in out and current != programme.id:
        out.append(current)
        current = db.session.scalar(select(Programme.previous_id).where(
            Programme.id == current))
    return out


def earlier_pairs(programme: Programme, mentors: Sequence[Mentor],
                  mentees: Sequence[Mentee]) -> set[tuple[int, int]]:
    """(mentee, mentor) enrolment ids among the profiles whose two people were a pair before
    (see the module): their profiles' ``person`` is the user. Only the pairs of the given
    mentees' people are read (a rematch's few, not the programme's thousands)."""
    programmes = [programme.id] + (ancestors(programme) if programme.new_partners_only else [])
    mentee = MENTEE
    mentor = MENTOR
    query = (select(mentee.user_id, mentor.user_id).select_from(Pairing)
             .join(mentee, mentee.id == Pairing.mentee_id)
             .join(mentor, mentor.id == Pairing.mentor_id)
             .where(Pairing.programme_id.in_(programmes), Pairing.status.in_(FORMED))
             .distinct())
    as_mentee = {e.person: e.id for e in mentees}
    as_mentor = {p.person: p.id for p in mentors}
    if len(as_mentee) < len(as_mentor):
        users = sorted(as_mentee)
        query = query.where(mentee.user_id.in_(users) | mentor.user_id.in_(users))
    out: set[tuple[int, int]] = set()
    for first, second in db.session.execute(query):
        for a, b in ((first, second), (second, first)):
            if a in as_mentee and b in as_mentor:
                out.add((as_mentee[a], as_mentor[b]))
    return out


def last_ends(programme_id):
    """SQL: per mentee of the programme ``programme_id`` (a value or a bound parameter) with a
    pair that ended or completed, the last such pair: ``mentee_id``, ``last_end_id``,
    ``status``, ``rematch_requested``, ``ended_at`` and whether her mentor ended it
    (``by_mentor``). One reading of the programme's ended pairs (a window), not one lookup a
    mentee."""
    ranked = (select(Pairing.mentee_id, Pairing.id.label("last_end_id"), Pairing.status,
                     Pairing.rematch_requested, Pairing.ended_at,
                     (Pairing.ended_by_id == MENTOR.user_id).label("by_mentor"),
                     func.row_number().over(partition_by=Pairing.mentee_id,
                                            order_by=(Pairing.ended_at.desc(),
                                                      Pairing.id.desc())).label("latest"))
              .join(MENTOR, MENTOR.id == Pairing.mentor_id)
              .where(Pairing.programme_id == programme_id,
                     Pairing.status.in_([PairingStatus.ENDED, PairingStatus.COMPLETED]))
              .subquery())
    return select(*(c for c in ranked.c if c.key != "latest")).where(
        ranked.c.latest == 1).subquery()


def matched_again(last):
    """SQL: whether a mentee whose last ended pair is ``last`` (a :func:`last_ends`,
    outer-joined: NULL when none ended or completed) is matched again: no pair of hers ended,
    or the last one ended early with "match me again" (she asked, or the coordinator who ended
    it ticked it) or was ended by her mentor; not after a completed pair, nor an end without
    asking."""
    return or_(last.c.last_end_id.is_(None),
               and_(last.c.status == PairingStatus.ENDED,
                    or_(last.c.rematch_requested, last.c.by_mentor)))


def not_again(programme: Programme) -> set[int]:
    """The programme's mentees who are not matched again (:func:`matched_again`): neither a
    run nor a rematch proposes them."""
    ends = last_ends(programme.id)
    return set(db.session.scalars(
        select(Enrolment.id).join(ends, ends.c.mentee_id == Enrolment.id)
        .where(Enrolment.programme_id == programme.id, Enrolment.role == Role.MENTEE,
               matched_again(ends).is_not(True))))


def mattered(result: Result, earlier: Iterable[tuple[int, int]]
             ) -> dict[int, list[str]]:
    """Per mentee, the names of her earlier partners she would otherwise have had the chance
    of: allowed but for being earlier partners, and scoring above the mentor she got (any,
    when she got none). Best first."""
    model = result.model
    got = {id_key(p.mentee_id): p.score for p in result.pairs}
    rows, cols = [], []
    for mentee_id, mentor_id in earlier:
        i = model.mentee_index.get(id_key(mentee_id))
        j = model.mentor_index.get(id_key(mentor_id))
        if i is not None and j is not None:
            rows.append(i)
            cols.append(j)
    if not rows:
        return {}
    scores, _ = model.pairs(np.array(rows), np.array(cols))
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for i, j, score, broken in zip(rows, cols, scores.tolist(),
                                   model.broken_many(np.array(rows), np.array(cols)),
                                   strict=True):
        mentee = model.mentees[i]
        if tuple(broken) == ("forbidden_by_coordinator",) and \
                score > got.get(id_key(mentee.id), -1):
            found[mentee.id].append((-score, model.mentors[j].name))
    return {mentee: [name for _, name in sorted(names)] for mentee, names in found.items()}


def relabel(broken: Iterable[str], pair: tuple[int, int], earlier: set[tuple[int, int]],
            forbidden: set[tuple[int, int]]) -> list[str]:
    """A pair's broken rules with "forbidden by a coordinator" said as "an earlier partner"
    when that is why (and no coordinator forbade it too)."""
    if pair not in earlier or pair in forbidden:
        return list(broken)
    return [RULE if rule == "forbidden_by_coordinator" else rule for rule in broken]


def explain(result: Result, earlier: set[tuple[int, int]], forbidden: set[tuple[int, int]],
            alternatives: dict) -> tuple[dict[int, dict], dict[int, dict]]:
    """What the exclusion did, for the rows a run writes: per mentee an explanation part
    ``{"code": "earlier_partners", "names": [...]}`` for her pair when it mattered, and the
    changes to her unmatched reason's parameters (the earlier partners' names; hard-rule
    counts moved from "forbidden by a coordinator" to "an earlier partner"). The
    ``alternatives`` (mentee -> engine alternatives) are relabelled in place."""
    for mentee_id, alts in alternatives.items():
        alts[:] = [replace(alt, broken=tuple(relabel(
            alt.broken, (mentee_id, alt.mentor_id), earlier, forbidden))) for alt in alts]
    names = mattered(result, earlier - forbidden)
    parts = {mentee: {"code": "earlier_partners", "names": found}
             for mentee, found in names.items()}
    params: dict[int, dict] = {}
    by_mentee: dict[int, int] = defaultdict(int)
    for mentee_id, _mentor in earlier - forbidden:
        by_mentee[mentee_id] += 1
    for item in result.unmatched:
        change: dict = {}
        if item.mentee_id in names:
            change["earlier_partners"] = names[item.mentee_id]
        rules = dict(item.params.get("rules", {}))
        moved = min(by_mentee.get(item.mentee_id, 0), rules.get("forbidden_by_coordinator", 0))
        if moved:
            rules["forbidden_by_coordinator"] -= moved
            if not rules["forbidden_by_coordinator"]:
                del rules["forbidden_by_coordinator"]
            rules[RULE] = moved
            change["rules"] = rules
        if change:
            params[item.mentee_id] = change
    return parts, params


def note(notes: dict[int, dict], mentee_id: int) -> list[dict]:
    """The extra explanation part of a mentee's pair, as a list to add to its parts."""
    return [notes[mentee_id]] if mentee_id in notes else []
