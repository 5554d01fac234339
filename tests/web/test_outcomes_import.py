"""Roles at ITU meetings imported from a CSV file (issue #17): the file is checked whole and
shown before anything is recorded; a wrong row records nothing and every problem is listed
with its line and column; confirming records the roles not yet recorded (so a second import
of the same file records nothing twice); a co-chair imports for her region only."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.gender import Gender
from mentoring.models import (
    AuditEvent,
    EnrolmentStatus,
    ItuMeeting,
    MeetingRole,
    MeetingRoleKind,
    ProgrammeStatus,
    Role,
)
from mentoring.services import outcomes, role_imports
from mentoring.services.scope import Scope
from tests.helpers import flashes, text
from tests.web.test_import_export import errors_on

ACCEPTED = EnrolmentStatus.ACCEPTED
DELEGATE, HEAD, CHAIR, VICE_CHAIR = (MeetingRoleKind.DELEGATE, MeetingRoleKind.HEAD,
                                     MeetingRoleKind.CHAIR, MeetingRoleKind.VICE_CHAIR)


@pytest.fixture
def world(make_programme, make_user, make_enrolment):
    """A programme that starts on 1 January 2024, with WRC-23 (before it) and WTSA-24 (during)
    on its list. Amina and Bea (Kenya, ATU) are accepted mentees, Carla (Kenya) an accepted
    mentor, Dora (France, CEPT) an accepted mentee, Sara (Kenya) an applicant not yet
    accepted."""
    programme = make_programme(status=ProgrammeStatus.RUNNING, starts_on=date(2024, 1, 1))
    people = {}
    for name, country, role, status in (
            ("Amina", "KE", Role.MENTEE, ACCEPTED), ("Bea", "KE", Role.MENTEE, ACCEPTED),
            ("Carla", "KE", Role.MENTOR, ACCEPTED), ("Dora", "FR", Role.MENTEE, ACCEPTED),
            ("Sara", "KE", Role.MENTEE, EnrolmentStatus.SUBMITTED)):
        user = make_user(f"{name.lower()}@example.org", name=name)
        people[name] = make_enrolment(programme, user, role=role, status=status,
                                      country=country, gender=Gender.WOMAN)
    for name, starts_on, ends_on in (("WRC-23", date(2023, 11, 20), date(2023, 12, 15)),
                                     ("WTSA-24", date(2024, 10, 15), None)):
        db.session.add(ItuMeeting(programme_id=programme.id, name=name, starts_on=starts_on,
                                  ends_on=ends_on))
    db.session.commit()
    return programme, people


def import_url(programme, tail="") -> str:
    return f"/coordinate/{programme.slug}/itu-meetings/import{tail}"


def upload(client, programme, content: str | bytes):
    raw = content.encode() if isinstance(content, str) else content
    return client.post(import_url(programme), data={"file": (io.BytesIO(raw), "roles.csv")})


def plan_of(page) -> str:
    """The sealed plan the preview's confirmation carries."""
    return html.unescape(re.search(r'name="plan" type="hidden" value="([^"]*)"',
                                   page.text).group(1))


def recorded() -> set[tuple[str, str, MeetingRoleKind]]:
    db.session.expire_all()
    return {(r.user.name, r.itu_meeting.name, r.role)
            for r in db.session.scalars(select(MeetingRole))}


def role_count() -> int:
    return db.session.scalar(select(func.count()).select_from(MeetingRole))


#: Forgiving headings, semicolons as French spreadsheets save them, names and role words as
#: people write them: the meeting in another case with stray spaces, the role in French,
#: Arabic ("مندوب": delegate; "رئيس الوفد": head of delegation) and as the enum value.
GOOD_FILE = ("E-mail address;ITU meeting;Role held\n"
             "AMINA@example.org;  wrc-23 ;Délégué\n"
             "amina@example.org;WTSA-24;رئيس الوفد\n"
             "bea@example.org;WRC-23;مندوب\n"
             "carla@example.org;wtsa-24;Vice-Chair\n")
RECORDED = {("Amina", "WRC-23", DELEGATE), ("Amina", "WTSA-24", HEAD),
            ("Bea", "WRC-23", DELEGATE), ("Carla", "WTSA-24", VICE_CHAIR)}


def test_a_good_file_is_shown_first_then_recorded_once_confirmed_and_counted_on_the_outcomes_page(
        world, coordinator, auth, client):
    programme, people = world
    auth.login(coordinator(programme))
    outcomes_page = f"/coordinate/{programme.slug}/dashboard/outcomes"
    assert "No role at the programme's ITU meetings is recorded yet." in text(
        client.get(outcomes_page))
    assert "Import roles from a CSV file" in text(client.get(outcomes_page))

    preview = upload(client, programme, GOOD_FILE)
    assert preview.status_code == 200
    page = text(preview)
    assert ("4 roles for 3 participants will be recorded; 0 already recorded are skipped."
            in page)
    assert "Head of delegation" in page and "Vice-chair" in page
    assert role_count() == 0  # the preview records nothing

    response = client.post(import_url(programme, "/confirm"), data={"plan": plan_of(preview)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(outcomes_page)
    assert flashes(client) == [
        "Recorded 4 roles for 3 participants; 0 already recorded were skipped."]
    assert recorded() == RECORDED
    # Mentees' roles: delegate at WRC-23 (before the programme) Amina and Bea; head of
    # delegation at WTSA-24 (during) Amina. Carla is a mentor.
    got = [(r.role, r.mentees_before, r.held_before, r.mentees_since, r.held_since)
           for r in outcomes.mentee_roles(Scope(programme))]
    assert got == [(DELEGATE, 2, 2, 0, 0), (HEAD, 0, 0, 1, 1)]
    assert "No role at the programme's ITU meetings is recorded yet." not in text(
        client.get(outcomes_page))
    # One audit event per participant, on her application, naming the roles recorded.
    events = {e.target_id: e.after for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "meeting_role.import"))}
    assert events == {
        people["Amina"].id: {"user_id": people["Amina"].user_id,
                             "roles": [["WRC-23", "delegate"], ["WTSA-24", "head"]]},
        people["Bea"].id: {"user_id": people["Bea"].user_id, "roles": [["WRC-23", "delegate"]]},
        people["Carla"].id: {"user_id": people["Carla"].user_id,
                             "roles": [["WTSA-24", "vice_chair"]]}}


def test_a_names_column_before_the_email_column_is_not_read_as_the_address(
        world, coordinator, auth, client):
    """Sheets often start with the participant's name: "Participant" is a name's heading,
    not the address's (the address column is the one headed as an email)."""
    programme, _people = world
    auth.login(coordinator(programme))
    preview = upload(client, programme, "Participant,E-mail,Meeting,Role\n"
                                        "Amina,amina@example.org,WRC-23,delegate\n")
    assert ("1 role for 1 participant will be recorded; 0 already recorded are skipped."
            in text(preview))


def test_importing_the_same_file_again_records_nothing_twice(world, coordinator, auth, client):
    programme, people = world
    auth.login(coordinator(programme))
    preview = upload(client, programme, GOOD_FILE)
    client.post(import_url(programme, "/confirm"), data={"plan": plan_of(preview)})
    flashes(client)
    # Confirming the same preview twice (a double click, the back button) adds nothing.
    client.post(import_url(programme, "/confirm"), data={"plan": plan_of(preview)})
    assert flashes(client) == [
        "Recorded 0 roles for 0 participants; 4 already recorded were skipped."]
    again = text(upload(client, programme, GOOD_FILE))
    assert "0 roles for 0 participants will be recorded; 4 already recorded are skipped." in again
    assert "Nothing new to record: every role in the file is recorded already." in again
    assert "Record these roles" not in again
    # One new line among the old ones: only it is recorded.
    preview = upload(client, programme, GOOD_FILE + "bea@example.org;WTSA-24;chair\n")
    assert "1 role for 1 participant will be recorded; 4 already recorded are skipped." in \
        text(preview)
    client.post(import_url(programme, "/confirm"), data={"plan": plan_of(preview)})
    assert flashes(client) == [
        "Recorded 1 role for 1 participant; 4 already recorded were skipped."]
    assert recorded() == RECORDED | {("Bea", "WTSA-24", CHAIR)}


def test_a_role_she_recorded_herself_is_skipped(world, coordinator, auth, client):
    programme, people = world
    wrc = db.session.scalar(select(ItuMeeting).where(ItuMeeting.name == "WRC-23"))
    db.session.add(MeetingRole(user_id=people["Bea"].user_id, itu_meeting_id=wrc.id,
                               role=DELEGATE, baseline=True))
    db.session.commit()
    auth.login(coordinator(programme))
    page = text(upload(client, programme, GOOD_FILE))
    assert "3 roles for 2 participants will be recorded; 1 already recorded is skipped." in page


def test_a_file_with_any_wrong_row_records_nothing_and_lists_every_problem(
        world, coordinator, auth, client):
    programme, people = world
    auth.login(coordinator(programme))
    response = upload(client, programme, (
        "email,meeting,role\n"
        "amina@example.org,WRC-23,delegate\n"             # good, but not recorded either
        "not-an-address,WRC-23,delegate\n"
        "nobody@example.org,WRC-23,delegate\n"
        "sara@example.org,WRC-23,delegate\n"              # applied, not accepted
        "bea@example.org,WRC-27,delegate\n"               # not on the list
        "bea@example.org,,delegate\n"
        "bea@example.org,WRC-23,queen\n"
        "nobody@example.org,CPM,boss\n"                   # three problems, left to right
        "\n"                                              # an empty line is skipped
        "amina@example.org,wrc-23,DELEGATE\n"))           # same as line 2
    assert response.status_code == 400
    roles = ", ".join(kind.value for kind in MeetingRoleKind)
    assert errors_on(response) == [
        ("3", "email", '"not-an-address" is not a valid email address.'),
        ("4", "email", "nobody@example.org is not an accepted participant of the programme."),
        ("5", "email", "sara@example.org is not an accepted participant of the programme."),
        ("6", "meeting", '"WRC-27" is not on the programme\'s list of ITU meetings: add it '
                         "there first, or write its name as listed."),
        ("7", "meeting", "Write the meeting's name as the list of ITU meetings has it."),
        ("8", "role", f'"queen" is not a role: write one of {roles}.'),
        ("9", "email", "nobody@example.org is not an accepted participant of the programme."),
        ("9", "meeting", '"CPM" is not on the programme\'s list of ITU meetings: add it '
                         "there first, or write its name as listed."),
        ("9", "role", f'"boss" is not a role: write one of {roles}.'),
        ("11", "role", "Line 2 has the same participant, meeting and role."),
    ]
    assert "Nothing was read: the file has 10 problems, listed below." in text(response)
    assert role_count() == 0
    assert db.session.scalar(select(func.count()).select_from(ItuMeeting)) == 2  # none made


@pytest.mark.parametrize(("content", "problem"), [
    ("email,role\namina@example.org,delegate\n",
     ("1", "meeting", 'No column for "meeting" was found in the heading row.')),
    ("email,meeting,role\n", ("2", "", "The file has no rows after the heading.")),
    ("", ("1", "", "The file is empty.")),
    ("email,meeting,role\nzoë@example.org,WRC-23,delegate\n".encode("latin-1"),
     ("1", "", 'The file is not UTF-8 text. Save it as "CSV UTF-8".')),
])
def test_a_file_that_cannot_be_read_says_why(world, coordinator, auth, client, content, problem):
    programme, _people = world
    auth.login(coordinator(programme))
    response = upload(client, programme, content)
    assert response.status_code == 400
    assert errors_on(response) == [problem]


def test_many_problems_list_the_first_hundred_and_count_the_others(
        world, coordinator, auth, client):
    programme, _people = world
    auth.login(coordinator(programme))
    rows = "".join(f"amina@example.org,CPM-{n},delegate\n" for n in range(105))
    response = upload(client, programme, "email,meeting,role\n" + rows)
    assert len(errors_on(response)) == 100
    assert "and 5 more problems" in text(response)


def test_an_upload_too_large_or_with_too_many_rows_is_refused(world, coordinator, auth, client,
                                                               app):
    programme, _people = world
    auth.login(coordinator(programme))
    big = "email,meeting,role\n" + "amina@example.org,WRC-23,delegate\n" * 70_000  # > 2 MB
    assert upload(client, programme, big).status_code == 413
    app.config["IMPORT_MAX_ROWS"] = 3
    response = upload(client, programme, "email,meeting,role\n"
                      + "amina@example.org,WRC-23,delegate\n" * 4)
    assert response.status_code == 400
    assert errors_on(response) == [("1", "", "The file has more than 3 rows: import at most 3 "
                                             "at a time, in several files.")]
    assert role_count() == 0


def test_a_cochair_imports_for_her_region_only_and_cannot_tell_who_exists_elsewhere(
        world, coordinator, auth, client):
    programme, people = world
    auth.login(coordinator(programme, "ATU"))
    response = upload(client, programme, "email,meeting,role\n"
                                         "amina@example.org,WRC-23,delegate\n"
                                         "dora@example.org,WRC-23,delegate\n"
                                         "nobody@example.org,WRC-23,delegate\n")
    assert response.status_code == 400
    # Dora exists (in France), nobody@ does not: the same words for both.
    assert errors_on(response) == [
        ("3", "email", "dora@example.org is not an accepted participant of your region."),
        ("4", "email", "nobody@example.org is not an accepted participant of your region.")]
    preview = upload(client, programme, "email,meeting,role\namina@example.org,WRC-23,chair\n")
    client.post(import_url(programme, "/confirm"), data={"plan": plan_of(preview)})
    assert recorded() == {("Amina", "WRC-23", CHAIR)}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting_role.import"))
    assert (event.target_type, event.target_id) == ("enrolment", people["Amina"].id)
    # Her audit log shows it (it is about her region's participant).
    assert f"meeting_role.import</code> #{people['Amina'].id}<" in client.get(
        f"/coordinate/{programme.slug}/audit").text


def test_a_cochair_cannot_confirm_a_plan_read_for_the_whole_programme(
        world, coordinator, auth, client):
    programme, people = world
    plan = role_imports.seal(Scope(programme), role_imports.RolesFile([role_imports.PlannedRole(
        2, people["Dora"].user_id, "Dora", "dora@example.org", programme_meeting(programme),
        "WRC-23", DELEGATE)], 0))
    auth.login(coordinator(programme, "ATU"))
    assert client.post(import_url(programme, "/confirm"), data={"plan": plan}).status_code == 403
    assert role_count() == 0


def programme_meeting(programme, name="WRC-23") -> int:
    return db.session.scalar(select(ItuMeeting.id).where(ItuMeeting.programme_id == programme.id,
                                                         ItuMeeting.name == name))


def test_a_preview_gone_stale_or_forged_records_nothing(world, coordinator, auth, client):
    programme, people = world
    auth.login(coordinator(programme))
    preview = upload(client, programme, GOOD_FILE)
    client.post(import_url(programme, "/confirm"), data={"plan": plan_of(preview) + "x"})
    assert flashes(client) == [
        "Read the file again: this preview is more than an hour old or was changed."]
    # Bea's application is withdrawn between the preview and the confirmation.
    people["Bea"].status = EnrolmentStatus.WITHDRAWN
    db.session.commit()
    response = client.post(import_url(programme, "/confirm"), data={"plan": plan_of(preview)})
    assert response.headers["Location"].endswith(import_url(programme))
    assert flashes(client) == ["The participants or the ITU meetings changed since the file was "
                               "read: read it again. Nothing was recorded."]
    assert role_count() == 0


def test_participants_cannot_reach_the_import(world, auth, client):
    programme, people = world
    auth.login("amina@example.org")
    assert client.get(import_url(programme)).status_code == 403
    assert upload(client, programme, GOOD_FILE).status_code == 403
    assert client.get(import_url(programme, "/roles-template.csv")).status_code == 403
    plan = role_imports.seal(Scope(programme), role_imports.RolesFile([], 0))
    assert client.post(import_url(programme, "/confirm"), data={"plan": plan}).status_code == 403
    assert role_count() == 0


def test_the_template_is_formula_safe_and_imports_as_it_is(world, coordinator, auth, client):
    programme, _people = world
    auth.login(coordinator(programme))
    page = text(client.get(f"/coordinate/{programme.slug}/itu-meetings"))
    assert "Import roles from a CSV file" in page
    page = text(client.get(import_url(programme)))
    assert "Download a template (CSV)" in page
    assert "The meetings on the list: WTSA-24, WRC-23." in page
    db.session.add(ItuMeeting(programme_id=programme.id, name="=HYPERLINK(\"x\")",
                              starts_on=date(2025, 1, 1)))
    db.session.commit()
    response = client.get(import_url(programme, "/roles-template.csv"))
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows == [["email", "meeting", "role"],
                    ["participant@example.org", "'=HYPERLINK(\"x\")", "delegate"]]
    # The template's headings and role read back (with a real participant and meeting).
    filled = response.data.decode("utf-8-sig").replace("participant@", "amina@").replace(
        "'=HYPERLINK(\"\"x\"\")", "WRC-23")
    assert "1 role for 1 participant will be recorded" in text(upload(client, programme, filled))


def test_roles_recorded_meanwhile_make_the_confirmation_record_nothing(
        world, coordinator, auth, client, monkeypatch):
    programme, people = world
    auth.login(coordinator(programme))
    preview = upload(client, programme, GOOD_FILE)
    # Bea records her role herself between the check and the insert.
    db.session.add(MeetingRole(user_id=people["Bea"].user_id, role=DELEGATE,
                               itu_meeting_id=programme_meeting(programme)))
    db.session.commit()
    monkeypatch.setattr(role_imports, "_recorded", lambda scope, user_ids: set())
    client.post(import_url(programme, "/confirm"), data={"plan": plan_of(preview)})
    assert flashes(client) == ["Some of these roles were recorded meanwhile: import the file "
                               "again. Nothing was recorded."]
    assert recorded() == {("Bea", "WRC-23", DELEGATE)}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "meeting_role.import")) == 0


def test_the_confirmation_needs_the_pages_csrf_token(world, coordinator, auth, client, app):
    programme, _people = world
    auth.login(coordinator(programme))
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(import_url(programme)).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', page).group(1)
    preview = client.post(import_url(programme), data={
        "csrf_token": token, "file": (io.BytesIO(GOOD_FILE.encode()), "roles.csv")})
    assert 'name="csrf_token"' in preview.text.split('name="plan"')[0].rsplit("<form", 1)[1]
    response = client.post(import_url(programme, "/confirm"), data={"plan": plan_of(preview)})
    assert response.status_code == 400
    assert role_count() == 0
    client.post(import_url(programme, "/confirm"), data={"plan": plan_of(preview),
                                                         "csrf_token": token})
    assert len(recorded()) == 4


def test_every_roles_label_in_every_language_reads_as_its_role(app):
    """The words the forms show, in each of the six languages, with and without their
    parenthesis, with the case, accents and spaces people change."""
    from flask_babel import force_locale

    from mentoring.labels import MEETING_ROLES

    words = role_imports.role_words()
    for locale in app.config["LANGUAGES"]:
        with app.test_request_context(), force_locale(locale):
            for role, label in MEETING_ROLES.items():
                assert words[role_imports.word_key(f"  {str(label).upper()} ")] == role
                short = re.split(r"[(（]", str(label), maxsplit=1)[0]
                assert words[role_imports.word_key(short)] == role, (locale, role)
    assert words[role_imports.word_key("رئيس")] == CHAIR
    assert words[role_imports.word_key("Vice_Chair")] == VICE_CHAIR
    assert words[role_imports.word_key("delegue")] == DELEGATE
