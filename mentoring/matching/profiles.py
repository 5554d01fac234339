"""Participant profiles: plain, immutable dataclasses with no behaviour beyond normalisation."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

Id = Hashable

REGION_PREFERENCES = ("same", "other", "none")

#: A mentor's `gender` is the application's structured answer: "woman", "man", "non_binary",
#: "undisclosed", "self_described" or "" (not given). Only "woman" meets a mentee's wish for a
#: woman mentor; the web application maps people's own words to these answers before matching.
GENDERS = ("woman", "man", "non_binary", "undisclosed", "self_described", "")


def is_woman(gender: str | None) -> bool:
    """Return True when a gender answer is "woman" (case and surrounding spaces ignored)."""
    return (gender or "").strip().casefold() == "woman"


def id_key(value: Id) -> str:
    """Return the sort key used for ids everywhere, so int and str ids order consistently."""
    return str(value)


def _strings(values: Iterable[str] | str | None) -> tuple[str, ...]:
    # Accept a single ";"-separated string too: it is what forms and CSV cells hold.
    if values is None:
        return ()
    if isinstance(values, str):
        values = values.split(";")
    out: list[str] = []
    for v in values:
        s = str(v).strip()
        if s and s not in out:
            out.append(s)
    return tuple(out)


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _person(value: Id | None) -> Id | None:
    # A blank key (an empty CSV cell) names nobody.
    if isinstance(value, str):
        value = value.strip()
    return None if value is None or value == "" else value


@dataclass(frozen=True)
class Mentor:
    """A mentor. `languages` lists the first language first; `capacity` is how many mentees.

    `person` names the human behind the profile (compared as str): someone who is both a
    mentor and a mentee has one key in both lists and is never paired with herself.
    """

    id: Id
    languages: tuple[str, ...] = ()
    expertise: tuple[str, ...] = ()
    region: str = ""
    years_experience: float | None = None
    timezone: str = ""
    capacity: int = 1
    organisation: str = ""
    gender: str = ""
    name: str = ""
    person: Id | None = None

    def __post_init__(self) -> None:
        _set(self, "person", _person(self.person))
        _set(self, "languages", _strings(self.languages))
        _set(self, "expertise", _strings(self.expertise))
        _set(self, "region", (self.region or "").strip())
        _set(self, "organisation", (self.organisation or "").strip())
        _set(self, "timezone", (self.timezone or "").strip())
        if isinstance(self.capacity, bool) or not isinstance(self.capacity, int):
            raise ValueError(f"mentor {self.id!r}: capacity must be a whole number")
        if self.capacity < 0:
            raise ValueError(f"mentor {self.id!r}: capacity must not be negative")

    @property
    def is_woman(self) -> bool:
        """Whether this mentor's gender answer is "woman"."""
        return is_woman(self.gender)


@dataclass(frozen=True)
class Mentee:
    """A mentee. `topics` are ranked (first = most wanted); `preferred_mentors` are ranked ids.

    `region_preference` is "same", "other", "none", or "" to use the programme's default;
    `person` is as for `Mentor`.
    """

    id: Id
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    region: str = ""
    years_experience: float | None = None
    timezone: str = ""
    organisation: str = ""
    region_preference: str = ""
    wants_woman_mentor: bool = False
    preferred_mentors: tuple[Id, ...] = field(default_factory=tuple)
    name: str = ""
    person: Id | None = None
    #: As a mentor's; only quotas read it (a rule on mentees' gender).
    gender: str = ""

    def __post_init__(self) -> None:
        _set(self, "person", _person(self.person))
        _set(self, "languages", _strings(self.languages))
        _set(self, "topics", _strings(self.topics))
        _set(self, "region", (self.region or "").strip())
        _set(self, "organisation", (self.organisation or "").strip())
        _set(self, "timezone", (self.timezone or "").strip())
        pref = (self.region_preference or "").strip().casefold()
        if pref and pref not in REGION_PREFERENCES:
            raise ValueError(
                f"mentee {self.id!r}: region preference must be same, other or none, not {pref!r}"
            )
        _set(self, "region_preference", pref)
        wishes = self.preferred_mentors
        if isinstance(wishes, str):
            wishes = _strings(wishes)
        seen: list[Id] = []
        for w in wishes or ():
            if id_key(w) not in {id_key(s) for s in seen}:
                seen.append(w)
        _set(self, "preferred_mentors", tuple(seen))
