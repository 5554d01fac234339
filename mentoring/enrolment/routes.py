from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..boundary import perform
from ..extensions import db
from ..forms import ConfirmForm
from ..models import Enrolment, Role
from ..permissions import own_enrolment
from ..services import activities, circles, consent, pair_views, wishes
from ..services import enrolments as service
from ..services.scope import programme_by_slug
from . import bp
from .forms import ApplicationForm


def _aliases(form: ApplicationForm) -> dict[str, str]:
    # Mentors choose topics as "expertise", mentees as ranked "topic_1"...
    return {"topics": "expertise" if "expertise" in form else "topic_1"}


@bp.route("/programmes/<slug>/apply/<any(mentor, mentee):role>", methods=["GET", "POST"])
@login_required
def apply(slug: str, role: str):
    programme = programme_by_slug(slug)
    role_ = Role(role)
    if not programme.accepts_applications():
        flash(_("%(programme)s is not taking applications.",
                programme=programme.display_name), "error")
        return redirect(url_for("programmes.detail", slug=slug))
    if not current_user.is_verified:
        flash(_("Confirm your email address first: open the link we sent you."), "error")
        return redirect(url_for("programmes.detail", slug=slug))
    existing = service.existing_enrolment(programme, current_user, role_)
    if existing is not None:
        flash(service.already_applied_message(role_), "info")
        return redirect(url_for("enrolment.my_programmes"))
    form = ApplicationForm(programme, role_)
    if form.validate_on_submit() and perform(
            lambda: service.apply(current_user, programme, role_, form.application()),
            form=form, aliases=_aliases(form)):
        flash(_("Your application to %(programme)s is submitted.",
                programme=programme.display_name), "success")
        return redirect(url_for("enrolment.my_programmes"))
    return render_template("enrolment/apply.html", form=form, programme=programme, role=role_)


@bp.route("/applications/<int:enrolment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(enrolment_id: int):
    enrolment = own_enrolment(enrolment_id)
    if not enrolment.is_editable:
        flash(_("This application can no longer be changed."), "error")
        return redirect(url_for("enrolment.my_programmes"))
    form = ApplicationForm(enrolment.programme, enrolment.role, enrolment=enrolment)
    if form.validate_on_submit() and perform(
            lambda: service.update(current_user, enrolment, form.application()),
            form=form, aliases=_aliases(form)):
        flash(_("Your application is saved."), "success")
        return redirect(url_for("enrolment.my_programmes"))
    return render_template("enrolment/apply.html", form=form, programme=enrolment.programme,
                           role=enrolment.role, enrolment=enrolment)


@bp.route("/applications/<int:enrolment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(enrolment_id: int):
    enrolment = own_enrolment(enrolment_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        if perform(lambda: service.withdraw(current_user, enrolment)):
            flash(_("Your application is withdrawn."), "success")
        return redirect(url_for("enrolment.my_programmes"))
    return render_template("enrolment/withdraw.html", form=form, enrolment=enrolment)


@bp.route("/me/programmes")
@login_required
def my_programmes():
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id == current_user.id)
        .order_by(Enrolment.created_at.desc())
    ).all()
    return render_template("enrolment/mine.html", enrolments=enrolments,
                           pairs=pair_views.my_pairs(current_user),
                           circles=circles.of_member(current_user),
                           activities=activities.upcoming_for(current_user),
                           feed_url=activities.feed_url(current_user),
                           asked=consent.waiting_for(current_user),
                           wishes_open=wishes.open_ids(enrolments),
                           resend_form=ConfirmForm())
