"""Quotas (list, add, edit, delete) and the blocking pairs of the latest run.

The programme's coordinators change quotas; a regional co-chair sees them (no buttons) and
gets a 403 on any change, as for the matching settings.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..boundary import perform
from ..forms import ConfirmForm
from ..pagination import paginate
from ..permissions import Scope, coordinator_required
from ..services import Forbidden, blocking
from ..services import matching as matching_service
from ..services import quotas as service
from . import bp
from .quota_forms import QuotaForm

bp.app_template_filter("quota_bound")(service.bound_text)


@bp.app_template_filter("quota_reached")
def quota_reached(outcome: dict) -> str:
    """A run's stored outcome of one quota: "12 of 40 (30 %)" or "12 pairs"."""
    return service.reached_text(outcome["count"], outcome["base"],
                                outcome["unit"] == "percent")


def _list_url(scope: Scope) -> str:
    return url_for("pairing.quotas", slug=scope.programme.slug)


def _coordinators_only(scope: Scope) -> None:
    if scope.is_regional:
        raise Forbidden("the programme's coordinators set the quotas")


@bp.route("/<slug>/quotas")
@coordinator_required
def quotas(scope: Scope):
    return render_template("pairing/quotas.html", scope=scope, programme=scope.programme,
                           quotas=service.quotas_of(scope.programme))


@bp.route("/<slug>/quotas/new", methods=["GET", "POST"])
@bp.route("/<slug>/quotas/<int:quota_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_quota(scope: Scope, quota_id: int | None = None):
    _coordinators_only(scope)
    quota = service.quota_in_programme(scope, quota_id) if quota_id else None
    form = QuotaForm().for_programme(scope.programme)
    if request.method == "GET" and quota is not None:
        form.fill(service.QuotaValues.of(quota))
    if form.validate_on_submit() and perform(
            lambda: service.save(current_user, scope, form.values(), quota_id), form=form):
        flash(_("Quota saved.") if quota_id else _("Quota added."), "success")
        return redirect(_list_url(scope))
    return render_template("pairing/quota_form.html", scope=scope, programme=scope.programme,
                           form=form, quota=quota)


@bp.route("/<slug>/quotas/<int:quota_id>/delete", methods=["GET", "POST"])
@coordinator_required
def delete_quota(scope: Scope, quota_id: int):
    _coordinators_only(scope)
    quota = service.quota_in_programme(scope, quota_id)
    form = ConfirmForm()
    if form.validate_on_submit() and perform(
            lambda: service.delete(current_user, scope, quota.id)):
        flash(_("Quota deleted."), "success")
        return redirect(_list_url(scope))
    return render_template("pairing/quota_delete.html", scope=scope, programme=scope.programme,
                           form=form, quota=quota)


@bp.route("/<slug>/pairs/blocking")
@coordinator_required
def blocking_pairs(scope: Scope):
    run = matching_service.latest_run(scope.programme)
    page = paginate(blocking.listing(scope, run), per_page=50, max_per_page=200) if run \
        else None
    return render_template("pairing/blocking.html", scope=scope, programme=scope.programme,
                           run=run, page=page, kept=blocking.KEPT)


@bp.app_template_filter("quota_side")
def quota_side(quota, side: str) -> str:
    """Which mentees (or mentors) a quota counts, in words: "ATU · Woman · French ·
    Negotiation", or "Any"."""
    from ..data import language_name
    from ..gender import LABELS
    from ..locales import current_locale

    region, topic = getattr(quota, f"{side}_region"), getattr(quota, f"{side}_topic")
    gender, language = getattr(quota, f"{side}_gender"), getattr(quota, f"{side}_language")
    words = [region.code if region else "", str(LABELS[gender]) if gender else "",
             language_name(language, current_locale()) if language else "",
             topic.display_label if topic else ""]
    return " · ".join(word for word in words if word) or _("Any")
