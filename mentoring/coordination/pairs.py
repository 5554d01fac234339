"""Routes for matching and pairs: settings, run, review, act, announce, export, audit."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..extensions import db
from ..forms import ConfirmForm, options
from ..models import PairingStatus
from ..models._types import utcnow
from ..pagination import paginate
from ..permissions import Scope, coordinator_required
from ..services import ServiceError, meetings, pair_views, surveys
from ..services import activity as activity_service
from ..services import matching as matching_service
from ..services import pairings as service
from ..services.csvfiles import write_csv
from ..services.explanations import parts_text, reason_text
from . import bp
from .pair_forms import ApproveAboveForm, ManualForm, RejectForm, RunForm, SettingsForm, SwapForm


def _pairs_url(scope: Scope) -> str:
    back = request.form.get("back", "")
    if back.startswith(f"/coordinate/{scope.programme.slug}/") and "//" not in back:
        return back
    return url_for("coordination.pairs", slug=scope.programme.slug)


def _act(scope: Scope, action, success: str | None):
    """Run a service action: commit and flash on success, explain a refusal, 403/404 on scope."""
    try:
        result = action()
    except PermissionError:
        db.session.rollback()
        abort(403)
    except LookupError:
        db.session.rollback()
        abort(404)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return None
    db.session.commit()
    if success:
        flash(success, "success")
    return result if result is not None else True


@bp.route("/<slug>/matching", methods=["GET", "POST"])
@coordinator_required
def matching(scope: Scope):
    rules = matching_service.rules_for(scope.programme)
    form = SettingsForm(data=rules.to_dict()) if request.method == "GET" else SettingsForm()
    if request.method == "POST" and scope.is_regional:
        abort(403)  # the programme's coordinators set the rules
    if form.validate_on_submit():
        if _act(scope, lambda: matching_service.save_settings(current_user, scope,
                                                               form.rules()),
                _("Matching settings saved.")):
            return redirect(url_for("coordination.matching", slug=scope.programme.slug))
    return render_template(
        "coordination/matching.html", scope=scope, programme=scope.programme, form=form,
        run_form=RunForm(), supply=matching_service.supply_by_region(scope.programme),
        last_run=matching_service.latest_run(scope.programme))


@bp.route("/<slug>/matching/run", methods=["POST"])
@coordinator_required
def run_matching(scope: Scope):
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    run = _act(scope, lambda: matching_service.run(current_user, scope, fair=form.fair.data),
               None)
    if run is None:
        return redirect(url_for("coordination.matching", slug=scope.programme.slug))
    summary = run.summary
    flash(_("Matching done in %(ms)d ms: %(matched)d mentees matched, %(unmatched)d unmatched.",
            ms=run.duration_ms, matched=summary["matched"], unmatched=summary["unmatched"]),
          "success")
    return redirect(url_for("coordination.pairs", slug=scope.programme.slug))


def _filters() -> pair_views.PairFilters:
    def number(name):
        value = request.args.get(name, "")
        return int(value) if value.isdigit() else None

    return pair_views.PairFilters(
        status=request.args.get("status", ""), below=number("below"),
        region_id=number("region"), topic_id=number("topic"),
        sort=request.args.get("sort", "score"))


@bp.route("/<slug>/pairs")
@coordinator_required
def pairs(scope: Scope):
    filters = _filters()
    page = paginate(pair_views.pairs_query(scope, filters), per_page=50, max_per_page=200)
    last_run = matching_service.latest_run(scope.programme)
    unmatched = pair_views.unmatched(scope, last_run)
    alternative_ids = {alt["mentor"] for pairing in page.items
                       for alt in pairing.alternatives}
    alternative_ids |= {p.previous_mentor_id for p in page.items if p.previous_mentor_id}
    alternative_ids |= {alt["mentor"] for item in unmatched for alt in item["alternatives"]}
    return render_template(
        "coordination/pairs.html", scope=scope, programme=scope.programme, page=page,
        filters=filters, last_run=last_run, unmatched=unmatched,
        names=pair_views.names(alternative_ids), counts=pair_views.status_counts(scope),
        action_form=ConfirmForm(), reject_form=RejectForm(), above_form=ApproveAboveForm(),
        PairingStatus=PairingStatus)


@bp.route("/<slug>/pairs/load")
@coordinator_required
def mentor_load(scope: Scope):
    return render_template("coordination/mentor_load.html", scope=scope,
                           programme=scope.programme, loads=pair_views.mentor_load(scope))


@bp.route("/<slug>/pairs/<int:pairing_id>/approve", methods=["POST"])
@coordinator_required
def approve_pair(scope: Scope, pairing_id: int):
    if ConfirmForm().validate_on_submit():
        done = _act(scope, lambda: service.approve(current_user, scope, pairing_id), None)
        if done is True:
            flash(_("Pair approved. Nobody is told until you announce."), "success")
        elif done is False:
            flash(_("This pair was already approved."), "info")
    return redirect(_pairs_url(scope))


@bp.route("/<slug>/pairs/approve-above", methods=["POST"])
@coordinator_required
def approve_above(scope: Scope):
    form = ApproveAboveForm()
    if not form.validate_on_submit():
        flash(_("Give a score from 0 to 1000."), "error")
        return redirect(_pairs_url(scope))
    counts = _act(scope, lambda: service.approve_above(current_user, scope, form.score.data),
                  None)
    if counts:
        approved, skipped = counts
        flash(ngettext("%(num)d pair approved.", "%(num)d pairs approved.", approved)
              + (" " + ngettext("%(num)d skipped: the mentee or mentor was already taken.",
                                "%(num)d skipped: the mentee or mentor was already taken.",
                                skipped) if skipped else ""), "success")
    return redirect(_pairs_url(scope))


@bp.route("/<slug>/pairs/<int:pairing_id>/reject", methods=["POST"])
@coordinator_required
def reject_pair(scope: Scope, pairing_id: int):
    form = RejectForm()
    if form.validate_on_submit():
        _act(scope, lambda: service.reject(current_user, scope, pairing_id,
                                           form.reason.data or ""),
             _("Pair rejected: the mentee is back in the pool and this pair will not be "
               "proposed again."))
    return redirect(_pairs_url(scope))


@bp.route("/<slug>/pairs/<int:pairing_id>/<any(lock, unlock):verb>", methods=["POST"])
@coordinator_required
def lock_pair(scope: Scope, pairing_id: int, verb: str):
    if ConfirmForm().validate_on_submit():
        _act(scope, lambda: service.set_locked(current_user, scope, pairing_id, verb == "lock"),
             _("Pair locked: re-running keeps it.") if verb == "lock" else _("Pair unlocked."))
    return redirect(_pairs_url(scope))


@bp.route("/<slug>/forbid/<int:mentee_id>/<int:mentor_id>", methods=["POST"])
@coordinator_required
def forbid_pair(scope: Scope, mentee_id: int, mentor_id: int):
    if ConfirmForm().validate_on_submit():
        _act(scope, lambda: service.forbid(current_user, scope, mentee_id, mentor_id,
                                           request.form.get("reason", "")[:500]),
             _("This pair will never be proposed."))
    return redirect(_pairs_url(scope))


@bp.route("/<slug>/pairs/manual", methods=["GET", "POST"])
@coordinator_required
def manual_pair(scope: Scope):
    mentees, mentors = pair_views.people_for_manual(scope)
    form = ManualForm(formdata=request.form if request.method == "POST" else request.args)
    form.mentee.choices = options([(0, "—")] + [
        (e.id, f"{e.user.name} ({e.region.code if e.region else '—'})") for e in mentees])
    form.mentor.choices = options([(0, "—")] + [
        (e.id, f"{e.user.name} ({e.region.code if e.region else '—'}, "
               f"{e.live_pairs}/{e.capacity})") for e in mentors])
    preview = None
    if form.mentee.data and form.mentor.data:
        try:
            preview = service.preview(scope, form.mentee.data, form.mentor.data)
        except PermissionError:
            abort(403)
        except LookupError:
            abort(404)
    if request.method == "POST" and form.validate():
        done = _act(scope, lambda: service.pair_by_hand(
            current_user, scope, form.mentee.data, form.mentor.data,
            reason=form.reason.data or "", confirm=form.override.data),
            _("Pair approved by hand and locked."))
        if done:
            return redirect(url_for("coordination.pairs", slug=scope.programme.slug,
                                    status="approved"))
    return render_template("coordination/manual.html", scope=scope, programme=scope.programme,
                           form=form, preview=preview)


@bp.route("/<slug>/pairs/<int:pairing_id>/swap", methods=["GET", "POST"])
@coordinator_required
def swap_pair(scope: Scope, pairing_id: int):
    try:
        pairing = service.pairing_in_scope(scope, pairing_id)
    except PermissionError:
        abort(403)
    except LookupError:
        abort(404)
    others = pair_views.open_proposals(scope, exclude=pairing.id)
    form = SwapForm()
    form.other.choices = options([(p.id, f"{p.mentee.user.name} — {p.mentor.user.name}")
                                  for p in others])
    if form.validate_on_submit():
        if _act(scope, lambda: service.swap(current_user, scope, pairing.id, form.other.data),
                _("Mentors swapped.")):
            return redirect(url_for("coordination.pairs", slug=scope.programme.slug))
    return render_template("coordination/swap.html", scope=scope, programme=scope.programme,
                           pairing=pairing, form=form)


@bp.route("/<slug>/pairs/announce", methods=["GET", "POST"])
@coordinator_required
def announce(scope: Scope):
    form = ConfirmForm()
    if form.validate_on_submit():
        count = _act(scope, lambda: service.announce(current_user, scope), None)
        if count:
            flash(ngettext("%(num)d pair announced: both people have been emailed.",
                           "%(num)d pairs announced: both people in each have been emailed.",
                           count), "success")
        elif count is not None:
            flash(_("There was no approved pair to announce."), "info")
        return redirect(url_for("coordination.pairs", slug=scope.programme.slug,
                                status="active"))
    approved = pair_views.status_counts(scope).get("approved", 0)
    return render_template("coordination/announce.html", scope=scope, programme=scope.programme,
                           form=form, approved=approved)


@bp.route("/<slug>/pairs.csv")
@coordinator_required
def export_pairs(scope: Scope):
    filters = _filters()
    rows = []
    for pairing in db.session.scalars(pair_views.pairs_query(scope, filters)).unique():
        rows.append([pairing.id, str(pairing.status), pairing.mentee.user.name,
                     pairing.mentee.user.email,
                     pairing.mentee.region.code if pairing.mentee.region else "",
                     pairing.mentor.user.name, pairing.mentor.user.email,
                     pairing.mentor.region.code if pairing.mentor.region else "",
                     pairing.score, parts_text(pairing.parts, scope.programme),
                     "yes" if pairing.locked else "",
                     pairing.source, pairing.override_reason])
    run = matching_service.latest_run(scope.programme)
    for item in pair_views.unmatched(scope, run):
        enrolment = item["enrolment"]
        rows.append(["", "unmatched", enrolment.user.name, enrolment.user.email,
                     enrolment.region.code if enrolment.region else "", "", "", "", "",
                     reason_text(item["reason"], item["params"]), "", "", ""])
    header = ["pair", "status", "mentee", "mentee_email", "mentee_region", "mentor",
              "mentor_email", "mentor_region", "score", "reasons", "locked", "source",
              "override_reason"]
    return Response(write_csv(header, rows), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{scope.programme.slug}-pairs.csv"'})


@bp.route("/<slug>/audit")
@coordinator_required
def audit_log(scope: Scope):
    action = request.args.get("action", "")[:40]
    page = paginate(pair_views.audit_query(scope, action), per_page=50)
    return render_template("coordination/audit.html", scope=scope, programme=scope.programme,
                           page=page, action=action)


@bp.route("/<slug>/activity")
@coordinator_required
def activity(scope: Scope):

    only = request.args.get("only", "")
    rows = activity_service.activity(scope, utcnow().date(), only=only)
    return render_template("coordination/activity.html", scope=scope, programme=scope.programme,
                           rows=rows, only=only, disputes=activity_service.disputes(scope),
                           end_form=ConfirmForm())


@bp.route("/<slug>/pairs/<int:pairing_id>/end", methods=["POST"])
@coordinator_required
def end_pair(scope: Scope, pairing_id: int):

    reason = request.form.get("reason", "")[:2000]
    if ConfirmForm().validate_on_submit():
        _act(scope, lambda: meetings.end_early(
            current_user, service.pairing_in_scope(scope, pairing_id, for_update=True), reason),
            _("The pair is ended."))
    return redirect(url_for("coordination.activity", slug=scope.programme.slug))


@bp.route("/<slug>/surveys", methods=["GET", "POST"])
@coordinator_required
def surveys_page(scope: Scope):

    items = {kind: surveys.survey_for(scope.programme, kind) for kind in surveys.KINDS}
    db.session.commit()  # the default surveys, created on first visit
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        if scope.is_regional:
            abort(403)
        kind = request.form.get("kind", "")
        if kind not in items:
            abort(400)
        def save():
            surveys.update(current_user, items[kind], request.form.get("questions", ""),
                           request.form.get("anonymous") == "y")

        if request.form.get("action") == "send":
            def save_and_send():
                save()
                return surveys.send(current_user, items[kind])

            count = _act(scope, save_and_send, None)
            if count:
                flash(ngettext("The survey is sent to %(num)d person.",
                               "The survey is sent to %(num)d people.", count), "success")
        else:
            _act(scope, save, _("Survey saved."))
        return redirect(url_for("coordination.surveys_page", slug=scope.programme.slug))
    return render_template(
        "coordination/surveys.html", scope=scope, programme=scope.programme, items=items,
        results={kind: surveys.results(item) for kind, item in items.items()},
        form=ConfirmForm())
