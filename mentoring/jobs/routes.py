from __future__ import annotations

from flask import render_template
from flask_login import current_user

from ..models import JobKind, JobStatus
from ..permissions import Scope, coordinator_required
from ..services import jobs as service
from . import bp
from .outcomes import outcome


@bp.route("/<slug>/jobs/<int:job_id>")
@coordinator_required
def job(scope: Scope, job_id: int):
    """How a background job is going, then how it ended."""
    job = service.job_in_scope(scope, job_id, current_user)
    return render_template("jobs/job.html", scope=scope, programme=scope.programme, job=job,
                           Status=JobStatus, Kind=JobKind, outcome=outcome)
