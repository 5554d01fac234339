"""Matching and pairs: the engine\'s settings and runs, proposals, approvals, announcements."""

from flask import Blueprint

bp = Blueprint("pairing", __name__, url_prefix="/coordinate")

from . import quotas, routes  # noqa: E402, F401
