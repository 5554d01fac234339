"""The Celery tasks: open the app context (the task class does), call a service, commit."""

from __future__ import annotations

import logging

from celery import Celery
from flask_babel import force_locale
from flask_babel import gettext as _

from ..extensions import db
from ..services import jobs

log = logging.getLogger(__name__)


def register(celery: Celery) -> None:
    """Define the tasks on ``celery``."""
    from . import RUN_JOB

    @celery.task(name=RUN_JOB, shared=False)  # this app only: tests build many
    def run_job(job_id: int) -> None:
        job = jobs.claim(job_id)
        if job is None:
            return
        db.session.commit()  # "running", seen at once
        locale = job.locale
        try:
            with force_locale(locale):
                jobs.run(job)
        except jobs.JobFailed as failure:
            db.session.rollback()
            jobs.fail(job_id, failure.errors, failure.total)
        except BaseException:
            db.session.rollback()
            log.exception("job %s failed", job_id)
            with force_locale(locale):
                jobs.fail(job_id, [{"line": 0, "column": "", "message": _(
                    "Something went wrong on our side; nothing was changed. Please try "
                    "again later.")}])
            db.session.commit()
            raise
        db.session.commit()
