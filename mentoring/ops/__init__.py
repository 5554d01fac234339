"""What operators and their monitors ask the service: is it healthy (``/healthz``), and, when
enabled, its metrics (``/metrics``, :mod:`.metrics`) and error reports (:mod:`.reporting`)."""

from flask import Blueprint, Flask

bp = Blueprint("ops", __name__)


def init_app(app: Flask) -> None:
    """Error reporting and metrics, each only when configured (and its library installed)."""
    from . import metrics, reporting

    reporting.init_app(app)
    metrics.init_app(app)


from . import routes  # noqa: E402, F401
