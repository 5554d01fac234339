"""The Celery tasks: open the app context (the task class does), call a service, commit.

``run_job`` runs what a coordinator started; the others are what ``beat`` runs on a schedule
(:data:`SCHEDULE`), as the ``send-emails``, ``send-reminders``, ``anonymise-old`` and
``delete-old-jobs`` commands do from cron. Each is safe to run twice or beside its command:
the outbox claims each message once, reminders remember what they sent, erasure skips what is
already erased, and a deleted job is gone.
"""

from __future__ import annotations

import logging
import time

from celery import Celery
from celery.schedules import crontab
from flask_babel import force_locale
from flask_babel import gettext as _

from ..extensions import db
from ..models._types import utcnow
from ..ops import metrics
from ..services import Refused, jobs, mail

#: What ``celery -A mentoring.jobs.worker beat`` starts, and when (UTC).
SCHEDULE = {
    "send-emails": {"task": "mentoring.send_emails", "schedule": 5 * 60.0},
    "send-reminders": {"task": "mentoring.send_reminders", "schedule": crontab(hour=6, minute=0)},
    "anonymise-old": {"task": "mentoring.anonymise_old", "schedule": crontab(hour=3, minute=30)},
    "delete-old-jobs": {"task": "mentoring.delete_old_jobs",
                        "schedule": crontab(hour=3, minute=45)},
}

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
        locale, kind = job.locale, str(job.kind)
        started = time.perf_counter()
        try:
            with force_locale(locale):
                jobs.run(job)
        except jobs.JobFailed as failure:
            db.session.rollback()
            jobs.fail(job_id, failure.errors, failure.total)
            outcome = "failed"
        except BaseException:
            db.session.rollback()
            log.exception("job %s failed", job_id)
            with force_locale(locale):
                jobs.fail(job_id, [{"line": 0, "column": "", "message": _(
                    "Something went wrong on our side; nothing was changed. Please try "
                    "again later.")}])
            db.session.commit()
            metrics.job_finished(kind, "error", time.perf_counter() - started)
            raise
        else:
            outcome = "done"
        db.session.commit()
        metrics.job_finished(kind, outcome, time.perf_counter() - started)

    @celery.task(name="mentoring.send_emails", shared=False)
    def send_emails() -> dict[str, int]:
        """What is due in the outbox (a failed message waits for its next retry)."""
        sent, failed = mail.deliver_pending(limit=10_000)
        return {"sent": sent, "failed": failed}

    @celery.task(name="mentoring.send_reminders", shared=False)
    def send_reminders() -> None:
        """Remind silent pairs, pairs that never met, and coordinators; send due surveys."""
        from ..services.reminders import send_reminders as run

        run(utcnow().date())
        db.session.commit()  # the queued emails go out after the commit

    @celery.task(name="mentoring.anonymise_old", shared=False)
    def anonymise_old() -> None:
        """Erase what the retention period says is too old (RETENTION_DAYS)."""
        from flask import current_app

        from ..services.personal_data import anonymise_old as run

        try:
            run(current_app.config["RETENTION_DAYS"], utcnow().date())
        except Refused as refusal:
            db.session.rollback()
            log.warning("anonymise-old refused: %s", refusal.message)
            return
        db.session.commit()

    @celery.task(name="mentoring.delete_old_jobs", shared=False)
    def delete_old_jobs() -> int:
        """Delete jobs finished more than JOB_RETENTION_DAYS ago."""
        from flask import current_app

        deleted = jobs.delete_finished(current_app.config["JOB_RETENTION_DAYS"])
        db.session.commit()
        return deleted
