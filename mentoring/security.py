"""Security headers on every response, and the safe-redirect helper."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError

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
