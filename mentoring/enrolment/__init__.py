from flask import Blueprint

bp = Blueprint("enrolment", __name__)

from . import routes  # noqa: E402, F401
