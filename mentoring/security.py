"""Security headers on every response, the safe-redirect helper, and the numbers a request may
name (ids in addresses, page and filter numbers in query arguments)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import SecurityError
from werkzeug.routing import IntegerConverter

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: The largest number an id column holds (PostgreSQL's integer). A larger number names nothing
#: here, and the databases would fail on it rather than find nothing.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a whole number up to :data:`MAX_ID`; a larger one does not
    match, so the address is a 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def whole_number(text: str | None, *, clamp: bool = False) -> int | None:
    """A query argument's positive whole number (ASCII digits), else None: the caller treats it
    as absent. A number larger than :data:`MAX_ID` is None too, or :data:`MAX_ID` with
    ``clamp`` (a page number past any end)."""
    text = (text or "").strip().lstrip("0")
    if not (text.isascii() and text.isdigit()):
        return None
    if len(text) > len(str(MAX_ID)) or int(text) > MAX_ID:
        return MAX_ID if clamp else None
    return int(text)


def bound_numbers(app: Flask) -> None:
    """Before any route is added: ``<int:...>`` stops at :data:`MAX_ID`."""
    app.url_map.converters["int"] = IdConverter


def register(app: Flask) -> None:
    @app.errorhandler(SecurityError)
    def _untrusted_host(error):
        # A Host header outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return Response(_("Bad request"), status=400, mimetype="text/plain")

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint != "static" and (
            current_user.is_authenticated
            or response.headers.get("Content-Disposition", "").startswith("attachment")
        ):
            # Personal data: no copy in a shared proxy or in the browser's history cache.
            response.headers["Cache-Control"] = "no-store"
        return response


def safe_next(target: str | None, default_endpoint: str = "enrolment.my_programmes") -> str:
    """``target`` when it is a path on this site, else the default page.

    Refuses absolute URLs, scheme-relative ``//host`` and backslash tricks browsers normalise.
    """
    if target:
        target = target.strip()
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for(default_endpoint)
