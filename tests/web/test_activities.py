"""Group activities (issue #17): coordinators plan them, participants register, a waiting list
fills freed places in order of arrival, calendars."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from icalendar import Calendar
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import (
    Activity,
    AuditEvent,
    EnrolmentStatus,
    ProgrammeStatus,
    Registration,
    RegistrationStatus,
    Role,
)
from mentoring.models._types import utcnow
from tests.helpers import emails, link_in

ACCEPTED = EnrolmentStatus.ACCEPTED


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.pop("_flashes", [])]


@pytest.fixture
def programme(make_programme):
    return make_programme(status=ProgrammeStatus.RUNNING)


def plan(programme, **changes) -> dict:
    """The form of a talk a week from now, 14:00 in Nairobi."""
    day = (utcnow() + timedelta(days=7)).date()
    form = {"kind": "talk", "title": "Negotiating at WRC: what I wish I had known",
            "description": "A talk by a head of delegation.", "day": day.isoformat(),
            "at": "14:00", "timezone": "Africa/Nairobi", "duration_minutes": "60",
            "location": "https://meet.example.org/wrc", "capacity": "", "audience": "everyone",
            "region_id": "", "closes_day": "", "closes_at": ""}
    form.update(changes)
    return form


def url(programme, tail="") -> str:
    return f"/coordinate/{programme.slug}/activities{tail}"


def planned(client, programme, **changes) -> Activity:
    response = client.post(url(programme, "/new"), data=plan(programme, **changes))
    assert response.status_code == 302, response.text
    return db.session.scalars(select(Activity).order_by(Activity.id.desc())).first()


# ---- coordinators -------------------------------------------------------------------------

def test_a_coordinator_plans_a_talk_at_a_time_in_her_zone_and_sees_it_listed(
        client, auth, coordinator, programme):
    auth.login(coordinator(programme))
    assert "No activity planned yet." in client.get(url(programme)).text
    activity = planned(client, programme)
    assert activity.starts_at.astimezone().utcoffset() is not None
    assert (activity.starts_at.hour, activity.starts_at.minute) == (11, 0)  # 14:00 in Nairobi
    assert flashes(client) == ["The activity is planned: participants see it on their "
                               "programme page."]
    page = client.get(url(programme)).text
    assert "Negotiating at WRC: what I wish I had known" in page and "Talk" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.created"))
    assert event.target_id == activity.id


def test_a_plan_with_mistakes_comes_back_with_its_values_and_each_field_said(
        client, auth, coordinator, programme):
    auth.login(coordinator(programme))
    day = (utcnow() + timedelta(days=7)).date()
    response = client.post(url(programme, "/new"), data=plan(
        programme, title=" ", duration_minutes="0", capacity="0",
        closes_day=(day + timedelta(days=1)).isoformat()))
    assert response.status_code == 200
    page = response.text
    assert "Give the activity a title." in page
    assert "Between 1 and 720 minutes." in page
    assert "Between 1 and 10000 places, or empty for no limit." in page
    assert "Registration must close before the activity starts." in page
    assert 'value="https://meet.example.org/wrc"' in page  # nothing typed is lost
    assert db.session.scalar(select(Activity.id)) is None


def test_a_co_chair_plans_for_her_region_only_and_cannot_change_the_programmes(
        client, auth, coordinator, programme):
    auth.login(coordinator(programme))
    everyone = planned(client, programme, title="For every region")
    auth.logout()
    auth.login(coordinator(programme, "ATU"))
    atu = next(r for r in programme.regions if r.code == "ATU")
    cept = next(r for r in programme.regions if r.code == "CEPT")
    mine = planned(client, programme, title="ATU circle", region_id=str(cept.id))
    assert mine.region_id == atu.id  # whatever the form says
    assert client.get(url(programme, f"/{everyone.id}/edit")).status_code == 403
    assert client.post(url(programme, f"/{everyone.id}/cancel")).status_code == 403
    assert client.get(url(programme, f"/{mine.id}/edit")).status_code == 200
    page = client.get(url(programme, f"/{everyone.id}")).text
    assert "The programme's coordinators manage this activity" in page


def test_a_co_chair_does_not_see_another_regions_activity_nor_its_people(
        client, auth, coordinator, programme, make_enrolment):
    auth.login(coordinator(programme, "CEPT"))
    cept_only = planned(client, programme, title="CEPT networking")
    auth.logout()
    auth.login(coordinator(programme, "ATU"))
    assert "CEPT networking" not in client.get(url(programme)).text
    assert client.get(url(programme, f"/{cept_only.id}")).status_code == 403


def test_a_co_chair_reading_a_programme_wide_activity_sees_only_her_regions_people(
        client, auth, coordinator, programme, make_enrolment):
    from mentoring.services import activities

    kenya = make_enrolment(programme, country="KE", status=ACCEPTED)
    france = make_enrolment(programme, country="FR", status=ACCEPTED)
    auth.login(coordinator(programme))
    talk = planned(client, programme)
    for person in (kenya, france):
        activities.register(person.user, talk.id)
    db.session.commit()
    auth.logout()
    auth.login(coordinator(programme, "ATU"))
    page = client.get(url(programme, f"/{talk.id}")).text
    assert kenya.user.email in page and france.user.email not in page


def test_cancelling_asks_first_then_tells_everyone_registered_or_waiting(
        client, auth, coordinator, programme, make_enrolment):
    from mentoring.services import activities

    people = [make_enrolment(programme, status=ACCEPTED) for _ in range(2)]
    auth.login(coordinator(programme))
    talk = planned(client, programme, capacity="1")
    for person in people:
        activities.register(person.user, talk.id)
    db.session.commit()
    confirm = client.get(url(programme, f"/{talk.id}/cancel")).text
    assert "2 people registered or waiting will be told by email." in confirm
    assert db.session.get(Activity, talk.id) is not None  # asking changed nothing
    client.post(url(programme, f"/{talk.id}/cancel"))
    assert flashes(client) == ["The activity is cancelled; 2 people were told."]
    assert db.session.get(Activity, talk.id) is None
    sent = emails(kind="activity")
    assert sorted(e.recipient for e in sent) == sorted(p.user.email for p in people)
    assert all(e.subject.startswith("Cancelled: Negotiating at WRC") for e in sent)


# ---- participants -------------------------------------------------------------------------

def test_an_accepted_mentee_sees_it_registers_and_gets_a_calendar_entry(
        client, auth, coordinator, programme, make_enrolment):
    mentee = make_enrolment(programme, status=ACCEPTED)
    auth.login(coordinator(programme))
    talk = planned(client, programme)
    auth.logout()
    auth.login(mentee.user)
    mine = client.get("/me/programmes").text
    assert "Activities coming up" in mine and "Negotiating at WRC" in mine
    page = client.get(f"/activities/{talk.id}").text
    assert "Register" in page
    client.post(f"/activities/{talk.id}/register")
    assert flashes(client) == ["You are registered."]
    assert "You are registered." in client.get(f"/activities/{talk.id}").text
    ics = client.get(f"/activities/{talk.id}.ics")
    assert ics.mimetype == "text/calendar"
    (event,) = Calendar.from_ical(ics.data).walk("VEVENT")
    assert event.decoded("dtstart") == talk.starts_at
    assert str(event["summary"]) == talk.title
    assert str(event["location"]) == "https://meet.example.org/wrc"
    feed = Calendar.from_ical(client.get("/me/activities.ics").data)
    assert [str(e["summary"]) for e in feed.walk("VEVENT")] == [talk.title]


def test_the_time_is_shown_in_the_persons_own_zone(client, auth, coordinator, programme,
                                                   make_enrolment, make_user):
    mentee = make_enrolment(programme, make_user(timezone="America/Sao_Paulo"),
                            status=ACCEPTED)
    auth.login(coordinator(programme))
    talk = planned(client, programme)
    auth.logout()
    auth.login(mentee.user)
    page = client.get(f"/activities/{talk.id}").text
    day = format_date(talk.starts_at, "full", locale="en")
    assert f"{day}, 8:00\u202fAM (America/Sao Paulo)" in page  # 14:00 in Nairobi
    assert f"Organiser's time: {day}, 2:00\u202fPM (Africa/Nairobi)" in page


def test_when_full_she_waits_and_gets_the_first_place_that_frees_with_an_email(
        client, auth, coordinator, programme, make_enrolment):
    first, second, third = (make_enrolment(programme, status=ACCEPTED) for _ in range(3))
    auth.login(coordinator(programme))
    talk = planned(client, programme, capacity="1")
    auth.logout()
    for person in (first, second, third):
        auth.login(person.user)
        client.post(f"/activities/{talk.id}/register")
        auth.logout()
    statuses = dict(db.session.execute(select(Registration.user_id, Registration.status)).all())
    assert statuses == {first.user_id: RegistrationStatus.REGISTERED,
                        second.user_id: RegistrationStatus.WAITING,
                        third.user_id: RegistrationStatus.WAITING}
    auth.login(first.user)
    flashes(client)
    client.post(f"/activities/{talk.id}/unregister")
    assert flashes(client) == ["You are no longer registered."]
    db.session.expire_all()
    statuses = dict(db.session.execute(select(Registration.user_id, Registration.status)).all())
    assert statuses == {second.user_id: RegistrationStatus.REGISTERED,
                        third.user_id: RegistrationStatus.WAITING}
    (email,) = emails(kind="activity")
    assert email.recipient == second.user.email
    assert email.subject == "A place is yours: Negotiating at WRC: what I wish I had known"
    assert link_in(email) == f"/activities/{talk.id}"


def test_each_person_waiting_sees_her_place_in_line_and_moves_up_when_a_place_frees(
        client, auth, coordinator, programme, make_enrolment):
    from mentoring.services import activities

    people = [make_enrolment(programme, status=ACCEPTED) for _ in range(4)]
    auth.login(coordinator(programme))
    talk = planned(client, programme, capacity="1")
    auth.logout()
    for person in people:
        activities.register(person.user, talk.id)
    db.session.commit()

    def her_place(person) -> str:
        auth.login(person.user)
        page = client.get(f"/activities/{talk.id}").text
        auth.logout()
        return " ".join(re.sub(r"<[^>]+>", "", page).split())

    assert "You are registered." in her_place(people[0])
    assert "number" not in her_place(people[0])
    for number, person in enumerate(people[1:], start=1):
        assert f"You are on the waiting list. You are number {number} in line." in her_place(
            person)
    auth.login(people[0].user)
    client.post(f"/activities/{talk.id}/unregister")
    auth.logout()
    assert "You are registered." in her_place(people[1])
    assert "You are number 1 in line." in her_place(people[2])
    assert "You are number 2 in line." in her_place(people[3])


def test_more_places_let_the_waiting_list_in(client, auth, coordinator, programme,
                                             make_enrolment):
    from mentoring.services import activities

    people = [make_enrolment(programme, status=ACCEPTED) for _ in range(3)]
    claire = coordinator(programme)
    auth.login(claire)
    talk = planned(client, programme, capacity="1")
    for person in people:
        activities.register(person.user, talk.id)
    db.session.commit()
    client.post(url(programme, f"/{talk.id}/edit"), data=plan(programme, capacity="2"))
    waiting = db.session.scalars(select(Registration.user_id).where(
        Registration.status == RegistrationStatus.WAITING)).all()
    assert waiting == [people[2].user_id]
    assert [e.recipient for e in emails(kind="activity")] == [people[1].user.email]


@pytest.mark.parametrize("who", ["submitted mentee", "mentor for a mentees' talk",
                                 "other region", "stranger"])
def test_people_it_is_not_for_neither_see_it_nor_register(
        client, auth, coordinator, programme, make_enrolment, make_user, who):
    auth.login(coordinator(programme))
    atu = next(r for r in programme.regions if r.code == "ATU")
    talk = planned(client, programme, audience="mentees", region_id=str(atu.id))
    auth.logout()
    person = {
        "submitted mentee": lambda: make_enrolment(programme).user,
        "mentor for a mentees' talk": lambda: make_enrolment(
            programme, role=Role.MENTOR, status=ACCEPTED).user,
        "other region": lambda: make_enrolment(programme, country="FR", status=ACCEPTED).user,
        "stranger": make_user,
    }[who]()
    auth.login(person)
    assert "Negotiating at WRC" not in client.get("/me/programmes").text
    assert client.get(f"/activities/{talk.id}").status_code == 404
    assert client.post(f"/activities/{talk.id}/register").status_code == 404
    assert db.session.scalar(select(Registration.id)) is None


def test_registration_closes_at_its_deadline(client, auth, coordinator, programme,
                                             make_enrolment):
    mentee = make_enrolment(programme, status=ACCEPTED)
    auth.login(coordinator(programme))
    talk = planned(client, programme)
    talk.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    auth.logout()
    auth.login(mentee.user)
    assert "Registration has closed." in client.get(f"/activities/{talk.id}").text
    client.post(f"/activities/{talk.id}/register")
    assert flashes(client) == ["Registration for this activity has closed."]
    assert db.session.scalar(select(Registration.id)) is None


def test_activities_pages_ask_for_a_coordinator(client, auth, programme, make_enrolment):
    mentee = make_enrolment(programme, status=ACCEPTED)
    auth.login(mentee.user)
    assert client.get(url(programme)).status_code == 403
    assert client.post(url(programme, "/new"), data=plan(programme)).status_code == 403


def test_the_day_before_each_person_registered_is_reminded_once_in_her_language(
        client, auth, coordinator, programme, make_enrolment, make_user):
    from mentoring.services import activities
    from mentoring.services.reminders import send_reminders

    french = make_enrolment(programme, make_user(locale="fr"), status=ACCEPTED)
    waiting = make_enrolment(programme, status=ACCEPTED)
    auth.login(coordinator(programme))
    today = utcnow().date()
    talk = planned(client, programme, capacity="1",
                   day=(today + timedelta(days=1)).isoformat(), at="10:00", timezone="UTC")
    later = planned(client, programme, title="Next week",
                    day=(today + timedelta(days=8)).isoformat())
    for person in (french, waiting):
        activities.register(person.user, talk.id)
        activities.register(person.user, later.id)
    db.session.commit()
    assert send_reminders(today).activities == 1
    db.session.commit()
    (email,) = emails(kind="activity")
    assert email.recipient == french.user.email and email.locale == "fr"
    assert email.subject.startswith("Demain")
    assert email.body.rstrip().endswith(f"/activities/{talk.id}")  # its page, last
    assert send_reminders(today).activities == 0  # a second run sends nothing twice
    # Moved to another hour of the same day: she is told again.
    talk = db.session.get(Activity, talk.id)
    talk.starts_at += timedelta(hours=2)
    db.session.commit()
    assert send_reminders(today).activities == 1


def _held(activity_id: int) -> Activity:
    """The activity, moved to yesterday (it has taken place)."""
    activity = db.session.get(Activity, activity_id)
    activity.starts_at = utcnow() - timedelta(days=1)
    db.session.commit()
    return activity


def test_after_the_activity_the_coordinator_ticks_who_came(client, auth, coordinator,
                                                          programme, make_enrolment):
    from mentoring.services import activities

    came, missed = (make_enrolment(programme, status=ACCEPTED) for _ in range(2))
    auth.login(coordinator(programme))
    talk = planned(client, programme)
    regs = {p.user_id: activities.register(p.user, talk.id).id for p in (came, missed)}
    db.session.commit()
    flashes(client)
    early = client.post(url(programme, f"/{talk.id}/attendance"),
                        data={"came": [str(regs[came.user_id])]})
    assert early.status_code == 302
    assert flashes(client) == ["Attendance is recorded once the activity has started."]
    _held(talk.id)
    page = client.get(url(programme, f"/{talk.id}")).text
    assert "Save attendance" in page and came.user.name in page
    client.post(url(programme, f"/{talk.id}/attendance"),
                data={"came": [str(regs[came.user_id])]})
    assert flashes(client) == ["Attendance saved: 1 came, 1 did not."]
    assert "1 of 2 registered came." in client.get(url(programme, f"/{talk.id}")).text
    db.session.expire_all()
    assert {r.user_id: r.attended for r in db.session.scalars(select(Registration))} == {
        came.user_id: True, missed.user_id: False}
    # A registration of another activity is not hers to tick.
    assert client.post(url(programme, f"/{talk.id}/attendance"),
                       data={"came": ["999999"]}).status_code == 400


def test_after_the_activity_those_who_came_give_feedback_the_coordinator_reads_it(
        client, auth, coordinator, programme, make_enrolment):
    from mentoring.services import activities

    came, missed = (make_enrolment(programme, status=ACCEPTED) for _ in range(2))
    claire = coordinator(programme)
    auth.login(claire)
    talk = planned(client, programme)
    for person in (came, missed):
        activities.register(person.user, talk.id)
    db.session.commit()
    auth.logout()
    auth.login(came.user)
    assert "Your feedback" not in client.get(f"/activities/{talk.id}").text  # not yet
    _held(talk.id)
    missing = client.post(f"/activities/{talk.id}", data={"comment": "Great speaker."})
    assert missing.status_code == 200
    assert "Choose a rating from 1 to 5." in missing.text
    assert "Great speaker." in missing.text  # what she wrote is kept
    client.post(f"/activities/{talk.id}", data={"rating": "4", "comment": "Great speaker."})
    assert flashes(client) == ["Thank you for your feedback."]
    auth.logout()
    missed_registration = db.session.scalar(select(Registration).where(
        Registration.user_id == missed.user_id))
    missed_registration.attended = False
    db.session.commit()
    auth.login(missed.user)
    refused = client.post(f"/activities/{talk.id}", data={"rating": "1"}).text
    assert "Only the people who took part can give feedback." in refused
    assert "Your feedback" not in refused
    auth.logout()
    auth.login(claire)
    page = client.get(url(programme, f"/{talk.id}")).text
    assert "Mean 4 out of 5 from 1 answers" in page and "Great speaker." in page


def test_a_calendar_app_follows_her_activities_through_a_private_address(
        client, auth, coordinator, programme, make_enrolment):
    from mentoring.services import activities

    mentee = make_enrolment(programme, status=ACCEPTED)
    auth.login(coordinator(programme))
    talk = planned(client, programme)
    activities.register(mentee.user, talk.id)
    db.session.commit()
    auth.logout()
    auth.login(mentee.user)
    page = client.get("/me/programmes").text
    address = activities.feed_url(mentee.user)
    assert address in page
    auth.logout()
    path = address.split("5000", 1)[1]
    feed = Calendar.from_ical(client.get(path).data)  # no sign-in
    assert [str(e["summary"]) for e in feed.walk("VEVENT")] == [talk.title]
    assert client.get(path.replace(".ics", "x.ics")).status_code == 404
    mentee.user.set_password("A whole new passphrase 2026")
    db.session.commit()
    assert client.get(path).status_code == 404  # a new password ends the old address


def test_a_co_chair_reads_no_mean_of_fewer_than_five_ratings_from_her_region(
        client, auth, coordinator, programme, make_enrolment):
    """A co-chair sees who of her region came: a mean of two ratings would tell her how each
    rated. As on the surveys page, she reads "fewer than 5" until five have answered; the
    programme's coordinators, who read every answer, keep the mean."""
    from mentoring.services import activities

    people = [make_enrolment(programme, country="KE", status=ACCEPTED) for _ in range(5)]
    auth.login(coordinator(programme))
    talk = planned(client, programme)
    auth.logout()
    for person in people:
        activities.register(person.user, talk.id)
    _held(talk.id)
    for registration in db.session.scalars(select(Registration)):
        registration.attended = True
    db.session.commit()
    for person, rating in zip(people[:2], (5, 1), strict=True):
        activities.give_feedback(person.user, talk.id, rating, "")
    db.session.commit()
    auth.login(coordinator(programme, "ATU"))
    page = client.get(url(programme, f"/{talk.id}")).text
    assert "Mean 3 out of 5" not in page and "fewer than 5" in page
    for person, rating in zip(people[2:], (4, 2, 3), strict=True):
        activities.give_feedback(person.user, talk.id, rating, "")
    db.session.commit()
    assert "Mean 3 out of 5 from 5 answers" in client.get(url(programme, f"/{talk.id}")).text
    auth.logout()
    auth.login(coordinator(programme))
    assert "Mean 3 out of 5 from 5 answers" in client.get(url(programme, f"/{talk.id}")).text
