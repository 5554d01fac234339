"""Reading cohorts from CSV and writing pairs and scores to CSV.

Headings are matched ignoring case, spaces and underscores; list cells split on ";". Every
problem raises InputError naming the file, line and column, before anything is written. The
optional `person` column names the human behind a row: a mentee and a mentor with the same
person are never paired.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from .profiles import GENDERS, REGION_PREFERENCES, Mentee, Mentor
from .result import Result
from .scoring import PART_CODES, ScoreModel
from .timezones import utc_offset_minutes

MENTOR_COLUMNS = ("id", "name", "region", "languages", "expertise", "years_experience",
                  "timezone", "capacity", "organisation", "gender", "person")
MENTEE_COLUMNS = ("id", "name", "region", "languages", "topics", "years_experience",
                  "timezone", "organisation", "region_preference", "preferred_mentors",
                  "wants_woman_mentor", "person", "gender")
# Keys as _key makes them (no spaces or underscores), so an alias names the column's key.
_ALIASES = {"organization": "organisation", "years": "yearsexperience",
            "timezones": "timezone", "tz": "timezone", "wishes": "preferredmentors"}
MAX_WISHES = 5
_TRUE = {"1", "yes", "y", "true", "t", "x"}
_FALSE = {"", "0", "no", "n", "false", "f"}


class InputError(ValueError):
    """Bad input: carries the file, line (1 = header) and column it is about."""

    def __init__(self, path: str, line: int | None, column: str | None, message: str) -> None:
        self.path, self.line, self.column, self.message = path, line, column, message
        where = path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {message}")


def _key(heading: str) -> str:
    k = re.sub(r"[\s_]+", "", heading.strip().lstrip("\ufeff")).casefold()
    return _ALIASES.get(k, k)


def _read_text(path: str | Path) -> str:
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(name, None, None, f"cannot read file: {exc.strerror or exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(name, line, None, "not valid UTF-8 text") from exc


def _rows(path: str | Path, columns: tuple[str, ...], required: tuple[str, ...]):
    name = str(path)
    reader = csv.reader(io.StringIO(_read_text(path), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(name, 1, None, f"unreadable CSV: {exc}") from exc
    if not header or not any(h.strip() for h in header):
        raise InputError(name, 1, None, "missing header row")
    index: dict[str, int] = {}
    wanted = {_key(c): c for c in columns}
    for pos, heading in enumerate(header):
        k = _key(heading)
        if k in wanted:
            if wanted[k] in index:
                raise InputError(name, 1, heading.strip(), "column appears twice")
            index[wanted[k]] = pos
    for col in required:
        if col not in index:
            raise InputError(name, 1, col, "required column is missing")
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise InputError(name, reader.line_num, None,
                                 f"{len(row)} fields but the header has {len(header)}")
            yield reader.line_num, {c: (row[p].strip() if p < len(row) else "")
                                    for c, p in index.items()}
    except csv.Error as exc:
        raise InputError(name, reader.line_num, None, f"unreadable CSV: {exc}") from exc


def _convert(name: str, line: int, column: str, fn: Callable[[str], Any], text: str) -> Any:
    try:
        return fn(text)
    except ValueError as exc:
        raise InputError(name, line, column, str(exc)) from exc


def _years(text: str) -> float | None:
    if not text:
        return None
    try:
        v = float(text)
    except ValueError:
        raise ValueError(f"not a number of years: {text!r}") from None
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"years must be 0 or more: {text!r}")
    return v


def _capacity(text: str) -> int:
    if not text:
        return 1
    if not re.fullmatch(r"\d+", text) or int(text) < 1:
        raise ValueError(f"capacity must be a positive whole number, not {text!r}")
    return int(text)


def _timezone(text: str) -> str:
    utc_offset_minutes(text)
    return text


def _bool(text: str) -> bool:
    t = text.casefold()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise ValueError(f"expected yes or no, not {text!r}")


def _preference(text: str) -> str:
    t = text.casefold()
    if t and t not in REGION_PREFERENCES:
        raise ValueError(f"must be same, other or none, not {text!r}")
    return t


def _gender(text: str) -> str:
    t = text.casefold()
    if t not in GENDERS:
        raise ValueError("must be woman, man, non_binary, undisclosed, self_described or empty,"
                         f" not {text!r}")
    return t


def _nonempty(text: str) -> str:
    if not text.strip(";").strip():
        raise ValueError("must not be empty")
    return text


def _check_id(name: str, line: int, value: str, seen: dict[str, int]) -> str:
    if not value:
        raise InputError(name, line, "id", "must not be empty")
    if value in seen:
        raise InputError(name, line, "id", f"duplicate id {value!r} (first on line {seen[value]})")
    seen[value] = line
    return value


def read_mentors(path: str | Path) -> list[Mentor]:
    """Mentors from a CSV file; raises InputError on any bad cell."""
    name, out, seen = str(path), [], {}
    for line, row in _rows(path, MENTOR_COLUMNS, ("id", "languages", "expertise")):
        def conv(col, fn, row=row, line=line):
            return _convert(name, line, col, fn, row.get(col, ""))
        out.append(Mentor(
            id=_check_id(name, line, row["id"], seen),
            name=row.get("name", ""),
            region=row.get("region", ""),
            languages=conv("languages", _nonempty),
            expertise=row["expertise"],
            years_experience=conv("years_experience", _years),
            timezone=conv("timezone", _timezone),
            capacity=conv("capacity", _capacity),
            organisation=row.get("organisation", ""),
            gender=conv("gender", _gender),
            person=row.get("person", ""),
        ))
    return out


def _wishes(text: str, mentor_ids: set[str] | None) -> str:
    wished = [w.strip() for w in text.split(";") if w.strip()]
    if len(wished) > MAX_WISHES:
        raise ValueError(f"at most {MAX_WISHES} wished mentors, not {len(wished)}")
    if len(set(wished)) < len(wished):
        raise ValueError("a mentor is wished twice")
    unknown = [w for w in wished if mentor_ids is not None and w not in mentor_ids]
    if unknown:
        raise ValueError(f"unknown mentor id(s): {', '.join(map(repr, unknown))}")
    return text


def read_mentees(path: str | Path, mentor_ids: set[str] | None = None) -> list[Mentee]:
    """Mentees from a CSV file; raises InputError on any bad cell. `preferred_mentors` (or
    `wishes`) ranks up to MAX_WISHES mentor ids, each of `mentor_ids` when given."""
    name, out, seen = str(path), [], {}
    for line, row in _rows(path, MENTEE_COLUMNS, ("id", "languages", "topics")):
        def conv(col, fn, row=row, line=line):
            return _convert(name, line, col, fn, row.get(col, ""))
        out.append(Mentee(
            id=_check_id(name, line, row["id"], seen),
            name=row.get("name", ""),
            region=row.get("region", ""),
            languages=conv("languages", _nonempty),
            topics=row["topics"],
            years_experience=conv("years_experience", _years),
            timezone=conv("timezone", _timezone),
            organisation=row.get("organisation", ""),
            region_preference=conv("region_preference", _preference),
            wants_woman_mentor=conv("wants_woman_mentor", _bool),
            preferred_mentors=conv("preferred_mentors",
                                   lambda t: _wishes(t, mentor_ids)),
            person=row.get("person", ""),
            gender=conv("gender", _gender),
        ))
    return out


def write_pairs(result: Result, stream: IO[str]) -> None:
    """One row per mentee (by id): pair, score, each part in thousandths, explanation or
    the reason it is unmatched."""
    w = csv.writer(stream, lineterminator="\n")
    w.writerow(["mentee_id", "mentor_id", "score", *PART_CODES, "explanation", "reason"])
    rows = [(str(p.mentee_id), p) for p in result.pairs]
    rows += [(str(u.mentee_id), u) for u in result.unmatched]
    for _, item in sorted(rows, key=lambda r: r[0]):
        if hasattr(item, "mentor_id"):
            values = {p["code"]: p["value"] for p in item.parts}
            w.writerow([item.mentee_id, item.mentor_id, item.score,
                        *[values.get(c, "") for c in PART_CODES], item.text, ""])
        else:
            w.writerow([item.mentee_id, "", "", *[""] * len(PART_CODES), "", item.text])


def write_scores(model: ScoreModel, stream: IO[str]) -> None:
    """Every mentee-mentor pair with the score the solver used and whether it is allowed."""
    stream.write("mentee_id,mentor_id,score,allowed\n")
    mentor_ids = [_cell(p.id) for p in model.mentors]
    step = model.block_rows()
    for start in range(0, model.n, step):
        stop = min(model.n, start + step)
        score, allowed = model.block(start, stop)
        for k in range(stop - start):
            mid = _cell(model.mentees[start + k].id)
            s = score[k].tolist()
            a = allowed[k].astype(np.int8).tolist()
            stream.write("".join(f"{mid},{mentor_ids[j]},{s[j]},{a[j]}\n" for j in range(model.m)))


def _cell(value: Any) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow([value])
    return buf.getvalue()
