"""The waiting mentees' page and its "Rematch the waiting" button."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..boundary import perform
from ..forms import ConfirmForm
from ..pagination import paginate_list
from ..permissions import Scope, coordinator_required
from ..services import rematch as service
from . import bp


@bp.route("/<slug>/waiting")
@coordinator_required
def waiting(scope: Scope):
    found = service.waiting(scope)
    return render_template("rematch/waiting.html", scope=scope, programme=scope.programme,
                           page=paginate_list(found), total=len(found),
                           oldest=found[0].since if found else None,
                           refusal=service.not_now(scope, len(found)))


@bp.route("/<slug>/waiting/rematch", methods=["POST"])
@coordinator_required
def rematch(scope: Scope):
    form = ConfirmForm()
    if form.validate_on_submit():
        done = perform(lambda: service.run(current_user, scope))
        if done:
            summary = done.value.summary
            flash(_("Rematch: %(matched)d of %(waiting)d waiting mentees have a proposal. "
                    "Approve them, then announce.", matched=summary["matched"],
                    waiting=summary["waiting"]), "success")
            return redirect(url_for("pairing.pairs", slug=scope.programme.slug))
    return redirect(url_for("rematch.waiting", slug=scope.programme.slug))
