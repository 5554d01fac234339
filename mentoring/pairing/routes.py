"""Matching and pairs: settings, run, review, approve, reject, lock, forbid, pair by hand,
swap, announce, export."""

from __future__ import annotations

import sys

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .. import shipped
from ..boundary import csv_response, perform, show_refusal
from ..forms import ActionForm, ConfirmForm, options
from ..i18n import current_locale
from ..jobs import enqueue, run_or_queue
from ..matching import Rules
from ..pagination import known_page, paginate
from ..permissions import Scope, coordinator_required
from ..security import whole_number
from ..services import (
    Forbidden,
    Refused,
    consent,
    exports,
    jobs,
    pair_views,
    rematch,
    revision_cache,
    wishes,
)
from ..services import matching as matching_service
from ..services import pairings as service
from . import bp
from .forms import ApproveAboveForm, ManualForm, RejectForm, RunForm, SettingsForm, SwapForm


def _pairs_url(scope: Scope, form: ActionForm | None = None) -> str:
    """The pairs list the button was on (with its filters), else the plain list."""
    default = url_for("pairing.pairs", slug=scope.programme.slug)
    form = form or ActionForm()
    return form.back_url(f"/coordinate/{scope.programme.slug}/", default)


@bp.route("/<slug>/matching", methods=["GET", "POST"])
@coordinator_required
def matching(scope: Scope):
    rules = matching_service.rules_for(scope.programme)
    form = SettingsForm(data={**rules.to_dict(), "objective": scope.programme.matching_objective}
                        ) if request.method == "GET" else SettingsForm()
    if request.method == "POST" and scope.is_regional:
        raise Forbidden("the programme's coordinators set the rules")
    if form.validate_on_submit() and perform(
            lambda: matching_service.save_settings(current_user, scope, form.rules(),
                                                   form.objective.data)):
        flash(_("Matching settings saved."), "success")
        return redirect(url_for("pairing.matching", slug=scope.programme.slug))
    return render_template(
        "pairing/matching.html", scope=scope, programme=scope.programme, form=form,
        run_form=RunForm(), supply=matching_service.supply_by_region(scope.programme),
        last_run=matching_service.latest_run(scope.programme),
        wishers=wishes.mentees_with_wishes(scope.programme), wishes_default=Rules().wishes,
        wish_profile=wishes.profile_text)


@bp.route("/<slug>/matching/run", methods=["POST"])
@coordinator_required
def run_matching(scope: Scope):
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    # A programme of thousands of applicants takes longer than a request may: the run is a
    # job, whose page shows the result (at once when there is no worker).
    started = perform(lambda: jobs.start_matching(current_user, scope, fair=form.fair.data,
                                                  stable=form.stable.data,
                                                  locale=current_locale()))
    if not started:
        return redirect(url_for("pairing.matching", slug=scope.programme.slug))
    enqueue(started.value)
    return redirect(url_for("jobs.job", slug=scope.programme.slug, job_id=started.value.id))


def _filters() -> pair_views.PairFilters:
    def number(name):
        return whole_number(request.args.get(name))

    return pair_views.PairFilters(
        status=request.args.get("status", ""), below=number("below"),
        region_id=number("region"), topic_id=number("topic"),
        sort=request.args.get("sort", "score"))


#: What the rows' HTML is made by: rows made by other code are keyed apart.
_ROWS_CODE = revision_cache.html_code(sys.modules[__name__], pair_views, consent,
                                     shipped("templates") / "pairing" / "_pair_rows.html",
                                     shipped("templates") / "consent" / "_pair.html")
#: Where the cached rows hold the person's CSRF token and the request's address: markup that
#: no escaped text can spell, replaced at every view.
_TOKEN, _BACK = Markup("<csrf-token>"), Markup("<back-address>")


@bp.route("/<slug>/pairs")
@coordinator_required
def pairs(scope: Scope):
    filters = _filters()
    # The counts above the list and its rows are cached under the programme's revision.
    found = revision_cache.revision(scope.programme.id)
    counts = pair_views.status_counts(scope, found)
    last_run = matching_service.latest_run(scope.programme)
    unmatched = pair_views.unmatched(scope, last_run)
    paging = {"per_page": 50, "max_per_page": 200}

    def rows() -> tuple[list[int], int, str]:
        page = paginate(pair_views.pairs_query(scope, filters), pair_views.listed,
                        total=pair_views.counted(filters, counts), **paging)
        ids = [pairing.id for pairing in page.items]
        alternative_ids = {alt["mentor"] for pairing in page.items
                           for alt in pairing.alternatives}
        alternative_ids |= {p.previous_mentor_id for p in page.items if p.previous_mentor_id}
        return ids, page.total, render_template(
            "pairing/_pair_rows.html", programme=scope.programme, page=page,
            last_run=last_run, names=pair_views.names(alternative_ids),
            consent=consent.summary(scope, ids, found),
            token=_TOKEN, back=_BACK)

    ids, total, html = revision_cache.cached(
        scope, f"pair-rows:{_ROWS_CODE}", rows, current_locale(), revision_cache.digest(
            filters, request.args.get("page"), paging, request.script_root,
            consent.deadline_passed(scope.programme)),
        found=found)
    # The token and the address are the person's and the request's: never from the cache.
    html = html.replace(_TOKEN, escape(generate_csrf())).replace(
        _BACK, escape(request.full_path))
    return render_template(
        "pairing/pairs.html", scope=scope, programme=scope.programme,
        page=known_page(ids, total, **paging), filters=filters, last_run=last_run,
        unmatched=unmatched, rows=Markup(html),  # noqa: S704 - rendered escaped
        names=pair_views.names({alt["mentor"] for item in unmatched
                                for alt in item["alternatives"]}),
        counts=counts, waiting_mentees=rematch.summary(scope, found),
        wish_profile=wishes.profile_text,
        action_form=ConfirmForm(), reject_form=RejectForm(), above_form=ApproveAboveForm(),
        consent=consent.summary(scope, (), found))


@bp.route("/<slug>/pairs/load")
@coordinator_required
def mentor_load(scope: Scope):
    return render_template("pairing/mentor_load.html", scope=scope,
                           programme=scope.programme, loads=pair_views.mentor_load(scope))


@bp.route("/<slug>/pairs/<int:pairing_id>/approve", methods=["POST"])
@coordinator_required
def approve_pair(scope: Scope, pairing_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        done = perform(lambda: service.approve(current_user, scope, pairing_id))
        if done and done.value:
            flash(_("Pair approved. Nobody is told until you announce."), "success")
        elif done:
            flash(_("This pair was already approved."), "info")
    return redirect(_pairs_url(scope, form))


@bp.route("/<slug>/pairs/approve-above", methods=["POST"])
@coordinator_required
def approve_above(scope: Scope):
    form = ApproveAboveForm()
    if not form.validate_on_submit():
        flash(_("Give a score from 0 to 1000."), "error")
        return redirect(_pairs_url(scope))
    # Thousands of proposals take longer than a request may: approving them is a job. It is
    # done already when there is no worker, and the page then says so as before.
    started = perform(lambda: jobs.start_approve_above(current_user, scope, form.score.data,
                                                       locale=current_locale()))
    if started and not run_or_queue(started.value):
        return redirect(url_for("jobs.job", slug=scope.programme.slug,
                                job_id=started.value.id))
    return redirect(_pairs_url(scope))


@bp.route("/<slug>/pairs/<int:pairing_id>/reject", methods=["POST"])
@coordinator_required
def reject_pair(scope: Scope, pairing_id: int):
    form = RejectForm()
    if form.validate_on_submit() and perform(
            lambda: service.reject(current_user, scope, pairing_id, form.reason.data or "")):
        flash(_("Pair rejected: the mentee is back in the pool and this pair will not be "
                "proposed again."), "success")
    return redirect(_pairs_url(scope))


@bp.route("/<slug>/pairs/<int:pairing_id>/<any(lock, unlock):verb>", methods=["POST"])
@coordinator_required
def lock_pair(scope: Scope, pairing_id: int, verb: str):
    form = ActionForm()
    if form.validate_on_submit() and perform(
            lambda: service.set_locked(current_user, scope, pairing_id, verb == "lock")):
        flash(_("Pair locked: re-running keeps it.") if verb == "lock" else _("Pair unlocked."),
              "success")
    return redirect(_pairs_url(scope, form))


@bp.route("/<slug>/forbid/<int:mentee_id>/<int:mentor_id>", methods=["POST"])
@coordinator_required
def forbid_pair(scope: Scope, mentee_id: int, mentor_id: int):
    form = ActionForm()
    if form.validate_on_submit() and perform(
            lambda: service.forbid(current_user, scope, mentee_id, mentor_id,
                                   form.reason.data or "")):
        flash(_("This pair will never be proposed."), "success")
    return redirect(_pairs_url(scope, form))


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
        except Refused as refusal:  # a pair no coordinator may make (her with herself)
            show_refusal(refusal, form)
    if request.method == "POST" and form.validate() and perform(
            lambda: service.pair_by_hand(current_user, scope, form.mentee.data,
                                         form.mentor.data, reason=form.reason.data or "",
                                         confirm=form.override.data), form=form):
        flash(_("Pair approved by hand and locked."), "success")
        return redirect(url_for("pairing.pairs", slug=scope.programme.slug,
                                status="approved"))
    return render_template("pairing/manual.html", scope=scope, programme=scope.programme,
                           form=form, preview=preview)


@bp.route("/<slug>/pairs/<int:pairing_id>/swap", methods=["GET", "POST"])
@coordinator_required
def swap_pair(scope: Scope, pairing_id: int):
    pairing = service.pairing_in_scope(scope, pairing_id)
    others = pair_views.open_proposals(scope, exclude=pairing.id)
    form = SwapForm()
    form.other.choices = options([(p.id, f"{p.mentee.user.name} — {p.mentor.user.name}")
                                  for p in others])
    if form.validate_on_submit() and perform(
            lambda: service.swap(current_user, scope, pairing.id, form.other.data)):
        flash(_("Mentors swapped."), "success")
        return redirect(url_for("pairing.pairs", slug=scope.programme.slug))
    return render_template("pairing/swap.html", scope=scope, programme=scope.programme,
                           pairing=pairing, form=form)


@bp.route("/<slug>/pairs/announce", methods=["GET", "POST"])
@coordinator_required
def announce(scope: Scope):
    form = ConfirmForm()
    if form.validate_on_submit():
        # Thousands of introductions take longer than a request may: announcing is a job. It
        # is done already when there is no worker, and the page then says so as before.
        started = perform(lambda: jobs.start_announce(current_user, scope,
                                                      locale=current_locale()))
        if not started:
            return redirect(url_for("pairing.pairs", slug=scope.programme.slug))
        if not run_or_queue(started.value):
            return redirect(url_for("jobs.job", slug=scope.programme.slug,
                                    job_id=started.value.id))
        return redirect(url_for("pairing.pairs", slug=scope.programme.slug,
                                status="active"))
    summary = consent.summary(scope)
    return render_template("pairing/announce.html", scope=scope, programme=scope.programme,
                           form=form, approved=summary.ready, consent=summary)


@bp.route("/<slug>/pairs.csv")
@coordinator_required
def export_pairs(scope: Scope):
    return csv_response(exports.pairs_csv(scope, _filters()), f"{scope.programme.slug}-pairs.csv")
