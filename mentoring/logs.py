"""Logging, configured once at start: plain lines, or JSON lines with ``LOG_FORMAT=json``.

Every request is logged with its id (the ``X-Request-ID`` the proxy sent, else a new one, and
returned in the response), method, path, status and duration; email and job failures are
logged with their reason by the code that meets them.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid

from flask import Flask, g, request

log = logging.getLogger("mentoring.requests")

#: Fields a request's log line carries, besides the message.
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        entry.update({key: getattr(record, key) for key in REQUEST_FIELDS
                      if hasattr(record, key)})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(app: Flask) -> None:
    """Send the app's log lines (logger ``mentoring`` and below) to standard error."""
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("mentoring")
    logger.handlers[:] = [handler]
    logger.setLevel(app.config["LOG_LEVEL"])

    @app.before_request
    def _start():
        supplied = request.headers.get("X-Request-ID", "")
        g.request_id = supplied[:64] if supplied.isprintable() and supplied else \
            uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        started = g.pop("request_started", None)
        if started is not None:
            duration = round((time.perf_counter() - started) * 1000, 1)
            response.headers.setdefault("X-Request-ID", g.request_id)
            log.info("%s %s %s %.1f ms", request.method, request.path, response.status_code,
                     duration, extra={"request_id": g.request_id, "method": request.method,
                                      "path": request.path, "status": response.status_code,
                                      "duration_ms": duration})
        return response
