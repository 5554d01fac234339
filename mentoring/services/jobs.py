"""Background jobs: the row that says what a job is, how far it got and how it ended.

A job is created in the request that asks for it (committed with it), then run by a Celery
task (``mentoring.jobs.tasks``) that calls :func:`claim`, :func:`run`, and :func:`fail` or
commits what :func:`run` did. Like every service these flush and never commit; only
:func:`report_progress` writes on a connection of its own, so that the job's page sees the
progress while the work's own transaction is still open.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..models import EnrolmentStatus, Job, JobKind, JobStatus, User
from ..models._types import utcnow
from ..models.job import FINISHED
from . import Forbidden, NotFound, Refused, consent, enrolments, matching, pairings, quotas
from .scope import Scope, coordinator_scope

#: A matching job queued or running for longer than this no longer holds back a new run (its
#: worker was lost with the broker's copy); the run itself still locks the programme's row.
STALE_AFTER = timedelta(hours=1)
#: The first key of the PostgreSQL advisory lock a job's work holds (the second is its id).
LOCK_SPACE = 0x6A6F62  # "job"


class JobFailed(Exception):
    """The job's work was refused: nothing it did stands. ``errors`` are the first problems
    (dicts of line, column, message), ``total`` how many there are in all."""

    def __init__(self, errors: list[dict[str, Any]], total: int):
        super().__init__(f"{total} errors")
        self.errors = errors
        self.total = total


def start(actor: User, scope: Scope, kind: JobKind, *, payload: bytes | None = None,
          options: dict[str, Any] | None = None, locale: str = "en") -> Job:
    """A queued job of ``kind`` for the scope's programme, started by ``actor``."""
    job = Job(kind=kind, programme=scope.programme, user=actor, payload=payload,
              options=options, locale=locale, status=JobStatus.QUEUED)
    db.session.add(job)
    db.session.flush()
    return job


def start_matching(actor: User, scope: Scope, *, fair: bool = False, stable: bool = False,
                   locale: str = "en") -> Job:
    """A queued matching run, once the programme is ready for one and no other run of it is
    queued or running (the run itself holds the programme's row too, for runs started
    elsewhere)."""
    matching.check_can_run(scope, fair=fair)
    quotas.check_options(scope.programme, fair=fair, stable=stable)
    waiting = db.session.scalar(select(Job.id).where(
        Job.programme_id == scope.programme.id, Job.kind == JobKind.MATCHING_RUN,
        Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        Job.created_at > utcnow() - STALE_AFTER).limit(1))
    if waiting is not None:
        raise Refused(matching.run_in_progress_message())
    options = {"fair": fair, **({"stable": True} if stable else {})}
    return start(actor, scope, JobKind.MATCHING_RUN, options=options, locale=locale)


def start_announce(actor: User, scope: Scope, *, locale: str = "en") -> Job:
    """A queued announcement of the approved pairs in scope (thousands of introductions take
    longer than a request may)."""
    pairings.check_can_change(scope)
    return start(actor, scope, JobKind.ANNOUNCE_PAIRS, locale=locale)


def start_approve_above(actor: User, scope: Scope, score: int, *, locale: str = "en") -> Job:
    """A queued approval of every proposal in scope scoring at least ``score``, once there
    are proposals to approve (refused at once as before, else when the job runs)."""
    pairings.check_can_approve_above(scope, score)
    return start(actor, scope, JobKind.APPROVE_ABOVE, options={"score": score}, locale=locale)


def start_decide(actor: User, scope: Scope, enrolment_ids: list[int], status: EnrolmentStatus,
                 message: str = "", *, locale: str = "en") -> Job:
    """A queued decision on many applications (each applicant is emailed). Every id is
    checked against the scope now, and again when the job runs: all or nothing."""
    enrolments.check_can_decide(scope, enrolment_ids, status)
    return start(actor, scope, JobKind.DECIDE_APPLICATIONS, locale=locale, options={
        "ids": sorted(set(enrolment_ids)), "decision": str(status), "message": message})


def job_in_scope(scope: Scope, job_id: int, actor: User) -> Job:
    """A job of the scope's programme: NotFound for another programme's, Forbidden for a
    regional co-chair asking for a job someone else started."""
    job = db.session.get(Job, job_id)
    if job is None or job.programme_id != scope.programme.id:
        raise NotFound(f"job {job_id}")
    if scope.region is not None and job.user_id != actor.id:
        raise Forbidden(f"job {job_id}")
    return job


def claim(job_id: int) -> Job | None:
    """The job, marked running; None when it is unknown or already finished (a task that is
    delivered twice, or retried after the job's work was committed, does nothing)."""
    # One statement, so that a delivery reading the job while another finishes it cannot
    # turn "done" back into "running".
    claimed = db.session.execute(update(Job).where(
        Job.id == job_id, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])
    ).values(status=JobStatus.RUNNING).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return None
    job = db.session.get(Job, job_id, populate_existing=True)
    job.started_at = job.started_at or utcnow()
    db.session.flush()
    return job


def report_progress(job_id: int, done: int, total: int) -> None:
    """Write the job's progress in a short transaction of its own, visible at once.

    Not on SQLite: it has one writer at a time, and the job's own transaction is it.
    """
    if db.engine.dialect.name == "sqlite":
        return
    with db.engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == job_id).values(done=done, total=total))


def run(job: Job) -> None:
    """Do the job's work in the caller's transaction and mark it done.

    Raises :class:`JobFailed` when the work is refused; the caller then rolls back and calls
    :func:`fail`. A second delivery of the task running alongside the first (a worker thought
    lost) waits here for the first to end, then does nothing when it finished the job: no
    email goes out twice.
    """
    if not _hold(job):
        return
    if job.kind == JobKind.IMPORT_APPLICATIONS:
        _import_applications(job)
    elif job.kind == JobKind.MATCHING_RUN:
        _matching_run(job)
    elif job.kind == JobKind.ANNOUNCE_PAIRS:
        _announce_pairs(job)
    elif job.kind == JobKind.APPROVE_ABOVE:
        _approve_above(job)
    elif job.kind == JobKind.DECIDE_APPLICATIONS:
        _decide_applications(job)
    else:  # pragma: no cover - every kind has its branch
        raise ValueError(f"unknown job kind {job.kind}")


def _hold(job: Job) -> bool:
    """Hold the job until the work's transaction ends (an advisory lock on PostgreSQL, which
    leaves the job's row free for :func:`report_progress`; SQLite has one writer anyway);
    False when it finished meanwhile."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(LOCK_SPACE, job.id)))
    db.session.refresh(job)
    return not job.finished


def _import_applications(job: Job) -> None:
    from .imports import ImportFailed, import_applications

    actor = job.user
    scope = coordinator_scope(job.programme, actor) if actor is not None else None
    if scope is None:  # her coordinator role ended while the job waited
        raise JobFailed([{"line": 0, "column": "", "message": _(
            "The person who started this import no longer coordinates the programme.")}], 1)

    def progress(done: int, total: int) -> None:
        report_progress(job.id, done, total)

    try:
        created = import_applications(actor, scope, job.payload or b"", progress=progress)
    except ImportFailed as failure:
        raise JobFailed([{"line": e.line, "column": e.column, "message": e.message}
                         for e in failure.errors], failure.total) from failure
    _finish(job, JobStatus.DONE, result={"imported": len(created)})


def _as_starter(job: Job, work):
    """Run ``work(actor, scope)`` as the person who started the job, in her scope now; a
    refusal (her role ended, the programme moved on, what she asked for left her region)
    fails the job with its reason."""
    actor = job.user
    scope = coordinator_scope(job.programme, actor) if actor is not None else None
    if scope is None:
        raise JobFailed([{"line": 0, "column": "", "message": _(
            "Nothing was changed: the person who started this no longer coordinates the "
            "programme.")}], 1)
    try:
        return work(actor, scope)
    except Refused as refusal:
        # Each of its messages (a run's quotas that cannot be met: one per rule).
        messages = list(refusal.errors.values())
        raise JobFailed([{"line": 0, "column": "", "message": message} for message in messages],
                        len(messages)) from refusal
    except (Forbidden, NotFound) as refusal:
        raise JobFailed([{"line": 0, "column": "", "message": _(
            "Some of what this job was asked to change is no longer within what its starter "
            "coordinates; nothing was changed.")}], 1) from refusal


def _matching_run(job: Job) -> None:
    fair = bool((job.options or {}).get("fair"))
    stable = bool((job.options or {}).get("stable"))
    run_ = _as_starter(job, lambda actor, scope: matching.run(actor, scope, fair=fair,
                                                              stable=stable))
    _finish(job, JobStatus.DONE, result={
        "run": run_.id, "ms": run_.duration_ms, "matched": run_.summary["matched"],
        "unmatched": run_.summary["unmatched"]})


def _announce_pairs(job: Job) -> None:
    announced, waiting = _as_starter(job, lambda actor, scope: (
        pairings.announce(actor, scope), consent.summary(scope).waiting))
    _finish(job, JobStatus.DONE, result={"announced": announced, "waiting": waiting})


def _approve_above(job: Job) -> None:
    score = int((job.options or {})["score"])
    approved, skipped = _as_starter(
        job, lambda actor, scope: pairings.approve_above(actor, scope, score))
    _finish(job, JobStatus.DONE, result={"approved": approved, "skipped": skipped})


def _decide_applications(job: Job) -> None:
    options = job.options or {}
    ids = [int(i) for i in options["ids"]]
    decided = _as_starter(job, lambda actor, scope: enrolments.decide(
        actor, scope, ids, EnrolmentStatus(options["decision"]), options.get("message", "")))
    _finish(job, JobStatus.DONE, result={"decided": len(decided),
                                         "unchanged": len(ids) - len(decided)})


def fail(job_id: int, errors: list[dict[str, Any]], total: int | None = None) -> Job | None:
    """Mark the job failed with its problems (after the caller rolled its work back).

    A job already done stays done: a second delivery of its task that ran alongside the first
    (a worker thought lost) fails on the work the first one committed.
    """
    job = db.session.get(Job, job_id)
    if job is None or job.status == JobStatus.DONE:
        return job
    job.errors = errors
    job.error_count = len(errors) if total is None else total
    _finish(job, JobStatus.FAILED, result=None)
    return job


def _finish(job: Job, status: JobStatus, result: dict[str, Any] | None) -> None:
    job.status = status
    job.result = result
    job.finished_at = utcnow()
    job.payload = None  # the file held personal data; the job no longer needs it
    db.session.flush()


def delete_finished(days: int, now: datetime | None = None) -> int:
    """Delete the jobs that finished (done or failed) more than ``days`` days ago; returns how
    many. A queued or running job is never deleted, however old."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return db.session.execute(
        delete(Job).where(Job.status.in_(sorted(FINISHED)), Job.finished_at < cutoff)
        .execution_options(synchronize_session=False)).rowcount
