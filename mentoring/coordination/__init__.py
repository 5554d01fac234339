"""The coordinator's home and audit log; each coordinator feature has its own folder
(applications, pairing, pairs_at_work, surveys, dashboard, content) under the same
``/coordinate/<slug>/`` addresses, and shares the navigation in
``templates/coordination/_nav.html``."""

from flask import Blueprint

bp = Blueprint("coordination", __name__, url_prefix="/coordinate")

from . import routes  # noqa: E402, F401
