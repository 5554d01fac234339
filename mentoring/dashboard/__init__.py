"""The programme dashboard, its CSV exports and the printable report."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/coordinate")

from . import charts, routes  # noqa: E402, F401
