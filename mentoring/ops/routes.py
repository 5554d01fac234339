"""``GET /healthz``: 200 when every part the service needs answers, else 503 naming it."""

from __future__ import annotations

from ..extensions import limiter
from ..services import health
from . import bp


@bp.route("/healthz")
@limiter.exempt
def healthz():
    checks = health.check()
    healthy = all(value == "ok" for value in checks.values())
    return checks, 200 if healthy else 503, {"Cache-Control": "no-store"}
