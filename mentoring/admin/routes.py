from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from ..boundary import perform
from ..extensions import db
from ..forms import ConfirmForm, options
from ..i18n import current_locale
from ..models import AuditEvent, Enrolment, Programme, ProgrammeStatus, User
from ..models._types import utcnow
from ..pagination import paginate
from ..permissions import Scope, admin_required
from ..services import dashboard as figures
from ..services import found, mail, personal_data
from ..services import programmes as service
from ..services.scope import programme_by_slug
from . import bp
from .forms import CoordinatorForm, CopyForm, ProgrammeForm, RetryEmailsForm, StatusForm


@bp.route("/")
@admin_required
def index():
    programmes = db.session.scalars(select(Programme).order_by(Programme.created_at.desc())).all()
    counts = dict(db.session.execute(
        select(Enrolment.programme_id, func.count()).group_by(Enrolment.programme_id)).all())
    return render_template("admin/index.html", programmes=programmes, counts=counts)


@bp.route("/programmes/new", methods=["GET", "POST"])
@admin_required
def new_programme():
    form = ProgrammeForm()
    if request.method == "GET":
        form.languages.data = ["ar", "zh", "en", "fr", "ru", "es"]
        form.default_locale.data = "en"
    done = form.validate_on_submit() and perform(
        lambda: service.create(current_user, **form.lists(), **form.values()), form=form)
    if done:
        programme = done.value
        flash(_("Programme %(name)s created as a draft.", name=programme.display_name),
              "success")
        return redirect(url_for("admin.programme", slug=programme.slug))
    return render_template("admin/programme_form.html", form=form, programme=None)


@bp.route("/programmes/<slug>")
@admin_required
def programme(slug: str):
    programme = programme_by_slug(slug)
    status_form = StatusForm()
    status_form.status.choices = options([(s.value, service.status_label(s))
                                  for s in service.allowed_statuses(programme)])
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.programme_id == programme.id)
        .order_by(AuditEvent.id.desc()).limit(20)).all()
    return render_template("admin/programme.html", programme=programme,
                           status_form=status_form, events=events)


@bp.route("/programmes/<slug>/edit", methods=["GET", "POST"])
@admin_required
def edit_programme(slug: str):
    programme = programme_by_slug(slug)
    form = ProgrammeForm(obj=programme)
    if request.method == "GET":
        form.load(programme)
    else:
        form.offer_removals(service.removals(programme, **form.lists()))
    if form.validate_on_submit() and perform(
            lambda: service.update(current_user, programme, **form.lists(),
                                   confirmed=form.confirm_removal.data or [], **form.values()),
            form=form):
        flash(_("Programme saved."), "success")
        return redirect(url_for("admin.programme", slug=programme.slug))
    return render_template("admin/programme_form.html", form=form, programme=programme)


@bp.route("/programmes/<slug>/status", methods=["POST"])
@admin_required
def programme_status(slug: str):
    programme = programme_by_slug(slug)
    form = StatusForm()
    form.status.choices = options([(s.value, s.value) for s in service.allowed_statuses(programme)])
    if not form.validate_on_submit():
        flash(_("This status change is not possible now."), "error")
        return redirect(url_for("admin.programme", slug=slug))
    if perform(lambda: service.set_status(current_user, programme,
                                          ProgrammeStatus(form.status.data))):
        flash(_("%(name)s is now %(status)s.", name=programme.display_name,
                status=service.status_label(programme.status)), "success")
    return redirect(url_for("admin.programme", slug=slug))


@bp.route("/programmes/<slug>/copy", methods=["GET", "POST"])
@admin_required
def copy_programme(slug: str):
    programme = programme_by_slug(slug)
    form = CopyForm()
    done = form.validate_on_submit() and perform(
        lambda: service.copy_to_new_cycle(current_user, programme, name=form.name.data,
                                          slug=form.slug.data), form=form)
    if done:
        flash(_("%(name)s is created as a draft with the settings of %(previous)s. "
                "Set its dates before opening it.", name=done.value.name,
                previous=programme.display_name), "success")
        return redirect(url_for("admin.edit_programme", slug=done.value.slug))
    return render_template("admin/copy.html", form=form, programme=programme)


@bp.route("/programmes/<slug>/coordinators", methods=["GET", "POST"])
@admin_required
def coordinators(slug: str):
    programme = programme_by_slug(slug)
    form = CoordinatorForm(programme)
    if form.validate_on_submit() and perform(
            lambda: service.assign_coordinator(current_user, programme, form.email.data,
                                               form.region.data or None), form=form):
        flash(_("Coordinator saved."), "success")
        return redirect(url_for("admin.coordinators", slug=slug))
    return render_template("admin/coordinators.html", programme=programme, form=form,
                           remove_form=ConfirmForm())


@bp.route("/programmes/<slug>/coordinators/<int:coordinator_id>/remove", methods=["POST"])
@admin_required
def remove_coordinator(slug: str, coordinator_id: int):
    programme = programme_by_slug(slug)
    if ConfirmForm().validate_on_submit() and perform(
            lambda: service.remove_coordinator(current_user, programme, coordinator_id)):
        flash(_("Coordinator removed."), "success")
    return redirect(url_for("admin.coordinators", slug=slug))


@bp.route("/users")
@admin_required
def users():
    q = request.args.get("q", "").strip().lower()[:100]
    query = select(User).order_by(User.name)
    if q:
        needle = "%" + q.replace("%", r"\%").replace("_", r"\_") + "%"
        query = query.where(func.lower(User.name).like(needle, escape="\\")
                            | func.lower(User.email).like(needle, escape="\\"))
    page = paginate(query, per_page=50)
    return render_template("admin/users.html", page=page, q=q)


@bp.route("/users/<int:user_id>/erase", methods=["GET", "POST"])
@admin_required
def erase_user(user_id: int):
    """Erase a person's account on her request (asks first)."""
    user = found(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit() and perform(
            lambda: personal_data.erase_on_request(current_user, user)):
        flash(_("The account is erased."), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/erase_user.html", form=form, user=user)


@bp.route("/dashboard")
@admin_required
def dashboard():
    """The same headline figures side by side for every programme."""
    today = utcnow().date()
    programmes = db.session.scalars(select(Programme).where(
        Programme.status != ProgrammeStatus.DRAFT).order_by(Programme.name)).all()
    boards = [(programme, figures.build(Scope(programme), today, current_locale()))
              for programme in programmes]
    return render_template("admin/dashboard.html", boards=boards, share=figures.women_share)


@bp.route("/emails", methods=["GET", "POST"])
@admin_required
def failed_emails():
    """Emails given up after two days of retries; an admin sends them again."""
    form = RetryEmailsForm()
    if form.validate_on_submit():
        done = perform(lambda: mail.retry_failed(current_user, form.ids.data))
        if done:
            flash(ngettext("%(num)d email is sent again.", "%(num)d emails are sent again.",
                           done.value), "success")
        return redirect(url_for("admin.failed_emails"))
    return render_template("admin/emails.html", emails=mail.failed_emails(), form=form)
