"""``GET /healthz``: 200 when every part the service needs answers, else 503 naming it; the
queue's depth rides along for alerts (it never makes the answer 503 by itself).
``GET /metrics``: Prometheus metrics, when enabled, for this machine or the bearer token."""

from __future__ import annotations

from flask import abort, current_app

from ..extensions import limiter
from ..services import health
from . import bp, metrics


@bp.route("/healthz")
@limiter.exempt
def healthz():
    checks = health.check()
    return checks, 200 if health.healthy(checks) else 503, {"Cache-Control": "no-store"}


@bp.route("/metrics")
@limiter.exempt
def prometheus_metrics():
    enabled = current_app.extensions.get("metrics")
    if enabled is None:
        abort(404)
    if not metrics.may_read(current_app.config):
        return ({"error": "unauthorized"}, 401,
                {"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"})
    body, content_type = enabled.exposition()
    return body, 200, {"Content-Type": content_type, "Cache-Control": "no-store"}
