"""Mid- and end-of-programme surveys: coordinators set and send them, participants answer."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from . import routes  # noqa: E402, F401
