"""Rematch the waiting: the mentees waiting for a mentor, and matching them on the free places."""

from flask import Blueprint

bp = Blueprint("rematch", __name__, url_prefix="/coordinate")

from . import routes  # noqa: E402, F401
