"""What a match returns: pairs, unmatched mentees and a summary, as plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .profiles import Id


@dataclass(frozen=True, slots=True)
class Pair:
    """A mentee paired with a mentor: score 0-1000, explanation parts, and any broken hard rules
    (only a locked pair may break one)."""

    mentee_id: Id
    mentor_id: Id
    score: int
    parts: tuple[dict[str, Any], ...]
    locked: bool = False
    broken: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The parts in English, e.g. "shares 3 of 4 wanted topics: ...; same region (CITEL)"."""
        from .explain import render

        return render(self.parts)


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A mentee left without a mentor, with a reason code, its parameters and English text."""

    mentee_id: Id
    reason: str
    params: dict[str, Any]
    text: str


@dataclass(frozen=True, slots=True)
class Blocking:
    """A blocking pair: a mentee and a mentor, allowed together and not paired, who would
    both rather be together (see `stability`); `score` is the pair's score."""

    mentee_id: Id
    mentor_id: Id
    score: int


@dataclass(frozen=True, slots=True)
class Price:
    """The same run without quotas: how many matched, its total and its lowest score."""

    matched: int
    total: int
    lowest: int | None


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts and score statistics of a match (lowest and mean are None when nothing matched)."""

    matched: int
    unmatched: int
    total: int
    lowest: int | None
    mean: float | None
    blocking: int = 0
    #: The rank profile: pairs at each mentee's 1st, 2nd, ... wish (up to the last rank
    #: anyone wished), and how many mentees who made wishes got none of them.
    wishes: tuple[int, ...] = ()
    wishes_none: int = 0


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of `solve`: pairs and unmatched mentees, both ordered by mentee id."""

    pairs: tuple[Pair, ...]
    unmatched: tuple[Unmatched, ...]
    summary: Summary
    fair: bool = False
    threshold: int | None = None
    method: str = "dense"
    rounds: int = 0
    model: Any = field(default=None, repr=False, compare=False)
    #: With quotas: each rule's outcome (`quotas.QuotaOutcome`), and the run without them.
    quotas: tuple[Any, ...] = ()
    without_quotas: Price | None = None
    #: The blocking pairs, by mentee id then mentor id (none for a stable matching).
    blocking: tuple[Blocking, ...] = ()
    #: Seconds spent: "compile" (profiles to feature matrices), "score" (scoring every pair,
    #: with the sparse solver's choice of candidates), "solve" (exact assignment and its
    #: certificate), "explain" (per-pair parts and unmatched reasons), "audit" (the
    #: blocking pairs).
    timings: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    def mentor_of(self, mentee_id: Id) -> Id | None:
        """The mentor id paired with `mentee_id`, or None."""
        from .profiles import id_key

        key = id_key(mentee_id)
        for p in self.pairs:
            if id_key(p.mentee_id) == key:
                return p.mentor_id
        return None
