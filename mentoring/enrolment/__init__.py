from flask import Blueprint

bp = Blueprint("enrolment", __name__)

from . import routes, wishes  # noqa: E402, F401
