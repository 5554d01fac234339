"""Time zones to UTC offsets in minutes, reproducibly (a fixed reference instant, not "now")."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Offsets depend on daylight saving; a fixed instant keeps every run's scores identical.
# Mid-January is outside northern DST and inside southern DST; it is simply a stable choice.
REFERENCE_INSTANT = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+\-\u2212])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def utc_offset_minutes(value: str | None, at: datetime = REFERENCE_INSTANT) -> int | None:
    """Return the UTC offset in minutes of an IANA name ("Africa/Nairobi") or "+05:30"/"UTC+5".

    Empty input gives None (unknown). Anything unrecognised raises ValueError.
    """
    text = (value or "").strip()
    if not text:
        return None
    return _parse(text, at)


@lru_cache(maxsize=4096)
def _parse(text: str, at: datetime) -> int:
    if text.upper() in {"UTC", "GMT", "Z"}:
        return 0
    m = _OFFSET.match(text)
    if m:
        sign = -1 if m.group(1) in "-\u2212" else 1
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes >= 60 or hours * 60 + minutes > 14 * 60:
            raise ValueError(f"UTC offset out of range: {text!r}")
        return sign * (hours * 60 + minutes)
    try:
        zone = ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError) as exc:
        raise ValueError(f"unknown time zone: {text!r}") from exc
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None  # noqa: S101 - ZoneInfo always yields an offset
    return int(offset.total_seconds() // 60)
