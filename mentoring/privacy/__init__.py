"""Personal data: the privacy notice, a person's export of her data, and erasing an account."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from . import routes  # noqa: E402, F401
