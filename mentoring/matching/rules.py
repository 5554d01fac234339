"""A programme's matching rules: score weights and hard rules, JSON-friendly both ways."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

WEIGHT_NAMES = ("topics", "region", "language", "timezone", "experience", "wishes")
MAX_WEIGHT = 100


@dataclass(frozen=True)
class Rules:
    """Weights (whole numbers 0-100, relative to each other) and hard rules of a programme.

    Defaults: topics 40, language 15, wishes 15, region 10, timezone 10, experience 10;
    no default region preference; a mentor should be 3 years ahead for a full experience part;
    no minimum experience gap; same-organisation pairs forbidden; a mentee who asks for a
    woman mentor only gets one.
    """

    topics: int = 40
    region: int = 10
    language: int = 15
    timezone: int = 10
    experience: int = 10
    wishes: int = 15
    default_region_preference: str = "none"
    experience_ahead: float = 3.0
    min_experience_gap: float | None = None
    forbid_same_organisation: bool = True
    require_woman_mentor_when_asked: bool = True

    def __post_init__(self) -> None:
        for name in WEIGHT_NAMES:
            w = getattr(self, name)
            if isinstance(w, bool) or not isinstance(w, int) or not 0 <= w <= MAX_WEIGHT:
                raise ValueError(f"weight {name!r} must be a whole number from 0 to {MAX_WEIGHT}")
        if self.total_weight == 0:
            raise ValueError("at least one weight must be above 0")
        if self.default_region_preference not in ("same", "other", "none"):
            raise ValueError("default_region_preference must be same, other or none")
        if not _number(self.experience_ahead) or self.experience_ahead < 0:
            raise ValueError("experience_ahead must be a number of years, 0 or more")
        if self.min_experience_gap is not None and not _number(self.min_experience_gap):
            raise ValueError("min_experience_gap must be a number of years or null")
        for name in ("forbid_same_organisation", "require_woman_mentor_when_asked"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false")

    @property
    def weights(self) -> dict[str, int]:
        """The six weights by part code."""
        return {name: getattr(self, name) for name in WEIGHT_NAMES}

    @property
    def total_weight(self) -> int:
        """Sum of the weights (the denominator of every score)."""
        return sum(getattr(self, name) for name in WEIGHT_NAMES)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict that `from_dict` turns back into equal rules."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rules:
        """Build rules from a dict (e.g. a JSON weights file); missing keys keep their defaults.

        Weights may also sit under a nested "weights" key. Unknown keys or bad values raise
        ValueError with a message naming the key.
        """
        if not isinstance(data, dict):
            raise ValueError("rules must be a JSON object")
        flat = dict(data)
        nested = flat.pop("weights", None)
        if nested is not None:
            if not isinstance(nested, dict):
                raise ValueError("'weights' must be an object")
            flat.update(nested)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(flat) - known)
        if unknown:
            raise ValueError(f"unknown rule(s): {', '.join(unknown)}")
        return cls(**flat)


def _number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)
