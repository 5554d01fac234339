"""Prometheus metrics, when ``METRICS_ENABLED`` is set and prometheus-client is installed.

What is measured:

- ``mentoring_requests_total`` and ``mentoring_request_duration_seconds``: every request, by
  endpoint (the route's name, ``none`` for an address no route serves), method and status;
- ``mentoring_job_duration_seconds``: every background job, by kind and outcome (``done``,
  ``failed`` when its work was refused, ``error`` when it broke);
- ``mentoring_outbox_emails`` (by state: ``due``, ``failed``) and
  ``mentoring_outbox_oldest_due_seconds``: read from the database when scraped, as
  ``/healthz`` does, so every process agrees.

Several processes (gunicorn's workers, the Celery worker) each count their own: with
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode; an empty folder shared by
all of them, emptied before the service starts) ``/metrics`` adds up every process's files,
whichever worker answers. Without it, each process shows only its own counts.

``/metrics`` answers only when enabled, and only to a request made on the machine itself
(from 127.0.0.1 or ::1, not through the proxy) or carrying ``Authorization: Bearer
<METRICS_TOKEN>``.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from typing import Any

from flask import Flask, current_app, g, request

log = logging.getLogger("mentoring.metrics")

LOOPBACK = {"127.0.0.1", "::1"}


class Metrics:
    """The app's instruments, in a registry of its own (an app built twice in one process,
    as the tests do, does not collide with itself)."""

    def __init__(self, prometheus):
        self.prometheus = prometheus
        self.registry = prometheus.CollectorRegistry()
        labels = ["endpoint", "method", "status"]
        self.requests = prometheus.Counter(
            "mentoring_requests", "Requests served, by endpoint, method and status.", labels,
            registry=self.registry)
        self.request_seconds = prometheus.Histogram(
            "mentoring_request_duration_seconds", "Time to answer a request, in seconds.",
            labels, registry=self.registry)
        self.job_seconds = prometheus.Histogram(
            "mentoring_job_duration_seconds", "Time a background job ran, in seconds, by kind"
            " and outcome.", ["kind", "outcome"], registry=self.registry,
            buckets=(0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, float("inf")))
        self.registry.register(_OutboxCollector())

    def exposition(self) -> tuple[bytes, str]:
        """The text Prometheus scrapes: every process's counts in multiprocess mode."""
        registry = self.registry
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = self.prometheus.CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            registry.register(_OutboxCollector())
        return self.prometheus.generate_latest(registry), self.prometheus.CONTENT_TYPE_LATEST


class _OutboxCollector:
    """The outbox's depth, read from the database at each scrape."""

    def describe(self):
        return []  # nothing to read when registered, only when scraped

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        from ..services.health import outbox_depth

        depth = outbox_depth()
        emails = GaugeMetricFamily(
            "mentoring_outbox_emails", "Emails in the outbox: due and not sent, or given up.",
            labels=["state"])
        emails.add_metric(["due"], depth["due"])
        emails.add_metric(["failed"], depth["failed"])
        yield emails
        yield GaugeMetricFamily(
            "mentoring_outbox_oldest_due_seconds",
            "How long ago the oldest email due was queued (0 when none is due).",
            value=depth["oldest_due_seconds"])


def init_app(app: Flask) -> Metrics | None:
    """Measure requests (and, through :func:`job_finished`, jobs) when ``METRICS_ENABLED``;
    stored as ``app.extensions["metrics"]``."""
    if not app.config.get("METRICS_ENABLED"):
        return None
    try:
        import prometheus_client
    except ImportError:
        log.warning("METRICS_ENABLED is set but prometheus-client is not installed "
                    "(pip install '.[ops]'): no metrics")
        return None
    metrics = Metrics(prometheus_client)
    app.extensions["metrics"] = metrics

    @app.before_request
    def _start_clock():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            labels = (request.url_rule.endpoint if request.url_rule else "none",
                      request.method, str(response.status_code))
            metrics.requests.labels(*labels).inc()
            metrics.request_seconds.labels(*labels).observe(time.perf_counter() - started)
        return response

    return metrics


def job_finished(kind: str, outcome: str, seconds: float) -> None:
    """Count a job that ran (a no-op without metrics)."""
    metrics: Metrics | None = current_app.extensions.get("metrics")
    if metrics is not None:
        metrics.job_seconds.labels(kind, outcome).observe(seconds)


def may_read(config: Any) -> bool:
    """Whether the request may read ``/metrics``: made on this machine without a proxy, or
    with the bearer token."""
    if request.remote_addr in LOOPBACK and "X-Forwarded-For" not in request.headers:
        return True
    token = config.get("METRICS_TOKEN") or ""
    offered = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode())
