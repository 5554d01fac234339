"""Helpers for tests: read the outbox, follow links, reload rows."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager

from sqlalchemy import event, select

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


@contextmanager
def sql_statements():
    """The SQL statements sent while the block runs (a list that fills as they go)."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements_of_page(client, path: str) -> tuple[int, str]:
    """How many SQL statements a page sends (read afresh), and its text."""
    db.session.expire_all()
    with sql_statements() as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(statements), response.text


def job_page(client, response):
    """An import answers with a redirect to its job's page: that page, where the result is
    (without REDIS_URL the job ran inside the request). Any other answer as it is."""
    if response.status_code == 302 and "/jobs/" in response.location:
        return client.get(response.location)
    return response


def imported_count(page) -> int | None:
    """How many applications the job page says were imported (None: it does not say)."""
    match = re.search(r"(\d+) applications? imported\.", page.text)
    return int(match.group(1)) if match else None


def link_in(email: OutboxEmail) -> str:
    """The path of the first link in an email (the test client needs no host)."""
    match = re.search(r"https?://[^/\s]+(/\S+)", email.body)
    assert match, f"no link in: {email.body}"
    return match.group(1)


def enrolment_status(enrolment_id: int) -> EnrolmentStatus:
    db.session.expire_all()
    return db.session.get(Enrolment, enrolment_id).status


def programme_edit_form(programme, *, labels=None, remove=(), region_changes=None,
                        remove_regions=(),
                        **overrides) -> dict:
    """The admin's edit form as its page shows ``programme``: one row per topic and region,
    each carrying its id. ``labels`` and ``region_changes`` map a row's id to what the admin types
    over it; ``remove`` and ``remove_regions`` are the ids whose "Remove" box she ticks."""
    data = {
        "name": programme.name, "slug": programme.slug, "network": programme.network,
        "description": programme.description,
        "applications_open": programme.applications_open.isoformat()
        if programme.applications_open else "",
        "applications_close": programme.applications_close.isoformat()
        if programme.applications_close else "",
        "starts_on": programme.starts_on.isoformat() if programme.starts_on else "",
        "ends_on": programme.ends_on.isoformat() if programme.ends_on else "",
        "mentor_capacity_default": str(programme.mentor_capacity_default),
        "mentor_capacity_max": str(programme.mentor_capacity_max),
        "min_sessions_per_month": str(programme.min_sessions_per_month),
        "reminder_interval_days": str(programme.reminder_interval_days),
        "women_target_percent": str(programme.women_target_percent),
        "guidance": programme.guidance, "languages": programme.language_codes,
        "default_locale": programme.default_locale, "topics": "", "regions": "",
    }
    if programme.new_partners_only:  # a ticked box sends its value; an empty one nothing
        data["new_partners_only"] = "y"
    for number, topic in enumerate(programme.topics):
        data[f"topic_rows-{number}-id"] = str(topic.id)
        data[f"topic_rows-{number}-label"] = (labels or {}).get(topic.id, topic.label)
        if topic.id in remove:
            data[f"topic_rows-{number}-remove"] = "y"
    for number, region in enumerate(programme.regions):
        typed = {"code": region.code, "name": region.name, "countries": region.countries}
        typed.update((region_changes or {}).get(region.id, {}))
        for name, value in typed.items():
            data[f"region_rows-{number}-{name}"] = value
        data[f"region_rows-{number}-id"] = str(region.id)
        if region.id in remove_regions:
            data[f"region_rows-{number}-remove"] = "y"
    data.update(overrides)
    return data


def end_coordinator_role(user, programme) -> None:
    """Her coordinator role on the programme ends (an admin removed it)."""
    from mentoring.models import Coordinator
    from mentoring.services import programmes

    role = db.session.scalar(select(Coordinator).where(
        Coordinator.user_id == user.id, Coordinator.programme_id == programme.id))
    programmes.remove_coordinator(None, programme, role.id)
    db.session.commit()


#: What a job's page says when its starter stopped coordinating before a worker ran it.
STARTER_GONE = ("Nothing was changed: the person who started this no longer coordinates the "
                "programme.")


def job_page_after_its_starter_left(client, auth, worker_queue, programme, starter, reader,
                                    start) -> str:
    """The page of the job `start()` queues as `starter` (it returns the job page's address),
    as `reader` sees it once a worker ran it after the starter's role had ended."""
    auth.login(starter)
    job_page = start()
    end_coordinator_role(starter, programme)
    worker_queue.work()
    auth.logout()
    auth.login(reader)
    return client.get(job_page).text


def flashes(client) -> list[str]:
    """The messages flashed since the last page read (and forgets them)."""
    with client.session_transaction() as session:
        return [message for _category, message in session.pop("_flashes", [])]


def text(response) -> str:
    """A response's page as a reader sees its words (entities such as &#39; read as ')."""
    return html.unescape(response.get_data(as_text=True))
