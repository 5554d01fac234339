"""The request boundary: one unit of work per action, committed once or rolled back.

A route parses its form, checks permission, and hands the service call to :func:`perform`,
which commits when the service returns and rolls back when it refuses, putting the refusal
next to the form field it concerns (or in a flash message). ``NotFound`` and ``Forbidden``
from a service are not caught here: the error handlers registered in ``mentoring.errors``
turn them into the 404 and 403 pages, after a rollback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, flash

from .extensions import db
from .services import Refused


@dataclass(frozen=True)
class Outcome:
    """What :func:`perform` did: ``ok`` (true in a condition) and the service's return value,
    or the refusal."""

    ok: bool
    value: Any = None
    refusal: Refused | None = None

    def __bool__(self) -> bool:
        return self.ok


def perform(action: Callable[[], Any], *, form=None, aliases: dict[str, str] | None = None
            ) -> Outcome:
    """Run ``action`` (a service call) and commit; on a refusal roll back and show it (and
    commit what the refusal records, such as a failed password attempt).

    With ``form`` the message goes next to the field the service named (``aliases`` maps the
    service's field names to the form's), else into a flash message.
    """
    try:
        value = action()
    except Refused as refusal:
        db.session.rollback()
        if refusal.record is not None:
            refusal.record()
            db.session.commit()
        show_refusal(refusal, form, aliases)
        return Outcome(False, refusal=refusal)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return Outcome(True, value)


def show_refusal(refusal: Refused, form=None, aliases: dict[str, str] | None = None) -> None:
    """Put each of the refusal's messages on the form field it names, else flash it."""
    for name, message in refusal.errors.items():
        name = (aliases or {}).get(name, name)
        field = getattr(form, name, None) if form is not None and name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            flash(message, refusal.category)


def csv_response(data: bytes, filename: str) -> Response:
    """A CSV file the browser downloads (the rows come from ``services.exports``)."""
    return Response(data, mimetype="text/csv",  # Flask adds "; charset=utf-8" to a text type
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
