"""Coordinators review applications: the list, its filters and counts, decisions, and who may."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import AuditEvent, EnrolmentStatus, Role
from tests.conftest import PASSWORD
from tests.helpers import emails, enrolment_status

ACCEPTED, SUBMITTED = EnrolmentStatus.ACCEPTED, EnrolmentStatus.SUBMITTED


@pytest.fixture
def programme(make_programme):
    return make_programme(name="NOW4WRC27", slug="now4wrc27")


def path(programme, tail=""):
    return f"/coordinate/{programme.slug}{tail}"


def decide(client, programme, ids, decision="accepted", message="", **extra):
    return client.post(path(programme, "/applications/decide"),
                       data={"ids": list(ids), "decision": decision, "message": message,
                             **extra})


def browser(app, user):
    """A browser of its own, signed in as ``user``."""
    client = app.test_client()
    assert client.post("/login", data={"email": user.email,
                                       "password": PASSWORD}).status_code == 302
    return client


def decide_events() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "enrolment.decide"))


def region_id(programme, code):
    return next(region.id for region in programme.regions if region.code == code)


# ---- the list -----------------------------------------------------------------------------

@pytest.fixture
def cohort(programme, make_enrolment, make_user):
    """Four applicants from four regions, in different roles, statuses and topics."""
    topics = programme.topics
    return {
        "Amina Diallo": make_enrolment(
            programme, make_user("amina.diallo@example.org", name="Amina Diallo"),
            country="KE", topic_ids=[topics[0].id]),
        "Claire Dubois": make_enrolment(
            programme, make_user("claire@anfr.example", name="Claire Dubois"),
            role=Role.MENTOR, country="FR", topic_ids=[topics[1].id]),
        "Lucía García": make_enrolment(
            programme, make_user("lucia@example.org", name="Lucía García"),
            country="BR", status=ACCEPTED, topic_ids=[topics[2].id]),
        "Wei Chen": make_enrolment(
            programme, make_user("wei.chen@example.org", name="Wei Chen"), role=Role.MENTOR,
            country="IN", status=EnrolmentStatus.WAITLISTED,
            topic_ids=[topics[3].id, topics[0].id]),
    }


def listed(page, cohort) -> set[str]:
    return {name for name in cohort if name in page.text}


def matches(number: int) -> str:
    return f"{number} application matches." if number == 1 else f"{number} applications match."


def test_list_shows_only_this_programmes_applications(client, auth, programme, cohort,
                                                      make_programme, make_enrolment,
                                                      make_user, coordinator):
    other = make_programme(name="Women in Cyber 2026")
    make_enrolment(other, make_user(name="Someone Elsewhere"))
    auth.login(coordinator(programme))
    page = client.get(path(programme, "/applications"))
    assert page.status_code == 200
    assert listed(page, cohort) == set(cohort)
    assert "Someone Elsewhere" not in page.text
    assert "4 applications match." in page.text


FILTERS = [
    ({"role": "mentor"}, {"Claire Dubois", "Wei Chen"}),
    ({"role": "mentee"}, {"Amina Diallo", "Lucía García"}),
    ({"status": "accepted"}, {"Lucía García"}),
    ({"status": "waitlisted", "role": "mentor"}, {"Wei Chen"}),
    ({"region": "CEPT"}, {"Claire Dubois"}),
    ({"region": "CITEL"}, {"Lucía García"}),
    ({"topic": 0}, {"Amina Diallo", "Wei Chen"}),
    ({"topic": 0, "role": "mentee"}, {"Amina Diallo"}),
    ({"topic": 4}, set()),
    ({"status": "no-such-status"}, {"Amina Diallo", "Claire Dubois", "Lucía García", "Wei Chen"}),
]


def test_coordinator_filters_by_role_status_region_and_topic(client, auth, programme, cohort,
                                                             coordinator):
    auth.login(coordinator(programme))
    for query, expected in FILTERS:
        params = dict(query)
        if "region" in params:
            params["region"] = region_id(programme, params["region"])
        if "topic" in params:
            params["topic"] = programme.topics[params["topic"]].id
        page = client.get(path(programme, "/applications"), query_string=params)
        assert page.status_code == 200, query
        assert listed(page, cohort) == expected, query
        if not expected:
            assert "No application matches these filters." in page.text
        else:  # counted whether the filters are counts by role and status or not
            assert matches(len(expected)) in page.text, query


SEARCHES = [
    ("DIALLO", {"Amina Diallo"}),
    ("amina", {"Amina Diallo"}),
    ("Amina.Diallo@EXAMPLE.org", {"Amina Diallo"}),
    ("ANFR.example", {"Claire Dubois"}),
    ("GARCÍA", {"Lucía García"}),
    ("  wei  ", {"Wei Chen"}),
    ("example.org", {"Amina Diallo", "Lucía García", "Wei Chen"}),
    ("nobody by that name", set()),
    ("%", set()),  # wildcards are searched for literally
    ("_", set()),
]


def test_coordinator_searches_by_name_or_email_ignoring_case(client, auth, programme, cohort,
                                                              make_enrolment, make_user,
                                                              coordinator):
    auth.login(coordinator(programme))
    for q, expected in SEARCHES:
        page = client.get(path(programme, "/applications"), query_string={"q": q})
        assert listed(page, cohort) == expected, q
    # Case is ignored beyond ASCII letters too.
    make_enrolment(programme, make_user(name="Élodie Martin"), country="FR")
    for q in ("élodie", "ÉLODIE", "Élodie"):
        page = client.get(path(programme, "/applications"), query_string={"q": q})
        assert "Élodie Martin" in page.text, q


def test_list_is_paginated(client, auth, programme, make_enrolment, coordinator):
    for _ in range(30):
        make_enrolment(programme)
    auth.login(coordinator(programme))
    first = client.get(path(programme, "/applications"))
    assert first.text.count('name="ids"') == 25
    assert "Showing 1–25 of 30" in first.text
    second = client.get(path(programme, "/applications"), query_string={"page": 2})
    assert second.text.count('name="ids"') == 5
    assert "Showing 26–30 of 30" in second.text
    # Every application shows up exactly once across the two pages.
    ids = re.findall(r'name="ids" value="(\d+)"', first.text + second.text)
    assert len(ids) == len(set(ids)) == 30
    bigger = client.get(path(programme, "/applications"), query_string={"per_page": 50})
    assert bigger.text.count('name="ids"') == 30 and "Showing" not in bigger.text


def count_cell(page, role, status) -> int:
    match = re.search(rf"role={role}&amp;status={status}\">(\d+)</a>", page.text)
    assert match, (role, status)
    return int(match.group(1))


def test_counts_table_gives_applications_by_role_and_status(client, auth, programme, cohort,
                                                             make_enrolment, coordinator):
    make_enrolment(programme, country="KE")
    make_enrolment(programme, country="KE", status=EnrolmentStatus.DECLINED)
    auth.login(coordinator(programme))
    page = client.get(path(programme, "/applications"), query_string={"role": "mentor"})
    # The counts cover the whole programme, whatever the filters.
    assert count_cell(page, "mentee", "submitted") == 2
    assert count_cell(page, "mentee", "accepted") == 1
    assert count_cell(page, "mentee", "declined") == 1
    assert count_cell(page, "mentor", "submitted") == 1
    assert count_cell(page, "mentor", "waitlisted") == 1
    assert count_cell(page, "mentor", "accepted") == 0


def test_regional_cochair_counts_only_her_region(client, auth, programme, cohort,
                                                 make_enrolment, coordinator):
    make_enrolment(programme, country="KE", status=ACCEPTED)
    auth.login(coordinator(programme, "ATU"))
    page = client.get(path(programme, "/applications"))
    assert count_cell(page, "mentee", "submitted") == 1  # Amina; not Lucía's region
    assert count_cell(page, "mentee", "accepted") == 1
    assert count_cell(page, "mentor", "submitted") == 0  # Claire is in CEPT


# ---- decisions ----------------------------------------------------------------------------

def test_coordinator_accepts_several_applications_at_once(client, auth, programme, cohort,
                                                          coordinator):
    amina, claire = cohort["Amina Diallo"], cohort["Claire Dubois"]
    auth.login(coordinator(programme))
    response = decide(client, programme, [amina.id, claire.id], "accepted",
                      "Orientation call on 3 March at 12:00 UTC.")
    assert response.status_code == 302
    page = client.get(response.location)
    assert "Decision saved for 2 applications; each applicant is emailed." in page.text
    assert enrolment_status(amina.id) == enrolment_status(claire.id) == ACCEPTED
    assert enrolment_status(cohort["Wei Chen"].id) == EnrolmentStatus.WAITLISTED  # untouched
    for person in ("amina.diallo@example.org", "claire@anfr.example"):
        [email] = emails(kind="decision", to=person)
        assert "Orientation call on 3 March at 12:00 UTC." in email.body
        assert "You are accepted in NOW4WRC27" in email.subject
    assert len(emails(kind="decision")) == 2
    assert decide_events() == 2


@pytest.mark.parametrize(("decision", "subject", "sentence"), [
    ("waitlisted", "on the waiting list", "is on the waiting list"),
    ("declined", "Your application to NOW4WRC27", "We cannot offer you a place"),
])
def test_coordinator_waitlists_or_declines_with_a_message(client, auth, programme, cohort,
                                                          coordinator, decision, subject,
                                                          sentence):
    amina = cohort["Amina Diallo"]
    auth.login(coordinator(programme))
    response = decide(client, programme, [amina.id], decision, "Thank you for applying.",
                      back=path(programme, f"/applications/{amina.id}"))
    assert response.location.endswith(path(programme, f"/applications/{amina.id}"))
    assert enrolment_status(amina.id) == EnrolmentStatus(decision)
    [email] = emails(kind="decision")
    assert email.recipient == "amina.diallo@example.org"
    assert subject in email.subject and sentence in email.body
    assert "Thank you for applying." in email.body


def test_double_submit_changes_nothing_and_sends_no_second_email(client, auth, programme,
                                                                  cohort, coordinator):
    amina = cohort["Amina Diallo"]
    auth.login(coordinator(programme))
    decide(client, programme, [amina.id], "accepted", "Welcome!")
    db.session.expire_all()
    decided_at = amina.decided_at
    response = decide(client, programme, [amina.id], "accepted", "Welcome!")
    assert "Nothing changed" in client.get(response.location).text
    assert enrolment_status(amina.id) == ACCEPTED
    assert amina.decided_at == decided_at
    assert len(emails(kind="decision")) == 1
    assert decide_events() == 1


def test_applicant_then_sees_accepted_on_her_programmes(app, client, auth, programme, cohort,
                                                        make_user, coordinator):
    amina = cohort["Amina Diallo"]
    auth.login(coordinator(programme))
    decide(client, programme, [amina.id], "accepted", "See you at the kick-off.")
    mine = browser(app, amina.user).get("/me/programmes")
    assert "NOW4WRC27" in mine.text
    assert re.search(r'badge-accepted">\s*accepted', mine.text)
    assert "See you at the kick-off." in mine.text


def test_deciding_a_withdrawn_application_is_refused_and_changes_nothing(
        client, auth, programme, cohort, make_enrolment, coordinator):
    withdrawn = make_enrolment(programme, status=EnrolmentStatus.WITHDRAWN)
    amina = cohort["Amina Diallo"]
    auth.login(coordinator(programme))
    response = decide(client, programme, [amina.id, withdrawn.id], "accepted")
    assert "A withdrawn application cannot be decided." in client.get(response.location).text
    assert enrolment_status(withdrawn.id) == EnrolmentStatus.WITHDRAWN
    assert enrolment_status(amina.id) == SUBMITTED  # the whole batch is refused
    assert emails(kind="decision") == [] and decide_events() == 0
    # Its page offers no decision form.
    page = client.get(path(programme, f"/applications/{withdrawn.id}"))
    assert page.status_code == 200 and "Apply decision" not in page.text


@pytest.mark.parametrize(("with_ids", "decision", "message", "error"), [
    (False, "accepted", "", "Select at least one application."),
    (True, "maybe", "", "Not a valid choice"),
    (True, "", "", "Choose a decision."),
    (True, "submitted", "", "Not a valid choice"),
    (True, "accepted", "x" * 2001, "2000"),
], ids=["no-selection", "unknown-decision", "no-decision", "not-a-decision", "long-message"])
def test_incomplete_decision_is_refused_with_a_message(client, auth, programme, cohort,
                                                       coordinator, with_ids, decision,
                                                       message, error):
    amina = cohort["Amina Diallo"]
    auth.login(coordinator(programme))
    response = decide(client, programme, [amina.id] if with_ids else [], decision, message)
    assert response.status_code == 302
    assert error in client.get(response.location).text
    assert enrolment_status(amina.id) == SUBMITTED
    assert emails(kind="decision") == [] and decide_events() == 0


def test_decision_never_redirects_off_the_site(client, auth, programme, cohort, coordinator):
    auth.login(coordinator(programme))
    response = decide(client, programme, [cohort["Amina Diallo"].id],
                      back="https://evil.example/coordinate/")
    assert response.location.endswith(path(programme, "/applications"))


# ---- who may ------------------------------------------------------------------------------

def test_regional_cochair_sees_only_her_region(client, auth, programme, cohort, coordinator):
    auth.login(coordinator(programme, "ATU"))
    page = client.get(path(programme, "/applications"))
    assert listed(page, cohort) == {"Amina Diallo"}
    assert matches(1) in page.text
    page = client.get(path(programme, "/applications"), query_string={"role": "mentee"})
    assert listed(page, cohort) == {"Amina Diallo"} and matches(1) in page.text
    # Asking for another region's applicants by filter shows nobody.
    page = client.get(path(programme, "/applications"),
                      query_string={"region": region_id(programme, "CEPT")})
    assert listed(page, cohort) == set()
    own = client.get(path(programme, f"/applications/{cohort['Amina Diallo'].id}"))
    assert own.status_code == 200 and "Amina Diallo" in own.text
    other = client.get(path(programme, f"/applications/{cohort['Claire Dubois'].id}"))
    assert other.status_code == 403 and "Claire Dubois" not in other.text


def test_regional_cochair_decides_in_her_region(client, auth, programme, cohort,
                                                make_enrolment, coordinator):
    kenyan = make_enrolment(programme, country="KE")
    auth.login(coordinator(programme, "ATU"))
    decide(client, programme, [cohort["Amina Diallo"].id, kenyan.id], "accepted")
    assert enrolment_status(cohort["Amina Diallo"].id) == enrolment_status(kenyan.id) == ACCEPTED
    assert len(emails(kind="decision")) == 2


def test_regional_cochair_cannot_decide_outside_her_region(client, auth, programme, cohort,
                                                           coordinator):
    amina, claire = cohort["Amina Diallo"], cohort["Claire Dubois"]
    auth.login(coordinator(programme, "ATU"))
    response = decide(client, programme, [amina.id, claire.id], "accepted", "Welcome")
    assert response.status_code == 403
    # All or nothing: not even her own region's applicant is decided.
    assert enrolment_status(amina.id) == enrolment_status(claire.id) == SUBMITTED
    assert emails(kind="decision") == [] and decide_events() == 0


ROUTES = [("get", "/applications"), ("get", "/applications/{id}"),
          ("post", "/applications/decide"), ("get", "/applications.csv"), ("get", "/import"),
          ("post", "/import")]


def test_coordinator_of_programme_a_gets_403_on_programme_b(client, auth, programme,
                                                            make_programme, make_enrolment,
                                                            make_user, coordinator):
    other = make_programme(name="Women in Cyber 2026")
    foreign = make_enrolment(other, make_user(name="Foreign Applicant"))
    auth.login(coordinator(programme))
    for method, tail in ROUTES:
        response = getattr(client, method)(path(other, tail.format(id=foreign.id)),
                                           data={"ids": [foreign.id], "decision": "accepted"})
        assert response.status_code == 403, tail
        assert "Foreign Applicant" not in response.text
    assert enrolment_status(foreign.id) == SUBMITTED
    assert emails(kind="decision") == []


def test_coordinator_cannot_slip_another_programmes_application_into_her_batch(
        client, auth, programme, cohort, make_programme, make_enrolment, coordinator):
    foreign = make_enrolment(make_programme())
    auth.login(coordinator(programme))
    detail = client.get(path(programme, f"/applications/{foreign.id}"))
    assert detail.status_code == 403
    response = decide(client, programme, [cohort["Amina Diallo"].id, foreign.id])
    assert response.status_code == 403
    assert enrolment_status(foreign.id) == enrolment_status(cohort["Amina Diallo"].id) == SUBMITTED
    assert emails(kind="decision") == []


def test_unknown_application_is_not_found(client, auth, programme, coordinator):
    auth.login(coordinator(programme))
    assert client.get(path(programme, "/applications/999999")).status_code == 404
    assert client.get("/coordinate/no-such-programme/applications").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, programme, cohort):
    amina = cohort["Amina Diallo"]
    for method, tail in ROUTES:
        response = getattr(client, method)(path(programme, tail.format(id=amina.id)),
                                           data={"ids": [amina.id], "decision": "accepted"})
        assert response.status_code == 302, tail
        assert "/login" in response.location, tail
    assert enrolment_status(amina.id) == SUBMITTED


def test_plain_participant_gets_403(client, auth, programme, cohort):
    amina = cohort["Amina Diallo"]
    auth.login(amina.user)  # an applicant, not a coordinator
    for method, tail in ROUTES:
        response = getattr(client, method)(path(programme, tail.format(id=amina.id)),
                                           data={"ids": [amina.id], "decision": "accepted"})
        assert response.status_code == 403, tail
    assert client.get("/coordinate/").status_code == 403
    assert enrolment_status(amina.id) == SUBMITTED
    assert emails(kind="decision") == []


# ---- one application's page -------------------------------------------------------------------


def test_the_review_page_shows_one_decision_heading_for_one_applicant_with_hers_chosen(
        client, auth, programme, cohort, coordinator):
    auth.login(coordinator(programme))
    lucia = cohort["Lucía García"]  # already accepted
    page = client.get(path(programme, f"/applications/{lucia.id}")).text
    visible = re.findall(r"<h2[^>]*>Decision</h2>|<legend>Decision</legend>", page)
    assert len(visible) == 1, visible
    assert "Message to the applicant (optional)" in page
    assert "applicants" not in page
    checked = re.findall(r'<input [^>]*name="decision"[^>]*>', page)
    assert [tag for tag in checked if "checked" in tag] == [
        tag for tag in checked if 'value="accepted"' in tag]


def neighbour_links(page: str) -> dict[str, str]:
    return {rel: href.replace("&amp;", "&") for href, rel in re.findall(
        r'<a href="([^"]+)" rel="(prev|next)"', page)}


def test_previous_and_next_applicant_follow_the_lists_order_and_filters(
        client, auth, programme, cohort, coordinator):
    auth.login(coordinator(programme))
    ids = {name: enrolment.id for name, enrolment in cohort.items()}
    base = path(programme, "/applications/")
    # The list, newest first: Wei Chen, Lucía García, Claire Dubois, Amina Diallo.
    page = client.get(path(programme, f"/applications/{ids['Lucía García']}")).text
    assert neighbour_links(page) == {"prev": f"{base}{ids['Wei Chen']}",
                                     "next": f"{base}{ids['Claire Dubois']}"}
    page = client.get(path(programme, f"/applications/{ids['Wei Chen']}")).text
    assert neighbour_links(page) == {"next": f"{base}{ids['Lucía García']}"}

    # Opened from the list filtered to mentees, the links stay within mentees.
    listing = client.get(path(programme, "/applications?role=mentee")).text
    assert f'href="{base}{ids["Lucía García"]}?role=mentee"' in listing
    page = client.get(path(programme, f"/applications/{ids['Lucía García']}?role=mentee")).text
    assert neighbour_links(page) == {"next": f"{base}{ids['Amina Diallo']}?role=mentee"}
    # After a decision the coordinator comes back to the same page, filters kept.
    response = decide(client, programme, [ids["Amina Diallo"]], "declined",
                      back=f"{base}{ids['Amina Diallo']}?role=mentee&status=submitted")
    assert response.headers["Location"].endswith(
        f"{base}{ids['Amina Diallo']}?role=mentee&status=submitted")
    page = client.get(response.headers["Location"]).text  # no longer "submitted", still found
    assert "Amina Diallo" in page
    assert f'name="back" value="{base}{ids["Amina Diallo"]}?role=mentee&amp;status=submitted"' \
        in page


def test_the_list_has_a_select_all_box_that_script_reveals(
        client, auth, programme, cohort, coordinator):
    auth.login(coordinator(programme))
    page = client.get(path(programme, "/applications")).text
    box = re.search(r'<input type="checkbox" id="select-all"[^>]*>', page)
    assert box and "hidden" in box.group(0)  # without script: the plain checkboxes
    assert "select-all" in client.get("/static/js/app.js").text
