"""Mentoring circles: mentees grouped around mentors, each circle meeting in one language.

`form_circles(mentors, mentees, rules, capacity=6, forbidden=...) -> CircleResult`

Each mentor leads one circle of at most `capacity` mentees. The grouping is the engine's own
assignment (`solve`, with every mentor's capacity set to the circle's): as many mentees in a
circle as possible, then the best total score, so the mentees around a mentor are those whose
wanted topics her expertise covers best, under the same hard rules as pairs (a common
language, not her own organisation, a woman mentor when asked, never oneself, never a
forbidden pair).

A group also needs one language that every member speaks. A circle's language is chosen
among its mentor's languages: first the plain assignment is solved, then each mentor's
language becomes the one most of the mentees it gave her speak (ties: more of all the
mentees, then the code), and the assignment is solved again with each mentor offering that
language only, so the hard rule "a common language" puts in her circle only mentees who
speak it. This repeats while the languages change (at most `LANGUAGE_ROUNDS` solves after the
first). The last solve is always one with the languages fixed, so every member speaks her
circle's language; the languages are a local choice, not proven the best over all choices.

`Circle.members` are the engine's pairs (mentee, circle's mentor, score, parts); each member's
`shared` lists the topics she wants that another member of her circle wants too.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .profiles import Id, Mentee, Mentor, id_key
from .result import Pair, Unmatched
from .rules import Rules
from .solver import solve

#: How many times the languages may be chosen again after the first solve.
LANGUAGE_ROUNDS = 3
#: The largest circle.
MAX_CAPACITY = 20


@dataclass(frozen=True, slots=True)
class Member:
    """A mentee in a circle: the engine's pair with the circle's mentor, and the topics she
    shares with the other members."""

    pair: Pair
    shared: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Circle:
    mentor_id: Id
    #: The language every member speaks.
    language: str
    members: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class CircleResult:
    #: Circles with at least one mentee, by mentor id.
    circles: tuple[Circle, ...]
    unmatched: tuple[Unmatched, ...]
    #: Solves made (the first, then one per change of languages).
    solves: int


def _with_languages(mentor: Mentor, capacity: int, language: str | None) -> Mentor:
    # A shallow copy with the fields changed: the profile is already normalised.
    profile = copy.copy(mentor)
    object.__setattr__(profile, "capacity", capacity)
    if language is not None:
        object.__setattr__(profile, "languages", (language,))
    return profile


def _choose(mentor: Mentor, members: list[Mentee], everyone: Counter) -> str | None:
    """The mentor's language most of ``members`` speak (then most of everyone, then code)."""
    if not mentor.languages:
        return None
    here = Counter(code for mentee in members for code in mentee.languages)
    return max(mentor.languages, key=lambda code: (here[code], everyone[code], [-ord(c) for c
                                                                               in code]))


def form_circles(
    mentors: Sequence[Mentor],
    mentees: Sequence[Mentee],
    rules: Rules | None = None,
    *,
    capacity: int = 6,
    forbidden: Iterable[tuple[Id, Id]] = (),
) -> CircleResult:
    """Group the mentees into one circle per mentor (see the module)."""
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not (
            1 <= capacity <= MAX_CAPACITY):
        raise ValueError(f"capacity must be a whole number from 1 to {MAX_CAPACITY}")
    forbidden = list(forbidden)
    by_id = {id_key(e.id): e for e in mentees}
    everyone = Counter(code for mentee in mentees for code in mentee.languages)
    languages: dict[str, str | None] | None = None
    solves = 0
    while True:
        profiles = [_with_languages(p, capacity, None if languages is None
                                    else languages[id_key(p.id)]) for p in mentors]
        result = solve(profiles, mentees, rules, forbidden=forbidden)
        solves += 1
        groups: dict[str, list[Pair]] = {id_key(p.id): [] for p in mentors}
        for pair in result.pairs:
            groups[id_key(pair.mentor_id)].append(pair)
        chosen = {id_key(p.id): _choose(p, [by_id[id_key(pair.mentee_id)]
                                            for pair in groups[id_key(p.id)]], everyone)
                  for p in mentors}
        if languages is not None and (chosen == languages or solves > LANGUAGE_ROUNDS):
            break
        languages = chosen
    circles = []
    for mentor in sorted(mentors, key=lambda p: id_key(p.id)):
        pairs = groups[id_key(mentor.id)]
        if not pairs:
            continue
        wanted = [set(by_id[id_key(pair.mentee_id)].topics) for pair in pairs]
        members = []
        for index, pair in enumerate(pairs):
            others = set().union(*(w for k, w in enumerate(wanted) if k != index))
            mentee = by_id[id_key(pair.mentee_id)]
            members.append(Member(pair, tuple(t for t in mentee.topics if t in others)))
        circles.append(Circle(mentor.id, languages[id_key(mentor.id)] or "", tuple(members)))
    return CircleResult(tuple(circles), result.unmatched, solves)
