"""Rematch the waiting: match only the given mentees, within the mentors' places still free.

`rematch(mentors, waiting, rules, taken=[mentor_id, ...], forbidden=..., priority=...)`
leaves every pair that holds a place (`taken` names the mentor of each, once a place) as it
is: its mentee is not among `waiting` and its place is not offered. Each mentor offers her
capacity minus her taken places; the waiting mentees are matched on those with `solve`,
longest waiting first when `priority` says so (see `priority`). The result has only the
waiting mentees' pairs, none locked.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from .profiles import Id, Mentee, Mentor, id_key
from .result import Result
from .rules import Rules
from .solver import solve
from .timezones import REFERENCE_INSTANT


def free_places(mentors: Sequence[Mentor], taken: Iterable[Id]) -> list[Mentor]:
    """The mentors with their capacity cut to the places `taken` leaves (never below 0: a
    mentor over her capacity, e.g. after a coordinator lowered it, offers none)."""
    used = Counter(id_key(mentor_id) for mentor_id in taken)
    out = []
    for p in mentors:
        left = max(0, p.capacity - used.get(id_key(p.id), 0))
        if left != p.capacity:
            # A shallow copy with the one field changed: the profile is already normalised,
            # and `replace` would normalise thousands of them again.
            p = copy.copy(p)
            object.__setattr__(p, "capacity", left)
        out.append(p)
    return out


def rematch(
    mentors: Sequence[Mentor],
    waiting: Sequence[Mentee],
    rules: Rules | None = None,
    *,
    taken: Iterable[Id] = (),
    forbidden: Iterable[tuple[Id, Id]] = (),
    priority: Mapping[Id, int] | None = None,
    at: datetime = REFERENCE_INSTANT,
) -> Result:
    """Match the `waiting` mentees on the places the `taken` ones leave free (see the
    module); `forbidden` pairs (previous partners, a coordinator's) are never proposed, and
    may name mentees who are not waiting (they are left out)."""
    ids = {id_key(e.id) for e in waiting}
    mentor_ids = {id_key(p.id) for p in mentors}
    relevant = [(e, p) for e, p in forbidden if id_key(e) in ids and id_key(p) in mentor_ids]
    return solve(free_places(mentors, taken), waiting, rules, forbidden=relevant,
                 priority=priority or {}, at=at)
