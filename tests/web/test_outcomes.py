"""Outcomes (issue #17): the ITU meetings a programme follows and the roles its participants
held there, recorded by themselves or by a coordinator; the figures the outcomes page reads."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

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
from mentoring.services import outcomes
from mentoring.services.scope import Scope
from tests.helpers import flashes, sql_statements, text

ACCEPTED = EnrolmentStatus.ACCEPTED


@pytest.fixture
def programme(make_programme):
    return make_programme(status=ProgrammeStatus.RUNNING)


def meetings_url(programme, tail="") -> str:
    return f"/coordinate/{programme.slug}/itu-meetings{tail}"


def add_meeting(programme, name, starts_on=date(2023, 11, 20)) -> ItuMeeting:
    meeting = ItuMeeting(programme_id=programme.id, name=name, starts_on=starts_on)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def actions(kind: str) -> list[str]:
    return [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like(f"{kind}.%")).order_by(AuditEvent.id))]


# ---- the list of meetings -----------------------------------------------------------------

def test_a_coordinator_adds_renames_and_removes_a_meeting_after_confirming(
        client, auth, coordinator, programme):
    auth.login(coordinator(programme))
    assert "No ITU meeting on the list yet." in text(client.get(meetings_url(programme)))
    response = client.post(meetings_url(programme), data={"name": "  WRC-23 ",
                                                           "starts_on": "2023-11-20"})
    assert response.status_code == 302
    assert flashes(client) == ["WRC-23 is on the list."]
    meeting = db.session.scalar(select(ItuMeeting))
    assert (meeting.name, meeting.starts_on) == ("WRC-23", date(2023, 11, 20))
    assert "WRC-23" in text(client.get(meetings_url(programme)))

    edit = meetings_url(programme, f"/{meeting.id}/edit")
    assert 'value="WRC-23"' in client.get(edit).text
    assert client.post(edit, data={"name": "WRC-23 (Dubai)",
                                   "starts_on": "2023-11-20"}).status_code == 302
    db.session.expire_all()
    assert meeting.name == "WRC-23 (Dubai)"

    remove = meetings_url(programme, f"/{meeting.id}/remove")
    page = text(client.get(remove))
    assert "Remove “WRC-23 (Dubai)”?" in page and "Keep it" in page
    assert db.session.get(ItuMeeting, meeting.id) is not None  # asking removes nothing
    assert client.post(remove).status_code == 302
    assert flashes(client) == ["WRC-23 (Dubai) is removed from the list."]
    db.session.expire_all()
    assert db.session.get(ItuMeeting, meeting.id) is None
    assert actions("itu_meeting") == ["itu_meeting.add", "itu_meeting.change",
                                      "itu_meeting.remove"]


@pytest.mark.parametrize(("form", "message"), [
    ({"name": "", "starts_on": "2023-11-20"}, "Give the meeting a name, such as WRC-23."),
    ({"name": "CPM23-2", "starts_on": ""}, "Give the day the meeting starts."),
    ({"name": "wrc-23", "starts_on": "2023-11-20"},
     "The programme already has a meeting named wrc-23."),
    ({"name": "x" * 121, "starts_on": "2023-11-20"}, "Keep the name under 120 characters."),
])
def test_a_meeting_without_a_name_or_day_or_with_a_taken_name_is_refused_with_the_reason(
        client, auth, coordinator, programme, form, message):
    add_meeting(programme, "WRC-23")
    auth.login(coordinator(programme))
    response = client.post(meetings_url(programme), data=form)
    assert response.status_code == 200
    assert message in text(response)
    assert len(outcomes.meetings(programme)) == 1


def test_a_meeting_with_roles_cannot_be_removed(client, auth, coordinator, programme,
                                                make_enrolment):
    meeting = add_meeting(programme, "WRC-23")
    her = make_enrolment(programme, status=ACCEPTED)
    db.session.add(MeetingRole(user_id=her.user_id, itu_meeting_id=meeting.id,
                               role=MeetingRoleKind.DELEGATE))
    db.session.commit()
    auth.login(coordinator(programme))
    remove = meetings_url(programme, f"/{meeting.id}/remove")
    assert "1 role is recorded at this meeting: remove it first." in text(client.get(remove))
    client.post(remove)
    assert flashes(client) == ["Roles are recorded at WRC-23: remove them first."]
    db.session.expire_all()
    assert db.session.get(ItuMeeting, meeting.id) is not None


def test_a_cochair_sees_the_meetings_but_cannot_change_them(client, auth, coordinator,
                                                            programme):
    meeting = add_meeting(programme, "WRC-23")
    auth.login(coordinator(programme, "ATU"))
    page = text(client.get(meetings_url(programme)))
    assert "WRC-23" in page and "Rename" not in page and "Add the meeting" not in page
    assert client.post(meetings_url(programme), data={"name": "RA-23",
                                                      "starts_on": "2023-11-13"}).status_code == 403
    for tail in ("/edit", "/remove"):
        assert client.get(meetings_url(programme, f"/{meeting.id}{tail}")).status_code == 403
        assert client.post(meetings_url(programme, f"/{meeting.id}{tail}"),
                           data={"name": "Mine", "starts_on": "2023-11-13"}).status_code == 403
    db.session.expire_all()
    assert [m.name for m in outcomes.meetings(programme)] == ["WRC-23"]


def test_another_programmes_meeting_is_not_found(client, auth, coordinator, programme,
                                                 make_programme):
    other = add_meeting(make_programme(), "WRC-23")
    auth.login(coordinator(programme))
    assert client.get(meetings_url(programme, f"/{other.id}/edit")).status_code == 404


# ---- a participant's own roles ------------------------------------------------------------

def test_a_participant_records_and_removes_her_own_roles_from_my_programmes(
        client, auth, programme, make_enrolment):
    wrc = add_meeting(programme, "WRC-23")
    her = make_enrolment(programme, status=ACCEPTED)
    auth.login(her.user)
    mine = text(client.get("/me/programmes"))
    assert "My roles at ITU meetings" in mine
    page_url = f"/programmes/{programme.slug}/my-itu-roles"
    assert "No role recorded yet." in text(client.get(page_url))
    response = client.post(page_url, data={"meeting": str(wrc.id), "role": "vice_chair"})
    assert response.status_code == 302
    assert flashes(client) == ["Recorded: Vice-chair (of a committee, working party or "
                               "drafting group) at WRC-23."]
    again = client.post(page_url, data={"meeting": str(wrc.id), "role": "vice_chair"})
    assert "This role at WRC-23 is already recorded." in text(again)
    empty = client.post(page_url, data={"meeting": "", "role": ""})
    assert "Choose a meeting from the list." in text(empty)
    assert "Choose a role from the list." in text(empty)
    recorded = db.session.scalar(select(MeetingRole))
    assert (recorded.user_id, recorded.role, recorded.recorded_by_id) == (
        her.user_id, MeetingRoleKind.VICE_CHAIR, her.user_id)
    assert "Vice-chair" in text(client.get(page_url))
    assert client.post(f"{page_url}/{recorded.id}/remove").status_code == 302
    assert db.session.scalar(select(MeetingRole)) is None
    assert actions("meeting_role") == ["meeting_role.record", "meeting_role.remove"]


def test_my_programmes_has_no_roles_link_without_meetings_or_acceptance(
        client, auth, programme, make_enrolment):
    her = make_enrolment(programme, status=ACCEPTED)
    auth.login(her.user)
    assert "My roles at ITU meetings" not in text(client.get("/me/programmes"))
    add_meeting(programme, "WRC-23")
    applicant = make_enrolment(programme)
    auth.logout()
    auth.login(applicant.user)
    assert "My roles at ITU meetings" not in text(client.get("/me/programmes"))
    assert client.get(f"/programmes/{programme.slug}/my-itu-roles").status_code == 403


def test_a_participant_cannot_touch_someone_elses_role(client, auth, programme,
                                                       make_enrolment):
    wrc = add_meeting(programme, "WRC-23")
    her = make_enrolment(programme, status=ACCEPTED)
    other = make_enrolment(programme, status=ACCEPTED)
    theirs = MeetingRole(user_id=other.user_id, itu_meeting_id=wrc.id,
                         role=MeetingRoleKind.SPEAKER)
    db.session.add(theirs)
    db.session.commit()
    auth.login(her.user)
    base = f"/programmes/{programme.slug}/my-itu-roles"
    assert client.post(f"{base}/{theirs.id}/remove").status_code == 403
    assert client.post(f"{base}/999999/remove").status_code == 404
    assert "No role recorded yet." in text(client.get(base))
    db.session.expire_all()
    assert db.session.get(MeetingRole, theirs.id) is not None


# ---- a coordinator records for a participant ----------------------------------------------

def test_a_coordinator_records_a_role_for_a_participant_from_her_application(
        client, auth, coordinator, programme, make_enrolment):
    cpm = add_meeting(programme, "CPM23-2", date(2023, 4, 17))
    her = make_enrolment(programme, status=ACCEPTED)
    user = coordinator(programme)
    auth.login(user)
    application = text(client.get(f"/coordinate/{programme.slug}/applications/{her.id}"))
    assert "Roles at ITU meetings" in application
    page_url = f"/coordinate/{programme.slug}/applications/{her.id}/itu-roles"
    assert client.post(page_url, data={"meeting": str(cpm.id), "role": "head"}).status_code == 302
    recorded = db.session.scalar(select(MeetingRole))
    assert (recorded.user_id, recorded.recorded_by_id) == (her.user_id, user.id)
    assert "Head of delegation" in text(client.get(page_url))
    assert client.post(f"{page_url}/{recorded.id}/remove").status_code == 302
    assert db.session.scalar(select(MeetingRole)) is None
    assert actions("meeting_role") == ["meeting_role.record", "meeting_role.remove"]


def test_a_cochair_records_roles_for_her_region_only(client, auth, coordinator, programme,
                                                     make_enrolment):
    wrc = add_meeting(programme, "WRC-23")
    kenyan = make_enrolment(programme, status=ACCEPTED, country="KE")
    french = make_enrolment(programme, status=ACCEPTED, country="FR")
    applicant = make_enrolment(programme, country="KE")
    auth.login(coordinator(programme, "ATU"))
    base = f"/coordinate/{programme.slug}/applications"
    form = {"meeting": str(wrc.id), "role": "delegate"}
    assert client.post(f"{base}/{kenyan.id}/itu-roles", data=form).status_code == 302
    assert client.get(f"{base}/{french.id}/itu-roles").status_code == 403
    assert client.post(f"{base}/{french.id}/itu-roles", data=form).status_code == 403
    assert client.post(f"{base}/{applicant.id}/itu-roles", data=form).status_code == 403
    assert [r.user_id for r in db.session.scalars(select(MeetingRole))] == [kenyan.user_id]


# ---- the figures --------------------------------------------------------------------------

def test_roles_by_meeting_counts_participants_and_women_per_meeting_and_role(
        app, programme, make_enrolment, make_user):
    """Hand-computed: WRC-23 delegates are Amina (woman, ATU), Brigitte (woman, CEPT), Kofi
    (man, ATU), Nia (woman, ATU, mentee and mentor: counted once) -> 4 people, 3 women; ATU
    alone 3 and 2. WRC-23 chair: Amina -> 1, 1. CPM23-2 speaker: Kofi -> 1, 0. A declined
    applicant's role does not count."""
    wrc = add_meeting(programme, "WRC-23", date(2023, 11, 20))
    cpm = add_meeting(programme, "CPM23-2", date(2023, 4, 17))
    amina = make_enrolment(programme, status=ACCEPTED, country="KE", gender=Gender.WOMAN)
    brigitte = make_enrolment(programme, status=ACCEPTED, country="FR", gender=Gender.WOMAN)
    kofi = make_enrolment(programme, status=ACCEPTED, country="GH", gender=Gender.MAN)
    nia = make_enrolment(programme, status=ACCEPTED, country="KE", gender=Gender.WOMAN)
    make_enrolment(programme, nia.user, role=Role.MENTOR, status=ACCEPTED, country="KE",
                   gender=Gender.WOMAN)
    declined = make_enrolment(programme, status=EnrolmentStatus.DECLINED, country="KE",
                              gender=Gender.WOMAN)
    d, c, s = MeetingRoleKind.DELEGATE, MeetingRoleKind.CHAIR, MeetingRoleKind.SPEAKER
    db.session.add_all(MeetingRole(user_id=person.user_id, itu_meeting_id=meeting.id, role=role)
                       for person, meeting, role in (
                           (amina, wrc, d), (brigitte, wrc, d), (kofi, wrc, d), (nia, wrc, d),
                           (amina, wrc, c), (kofi, cpm, s), (declined, wrc, c)))
    db.session.commit()
    db.session.refresh(programme)  # loaded before the statements are counted

    def figures(scope):
        with sql_statements() as statements:
            found = outcomes.roles_by_meeting(scope)
        assert len(statements) == 1  # one GROUP BY, however many meetings and roles
        return [(f.meeting, f.role, f.people, f.women) for f in found]

    assert figures(Scope(programme)) == [("WRC-23", c, 1, 1), ("WRC-23", d, 4, 3),
                                         ("CPM23-2", s, 1, 0)]
    atu = next(r for r in programme.regions if r.code == "ATU")
    assert figures(Scope(programme, atu)) == [("WRC-23", c, 1, 1), ("WRC-23", d, 3, 2),
                                              ("CPM23-2", s, 1, 0)]


# ---- the demo ---------------------------------------------------------------------------------

def test_the_demo_has_now4wrc23s_roles_at_wrc23_and_cpm23_2(runner, client, auth):
    from mentoring.demo import DEMO_PASSWORD
    from mentoring.services.scope import programme_by_slug

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    wrc = programme_by_slug("now4wrc23")
    figures = outcomes.roles_by_meeting(Scope(wrc))
    assert {f.meeting for f in figures} == {"WRC-23", "CPM23-2"}
    delegates = {f.meeting: f for f in figures if f.role == MeetingRoleKind.DELEGATE}
    assert (delegates["WRC-23"].people, delegates["CPM23-2"].people) == (14, 10)
    assert 0 < delegates["WRC-23"].women < 14
    assert sum(f.people for f in figures) == 45
    participant = db.session.scalar(select(MeetingRole).order_by(MeetingRole.id)).user
    auth.login(participant.email, DEMO_PASSWORD)
    page = text(client.get("/programmes/now4wrc23/my-itu-roles"))
    assert "WRC-23" in page and "CPM23-2" in page and "Delegate" in page


def test_her_roles_are_in_the_download_of_her_personal_data(app, programme, make_enrolment):
    from mentoring.services import personal_data

    wrc = add_meeting(programme, "WRC-23")
    her = make_enrolment(programme, status=ACCEPTED)
    db.session.add(MeetingRole(user_id=her.user_id, itu_meeting_id=wrc.id,
                               role=MeetingRoleKind.AUTHOR))
    db.session.commit()
    rows = personal_data.collect(her.user)["itu_roles"]
    assert [(r["programme"], r["meeting"], r["starts_on"], r["role"]) for r in rows] == [
        (programme.name, "WRC-23", "2023-11-20", "author")]


def test_a_meeting_of_several_days_keeps_its_last_day_which_cannot_come_before_the_first(
        client, auth, coordinator, programme):
    auth.login(coordinator(programme))
    refused = client.post(meetings_url(programme), data={
        "name": "WRC-23", "starts_on": "2023-11-20", "ends_on": "2023-11-19"})
    assert "The meeting cannot end before it starts." in text(refused)
    assert 'value="2023-11-20"' in refused.text  # the form keeps what she typed
    assert outcomes.meetings(programme) == []
    client.post(meetings_url(programme), data={"name": "WRC-23", "starts_on": "2023-11-20",
                                               "ends_on": "2023-12-15"})
    meeting = db.session.scalar(select(ItuMeeting))
    assert (meeting.starts_on, meeting.ends_on) == (date(2023, 11, 20), date(2023, 12, 15))
    assert "Nov 20, 2023 – Dec 15, 2023" in text(client.get(meetings_url(programme)))
    client.post(meetings_url(programme, f"/{meeting.id}/edit"),
                data={"name": "WRC-23", "starts_on": "2023-11-20", "ends_on": ""})
    db.session.expire_all()
    assert meeting.ends_on is None
