"""The baseline question at application (issue #17): "Have you attended ITU meetings before?
Which, in which role?" The applicant ticks roles at meetings of the programme's list; they are
stored as her roles marked as given on the application, shown to coordinators, and counted as
before the programme on the outcomes page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import Enrolment, EnrolmentStatus, ItuMeeting, MeetingRole, MeetingRoleKind
from mentoring.models._types import utcnow
from mentoring.services import Refused, outcomes
from mentoring.services.enrolments import Application, update
from mentoring.services.scope import Scope
from tests.helpers import text
from tests.web.test_applications import mentee_form

QUESTION = "Have you attended ITU meetings before? Which, in which role? (optional)"


def ticked(page: str) -> set[str]:
    return set(re.findall(r'<input checked id="itu_baseline-\d+" name="itu_baseline" '
                          r'type="checkbox" value="([^"]+)"', page))


@pytest.fixture
def meetings(make_programme):
    programme = make_programme()
    made = {}
    for name, starts_on in (("WRC-23", date(2023, 11, 20)), ("CPM23-2", date(2023, 4, 17)),
                            ("WRC-27", utcnow().date() + timedelta(days=400))):
        made[name] = ItuMeeting(programme_id=programme.id, name=name, starts_on=starts_on)
        db.session.add(made[name])
    db.session.commit()
    return programme, made


def baseline_rows():
    return sorted((r.itu_meeting.name, r.role.value, r.baseline) for r in
                  db.session.scalars(select(MeetingRole)))


def test_an_applicant_gives_her_roles_before_and_coordinators_see_them_counted_as_before(
        client, auth, make_user, coordinator, meetings):
    programme, m = meetings
    her = make_user()
    auth.login(her)
    url = f"/programmes/{programme.slug}/apply/mentee"
    page = text(client.get(url))
    assert QUESTION in page
    assert "WRC-23" in page and "CPM23-2" in page
    assert "WRC-27" not in page  # it has not happened yet
    wrc, cpm = m["WRC-23"].id, m["CPM23-2"].id
    response = client.post(url, data=mentee_form(programme, itu_baseline=[
        f"{wrc}:delegate", f"{wrc}:speaker", f"{cpm}:author"]))
    assert response.status_code == 302
    assert baseline_rows() == [("CPM23-2", "author", True), ("WRC-23", "delegate", True),
                               ("WRC-23", "speaker", True)]
    assert {r.recorded_by_id for r in db.session.scalars(select(MeetingRole))} == {her.id}

    application = db.session.scalar(select(Enrolment))
    auth.logout()
    auth.login(coordinator(programme))
    page = text(client.get(f"/coordinate/{programme.slug}/applications/{application.id}"))
    assert "Roles at ITU meetings before the programme (from the application)" in page
    assert "WRC-23: Delegate" in page and "CPM23-2: Author of a contribution" in page

    application.status = EnrolmentStatus.ACCEPTED
    programme.starts_on = date(2023, 6, 1)  # after CPM23-2, before WRC-23: both still before
    db.session.commit()
    lines = {(r.role, r.held_before, r.held_since)
             for r in outcomes.mentee_roles(Scope(programme))}
    assert lines == {(MeetingRoleKind.DELEGATE, 1, 0), (MeetingRoleKind.SPEAKER, 1, 0),
                     (MeetingRoleKind.AUTHOR, 1, 0)}


def test_the_form_comes_back_with_her_ticks_when_another_answer_is_wrong(
        client, auth, make_user, meetings):
    programme, m = meetings
    auth.login(make_user())
    picks = {f"{m['WRC-23'].id}:speaker", f"{m['CPM23-2'].id}:chair"}
    response = client.post(f"/programmes/{programme.slug}/apply/mentee",
                           data=mentee_form(programme, country="", itu_baseline=sorted(picks)))
    assert response.status_code == 200
    assert ticked(text(response)) == picks
    assert baseline_rows() == []


def test_a_meeting_that_has_not_happened_or_is_not_listed_is_refused(
        client, auth, make_user, meetings, make_programme):
    programme, m = meetings
    auth.login(make_user())
    response = client.post(f"/programmes/{programme.slug}/apply/mentee",
                           data=mentee_form(programme,
                                            itu_baseline=[f"{m['WRC-27'].id}:delegate"]))
    assert response.status_code == 200
    assert "is not a valid choice" in text(response)
    assert baseline_rows() == []
    # The service holds the rule too (the form is not its only caller).
    other = make_programme()
    foreign = ItuMeeting(programme_id=other.id, name="RA-23", starts_on=date(2023, 11, 13))
    db.session.add(foreign)
    db.session.commit()
    for meeting_id in (m["WRC-27"].id, foreign.id):
        assert outcomes.baseline_problem(programme, [(meeting_id, "delegate")],
                                         utcnow().date()) == (
            "Choose roles at meetings of the list.")
    assert outcomes.baseline_problem(programme, [(m["WRC-23"].id, "emperor")],
                                     utcnow().date()) is not None


def test_editing_rewrites_her_baseline_and_keeps_a_role_recorded_otherwise(
        client, auth, make_user, make_enrolment, meetings):
    programme, m = meetings
    wrc, cpm = m["WRC-23"].id, m["CPM23-2"].id
    application = make_enrolment(programme)
    db.session.add(MeetingRole(user_id=application.user_id, itu_meeting_id=wrc,
                               role=MeetingRoleKind.DELEGATE))  # she recorded it herself
    db.session.commit()
    auth.login(application.user)
    edit = f"/applications/{application.id}/edit"
    form = mentee_form(programme, itu_baseline=[f"{wrc}:delegate", f"{cpm}:author"])
    assert client.post(edit, data=form).status_code == 302
    assert baseline_rows() == [("CPM23-2", "author", True), ("WRC-23", "delegate", False)]
    assert ticked(text(client.get(edit))) == {f"{cpm}:author"}
    form = mentee_form(programme, itu_baseline=[f"{cpm}:chair"])
    assert client.post(edit, data=form).status_code == 302
    assert baseline_rows() == [("CPM23-2", "chair", True), ("WRC-23", "delegate", False)]
    assert client.post(edit, data=mentee_form(programme)).status_code == 302  # none ticked
    assert baseline_rows() == [("WRC-23", "delegate", False)]


def test_without_meetings_the_question_is_not_asked_and_an_import_keeps_the_baseline(
        client, auth, make_user, make_programme, make_enrolment, meetings):
    bare = make_programme()
    auth.login(make_user())
    assert QUESTION not in text(client.get(f"/programmes/{bare.slug}/apply/mentee"))
    programme, m = meetings
    application = make_enrolment(programme, itu_baseline=[(m["WRC-23"].id, "delegate")])
    assert baseline_rows() == [("WRC-23", "delegate", True)]
    data = Application(country="KE", languages=["en"], topic_ids=[programme.topics[0].id])
    update(application.user, application, data)  # not asked: itu_baseline None
    db.session.commit()
    assert baseline_rows() == [("WRC-23", "delegate", True)]
    with pytest.raises(Refused):
        update(application.user, application, Application(
            country="KE", languages=["en"], topic_ids=[programme.topics[0].id],
            itu_baseline=[(m["WRC-27"].id, "delegate")]))
