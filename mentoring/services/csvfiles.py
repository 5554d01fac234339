"""CSV helpers: forgiving headings on the way in, formula-safe cells on the way out."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

#: Cells starting with these are run as formulas by spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell's text, with a leading apostrophe where a spreadsheet would run it."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START):
        # Plain negative numbers are data, not formulas.
        if re.fullmatch(r"-\d+(\.\d+)?", text):
            return text
        return "'" + text
    return text


def write_csv(header: list[str], rows: Iterable[Iterable]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs show Arabic and Chinese names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def heading_key(heading: str) -> str:
    """"E-mail address " -> "emailaddress": case, spaces and punctuation do not matter."""
    return re.sub(r"[^0-9a-z]", "", heading.casefold())


def match_headings(headings: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Map each known field to the column index whose heading is one of its aliases."""
    keys = [heading_key(h) for h in headings]
    found: dict[str, int] = {}
    for field, names in aliases.items():
        wanted = {heading_key(name) for name in (field, *names)}
        for index, key in enumerate(keys):
            if key in wanted:
                found[field] = index
                break
    return found


def column_separator(text: str) -> str:
    """"," or ";": spreadsheets set to French, Spanish, Russian and many other languages save
    "CSV" with semicolons between columns. The heading row decides (lists inside a cell may use
    either separator, see ``split_list``)."""
    heading = text.split("\n", 1)[0]
    return ";" if heading.count(";") > heading.count(",") else ","


def split_list(value: str) -> list[str]:
    """"English; French, Spanish" -> the three items (";" or "," between them)."""
    return [item.strip() for item in re.split(r"[;,]", value) if item.strip()]
