"""Use cases: each module holds the rules of one, flushes, and leaves the commit to the route."""


class ServiceError(Exception):
    """A rule refused the action; the message is translated and safe to show the user."""

    def __init__(self, message: str, field: str | None = None,
                 errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        #: Every field's message when a rule checks several at once (the first is `field`).
        self.errors = errors or {field or "": message}
