"""Absolute links for emails, built from the configured ``BASE_URL``.

Never from the request: a request's Host header is chosen by whoever sends it, and a reset
link built from it would point at their site. The same function serves a web request, a
command and a background job, none of which needs a request context.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` on the site ``BASE_URL`` names."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
