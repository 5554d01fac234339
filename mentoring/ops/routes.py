"""``GET /healthz``: 200 when every part the service needs answers, else 503 naming it; the
queue's depth rides along for alerts (it never makes the answer 503 by itself)."""

from __future__ import annotations

from ..extensions import limiter
from ..services import health
from . import bp


@bp.route("/healthz")
@limiter.exempt
def healthz():
    checks = health.check()
    return checks, 200 if health.healthy(checks) else 503, {"Cache-Control": "no-store"}
