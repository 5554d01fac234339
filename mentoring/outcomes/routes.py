"""Outcomes: the coordinators' list of ITU meetings; the roles a participant held at them,
recorded by herself or by a coordinator."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..boundary import csv_response, perform
from ..forms import ConfirmForm
from ..labels import meeting_role_label
from ..permissions import Scope, coordinator_required
from ..services import outcomes as service
from ..services import role_imports
from ..services.imports import ImportFailed
from ..services.scope import programme_by_slug
from . import bp
from .forms import ConfirmRolesForm, ItuMeetingForm, MeetingRoleForm, RolesFileForm

# ---- coordinators: the list of meetings ---------------------------------------------------


@bp.route("/coordinate/<slug>/itu-meetings", methods=["GET", "POST"])
@coordinator_required
def itu_meetings(scope: Scope):
    form = ItuMeetingForm()
    if form.is_submitted():
        service.check_keeps_list(scope)
    if form.validate_on_submit():
        done = perform(lambda: service.add_meeting(current_user, scope, form.name.data,
                                                   form.starts_on.data, form.ends_on.data),
                       form=form)
        if done:
            flash(_("%(name)s is on the list.", name=done.value.name), "success")
            return redirect(url_for("outcomes.itu_meetings", slug=scope.programme.slug))
    return render_template("outcomes/meetings.html", scope=scope, programme=scope.programme,
                           meetings=service.meetings(scope.programme), form=form,
                           keeps_list=not scope.is_regional)


@bp.route("/coordinate/<slug>/itu-meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_itu_meeting(scope: Scope, meeting_id: int):
    meeting = service.meeting_of(scope.programme, meeting_id)
    service.check_keeps_list(scope)
    form = ItuMeetingForm(obj=meeting)
    if form.validate_on_submit():
        done = perform(lambda: service.change_meeting(current_user, scope, meeting,
                                                      form.name.data, form.starts_on.data,
                                                      form.ends_on.data),
                       form=form)
        if done:
            flash(_("The meeting is changed."), "success")
            return redirect(url_for("outcomes.itu_meetings", slug=scope.programme.slug))
    return render_template("outcomes/edit_meeting.html", scope=scope, programme=scope.programme,
                           meeting=meeting, form=form)


@bp.route("/coordinate/<slug>/itu-meetings/<int:meeting_id>/remove", methods=["GET", "POST"])
@coordinator_required
def remove_itu_meeting(scope: Scope, meeting_id: int):
    meeting = service.meeting_of(scope.programme, meeting_id)
    service.check_keeps_list(scope)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = meeting.name
        if perform(lambda: service.remove_meeting(current_user, scope, meeting)):
            flash(_("%(name)s is removed from the list.", name=name), "success")
        return redirect(url_for("outcomes.itu_meetings", slug=scope.programme.slug))
    return render_template("outcomes/remove_meeting.html", scope=scope,
                           programme=scope.programme, meeting=meeting, form=form,
                           roles=service.role_count(meeting))


# ---- coordinators: roles from a CSV file ------------------------------------------------------

def _counts(roles: int, people: int) -> dict[str, str]:
    """The preview's and the flash message's "N roles" and "M participants"."""
    return {"roles": ngettext("%(num)d role", "%(num)d roles", roles),
            "people": ngettext("%(num)d participant", "%(num)d participants", people)}


@bp.route("/coordinate/<slug>/itu-meetings/import", methods=["GET", "POST"])
@coordinator_required
def import_roles(scope: Scope):
    """Read a file of roles and show what it would record; nothing is written until the
    coordinator confirms (``confirm_roles_import``)."""
    form = RolesFileForm()
    page = {"scope": scope, "programme": scope.programme, "form": form,
            "meetings": service.meetings(scope.programme)}
    if not form.validate_on_submit():
        return render_template("outcomes/import_roles.html", **page), \
            400 if form.is_submitted() else 200
    try:
        found = role_imports.read_roles_file(scope, form.file.data.read())
    except ImportFailed as failed:
        return render_template("outcomes/import_roles.html", problems=failed, **page), 400
    confirm = ConfirmRolesForm(formdata=None, plan=role_imports.seal(scope, found))
    summary = _("%(roles)s for %(people)s will be recorded; %(skipped)s.",
                **_counts(len(found.new), found.participants),
                skipped=ngettext("%(num)d already recorded is skipped",
                                 "%(num)d already recorded are skipped", found.already))
    return render_template("outcomes/import_roles.html", found=found, confirm=confirm,
                           summary=summary,
                           shown=found.new[:role_imports.PREVIEW_ROWS], **page)


@bp.route("/coordinate/<slug>/itu-meetings/import/confirm", methods=["POST"])
@coordinator_required
def confirm_roles_import(scope: Scope):
    form = ConfirmRolesForm()
    if form.validate_on_submit():
        done = perform(lambda: role_imports.record_roles(current_user, scope, form.plan.data))
        if done:
            imported = done.value
            flash(_("Recorded %(roles)s for %(people)s; %(skipped)s.",
                    **_counts(imported.recorded, imported.participants),
                    skipped=ngettext("%(num)d already recorded was skipped",
                                     "%(num)d already recorded were skipped",
                                     imported.skipped)),
                  "success")
            return redirect(url_for("dashboard.outcomes_page", slug=scope.programme.slug))
    return redirect(url_for("outcomes.import_roles", slug=scope.programme.slug))


@bp.route("/coordinate/<slug>/itu-meetings/import/roles-template.csv")
@coordinator_required
def roles_template(scope: Scope):
    return csv_response(role_imports.template_csv(scope),
                        f"{scope.programme.slug}-itu-roles-template.csv")


# ---- roles --------------------------------------------------------------------------------

def _roles_page(participant, form, remove_endpoint, **context):
    return render_template(
        "outcomes/roles.html", participant=participant, programme=participant.programme,
        roles=service.roles_of(participant.programme, participant.user), form=form,
        meetings=service.meetings(participant.programme), remove_endpoint=remove_endpoint,
        **context)


def _record(participant, form) -> bool:
    if not form.validate_on_submit():
        return False
    done = perform(lambda: service.record_role(current_user, participant, form.meeting_id(),
                                               form.role.data), form=form)
    if done:
        flash(_("Recorded: %(role)s at %(name)s.", role=meeting_role_label(done.value.role),
                name=done.value.itu_meeting.name), "success")
    return bool(done)


@bp.route("/coordinate/<slug>/applications/<int:enrolment_id>/itu-roles",
          methods=["GET", "POST"])
@coordinator_required
def participant_roles(scope: Scope, enrolment_id: int):
    participant = service.participant_in_scope(scope, enrolment_id)
    form = MeetingRoleForm(service.meetings(scope.programme))
    if _record(participant, form):
        return redirect(url_for("outcomes.participant_roles", slug=scope.programme.slug,
                                enrolment_id=participant.id))
    return _roles_page(participant, form, "outcomes.remove_participant_role", scope=scope)


@bp.route("/coordinate/<slug>/applications/<int:enrolment_id>/itu-roles/<int:role_id>/remove",
          methods=["POST"])
@coordinator_required
def remove_participant_role(scope: Scope, enrolment_id: int, role_id: int):
    participant = service.participant_in_scope(scope, enrolment_id)
    recorded = service.role_of(participant, role_id)
    if ConfirmForm().validate_on_submit() and perform(
            lambda: service.remove_role(current_user, participant, recorded)):
        flash(_("The role is removed."), "success")
    return redirect(url_for("outcomes.participant_roles", slug=scope.programme.slug,
                            enrolment_id=participant.id))


@bp.route("/programmes/<slug>/my-itu-roles", methods=["GET", "POST"])
@login_required
def my_roles(slug: str):
    participant = service.own_participation(programme_by_slug(slug), current_user)
    form = MeetingRoleForm(service.meetings(participant.programme))
    if _record(participant, form):
        return redirect(url_for("outcomes.my_roles", slug=slug))
    return _roles_page(participant, form, "outcomes.remove_my_role", own=True)


@bp.route("/programmes/<slug>/my-itu-roles/<int:role_id>/remove", methods=["POST"])
@login_required
def remove_my_role(slug: str, role_id: int):
    participant = service.own_participation(programme_by_slug(slug), current_user)
    recorded = service.role_of(participant, role_id)
    if ConfirmForm().validate_on_submit() and perform(
            lambda: service.remove_role(current_user, participant, recorded)):
        flash(_("The role is removed."), "success")
    return redirect(url_for("outcomes.my_roles", slug=slug))


@bp.app_template_global("itu_programme_ids")
def itu_programme_ids() -> set[int]:
    """The programmes that list ITU meetings (for the links on "My programmes")."""
    return service.programmes_with_meetings()
