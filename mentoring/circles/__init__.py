"""Mentoring circles: coordinators form them (by hand, or the engine's proposals approved);
members see their circle and log its meetings."""

from flask import Blueprint

bp = Blueprint("circles", __name__)

from . import routes  # noqa: E402, F401
