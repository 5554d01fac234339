"""Helpers for tests: read the outbox, follow links, reload rows."""

from __future__ import annotations

import re

from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import Enrolment, EnrolmentStatus, OutboxEmail


def emails(kind=None, to=None) -> list[OutboxEmail]:
    query = select(OutboxEmail).order_by(OutboxEmail.id)
    if kind:
        query = query.where(OutboxEmail.kind == kind)
    if to:
        query = query.where(OutboxEmail.recipient == to)
    db.session.expire_all()
    return list(db.session.scalars(query))


def link_in(email: OutboxEmail) -> str:
    """The path of the first link in an email (the test client needs no host)."""
    match = re.search(r"https?://[^/\s]+(/\S+)", email.body)
    assert match, f"no link in: {email.body}"
    return match.group(1)


def enrolment_status(enrolment_id: int) -> EnrolmentStatus:
    db.session.expire_all()
    return db.session.get(Enrolment, enrolment_id).status
