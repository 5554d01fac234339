"""Outcomes: the ITU meetings a programme follows and the roles its participants held there."""

from flask import Blueprint

bp = Blueprint("outcomes", __name__)

from . import routes  # noqa: E402, F401
