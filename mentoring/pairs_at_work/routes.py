"""Pairs at work for coordinators: who meets, who went silent, disputes; ending a pair."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..boundary import perform
from ..forms import ActionForm
from ..models._types import utcnow
from ..permissions import Scope, coordinator_required
from ..services import activity as activity_service
from ..services import meetings
from ..services import pairings as pairing_service
from . import bp
from .forms import EndPairForm


@bp.route("/<slug>/activity")
@coordinator_required
def activity(scope: Scope):
    only = request.args.get("only", "")
    rows = activity_service.activity(scope, utcnow().date(), only=only)
    return render_template("pairs_at_work/activity.html", scope=scope, programme=scope.programme,
                           rows=rows, only=only, disputes=activity_service.disputes(scope),
                           end_form=EndPairForm())


@bp.route("/<slug>/pairs/<int:pairing_id>/end", methods=["POST"])
@coordinator_required
def end_pair(scope: Scope, pairing_id: int):
    form = EndPairForm()
    if form.validate_on_submit() and perform(lambda: meetings.end_early(
            current_user, pairing_service.pairing_in_scope(scope, pairing_id, for_update=True),
            form.reason.data or "", rematch=form.rematch.data)):
        flash(_("The pair is ended."), "success")
    return redirect(url_for("pairs_at_work.activity", slug=scope.programme.slug))


@bp.route("/<slug>/pairs/<int:pairing_id>/sessions")
@coordinator_required
def sessions(scope: Scope, pairing_id: int):
    """A pair's sessions as coordinators see them (no notes), each with a way to withdraw it."""
    pairing = pairing_service.pairing_in_scope(scope, pairing_id)
    return render_template("pairs_at_work/sessions.html", scope=scope, programme=scope.programme,
                           pairing=pairing, meetings=meetings.meetings_of(pairing),
                           withdraw_form=ActionForm())


@bp.route("/<slug>/sessions/<int:meeting_id>/withdraw", methods=["POST"])
@coordinator_required
def withdraw_session(scope: Scope, meeting_id: int):
    meeting = meetings.meeting_in_scope(scope, meeting_id)
    pairing_id = meeting.pairing_id
    form = ActionForm()
    if form.validate_on_submit() and perform(lambda: meetings.withdraw(
            current_user, scope, meeting, form.reason.data or ""), form=form):
        flash(_("The session is withdrawn."), "success")
    return redirect(url_for("pairs_at_work.sessions", slug=scope.programme.slug,
                            pairing_id=pairing_id))
