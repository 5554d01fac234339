"""Work a coordinator started that runs in the background (a CSV import, a matching run), and
how it went."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, enum_type, utcnow


class JobKind(enum.StrEnum):
    IMPORT_APPLICATIONS = "import_applications"
    MATCHING_RUN = "matching_run"
    ANNOUNCE_PAIRS = "announce_pairs"
    APPROVE_ABOVE = "approve_above"
    DECIDE_APPLICATIONS = "decide_applications"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: A job in one of these states is never run again (a retried task does nothing twice).
FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED})


class Job(db.Model):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(enum_type(JobKind, "job_kind", 40))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"),
                                              index=True)
    #: Who started it; the page is shown to her and the programme's coordinators.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus, "job_status"),
                                              default=JobStatus.QUEUED)
    #: The language the person who started it used: messages the job writes are in it.
    locale: Mapped[str] = mapped_column(String(16), default="en")
    #: What the job works on (an uploaded CSV file); emptied once the job has finished.
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: How the job was asked for, e.g. {"fair": true} for a matching run.
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Progress: ``done`` of ``total`` units (rows of a file).
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    #: What a finished job produced, e.g. {"imported": 3}.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Why it failed: a list of {"line", "column", "message"} (the first ones) ...
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    #: ... and how many problems there were in all.
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    programme: Mapped[Programme] = relationship()  # noqa: F821
    user: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
