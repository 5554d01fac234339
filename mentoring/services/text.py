"""Rules every free text typed by a person obeys, wherever it comes from (form, import)."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import ngettext

# Control characters (NUL and the like) are invisible, break exports and PostgreSQL refuses
# NUL; tabs and line breaks are allowed where the text may have several lines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f]")


def text_problem(value: str, limit: int, *, multiline: bool = False) -> str | None:
    """Why a text cannot be kept (translated), or None: control characters, or over `limit`."""
    if (_CONTROL if multiline else _CONTROL_OR_BREAK).search(value):
        return _("Remove the control characters (invisible characters such as NUL) from this "
                 "text.")
    if len(value.strip()) > limit:
        return ngettext("Write at most %(num)d character.", "Write at most %(num)d characters.",
                        limit)
    return None
