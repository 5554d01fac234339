"""What operators and their monitors ask the service: is it healthy?"""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from . import routes  # noqa: E402, F401
