"""Attendance of a past activity from a CSV file (issue #17): the headings are read as the
applications import reads them, people are matched by email among those registered, a file
with any wrong line changes nothing and lists every problem, and nothing is saved until the
coordinator has seen the attendance list ticked as the file says and saved it."""

from __future__ import annotations

import html
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import (
    Activity,
    ActivityKind,
    EnrolmentStatus,
    ProgrammeStatus,
    Registration,
    RegistrationStatus,
)
from mentoring.models._types import utcnow
from tests.web.test_import_export import errors_on

ACCEPTED = EnrolmentStatus.ACCEPTED


@pytest.fixture
def past(make_programme, make_user, make_enrolment):
    """A talk of yesterday: Amina, Bea and Chloé (Kenya) and Dora (France) registered, Eve
    waiting."""
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    people = {}
    for name, country in (("Amina", "KE"), ("Bea", "KE"), ("Chloe", "KE"), ("Dora", "FR"),
                          ("Eve", "KE")):
        user = make_user(f"{name.lower()}@example.org", name=name)
        people[name] = make_enrolment(programme, user, country=country, status=ACCEPTED)
    talk = Activity(programme_id=programme.id, kind=ActivityKind.TALK, title="Negotiating",
                    starts_at=utcnow() - timedelta(days=1), duration_minutes=60)
    db.session.add(talk)
    db.session.flush()
    for name in ("Amina", "Bea", "Chloe", "Dora", "Eve"):
        db.session.add(Registration(
            activity_id=talk.id, user_id=people[name].user_id,
            status=RegistrationStatus.WAITING if name == "Eve" else RegistrationStatus.REGISTERED))
    db.session.commit()
    return programme, talk, people


def upload(client, programme, talk, content: str):
    return client.post(f"/coordinate/{programme.slug}/activities/{talk.id}/attendance/import",
                       data={"file": (io.BytesIO(content.encode()), "attendance.csv")})


def attended(talk) -> dict[str, bool | None]:
    db.session.expire_all()
    return {r.user.name: r.attended for r in db.session.scalars(
        select(Registration).where(Registration.activity_id == talk.id))}


def ticked(page: str) -> set[str]:
    """The names whose box is ticked on the attendance list."""
    out = set()
    for piece in page.split("<input")[1:]:
        tag = piece.split(">", 1)[0]
        if 'name="came"' in tag and "checked" in tag:
            label = piece.split("<label", 1)[1].split(">", 1)[1].split("<", 1)[0]
            out.add(label.strip())
    return out


def test_the_file_ticks_the_list_and_saving_it_records_attendance(past, coordinator, auth,
                                                                  client):
    programme, talk, people = past
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    # Forgiving headings, a semicolon file as French spreadsheets save it, mixed-case emails.
    page = upload(client, programme, talk,
                  "Full name; E-mail address ;Present\n"
                  "Amina;AMINA@example.org;yes\nBea;bea@example.org; No\n"
                  "Dora;dora@example.org;x\n")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "The file says 2 came and 1 did not." in text
    assert "Chloe" in text.split("Not in the file (1)", 1)[1].split("</ul>", 1)[0]
    assert ticked(text) == {"Amina", "Dora"}
    # Nothing is saved by reading the file.
    assert attended(talk) == dict.fromkeys(("Amina", "Bea", "Chloe", "Dora", "Eve"))
    by_name = {r.user.name: r.id for r in db.session.scalars(
        select(Registration).where(Registration.activity_id == talk.id))}
    client.post(f"/coordinate/{programme.slug}/activities/{talk.id}/attendance",
                data={"came": [by_name["Amina"], by_name["Dora"]]})
    assert attended(talk) == {"Amina": True, "Bea": False, "Chloe": False, "Dora": True,
                              "Eve": None}


def test_without_an_attended_column_every_line_came(past, coordinator, auth, client):
    programme, talk, people = past
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    text = upload(client, programme, talk, "Email\nbea@example.org\nchloe@example.org\n"
                  ).get_data(as_text=True)
    assert ticked(text) == {"Bea", "Chloe"}


def test_a_file_with_wrong_lines_lists_every_problem_and_ticks_nothing(past, coordinator,
                                                                       auth, client):
    programme, talk, people = past
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    page = upload(client, programme, talk,
                  "email,attended\n"
                  "amina@example.org,yes\n"
                  "not-an-address,yes\n"
                  "eve@example.org,yes\n"          # on the waiting list
                  "stranger@example.org,yes\n"
                  "amina@example.org,no\n"
                  "bea@example.org,maybe\n")
    assert page.status_code == 400
    assert [(line, column) for line, column, _problem in errors_on(page)] == [
        ("3", "email"), ("4", "email"), ("5", "email"), ("6", "email"), ("7", "attended")]
    problems = [problem for _line, _column, problem in errors_on(page)]
    assert "eve@example.org" in problems[1] and "already on line 2" in problems[3]
    assert "maybe" in problems[4]
    assert 'name="came"' not in page.get_data(as_text=True)
    assert attended(talk)["Amina"] is None


@pytest.mark.parametrize(("content", "problem"), [
    ("name,attended\nAmina,yes\n", 'No column for "email"'),
    ("", "The file is empty."),
])
def test_a_file_that_cannot_be_read_says_why(past, coordinator, auth, client, content, problem):
    programme, talk, people = past
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    page = upload(client, programme, talk, content)
    assert page.status_code == 400
    assert problem in html.unescape(page.get_data(as_text=True))


def test_a_file_bigger_than_allowed_is_refused(past, coordinator, auth, client, app):
    programme, talk, people = past
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    app.config["IMPORT_MAX_ROWS"] = 2
    page = upload(client, programme, talk, "email\n" + "amina@example.org\n" * 3)
    assert page.status_code == 400
    assert "more than 2 rows" in page.get_data(as_text=True)


def test_an_activity_to_come_has_no_attendance_yet(past, coordinator, auth, client):
    programme, talk, people = past
    talk.starts_at = utcnow() + timedelta(days=3)
    db.session.commit()
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    response = upload(client, programme, talk, "email\namina@example.org\n")
    assert response.status_code == 302
    assert attended(talk)["Amina"] is None


def test_a_co_chair_matches_only_her_regions_people(past, coordinator, auth, client):
    programme, talk, people = past
    africa = people["Amina"].region
    talk.region_id = africa.id  # her region's activity, which she manages
    db.session.commit()
    coordinator(programme, africa.code, email="cochair@example.org")
    auth.login("cochair@example.org")
    page = upload(client, programme, talk, "email\namina@example.org\ndora@example.org\n")
    assert page.status_code == 400
    assert [(line, column) for line, column, _problem in errors_on(page)] == [("3", "email")]
