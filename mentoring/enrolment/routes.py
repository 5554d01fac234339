from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..forms import ConfirmForm, show_error
from ..models import Enrolment, Programme, Role
from ..permissions import own_enrolment
from ..services import ServiceError, pair_views
from ..services import enrolments as service
from . import bp
from .forms import ApplicationForm


def _programme(slug: str) -> Programme:
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if programme is None:
        abort(404)
    return programme


def _show_error(form: ApplicationForm, error: ServiceError) -> None:
    # Mentors choose topics as "expertise", mentees as ranked "topic_1"...
    show_error(form, error, {"topics": "expertise" if "expertise" in form else "topic_1"})


@bp.route("/programmes/<slug>/apply/<any(mentor, mentee):role>", methods=["GET", "POST"])
@login_required
def apply(slug: str, role: str):
    programme = _programme(slug)
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
    if form.validate_on_submit():
        try:
            service.apply(current_user, programme, role_, form.application())
        except ServiceError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
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
    if form.validate_on_submit():
        try:
            service.update(current_user, enrolment, form.application())
        except ServiceError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
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
        try:
            service.withdraw(current_user, enrolment)
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
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
                           pairs=pair_views.my_pairs(current_user), resend_form=ConfirmForm())
