"""Background jobs: Celery bound to the Flask app, and the page that follows a job.

``REDIS_URL`` names the broker (and result backend). Without it, tasks run at once in the
process that enqueues them (``task_always_eager``), so ``make run`` and the tests need
nothing else started. A worker and the scheduler run as::

    celery -A mentoring.jobs.worker worker
    celery -A mentoring.jobs.worker beat

A task is thin: it opens an application context, calls a service (``services/jobs.py``) and
commits. Routes create the ``Job`` row with :func:`mentoring.boundary.perform`, then
:func:`enqueue` it once that is committed.
"""

from __future__ import annotations

import os

from celery import Celery, Task
from flask import Blueprint, Flask, current_app, flash

from ..extensions import db
from ..models import Job, JobStatus
from .outcomes import outcome

bp = Blueprint("jobs", __name__, url_prefix="/coordinate")

#: The one task: run a job by its id (its kind says what to do).
RUN_JOB = "mentoring.run_job"


def init_app(app: Flask) -> Celery:
    """A Celery app whose tasks run inside ``app``'s application context (Flask's
    "Background Tasks with Celery" pattern), stored as ``app.extensions["celery"]``."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    from . import tasks

    redis_url = app.config.get("REDIS_URL") or ""
    celery = Celery(app.name, task_cls=FlaskTask, set_as_current=False)
    celery.conf.update(
        broker_url=redis_url or "memory://",
        result_backend=redis_url or None,
        # The Job row is the result a person sees; Celery's own results are not kept.
        task_ignore_result=True,
        # Without Redis a task runs inside the request that enqueues it, and its errors
        # are raised there (a 500 and a log line, as before jobs).
        task_always_eager=not redis_url,
        task_eager_propagates=True,
        # A task is acknowledged once done: a worker that dies mid-job leaves it to another,
        # and a job that finished is never run twice (services.jobs.claim).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        beat_schedule=tasks.SCHEDULE,
        # beat remembers when it last ran each entry in the instance folder, not the cwd.
        beat_schedule_filename=os.path.join(app.instance_path, "celerybeat-schedule"),
        **app.config.get("CELERY", {}),
    )

    tasks.register(celery)
    app.extensions["celery"] = celery
    return celery


def enqueue(job: Job) -> None:
    """Hand a committed job to the workers (or run it now, without ``REDIS_URL``)."""
    current_app.extensions["celery"].tasks[RUN_JOB].delay(job.id)


def run_or_queue(job: Job) -> bool:
    """Enqueue a committed job; True when it has finished already (without a worker it ran in
    this request), after flashing how it went, so the page answers as it did before jobs.
    False when a worker will run it: the route then shows the job's page."""
    enqueue(job)
    db.session.refresh(job)
    if not job.finished:
        return False
    if job.status == JobStatus.DONE:
        flash(*outcome(job.kind, job.result))
    else:
        for error in job.errors or []:
            flash(error["message"], "error")
    return True


from . import routes  # noqa: E402, F401
