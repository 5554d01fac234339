"""Mentors' consent before announcing: the mentor's answer page (signed in, or from the
emailed signed link) and the coordinators' setting."""

from flask import Blueprint

bp = Blueprint("consent", __name__)

from . import routes  # noqa: E402, F401
