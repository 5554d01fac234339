from flask import Blueprint

bp = Blueprint("coordination", __name__, url_prefix="/coordinate")

from . import content, dashboard, pairs, routes  # noqa: E402, F401
