"""The coordinator's home (the programmes she coordinates) and a programme's audit log."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import login_required

from ..pagination import paginate
from ..permissions import Scope, coordinated_programmes, coordinator_required
from ..services import Forbidden, pair_views
from . import bp


@bp.route("/")
@login_required
def index():
    programmes = coordinated_programmes()
    if not programmes:
        raise Forbidden("coordinates no programme")
    if len(programmes) == 1:
        return redirect(url_for("applications.applications", slug=programmes[0].slug))
    return render_template("coordination/index.html", programmes=programmes)


@bp.route("/<slug>/audit")
@coordinator_required
def audit_log(scope: Scope):
    action = request.args.get("action", "")[:40]
    page = paginate(pair_views.audit_query(scope, action), per_page=50)
    return render_template("coordination/audit.html", scope=scope, programme=scope.programme,
                           page=page, action=action)
