"""Use cases: each module holds the rules of one, flushes, and leaves the commit to its caller.

A service never touches the request: a web route, a command and a background job call it the
same way. It says "no" with one of the exceptions below; the request boundary
(``mentoring.boundary``) maps them to a 404, a 403, or the form re-rendered with the message.
Python's own ``LookupError``/``PermissionError`` are never used for that, so that a bug (a
``KeyError``) is logged as an error instead of passing for a missing page.
"""


class NotFound(Exception):
    """What was asked for does not exist (or is not in the programme asked about)."""


class Forbidden(Exception):
    """The person may not see or change this."""


class Refused(Exception):
    """A rule refused the action; the message is translated and safe to show the user."""

    #: How the message is shown when it belongs to no field: "error", or "warning" for a
    #: question the person can answer by sending again.
    category = "error"

    def __init__(self, message: str, field: str | None = None,
                 errors: dict[str, str] | None = None, record=None):
        super().__init__(message)
        self.message = message
        self.field = field
        #: Every field's message when a rule checks several at once (the first is `field`).
        self.errors = errors or {field or "": message}
        #: What stands although the action is refused (a failed password attempt counted):
        #: a function the boundary calls after its rollback, then commits.
        self.record = record


def found(model, row_id):
    """The row of ``model`` with this id; NotFound when there is none."""
    from ..extensions import db

    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"{model.__name__} {row_id}")
    return row

