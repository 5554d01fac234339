"""A pair's own pages: sessions, confirmation, feedback, calendar file, ending the pair."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..boundary import perform
from ..forms import ConfirmForm
from ..models import Confirmation, PairingStatus
from ..services import Refused
from ..services import meetings as service
from . import bp
from .forms import DisputeForm, EndForm, FeedbackForm, MeetingForm


@bp.route("/pairs/<int:pairing_id>")
@login_required
def pair(pairing_id: int):
    pairing = service.pairing_for(current_user, pairing_id)
    meetings = service.meetings_of(pairing)
    my_feedback = {f.meeting_id for m in meetings for f in m.feedback
                   if f.user_id == current_user.id}
    return render_template(
        "meetings/pair.html", pairing=pairing, meetings=meetings, my_feedback=my_feedback,
        side=service.side_of(current_user, pairing),
        partner=service.partner_of(current_user, pairing),
        standing=service.standing(pairing, meetings, service.today_for(current_user)),
        action_form=ConfirmForm(), Confirmation=Confirmation, PairingStatus=PairingStatus,
        confirmation_label=service.confirmation_label,
        deletable={m.id for m in meetings
                   if service.deletion_problem(current_user, m) is None})


@bp.route("/pairs/<int:pairing_id>/sessions/new", methods=["GET", "POST"])
@login_required
def log_meeting(pairing_id: int):
    pairing = service.pairing_for(current_user, pairing_id)
    form = MeetingForm(pairing.mentee.programme)
    if not form.is_submitted():
        form.held_on.data = service.today_for(current_user)
        form.duration_minutes.data = 60
    done = form.validate_on_submit() and perform(lambda: service.log(
        current_user, pairing, form.data_for_service(),
        same_day_ok=form.same_day_ok.data == "yes"), form=form)
    if done:
        flash(_("Session saved. %(name)s is asked to confirm it.",
                name=service.partner_of(current_user, pairing).user.name), "success")
        return redirect(url_for("meetings.pair", pairing_id=pairing.id))
    if isinstance(getattr(done, "refusal", None), service.DuplicateDay):
        form.same_day_ok.data = "yes"  # "another session that day?": the next save confirms
    return render_template("meetings/meeting_form.html", form=form, pairing=pairing,
                           meeting=None)


@bp.route("/sessions/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting(meeting_id: int):
    meeting = service.authored_meeting(current_user, meeting_id)
    form = MeetingForm(meeting.pairing.mentee.programme, obj=meeting)
    if not form.is_submitted():
        form.topics.data = [link.topic_id for link in meeting.topics]
        form.format.data = meeting.format.value
    form.same_day_ok.data = "yes"  # editing never asks about the same day
    if form.validate_on_submit() and perform(
            lambda: service.update(current_user, meeting, form.data_for_service()), form=form):
        flash(_("Session updated."), "success")
        return redirect(url_for("meetings.pair", pairing_id=meeting.pairing_id))
    return render_template("meetings/meeting_form.html", form=form, pairing=meeting.pairing,
                           meeting=meeting)


@bp.route("/sessions/<int:meeting_id>/delete", methods=["GET", "POST"])
@login_required
def delete_meeting(meeting_id: int):
    meeting = service.authored_meeting(current_user, meeting_id)
    form = ConfirmForm()
    pairing_id = meeting.pairing_id
    if form.validate_on_submit() and perform(lambda: service.delete(current_user, meeting)):
        flash(_("Session deleted."), "success")
        return redirect(url_for("meetings.pair", pairing_id=pairing_id))
    return render_template("meetings/delete.html", form=form, meeting=meeting,
                           problem=service.deletion_problem(current_user, meeting))


@bp.route("/sessions/<int:meeting_id>/confirm", methods=["POST"])
@login_required
def confirm_meeting(meeting_id: int):
    meeting = service.meeting_for(current_user, meeting_id)
    if ConfirmForm().validate_on_submit() and perform(
            lambda: service.confirm(current_user, meeting)):
        flash(_("Thank you: the session is confirmed."), "success")
    return redirect(url_for("meetings.pair", pairing_id=meeting.pairing_id))


@bp.route("/sessions/confirm/<token>", methods=["GET", "POST"])
def confirm_by_link(token: str):
    """The link in the email: works without signing in, once, for two weeks. The GET only
    shows the session; the click (a POST) confirms it, so link scanners change nothing."""
    try:
        meeting, user = service.read_confirm_token(token)
    except Refused as error:
        return render_template("meetings/link_refused.html", message=error.message), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        if perform(lambda: service.confirm(user, meeting)):
            flash(_("Thank you: the session is confirmed."), "success")
        return render_template("meetings/link_done.html", meeting=meeting)
    return render_template("meetings/confirm_link.html", meeting=meeting, user=user, form=form,
                           token=token)


@bp.route("/sessions/confirm/<token>/dispute", methods=["GET", "POST"])
def dispute_by_link(token: str):
    """"It did not happen like this" from the emailed link: the same signed link is the
    authority, as for confirming, so a signed-out partner can say so without signing in."""
    try:
        meeting, user = service.read_confirm_token(token)
    except Refused as error:
        return render_template("meetings/link_refused.html", message=error.message), 400
    form = DisputeForm()
    if form.validate_on_submit() and perform(
            lambda: service.dispute(user, meeting, form.note.data), form=form):
        return render_template("meetings/link_done.html", meeting=meeting, disputed=True)
    return render_template("meetings/dispute.html", form=form, meeting=meeting)


@bp.route("/sessions/<int:meeting_id>/dispute", methods=["GET", "POST"])
@login_required
def dispute_meeting(meeting_id: int):
    meeting = service.meeting_for(current_user, meeting_id)
    form = DisputeForm()
    if form.validate_on_submit() and perform(
            lambda: service.dispute(current_user, meeting, form.note.data), form=form):
        flash(_("Your note is sent to the coordinators."), "success")
        return redirect(url_for("meetings.pair", pairing_id=meeting.pairing_id))
    return render_template("meetings/dispute.html", form=form, meeting=meeting)


@bp.route("/sessions/<int:meeting_id>/feedback", methods=["GET", "POST"])
@login_required
def feedback(meeting_id: int):
    meeting = service.meeting_for(current_user, meeting_id)
    form = FeedbackForm()
    if form.validate_on_submit():
        if perform(lambda: service.give_feedback(current_user, meeting, form.rating.data,
                                                 form.comment.data or "")):
            flash(_("Thank you for your feedback."), "success")
        return redirect(url_for("meetings.pair", pairing_id=meeting.pairing_id))
    return render_template("meetings/feedback.html", form=form, meeting=meeting)


@bp.route("/pairs/<int:pairing_id>/next-session.ics")
@login_required
def next_session_ics(pairing_id: int):
    pairing = service.pairing_for(current_user, pairing_id)
    meetings = service.meetings_of(pairing)
    day = service.standing(pairing, meetings, service.today_for(current_user)).next_planned
    if day is None:
        abort(404)
    return Response(service.calendar_file(pairing, day, current_user),
                    mimetype="text/calendar",  # Flask adds "; charset=utf-8"
                    headers={"Content-Disposition": 'attachment; filename="next-session.ics"'})


@bp.route("/pairs/<int:pairing_id>/end", methods=["GET", "POST"])
@login_required
def end_pair(pairing_id: int):
    pairing = service.pairing_for(current_user, pairing_id)
    form = EndForm()
    if service.side_of(current_user, pairing) != "mentee":
        del form.rematch
    if form.validate_on_submit() and perform(lambda: service.end_early(
            current_user, pairing, form.reason.data,
            rematch=bool(getattr(form, "rematch", None) and form.rematch.data)), form=form):
        flash(_("The pair is ended. The coordinators are informed."), "success")
        return redirect(url_for("meetings.pair", pairing_id=pairing.id))
    return render_template("meetings/end.html", form=form, pairing=pairing)


@bp.route("/pairs/<int:pairing_id>/complete", methods=["POST"])
@login_required
def complete_pair(pairing_id: int):
    pairing = service.pairing_for(current_user, pairing_id)
    if ConfirmForm().validate_on_submit():
        done = perform(lambda: service.complete(current_user, pairing))
        if done:
            flash(_("Congratulations: your mentoring is completed.") if done.value else
                  _("Noted. The pair is completed when %(name)s agrees too.",
                    name=service.partner_of(current_user, pairing).user.name), "success")
    return redirect(url_for("meetings.pair", pairing_id=pairing.id))
