from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..boundary import perform
from ..extensions import limiter
from ..models._types import utcnow
from ..services import personal_data
from . import bp
from .forms import EraseAccountForm


@bp.route("/privacy")
def notice():
    return render_template("privacy/notice.html",
                           days=format_decimal(current_app.config["RETENTION_DAYS"]))


@bp.route("/account/personal-data")
@login_required
def export():
    """A zip of everything the site holds about the signed-in person."""
    filename = personal_data.export_filename(utcnow().date())
    return Response(personal_data.export(current_user), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@bp.route("/account/erase", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def erase():
    form = EraseAccountForm()
    if form.validate_on_submit() and perform(
            lambda: personal_data.erase_own_account(current_user, form.password.data), form=form):
        logout_user()
        flash(_("Your account and your personal data are erased. Thank you for taking part."),
              "success")
        return redirect(url_for("programmes.index"))
    return render_template("privacy/erase.html", form=form)
