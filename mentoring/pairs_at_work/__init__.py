"""Pairs at work, as coordinators see them: sessions, silent pairs, disputes, ending a pair.

A pair's own pages (logging and confirming sessions) are in ``meetings/``."""

from flask import Blueprint

bp = Blueprint("pairs_at_work", __name__, url_prefix="/coordinate")

from . import routes  # noqa: E402, F401
