"""Circles: the coordinator's list, forming by hand, the engine's proposals and their
approval; a member's circle page with its meeting log."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..boundary import perform
from ..forms import ConfirmForm
from ..models import Role
from ..permissions import Scope, coordinator_required
from ..services import circle_scope
from ..services import circles as service
from ..services.meetings import today_for
from . import bp
from .forms import CircleForm, CircleMeetingForm, ProposeForm

# ---- coordinators -----------------------------------------------------------------------


@bp.route("/coordinate/<slug>/circles")
@coordinator_required
def circles(scope: Scope):
    return render_template("circles/list.html", scope=scope, programme=scope.programme,
                           circles=service.of_programme(scope),
                           without=circle_scope.without_circle(scope), form=ConfirmForm())


def _back_to_list(scope: Scope):
    return redirect(url_for("circles.circles", slug=scope.programme.slug))


@bp.route("/coordinate/<slug>/circles/new", methods=["GET", "POST"])
@coordinator_required
def new_circle(scope: Scope):
    form = CircleForm(service.candidates(scope, Role.MENTOR),
                      service.candidates(scope, Role.MENTEE))
    if form.validate_on_submit():
        done = perform(lambda: service.form(current_user, scope, form.data_for_service()),
                       form=form)
        if done:
            flash(_("The circle “%(name)s” is formed: its members see it on their programme "
                    "page.", name=done.value.name), "success")
            return redirect(url_for("circles.coordinator_circle", slug=scope.programme.slug,
                                    circle_id=done.value.id))
    return render_template("circles/form.html", scope=scope, programme=scope.programme,
                           form=form, circle=None)


@bp.route("/coordinate/<slug>/circles/<int:circle_id>")
@coordinator_required
def coordinator_circle(scope: Scope, circle_id: int):
    circle = service.circle_in_scope(scope, circle_id)
    return render_template("circles/detail.html", scope=scope, programme=scope.programme,
                           circle=circle, meetings=service.meetings_of(circle),
                           form=ConfirmForm())


@bp.route("/coordinate/<slug>/circles/<int:circle_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_circle(scope: Scope, circle_id: int):
    circle = service.circle_in_scope(scope, circle_id)
    form = CircleForm(service.candidates(scope, Role.MENTOR, circle),
                      service.candidates(scope, Role.MENTEE, circle))
    if not form.is_submitted():
        form.name.data, form.capacity.data = circle.name, circle.capacity
        form.mentors.data = [m.enrolment_id for m in circle.mentors]
        form.mentees.data = [m.enrolment_id for m in circle.mentees]
    if form.validate_on_submit() and perform(
            lambda: service.change(current_user, scope, circle, form.data_for_service()),
            form=form):
        flash(_("The circle is changed."), "success")
        return redirect(url_for("circles.coordinator_circle", slug=scope.programme.slug,
                                circle_id=circle.id))
    return render_template("circles/form.html", scope=scope, programme=scope.programme,
                           form=form, circle=circle)


@bp.route("/coordinate/<slug>/circles/<int:circle_id>/dissolve", methods=["GET", "POST"])
@coordinator_required
def dissolve_circle(scope: Scope, circle_id: int):
    circle = service.circle_in_scope(scope, circle_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = circle.name
        if perform(lambda: service.dissolve(current_user, scope, circle)):
            flash(_("The circle “%(name)s” is dissolved.", name=name), "success")
        return _back_to_list(scope)
    return render_template("circles/dissolve.html", scope=scope, programme=scope.programme,
                           circle=circle, form=form, meetings=len(service.meetings_of(circle)))


@bp.route("/coordinate/<slug>/circles/propose", methods=["GET", "POST"])
@coordinator_required
def propose(scope: Scope):
    service.check_can_propose(scope)
    form = ProposeForm(service.candidates(scope, Role.MENTOR))
    if form.validate_on_submit():
        done = perform(lambda: service.propose(current_user, scope, list(form.mentors.data),
                                               form.capacity.data), form=form)
        if done:
            flash(ngettext("%(num)d circle proposed with %(placed)d mentees; %(unplaced)d "
                           "mentees are in none. Check them, then approve.",
                           "%(num)d circles proposed with %(placed)d mentees; %(unplaced)d "
                           "mentees are in none. Check them, then approve.",
                           done.value.circles, placed=done.value.placed,
                           unplaced=done.value.unplaced), "success")
            return _back_to_list(scope)
    return render_template("circles/propose.html", scope=scope, programme=scope.programme,
                           form=form, proposed=service.proposed_count(scope))


@bp.route("/coordinate/<slug>/circles/<int:circle_id>/approve", methods=["POST"])
@coordinator_required
def approve_circle(scope: Scope, circle_id: int):
    service.check_can_propose(scope)
    circle = service.circle_in_scope(scope, circle_id)
    if ConfirmForm().validate_on_submit() and perform(
            lambda: service.approve(current_user, scope, [circle])):
        flash(_("The circle “%(name)s” is formed: its members see it on their programme "
                "page.", name=circle.name), "success")
    return _back_to_list(scope)


@bp.route("/coordinate/<slug>/circles/approve", methods=["POST"])
@coordinator_required
def approve_all(scope: Scope):
    service.check_can_propose(scope)
    if ConfirmForm().validate_on_submit():
        done = perform(lambda: service.approve(current_user, scope, service.proposals(scope)))
        if done:
            flash(ngettext("%(num)d circle formed.", "%(num)d circles formed.", done.value),
                  "success")
    return _back_to_list(scope)


# ---- members ------------------------------------------------------------------------------

@bp.route("/circles/<int:circle_id>")
@login_required
def circle(circle_id: int):
    item = service.circle_for(current_user, circle_id)
    return render_template("circles/circle.html", circle=item, programme=item.programme,
                           meetings=service.meetings_of(item))


@bp.route("/circles/<int:circle_id>/sessions/new", methods=["GET", "POST"])
@login_required
def log_meeting(circle_id: int):
    item = service.circle_for(current_user, circle_id)
    form = CircleMeetingForm()
    if not form.is_submitted():
        form.held_on.data = today_for(current_user)
        form.duration_minutes.data = 60
    if form.validate_on_submit() and perform(lambda: service.log_meeting(
            current_user, item, form.held_on.data, form.duration_minutes.data,
            form.notes.data or ""), form=form):
        flash(_("Session saved: the circle's members see it."), "success")
        return redirect(url_for("circles.circle", circle_id=item.id))
    return render_template("circles/meeting_form.html", circle=item, form=form)


@bp.route("/circles/sessions/<int:meeting_id>/delete", methods=["GET", "POST"])
@login_required
def delete_meeting(meeting_id: int):
    meeting = service.authored_meeting(current_user, meeting_id)
    circle_id = meeting.circle_id
    form = ConfirmForm()
    if form.validate_on_submit():
        if perform(lambda: service.delete_meeting(current_user, meeting)):
            flash(_("Session deleted."), "success")
        return redirect(url_for("circles.circle", circle_id=circle_id))
    return render_template("circles/delete_meeting.html", meeting=meeting, form=form)
