"""A mentor's listing for mentees, and the mentors a mentee would like (`services.wishes`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..boundary import perform
from ..models import MAX_WISHES, Role
from ..pagination import paginate
from ..permissions import own_enrolment
from ..security import whole_number
from ..services import wishes as service
from ..services.enrolments import with_details
from . import bp
from .forms import ListingForm, WishesForm


@bp.route("/applications/<int:enrolment_id>/listing", methods=["GET", "POST"])
@login_required
def listing(enrolment_id: int):
    mentor = own_enrolment(enrolment_id)
    if mentor.role != Role.MENTOR:
        abort(404)
    form = ListingForm(obj=mentor) if request.method == "GET" else ListingForm()
    if form.validate_on_submit() and perform(
            lambda: service.set_listing(current_user, mentor, form.listed.data,
                                        form.bio.data or ""), form=form):
        flash(_("You are listed: mentees can ask for you.") if form.listed.data
              else _("You are not listed: mentees cannot ask for you."), "success")
        return redirect(url_for("enrolment.my_programmes"))
    return render_template("enrolment/listing.html", form=form, enrolment=mentor)


#: The list's own query arguments, kept when a button on it posts.
LIST_ARGS = ("region", "topic", "language", "page")


def _filters() -> service.MentorFilters:
    return service.MentorFilters(region_id=whole_number(request.args.get("region")),
                                 topic_id=whole_number(request.args.get("topic")),
                                 language=request.args.get("language", "")[:16])


def _ranks() -> dict[int, int]:
    """The rank the form gives each of the mentee's mentors (0: remove)."""
    ranks = {}
    for mentor, rank in zip(request.form.getlist("mentor"), request.form.getlist("rank"),
                            strict=False):
        mentor_id = whole_number(mentor)
        if mentor_id is not None:
            ranks[mentor_id] = 0 if rank == "remove" else (whole_number(rank) or MAX_WISHES + 1)
    removed = whole_number(request.form.get("remove"))
    if removed is not None:
        ranks[removed] = 0
    return ranks


@bp.route("/applications/<int:enrolment_id>/wishes", methods=["GET", "POST"])
@login_required
def wishes(enrolment_id: int):
    mentee = own_enrolment(enrolment_id)
    if mentee.role != Role.MENTEE:
        abort(404)
    form = WishesForm()
    if form.validate_on_submit():
        current = [wish.mentor_id for wish in mentee.wishes]
        if "add" in request.form:
            added = whole_number(request.form.get("add"))
            done = perform(lambda: service.add_wish(current_user, mentee, added or 0))
            message = _("Mentor added to your wishes.")
        else:
            ranks = _ranks()
            done = perform(lambda: service.set_wishes(
                current_user, mentee, service.reordered(current, ranks)))
            message = _("Your wishes are saved.")
        if done:
            flash(message, "success")
        kept = {name: value for name, value in request.args.items() if name in LIST_ARGS}
        return redirect(url_for("enrolment.wishes", enrolment_id=mentee.id, **kept))
    closed = service.closed_reason(mentee)
    filters = _filters()
    page = None if closed else paginate(service.listed_mentors(mentee, filters), with_details,
                                        per_page=10, max_per_page=50)
    return render_template("enrolment/wishes.html", enrolment=mentee, form=form,
                           closed=closed, page=page, filters=filters,
                           chosen=[wish for wish in mentee.wishes],
                           counts=service.counts, max_wishes=MAX_WISHES)
