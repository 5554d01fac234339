"""Coordinators review applications: filters, decisions, scope, CSV export and import."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import AuditEvent, Enrolment, EnrolmentStatus, Role, User
from tests.helpers import emails, enrolment_status, imported_count, job_page, link_in


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def programme(make_programme):
    return make_programme(name="NOW4WRC27", slug="now4wrc27")


def test_list_filters_search_and_counts(client, auth, programme, make_enrolment, make_user,
                                        coordinator):
    amina = make_enrolment(programme, make_user(name="Amina Diallo"), country="KE")
    make_enrolment(programme, make_user(name="Claire Dubois"), role=Role.MENTOR, country="FR")
    make_enrolment(programme, make_user(name="Lucía García"), country="ES",
                   status=EnrolmentStatus.ACCEPTED)
    auth.login(coordinator(programme))
    page = client.get(f"/coordinate/{programme.slug}/applications?role=mentee")
    assert "Amina Diallo" in page.text and "Lucía García" in page.text
    assert "Claire Dubois" not in page.text
    page = client.get(f"/coordinate/{programme.slug}/applications?q=DIALLO")
    assert "Amina Diallo" in page.text and "Lucía García" not in page.text
    page = client.get(f"/coordinate/{programme.slug}/applications?status=accepted")
    assert "Lucía García" in page.text and "Amina Diallo" not in page.text
    atu = next(r for r in programme.regions if r.code == "ATU")
    page = client.get(f"/coordinate/{programme.slug}/applications?region={atu.id}")
    assert "Amina Diallo" in page.text and "Claire Dubois" not in page.text
    assert amina.id


def test_pagination(client, auth, programme, make_enrolment, coordinator):
    for _ in range(30):
        make_enrolment(programme)
    auth.login(coordinator(programme))
    page = client.get(f"/coordinate/{programme.slug}/applications?page=2")
    assert "Showing 26–30 of 30" in page.text
    # A page past the end (an old bookmark) goes to the last page; nonsense means the first.
    past = client.get(f"/coordinate/{programme.slug}/applications?status=submitted&page=9")
    assert past.status_code == 302
    assert "page=2" in past.location and "status=submitted" in past.location
    assert "Showing 1–25 of 30" in client.get(
        f"/coordinate/{programme.slug}/applications?page=abc").text
    assert page.text.count('name="ids"') == 5


def test_bulk_accept_emails_each_applicant_once_and_double_submit_changes_nothing(
        client, auth, programme, make_enrolment, coordinator):
    first, second = make_enrolment(programme), make_enrolment(programme)
    auth.login(coordinator(programme))
    data = {"ids": [first.id, second.id], "decision": "accepted", "message": "Welcome!"}
    response = client.post(f"/coordinate/{programme.slug}/applications/decide", data=data,
                           follow_redirects=True)
    assert "Decision saved for 2 applications" in response.text
    assert enrolment_status(first.id) == enrolment_status(second.id) == EnrolmentStatus.ACCEPTED
    sent = emails(kind="decision")
    assert len(sent) == 2 and all("Welcome!" in e.body for e in sent)
    again = client.post(f"/coordinate/{programme.slug}/applications/decide", data=data,
                        follow_redirects=True)
    assert "Nothing changed" in again.text
    assert len(emails(kind="decision")) == 2
    assert count(AuditEvent) >= 2


def test_applicant_sees_the_decision(client, auth, programme, make_enrolment, make_user,
                                     coordinator):
    delegate = make_user()
    enrolment = make_enrolment(programme, delegate)
    auth.login(coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/applications/decide",
                data={"ids": [enrolment.id], "decision": "waitlisted"})
    auth.logout()
    auth.login(delegate)
    assert "waitlisted" in client.get("/me/programmes").text


def test_withdrawn_application_cannot_be_decided(client, auth, programme, make_enrolment,
                                                 coordinator):
    enrolment = make_enrolment(programme, status=EnrolmentStatus.WITHDRAWN)
    auth.login(coordinator(programme))
    response = client.post(f"/coordinate/{programme.slug}/applications/decide",
                           data={"ids": [enrolment.id], "decision": "accepted"},
                           follow_redirects=True)
    assert "A withdrawn application cannot be decided." in response.text
    assert enrolment_status(enrolment.id) == EnrolmentStatus.WITHDRAWN
    assert emails() == []


def test_regional_cochair_sees_and_acts_only_in_her_region(client, auth, programme,
                                                           make_enrolment, make_user,
                                                           coordinator):
    kenya = make_enrolment(programme, make_user(name="Wanjiru Kamau"), country="KE")
    egypt = make_enrolment(programme, make_user(name="Nour El-Sayed"), country="EG")
    auth.login(coordinator(programme, "ATU"))
    page = client.get(f"/coordinate/{programme.slug}/applications")
    assert "Wanjiru Kamau" in page.text and "Nour El-Sayed" not in page.text
    assert client.get(f"/coordinate/{programme.slug}/applications/{egypt.id}").status_code == 403
    response = client.post(f"/coordinate/{programme.slug}/applications/decide",
                           data={"ids": [kenya.id, egypt.id], "decision": "accepted"})
    assert response.status_code == 403
    assert enrolment_status(kenya.id) == EnrolmentStatus.SUBMITTED  # all or nothing
    assert enrolment_status(egypt.id) == EnrolmentStatus.SUBMITTED
    export = client.get(f"/coordinate/{programme.slug}/applications.csv").data.decode("utf-8-sig")
    assert "Wanjiru Kamau" in export and "Nour El-Sayed" not in export


def test_coordinator_of_one_programme_cannot_touch_another(client, auth, programme,
                                                           make_programme, make_enrolment,
                                                           coordinator):
    other = make_programme()
    enrolment = make_enrolment(other)
    auth.login(coordinator(programme))
    for path in [f"/coordinate/{other.slug}/applications",
                 f"/coordinate/{other.slug}/applications/{enrolment.id}",
                 f"/coordinate/{other.slug}/applications.csv",
                 f"/coordinate/{other.slug}/import"]:
        assert client.get(path).status_code == 403, path
    assert client.post(f"/coordinate/{other.slug}/applications/decide",
                       data={"ids": [enrolment.id], "decision": "accepted"}).status_code == 403
    # Her own programme's decide route with another programme's application: refused too.
    assert client.post(f"/coordinate/{programme.slug}/applications/decide",
                       data={"ids": [enrolment.id], "decision": "accepted"}).status_code == 403
    assert enrolment_status(enrolment.id) == EnrolmentStatus.SUBMITTED


def test_participant_gets_403_and_anonymous_is_sent_to_sign_in(client, auth, programme,
                                                               make_user):
    path = f"/coordinate/{programme.slug}/applications"
    assert "/login" in client.get(path).location
    auth.login(make_user())
    assert client.get(path).status_code == 403


def test_export_is_utf8_with_bom_and_safe_from_formulas(client, auth, programme, make_enrolment,
                                                        make_user, coordinator):
    make_enrolment(programme, make_user(name="李娜"), organisation="=HYPERLINK(\"x\")")
    make_enrolment(programme, make_user(name="فاطمة"), organisation="-5")
    auth.login(coordinator(programme))
    response = client.get(f"/coordinate/{programme.slug}/applications.csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    assert "李娜" in text and "فاطمة" in text
    assert "'=HYPERLINK" in text
    assert ",-5," in text


GOOD = ("Full name,E-mail,Applies as,Country,Languages,Topics,Years\n"
        "Aminata Diallo,aminata@example.org,mentee,Senegal,French; English,Negotiation,2\n"
        "Carlos Mendes,carlos@example.org,Mentor,BR,English,Negotiation; Chairing meetings,15\n")


def upload(client, slug, content: str | bytes, name="applications.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return job_page(client, client.post(f"/coordinate/{slug}/import",
                                        data={"file": (io.BytesIO(data), name)},
                                        content_type="multipart/form-data"))


def test_import_creates_applications_and_invites_new_people(client, auth, programme,
                                                            coordinator, app):
    auth.login(coordinator(programme))
    response = upload(client, programme.slug, GOOD)
    assert imported_count(response) == 2
    enrolments = db.session.scalars(select(Enrolment).order_by(Enrolment.id)).all()
    assert [(e.user.email, e.role, e.status, e.source, e.country) for e in enrolments] == [
        ("aminata@example.org", Role.MENTEE, EnrolmentStatus.SUBMITTED, "import", "SN"),
        ("carlos@example.org", Role.MENTOR, EnrolmentStatus.SUBMITTED, "import", "BR")]
    invitations = emails(kind="invitation")
    assert sorted(e.recipient for e in invitations) == ["aminata@example.org",
                                                        "carlos@example.org"]
    path = link_in(invitations[0])
    auth.logout()
    assert client.post(path, data={"password": "new orbit passphrase",
                                   "confirm": "new orbit passphrase"}).status_code == 302
    auth.logout()
    assert auth.login(invitations[0].recipient, "new orbit passphrase").status_code == 302


@pytest.mark.parametrize(("content", "expected"), [
    ("Name,Email,Role,Country,Languages\nA,a@example.org,mentee,KE,English\n",
     ["No column for &#34;topics&#34;"]),
    (GOOD.replace("aminata@example.org", "not-an-email"),
     ["not-an-email&#34; is not a valid email address"]),
    (GOOD + "Aminata Diallo,aminata@example.org,mentee,Senegal,French,Negotiation,2\n",
     ["Duplicate of line 2"]),
    (GOOD.replace("Senegal", "Atlantis"), ["Unknown country &#34;Atlantis&#34;"]),
    (GOOD.replace("Negotiation,2", "Basket weaving,2"),
     ["&#34;Basket weaving&#34; is not one of the programme"]),
    (GOOD.replace("Senegal", "Atlantis").replace("carlos@example.org", "nope"),
     ["Unknown country", "nope&#34; is not a valid email"]),
    ("", ["The file is empty."]),
])
def test_bad_import_lists_every_error_and_imports_nothing(client, auth, programme, coordinator,
                                                          content, expected):
    user = coordinator(programme)
    auth.login(user)
    users_before = count(User)
    response = upload(client, programme.slug, content)
    assert response.status_code == 200
    assert "Nothing was imported" in response.text
    for message in expected:
        assert message in response.text
    assert count(Enrolment) == 0 and count(User) == users_before
    assert emails(kind="invitation") == []


def test_import_names_line_and_column(client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    response = upload(client, programme.slug, GOOD.replace("Senegal", "Atlantis"))
    assert "<td>2</td><td>Country</td>" in response.text


def test_non_utf8_import_is_refused(client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    response = upload(client, programme.slug, GOOD.replace("Aminata", "Amináta").encode("latin-1"))
    assert "not UTF-8" in response.text
    assert count(Enrolment) == 0


def test_oversized_upload_gets_413(client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    response = upload(client, programme.slug, b"x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert count(Enrolment) == 0


def test_admin_creates_a_draft_programme_hidden_from_the_public(client, auth, make_user):
    auth.login(make_user(admin=True))
    response = client.post("/admin/programmes/new", data={
        "name": "NoW4WTDC25", "slug": "now4wtdc25", "network": "ITU", "description": "",
        "mentor_capacity_default": "2", "mentor_capacity_max": "4",
        "min_sessions_per_month": "1", "reminder_interval_days": "30",
        "women_target_percent": "30", "languages": ["en", "fr"], "default_locale": "en",
        "topics": "Negotiation\nDrafting contributions", "regions": ""}, follow_redirects=True)
    assert "Programme NoW4WTDC25 created as a draft." in response.text
    auth.logout()
    assert "NoW4WTDC25" not in client.get("/").text
    assert client.get("/programmes/now4wtdc25").status_code == 404


def test_admin_programme_form_keeps_values_on_error(client, auth, make_user):
    auth.login(make_user(admin=True))
    response = client.post("/admin/programmes/new", data={
        "name": "NoW4WTDC25", "slug": "now4wtdc25", "mentor_capacity_default": "5",
        "mentor_capacity_max": "4", "min_sessions_per_month": "1",
        "reminder_interval_days": "30", "women_target_percent": "30", "languages": ["en"],
        "default_locale": "en", "topics": "Negotiation", "regions": ""})
    assert response.status_code == 200
    assert "The default capacity cannot be above the maximum." in response.text
    assert 'value="NoW4WTDC25"' in response.text


def test_status_moves_one_step_and_copy_to_new_cycle(client, auth, make_user, programme,
                                                     make_enrolment, coordinator):
    make_enrolment(programme)
    coordinator(programme)
    auth.login(make_user(admin=True))
    jump = client.post(f"/admin/programmes/{programme.slug}/status", data={"status": "closed"},
                       follow_redirects=True)
    assert "This status change is not possible now." in jump.text
    response = client.post(f"/admin/programmes/{programme.slug}/copy",
                           data={"name": "NOW4WRC31", "slug": "now4wrc31"})
    assert response.status_code == 302
    from mentoring.models import Programme

    copy = db.session.scalar(select(Programme).where(Programme.slug == "now4wrc31"))
    assert [t.label for t in copy.topics] == [t.label for t in programme.topics]
    assert [r.code for r in copy.regions] == [r.code for r in programme.regions]
    assert copy.applications_open is None and copy.coordinators == []
    assert db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.programme_id == copy.id)) == 0


def test_non_admin_gets_403_on_admin_pages(client, auth, make_user, programme):
    auth.login(make_user())
    for path in ["/admin/", "/admin/programmes/new", f"/admin/programmes/{programme.slug}/edit",
                 "/admin/users", "/admin/dashboard"]:
        assert client.get(path).status_code == 403, path


# ---- deciding many applications is a job ------------------------------------------------------

def decide_many(client, programme, enrolments, decision="accepted", **extra):
    return client.post(f"/coordinate/{programme.slug}/applications/decide",
                       data={"ids": [e.id for e in enrolments], "decision": decision, **extra})


def test_with_a_worker_a_bulk_decision_shows_its_job_and_the_applicants_hear_once_it_ran(
        client, auth, programme, make_enrolment, coordinator, worker_queue):
    first, second = make_enrolment(programme), make_enrolment(programme)
    auth.login(coordinator(programme))
    response = decide_many(client, programme, [first, second], message="Welcome!")
    (job_id,) = worker_queue.waiting
    assert response.location.endswith(f"/coordinate/{programme.slug}/jobs/{job_id}")
    page = client.get(response.location).text
    assert "Waiting to start." in page and "data-refresh" in page
    assert emails(kind="decision") == []
    assert enrolment_status(first.id) == EnrolmentStatus.SUBMITTED
    worker_queue.work()
    page = client.get(response.location).text
    assert "Decision saved for 2 applications; each applicant is emailed." in page
    assert f'href="/coordinate/{programme.slug}/applications"' in page
    assert enrolment_status(first.id) == enrolment_status(second.id) == EnrolmentStatus.ACCEPTED
    assert len(emails(kind="decision")) == 2
    # The task delivered again (a worker thought lost): nobody is emailed twice.
    worker_queue.waiting.append(job_id)
    worker_queue.work()
    assert len(emails(kind="decision")) == 2


def test_one_decision_from_the_review_page_is_made_at_once_even_with_a_worker(
        client, auth, programme, make_enrolment, coordinator, worker_queue):
    from mentoring.models import Job

    enrolment = make_enrolment(programme)
    auth.login(coordinator(programme))
    response = decide_many(client, programme, [enrolment], "waitlisted")
    assert response.location.endswith(f"/coordinate/{programme.slug}/applications")
    assert "Decision saved for 1 application; the applicant is emailed." in client.get(
        response.location).text
    assert enrolment_status(enrolment.id) == EnrolmentStatus.WAITLISTED
    assert len(emails(kind="decision")) == 1
    assert worker_queue.waiting == [] and count(Job) == 0


def test_a_cochairs_decision_fails_whole_when_an_application_left_her_region_before_it_ran(
        client, auth, programme, make_enrolment, coordinator, worker_queue):
    kenya, nigeria = (make_enrolment(programme, country=c) for c in ("KE", "NG"))
    auth.login(coordinator(programme, "ATU"))
    job_page = decide_many(client, programme, [kenya, nigeria]).location
    # Meanwhile the Nigerian applicant's region is corrected to another one.
    cept = next(region for region in programme.regions if region.code == "CEPT")
    db.session.get(Enrolment, nigeria.id).region_id = cept.id
    db.session.commit()
    worker_queue.work()
    page = client.get(job_page).text
    assert ("Some of what this job was asked to change is no longer within what its starter "
            "coordinates; nothing was changed.") in page
    assert enrolment_status(kenya.id) == EnrolmentStatus.SUBMITTED  # all or nothing
    assert emails(kind="decision") == []


def test_a_decision_whose_starter_stopped_coordinating_before_it_ran_fails_and_says_why(
        client, auth, programme, make_enrolment, coordinator, worker_queue):
    from tests.helpers import STARTER_GONE, job_page_after_its_starter_left

    applicants = [make_enrolment(programme, country="KE") for _ in range(2)]
    page = job_page_after_its_starter_left(
        client, auth, worker_queue, programme, coordinator(programme, "ATU"),
        coordinator(programme),
        lambda: decide_many(client, programme, applicants, "declined").location)
    assert STARTER_GONE in page
    assert [enrolment_status(a.id) for a in applicants] == [EnrolmentStatus.SUBMITTED] * 2
    assert emails(kind="decision") == []


def test_without_a_worker_a_refused_bulk_decision_is_said_on_the_list_as_before(
        client, auth, programme, make_enrolment, coordinator):
    from mentoring.models import Job

    applicants = [make_enrolment(programme), make_enrolment(programme,
                                                            status=EnrolmentStatus.WITHDRAWN)]
    auth.login(coordinator(programme))
    response = decide_many(client, programme, applicants)
    assert response.location.endswith(f"/coordinate/{programme.slug}/applications")
    assert "A withdrawn application cannot be decided." in client.get(response.location).text
    assert count(Job) == 0 and emails() == []


def test_the_decision_jobs_page_speaks_arabic(client, auth, programme, make_enrolment,
                                              coordinator, worker_queue):
    from tests.web.test_languages import html_tag, tr, trn

    applicants = [make_enrolment(programme) for _ in range(3)]
    auth.login(coordinator(programme, locale="ar"))
    job_page = decide_many(client, programme, applicants).location
    worker_queue.work()
    page = client.get(job_page)
    assert 'lang="ar"' in html_tag(page) and 'dir="rtl"' in html_tag(page)
    assert trn("ar", "Decision saved for %(num)d application; the applicant is emailed.",
               "Decision saved for %(num)d applications; each applicant is emailed.",
               3) in page.text
    assert f"<h1>{tr('ar', 'Applications')}</h1>" in page.text
