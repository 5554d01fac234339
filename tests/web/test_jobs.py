"""A CSV import runs as a background job: the import page answers at once with the job's page,
which shows how far the job got, then what it did or every problem it found.

Without ``REDIS_URL`` the job runs inside the request (Celery's eager mode), so these stories
run on SQLite and PostgreSQL with nothing else started. The last one runs a real Celery worker
against Redis (``TEST_REDIS_URL``) and PostgreSQL.
"""

from __future__ import annotations

import html
import io
import os
import re
import time
import uuid

import pytest
from sqlalchemy import func, select

from mentoring import create_app
from mentoring.extensions import db
from mentoring.jobs import RUN_JOB
from mentoring.models import Enrolment, EnrolmentStatus, Job, JobKind, JobStatus
from mentoring.services.imports import import_applications
from mentoring.services.scope import Scope
from tests.conftest import PASSWORD, PersonClient, _config, need
from tests.helpers import imported_count
from tests.web.test_import_export import HEADINGS, errors_on, good_row
from tests.web.test_languages import tr

JOB_PAGE = re.compile(r"/coordinate/(?P<slug>[^/]+)/jobs/(?P<id>\d+)$")


@pytest.fixture
def programme(make_programme):
    return make_programme(name="NOW4WRC27", slug="now4wrc27")


def rows(count: int, **values) -> str:
    return HEADINGS + "\n" + "\n".join(
        good_row(email=f"person{n}@example.org", **values) for n in range(count)) + "\n"


def post_file(client, slug: str, content: str):
    return client.post(f"/coordinate/{slug}/import",
                       data={"file": (io.BytesIO(content.encode()), "applications.csv")})


def applications() -> int:
    return db.session.scalar(select(func.count()).select_from(Enrolment))


def test_an_import_answers_at_once_with_its_job_page_which_shows_the_result(
        client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    response = post_file(client, programme.slug, rows(3))
    assert response.status_code == 302
    found = JOB_PAGE.search(response.location)
    assert found and found["slug"] == programme.slug
    page = client.get(response.location)
    assert page.status_code == 200
    assert "3 applications imported." in page.text
    assert f"/coordinate/{programme.slug}/applications?status=submitted" in page.text
    assert "<progress" not in page.text and "data-refresh" not in page.text
    assert applications() == 3
    job = db.session.get(Job, int(found["id"]))
    assert (job.kind, job.status, job.result) == (JobKind.IMPORT_APPLICATIONS, JobStatus.DONE,
                                                  {"imported": 3})
    assert job.payload is None  # the file's personal data is not kept once imported
    assert job.finished_at is not None


def test_a_bad_file_shows_every_problem_with_line_and_column_and_imports_nothing(
        client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    content = rows(2) + good_row(email="x@example.org", country="Atlantis") + "\n"
    page = client.get(post_file(client, programme.slug, content).location)
    assert "Nothing was imported: the file has 1 problem, listed below." in page.text
    assert errors_on(page) == [("4", "Country", 'Unknown country "Atlantis".')]
    assert f"/coordinate/{programme.slug}/import" in page.text
    assert applications() == 0
    [job] = db.session.scalars(select(Job)).all()
    assert (job.status, job.error_count, job.payload) == (JobStatus.FAILED, 1, None)


def test_the_problems_are_written_in_the_language_of_the_coordinator_who_imported(
        client, auth, programme, coordinator):
    auth.login(coordinator(programme, locale="fr"))
    content = good_row(country="Atlantis").join([HEADINGS + "\n", "\n"])
    page = client.get(post_file(client, programme.slug, content).location)
    assert 'lang="fr"' in page.text
    [(line, column, message)] = errors_on(page)
    assert (line, column) == ("2", "Country")
    assert message == tr("fr", 'Unknown country "%(value)s".') % {"value": "Atlantis"}


def test_the_job_page_shows_the_progress_while_the_job_runs(client, auth, programme,
                                                            coordinator):
    claire = coordinator(programme)
    job = Job(kind=JobKind.IMPORT_APPLICATIONS, programme=programme, user=claire,
              status=JobStatus.RUNNING, done=1200, total=3000)
    db.session.add(job)
    db.session.commit()
    auth.login(claire)
    page = client.get(f"/coordinate/{programme.slug}/jobs/{job.id}")
    assert '<progress id="job-progress" max="3000" value="1200"' in page.text
    assert "1,200 of 3,000 rows checked" in html.unescape(page.text)
    assert 'data-refresh="2000"' in page.text and 'aria-busy="true"' in page.text
    job.done = 3000
    db.session.commit()
    assert "Saving the applications…" in client.get(
        f"/coordinate/{programme.slug}/jobs/{job.id}").text


def test_the_import_reports_its_progress_every_100_rows(app, programme, make_user):
    calls = []
    import_applications(make_user(admin=True), Scope(programme), rows(250).encode(),
                        progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 250), (100, 250), (200, 250), (250, 250)]
    db.session.rollback()


def test_a_job_delivered_again_after_it_finished_does_nothing(app, client, auth, programme,
                                                              coordinator):
    auth.login(coordinator(programme))
    response = post_file(client, programme.slug, rows(2))
    job_id = int(JOB_PAGE.search(response.location)["id"])
    app.extensions["celery"].tasks[RUN_JOB].apply(args=[job_id])
    assert applications() == 2
    db.session.expire_all()
    assert db.session.get(Job, job_id).status == JobStatus.DONE


def test_a_coordinator_of_another_programme_cannot_see_the_job(
        client, auth, programme, make_programme, coordinator):
    auth.login(coordinator(programme))
    job_page = post_file(client, programme.slug, rows(1)).location
    job_id = JOB_PAGE.search(job_page)["id"]
    other = make_programme(name="NOW4WTDC25", slug="now4wtdc25")
    auth.logout()
    auth.login(coordinator(other))
    assert client.get(job_page).status_code == 403
    assert client.get(f"/coordinate/{other.slug}/jobs/{job_id}").status_code == 404


def test_a_regional_cochair_sees_her_own_import_but_not_the_programme_coordinators(
        client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    theirs = post_file(client, programme.slug, rows(1)).location
    auth.logout()
    auth.login(coordinator(programme, "ATU"))
    mine = post_file(client, programme.slug, rows(1, country="Kenya").replace(
        "person0", "wanjiru")).location
    assert "1 application imported." in client.get(mine).text
    assert client.get(theirs).status_code == 403


# ---- a real worker ---------------------------------------------------------------------------

def test_a_worker_runs_the_import_while_the_page_shows_its_progress(app, make_user,
                                                                    programme, coordinator):
    """Celery's own worker, fed through Redis, writes to PostgreSQL; the coordinator's page
    follows the job from queued to done."""
    redis_url = os.environ.get("TEST_REDIS_URL", "")
    if not redis_url:
        need("the worker test needs Redis: TEST_REDIS_URL (redis://127.0.0.1:6390/0)")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        pytest.skip("the worker writes from another thread: the test runs on PostgreSQL")
    from celery.contrib.testing.worker import start_worker

    # A queue of this test's own, so nothing another run left in Redis reaches this worker.
    site = create_app({**_config(url), "REDIS_URL": redis_url,
                       "CELERY": {"task_default_queue": f"test-{uuid.uuid4().hex}"}})
    site.test_client_class = PersonClient
    celery = site.extensions["celery"]
    assert not celery.conf.task_always_eager
    claire = coordinator(programme)
    browser = site.test_client()
    assert browser.post("/login", data={"email": claire.email,
                                        "password": PASSWORD}).status_code == 302

    # The size: 3,000 applications, more than a request may take.
    response = post_file(browser, programme.slug, rows(3000))
    assert response.status_code == 302 and JOB_PAGE.search(response.location)
    waiting = browser.get(response.location)
    assert "Waiting to start." in waiting.text and "<progress" in waiting.text
    assert applications() == 0

    seen = set()
    with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            page = browser.get(response.location)
            if "data-refresh" not in page.text:
                break
            seen.add(re.search(r'value="(\d+)"', page.text).group(1))
            time.sleep(0.1)
    assert imported_count(page) == 3000, page.text
    assert applications() == 3000
    assert seen, "the page showed the job before it was done"
    db.session.expire_all()
    [job] = db.session.scalars(select(Job)).all()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 3000, 3000)


# ---- a matching run is a job too -------------------------------------------------------------

@pytest.fixture
def ready(make_programme, make_enrolment, coordinator):
    """A programme in status "matching" with an accepted mentee and mentor, and its
    coordinator."""
    from mentoring.models import EnrolmentStatus, ProgrammeStatus, Role

    programme = make_programme(name="NOW4WRC27", slug="now4wrc27",
                               status=ProgrammeStatus.MATCHING)
    for role in (Role.MENTEE, Role.MENTOR):
        make_enrolment(programme, role=role, status=EnrolmentStatus.ACCEPTED)
    return programme, coordinator(programme)


def test_a_matching_run_answers_with_its_job_page_which_leads_to_the_proposals(
        client, auth, ready):
    from mentoring.models import MatchingRun

    programme, claire = ready
    auth.login(claire)
    response = client.post(f"/coordinate/{programme.slug}/matching/run", data={"fair": "y"})
    assert JOB_PAGE.search(response.location)
    page = client.get(response.location)
    assert re.search(r"Matching done in \d+ ms: 1 mentees matched, 0 unmatched\.", page.text)
    assert f'href="/coordinate/{programme.slug}/pairs"' in page.text
    [job] = db.session.scalars(select(Job)).all()
    [run] = db.session.scalars(select(MatchingRun)).all()
    assert (job.kind, job.status, job.options, job.result["run"]) == (
        JobKind.MATCHING_RUN, JobStatus.DONE, {"fair": True}, run.id)
    assert run.run_by_id == claire.id and run.settings.get("fair") is True


def test_a_second_run_while_one_waits_is_refused_at_once(client, auth, ready):
    programme, claire = ready
    db.session.add(Job(kind=JobKind.MATCHING_RUN, programme=programme, user=claire,
                       status=JobStatus.QUEUED))
    db.session.commit()
    auth.login(claire)
    response = client.post(f"/coordinate/{programme.slug}/matching/run")
    assert response.location.endswith(f"/coordinate/{programme.slug}/matching")
    page = client.get(response.location)
    assert "Another matching run for this programme is in progress." in page.text
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_run_the_programme_is_no_longer_ready_for_when_its_turn_comes_fails_and_says_why(
        app, client, auth, ready):
    from mentoring.models import MatchingRun, ProgrammeStatus

    programme, claire = ready
    job = Job(kind=JobKind.MATCHING_RUN, programme=programme, user=claire,
              status=JobStatus.QUEUED, options={"fair": False})
    db.session.add(job)
    programme.status = ProgrammeStatus.RUNNING  # an admin moved it on meanwhile
    db.session.commit()
    app.extensions["celery"].tasks[RUN_JOB].apply(args=[job.id])
    auth.login(claire)
    page = client.get(f"/coordinate/{programme.slug}/jobs/{job.id}")
    assert "Matching runs only while the programme is in status" in html.unescape(page.text)
    assert db.session.scalars(select(MatchingRun)).all() == []


# ---- what beat runs ----------------------------------------------------------------------------

def test_beat_schedules_only_tasks_the_worker_runs(app):
    celery = app.extensions["celery"]
    assert {entry["task"] for entry in celery.conf.beat_schedule.values()} == {
        "mentoring.send_emails", "mentoring.send_reminders", "mentoring.anonymise_old",
        "mentoring.delete_old_jobs"}
    assert all(entry["task"] in celery.tasks for entry in celery.conf.beat_schedule.values())


def test_the_scheduled_sender_sends_what_waits_in_the_outbox(app):
    from mentoring.models import OutboxEmail
    from mentoring.services import mail

    app.config["MAIL_SEND_ON_COMMIT"] = False  # as if the commit's own sending had failed
    email = mail.queue("someone@example.org", "About your application", "Hello",
                       kind="decision")
    db.session.commit()
    assert db.session.get(OutboxEmail, email.id).sent_at is None
    app.extensions["celery"].tasks["mentoring.send_emails"].apply()
    db.session.expire_all()
    assert db.session.get(OutboxEmail, email.id).sent_at is not None


def test_the_scheduled_retention_erases_what_is_too_old(app, make_programme, make_enrolment):
    from datetime import timedelta

    from mentoring.models import ProgrammeStatus
    from mentoring.models._types import utcnow

    long_ago = utcnow().date() - timedelta(days=app.config["RETENTION_DAYS"] + 30)
    programme = make_programme(status=ProgrammeStatus.CLOSED, ends_on=long_ago)
    enrolment = make_enrolment(programme, goals="Chair a study group by 2027")
    celery = app.extensions["celery"]
    celery.tasks["mentoring.send_reminders"].apply()
    celery.tasks["mentoring.anonymise_old"].apply()
    db.session.expire_all()
    enrolment = db.session.get(Enrolment, enrolment.id)
    assert enrolment.anonymised_at is not None and enrolment.goals == ""


def _jobs_of_every_age(programme, user, days):
    """Jobs finished just over and just under ``days`` ago, and old ones still waiting."""
    from datetime import timedelta

    from mentoring.models._types import utcnow

    now = utcnow()
    old, recent = now - timedelta(days=days, hours=1), now - timedelta(days=days - 1)
    made = {
        "done long ago": Job(status=JobStatus.DONE, created_at=old, finished_at=old,
                             result={"imported": 1}),
        "failed long ago": Job(status=JobStatus.FAILED, created_at=old, finished_at=old),
        "done lately": Job(status=JobStatus.DONE, created_at=old, finished_at=recent,
                           result={"imported": 1}),
        "queued long ago": Job(status=JobStatus.QUEUED, created_at=old),
        "running long ago": Job(status=JobStatus.RUNNING, created_at=old, started_at=old),
    }
    for job in made.values():
        job.kind, job.programme, job.user = JobKind.IMPORT_APPLICATIONS, programme, user
    db.session.add_all(made.values())
    db.session.commit()
    return {name: job.id for name, job in made.items()}


def _kept(ids):
    db.session.expire_all()
    return {name for name, job_id in ids.items() if db.session.get(Job, job_id) is not None}


def test_the_daily_clean_up_deletes_finished_jobs_older_than_the_retention_only(
        app, client, auth, programme, coordinator):
    claire = coordinator(programme)
    ids = _jobs_of_every_age(programme, claire, app.config["JOB_RETENTION_DAYS"])
    assert app.config["JOB_RETENTION_DAYS"] == 30
    app.extensions["celery"].tasks["mentoring.delete_old_jobs"].apply()
    assert _kept(ids) == {"done lately", "queued long ago", "running long ago"}
    auth.login(claire)
    page = f"/coordinate/{programme.slug}/jobs/"
    assert client.get(page + str(ids["done long ago"])).status_code == 404
    assert client.get(page + str(ids["done lately"])).status_code == 200


def test_cron_users_delete_old_jobs_with_a_command(app, runner, programme, coordinator):
    ids = _jobs_of_every_age(programme, coordinator(programme), 7)
    result = runner.invoke(args=["delete-old-jobs", "--days", "7"])
    assert result.exit_code == 0
    assert "deleted: 2" in result.output
    assert _kept(ids) == {"done lately", "queued long ago", "running long ago"}
    assert "deleted: 0" in runner.invoke(args=["delete-old-jobs", "--days", "7"]).output


def test_a_late_second_delivery_that_fails_leaves_a_done_import_done(client, auth, programme,
                                                                    coordinator):
    from mentoring.services import jobs

    auth.login(coordinator(programme))
    job_page = post_file(client, programme.slug, rows(2)).location
    job_id = int(JOB_PAGE.search(job_page)["id"])
    jobs.fail(job_id, [{"line": 2, "column": "E-mail", "message": "already applied"}], 1)
    db.session.commit()
    assert "2 applications imported." in client.get(job_page).text


def test_a_run_lost_hours_ago_no_longer_holds_back_a_new_one(client, auth, ready):
    from datetime import timedelta

    from mentoring.models._types import utcnow

    programme, claire = ready
    db.session.add(Job(kind=JobKind.MATCHING_RUN, programme=programme, user=claire,
                       status=JobStatus.RUNNING, created_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    auth.login(claire)
    response = client.post(f"/coordinate/{programme.slug}/matching/run")
    assert JOB_PAGE.search(response.location)
    assert "Matching done in" in client.get(response.location).text


# ---- a job delivered twice at once ------------------------------------------------------------

def test_a_decision_delivered_again_while_the_first_delivery_works_emails_nobody_twice(
        app, client, auth, programme, make_enrolment, coordinator, worker_queue):
    """A worker thought lost: its task goes to a second worker while the first still works.
    The second waits for the first's transaction, sees the job done, and sends nothing."""
    import threading

    from sqlalchemy import text

    from mentoring.services.jobs import LOCK_SPACE
    from tests.helpers import emails, enrolment_status

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite has one writer: no two deliveries work at once")
    applicants = [make_enrolment(programme) for _ in range(2)]
    auth.login(coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/applications/decide",
                data={"ids": [a.id for a in applicants], "decision": "accepted"})
    (job_id,) = worker_queue.waiting
    with db.engine.connect() as first:
        # The first delivery is at work: it holds the job, as every delivery does.
        first.execute(text("SELECT pg_advisory_xact_lock(:space, :job)"),
                      {"space": LOCK_SPACE, "job": job_id})
        second = threading.Thread(target=worker_queue.work)
        second.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not first.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )).scalar():
            time.sleep(0.05)
        assert second.is_alive(), "the second delivery did not wait for the first"
        # The first delivery finishes the job (its emails went with it).
        first.execute(text("UPDATE job SET status = 'done', result = :result WHERE id = :job"),
                      {"result": '{"decided": 2, "unchanged": 0}', "job": job_id})
        first.commit()
        second.join(timeout=20)
    assert not second.is_alive()
    assert emails(kind="decision") == []  # the second sent nothing
    assert [enrolment_status(a.id) for a in applicants] == [EnrolmentStatus.SUBMITTED] * 2
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.status, job.result) == (JobStatus.DONE, {"decided": 2, "unchanged": 0})
