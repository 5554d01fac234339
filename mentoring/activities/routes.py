"""Activities: the coordinator's list, plan, change and cancel; a participant's page with
registration and calendar files."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..boundary import perform
from ..forms import ConfirmForm
from ..models import RegistrationStatus
from ..permissions import Scope, coordinator_required
from ..services import Refused, surveys
from ..services import activities as service
from ..services.imports import ImportFailed
from . import bp
from .forms import ActivityForm, AttendanceFileForm, AttendanceForm, FeedbackForm


def _calendar(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="text/calendar",  # Flask adds "; charset=utf-8"
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ---- coordinators -------------------------------------------------------------------------

@bp.route("/coordinate/<slug>/activities")
@coordinator_required
def activities(scope: Scope):
    return render_template("activities/list.html", scope=scope, programme=scope.programme,
                           upcoming=service.of_programme(scope),
                           past=service.of_programme(scope, past=True))


def _plan_page(scope: Scope, form: ActivityForm, activity=None):
    return render_template("activities/plan.html", scope=scope, programme=scope.programme,
                           form=form, activity=activity)


@bp.route("/coordinate/<slug>/activities/new", methods=["GET", "POST"])
@coordinator_required
def new_activity(scope: Scope):
    form = ActivityForm(scope.programme, scope.is_regional)
    if not form.is_submitted():
        form.timezone.data = current_user.timezone or "UTC"
    if form.validate_on_submit():
        done = perform(lambda: service.create(current_user, scope, form.plan()), form=form)
        if done:
            flash(_("The activity is planned: participants see it on their programme page."),
                  "success")
            return redirect(url_for("activities.coordinator_activity", slug=scope.programme.slug,
                                    activity_id=done.value.id))
    return _plan_page(scope, form)


@bp.route("/coordinate/<slug>/activities/<int:activity_id>")
@coordinator_required
def coordinator_activity(scope: Scope, activity_id: int):
    activity = service.activity_in_scope(scope, activity_id)
    return _detail(scope, activity)


def _detail(scope: Scope, activity, attendance: AttendanceForm | None = None):
    people = service.registrations(scope, activity)
    registered = [r for r in people if r.status == RegistrationStatus.REGISTERED]
    return render_template(
        "activities/detail.html", scope=scope, programme=scope.programme, activity=activity,
        registered=registered,
        waiting=[r for r in people if r.status == RegistrationStatus.WAITING],
        manages=service.may_manage(scope, activity), when=service.when(activity, current_user),
        started=service.has_started(activity),
        results=service.results(people, surveys.hides_small_means(scope)),
        attendance=attendance or AttendanceForm(registered))


@bp.route("/coordinate/<slug>/activities/<int:activity_id>/attendance/import",
          methods=["GET", "POST"])
@coordinator_required
def import_attendance(scope: Scope, activity_id: int):
    """Read an attendance file and show the attendance list ticked as it says: the
    coordinator checks it and saves it (the attendance list's own POST)."""
    activity = service.activity_in_scope(scope, activity_id)
    service.check_can_manage(scope, activity)
    form = AttendanceFileForm()
    page = {"scope": scope, "programme": scope.programme, "activity": activity, "form": form}
    if not form.validate_on_submit():
        return render_template("activities/attendance_import.html", **page), \
            400 if form.is_submitted() else 200
    try:
        found = service.attendance_from_csv(scope, activity, form.file.data.read())
    except Refused as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("activities.coordinator_activity", slug=scope.programme.slug,
                                activity_id=activity.id))
    except ImportFailed as failed:
        return render_template("activities/attendance_import.html", problems=failed, **page), 400
    registered = [r for r in service.registrations(scope, activity)
                  if r.status == RegistrationStatus.REGISTERED]
    ticked = AttendanceForm(registered, formdata=None)
    ticked.came.data = [r.id for r in found.came]
    return render_template("activities/attendance_import.html", found=found, attendance=ticked,
                           **page)


@bp.route("/coordinate/<slug>/activities/<int:activity_id>/attendance", methods=["POST"])
@coordinator_required
def attendance(scope: Scope, activity_id: int):
    activity = service.activity_in_scope(scope, activity_id)
    service.check_can_manage(scope, activity)
    registered = [r for r in service.registrations(scope, activity)
                  if r.status == RegistrationStatus.REGISTERED]
    form = AttendanceForm(registered)
    if not form.validate_on_submit():
        return _detail(scope, activity, form), 400
    done = perform(lambda: service.record_attendance(current_user, scope, activity,
                                                     set(form.came.data or [])))
    if done:
        flash(_("Attendance saved: %(came)d came, %(missed)d did not.", came=done.value[0],
                missed=done.value[1]), "success")
    return redirect(url_for("activities.coordinator_activity", slug=scope.programme.slug,
                            activity_id=activity.id))


@bp.route("/coordinate/<slug>/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_activity(scope: Scope, activity_id: int):
    activity = service.activity_in_scope(scope, activity_id)
    service.check_can_manage(scope, activity)
    form = ActivityForm(scope.programme, scope.is_regional)
    if not form.is_submitted():
        form.fill(activity, ZoneInfo(activity.timezone))
    if form.validate_on_submit():
        done = perform(lambda: service.update(current_user, scope, activity, form.plan()),
                       form=form)
        if done:
            flash(_("The activity is changed."), "success")
            return redirect(url_for("activities.coordinator_activity", slug=scope.programme.slug,
                                    activity_id=activity.id))
    return _plan_page(scope, form, activity)


@bp.route("/coordinate/<slug>/activities/<int:activity_id>/cancel", methods=["GET", "POST"])
@coordinator_required
def cancel_activity(scope: Scope, activity_id: int):
    activity = service.activity_in_scope(scope, activity_id)
    service.check_can_manage(scope, activity)
    form = ConfirmForm()
    if form.validate_on_submit():
        done = perform(lambda: service.delete(current_user, scope, activity))
        if done:
            flash(ngettext("The activity is cancelled; %(num)d person was told.",
                           "The activity is cancelled; %(num)d people were told.", done.value),
                  "success")
        return redirect(url_for("activities.activities", slug=scope.programme.slug))
    return render_template("activities/cancel.html", scope=scope, programme=scope.programme,
                           activity=activity, form=form,
                           people=len(service.registrations(scope, activity)))


# ---- participants -------------------------------------------------------------------------

@bp.route("/activities/<int:activity_id>", methods=["GET", "POST"])
@login_required
def activity(activity_id: int):
    item = service.activity_for(current_user, activity_id)
    registration = service.registration_of(current_user, item)
    feedback = FeedbackForm(obj=registration if registration and registration.rating else None)
    if feedback.validate_on_submit() and perform(lambda: service.give_feedback(
            current_user, activity_id, feedback.rating.data, feedback.comment.data), form=feedback):
        flash(_("Thank you for your feedback."), "success")
        return redirect(url_for("activities.activity", activity_id=activity_id))
    return render_template("activities/activity.html", activity=item,
                           programme=item.programme, registration=registration,
                           position=registration and service.waiting_position(registration),
                           is_open=service.registration_open(item),
                           started=service.has_started(item),
                           when=service.when(item, current_user),
                           organiser_when=service.when(item, None),
                           form=ConfirmForm(), feedback=feedback)


@bp.route("/activities/<int:activity_id>/register", methods=["POST"])
@login_required
def register(activity_id: int):
    if ConfirmForm().validate_on_submit():
        done = perform(lambda: service.register(current_user, activity_id))
        if done and done.value.status == RegistrationStatus.WAITING:
            flash(_("The activity is full: you are on the waiting list. If a place frees, it "
                    "is yours and we email you."), "success")
        elif done:
            flash(_("You are registered."), "success")
    return redirect(url_for("activities.activity", activity_id=activity_id))


@bp.route("/activities/<int:activity_id>/unregister", methods=["POST"])
@login_required
def unregister(activity_id: int):
    if ConfirmForm().validate_on_submit() and perform(
            lambda: service.unregister(current_user, activity_id)):
        flash(_("You are no longer registered."), "success")
    return redirect(url_for("activities.activity", activity_id=activity_id))


@bp.route("/activities/<int:activity_id>.ics")
@login_required
def activity_ics(activity_id: int):
    item = service.activity_for(current_user, activity_id)
    return _calendar(service.calendar_file(item), f"activity-{item.id}.ics")


@bp.route("/me/activities.ics")
@login_required
def my_calendar():
    return _calendar(service.calendar_feed(current_user), "my-activities.ics")


@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str):
    """Her activities for a calendar app that subscribes (no cookies: the link is signed)."""
    return _calendar(service.calendar_feed(service.user_of_feed(token)), "my-activities.ics")


@bp.app_template_global("activity_when")
def activity_when(item) -> str:
    """An activity's start in the reader's own time zone, in her language."""
    return service.when(item, current_user if current_user.is_authenticated else None)
