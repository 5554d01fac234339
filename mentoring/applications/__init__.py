"""Applications, as coordinators review them: list, filters, decisions, export, import."""

from flask import Blueprint

bp = Blueprint("applications", __name__, url_prefix="/coordinate")

from . import routes  # noqa: E402, F401
