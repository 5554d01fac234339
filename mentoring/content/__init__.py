"""The programme's content in other languages (name, description, regions, topics, surveys)."""

from flask import Blueprint

bp = Blueprint("content", __name__, url_prefix="/coordinate")

from . import routes  # noqa: E402, F401
