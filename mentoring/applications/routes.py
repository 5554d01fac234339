from __future__ import annotations

import sys

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from .. import shipped
from ..boundary import csv_response, perform
from ..i18n import current_locale
from ..jobs import enqueue, run_or_queue
from ..jobs.outcomes import outcome
from ..models import EnrolmentStatus, JobKind, Role
from ..pagination import known_page, paginate
from ..permissions import Scope, coordinator_required, enrolment_in_scope
from ..security import whole_number
from ..services import enrolments as service
from ..services import exports, jobs, outcomes, revision_cache, wishes
from . import bp
from .forms import DecisionForm, ImportForm

#: The list's filters, carried from the list to an application's page and its neighbours.
LIST_ARGS = ("role", "status", "region", "topic", "q")


def _list_args() -> dict[str, str]:
    return {name: request.args[name] for name in LIST_ARGS if request.args.get(name)}


def _filters() -> service.Filters:
    def number(name):
        return whole_number(request.args.get(name))

    return service.Filters(
        role=request.args.get("role", ""), status=request.args.get("status", ""),
        region_id=number("region"), topic_id=number("topic"), q=request.args.get("q", "")[:100],
    )


#: What the rows' HTML is made by: rows made by other code are keyed apart.
_ROWS_CODE = revision_cache.html_code(sys.modules[__name__], service,
                                     shipped("templates") / "applications" / "_rows.html")


@bp.route("/<slug>/applications")
@coordinator_required
def applications(scope: Scope):
    filters = _filters()
    list_args = _list_args()
    # The counts above the list and its rows are cached under the programme's revision.
    found = revision_cache.revision(scope.programme.id)
    counts = service.status_counts(scope, found)
    paging = {"per_page": request.args.get("per_page", type=int)
              or current_app.config["APPLICATIONS_PER_PAGE"], "max_per_page": 200}

    def rows() -> tuple[list[int], int, str]:
        page = paginate(service.applications_query(scope, filters), service.listed,
                        total=service.counted(filters, counts), **paging)
        ids = [enrolment.id for enrolment in page.items]
        languages, topics = service.languages_and_topics(ids)
        return ids, page.total, render_template(
            "applications/_rows.html", programme=scope.programme, page=page,
            list_args=list_args, languages=languages, topics=topics)

    # The rows' HTML holds no token and no per-request address (the form's are outside it).
    ids, total, html = revision_cache.cached(
        scope, f"application-rows:{_ROWS_CODE}", rows, current_locale(), revision_cache.digest(
            filters, list_args, request.args.get("page"), paging, request.script_root),
        found=found)
    page = known_page(ids, total, **paging)
    return render_template("applications/applications.html", scope=scope,
                           programme=scope.programme, page=page, filters=filters,
                           form=DecisionForm(choices=[(i, str(i)) for i in ids]),
                           counts=counts, rows=Markup(html))  # noqa: S704 - rendered escaped


@bp.route("/<slug>/applications/decide", methods=["POST"])
@coordinator_required
def decide(scope: Scope):
    form = DecisionForm()
    redirect_to = form.back_url(f"/coordinate/{scope.programme.slug}/", url_for(
        "applications.applications", slug=scope.programme.slug))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(redirect_to)
    ids, decision = form.ids.data, EnrolmentStatus(form.decision.data)
    message = form.message.data or ""
    if len(set(ids)) == 1:
        # One decision (the review page's) is quick: made here, by the rule the job runs.
        done = perform(lambda: service.decide(current_user, scope, ids, decision, message))
        if done:
            flash(*outcome(JobKind.DECIDE_APPLICATIONS, {"decided": len(done.value)}))
        return redirect(redirect_to)
    # Many decisions email as many people: a job, done already when there is no worker.
    started = perform(lambda: jobs.start_decide(current_user, scope, ids, decision, message,
                                                locale=current_locale()))
    if started and not run_or_queue(started.value):
        return redirect(url_for("jobs.job", slug=scope.programme.slug,
                                job_id=started.value.id))
    return redirect(redirect_to)


@bp.route("/<slug>/applications/<int:enrolment_id>")
@coordinator_required
def application(scope: Scope, enrolment_id: int):
    enrolment = enrolment_in_scope(scope, enrolment_id)
    current = enrolment.status.value
    form = DecisionForm(choices=[(enrolment.id, str(enrolment.id))], single=True,
                        data={"ids": [enrolment.id], "decision": current if current in
                              {value for value, _label in DecisionForm.DECISIONS} else None})
    previous, following = service.neighbours(scope, _filters(), enrolment)
    return render_template("applications/application.html", scope=scope,
                           programme=scope.programme, enrolment=enrolment, form=form,
                           previous=previous, following=following, list_args=_list_args(),
                           wishes=wishes.wishes_of([enrolment.id]).get(enrolment.id, []),
                           baseline=outcomes.baseline_roles(scope.programme, enrolment.user))


@bp.route("/<slug>/applications.csv")
@coordinator_required
def export(scope: Scope):
    return csv_response(exports.applications_csv(scope, _filters()),
                        f"{scope.programme.slug}-applications.csv")


@bp.route("/<slug>/import", methods=["GET", "POST"])
@coordinator_required
def import_csv(scope: Scope):
    form = ImportForm()
    if form.validate_on_submit():
        # A file of thousands of rows takes longer than a request may: the import runs as a
        # job, and its page shows how far it got, then the result or every problem.
        started = perform(lambda: jobs.start(current_user, scope, JobKind.IMPORT_APPLICATIONS,
                                             payload=form.file.data.read(),
                                             locale=current_locale()))
        if started:
            enqueue(started.value)
            return redirect(url_for("jobs.job", slug=scope.programme.slug,
                                    job_id=started.value.id))
    return render_template("applications/import.html", scope=scope, programme=scope.programme,
                           form=form, Role=Role)
