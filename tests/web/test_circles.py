"""Mentoring circles (issue #17): coordinators form them by hand or approve the engine's
proposals; a co-chair only with her region's people; members log the circle's sessions, and
nobody else sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import (
    AuditEvent,
    Circle,
    CircleMeeting,
    CircleMember,
    CircleStatus,
    EnrolmentStatus,
    ProgrammeStatus,
    Role,
)
from mentoring.models._types import utcnow
from tests.helpers import emails, flashes, link_in, text

ACCEPTED = EnrolmentStatus.ACCEPTED


@pytest.fixture
def programme(make_programme):
    return make_programme(status=ProgrammeStatus.RUNNING)


@pytest.fixture
def people(programme, make_enrolment, make_user):
    """Accepted people of Africa (KE) and Europe (FR), by name."""

    def person(name, country, role=Role.MENTEE, **extra):
        return make_enrolment(programme, make_user(name=name), role=role, status=ACCEPTED,
                              country=country, **extra)

    return {
        "Kofi": person("Kofi Mensah", "GH", Role.MENTOR),
        "Wanjiru": person("Wanjiru Kamau", "KE", Role.MENTOR),
        "Amina": person("Amina Kariuki", "KE"),
        "Zawadi": person("Zawadi Otieno", "KE"),
        "Neema": person("Neema Mwangi", "TZ"),
        "Bruno": person("Bruno Schmidt", "DE", Role.MENTOR),
        "Brigitte": person("Brigitte Lefevre", "FR"),
    }


def url(programme, tail="") -> str:
    return f"/coordinate/{programme.slug}/circles{tail}"


def circle_form(name, capacity, mentors, mentees) -> dict:
    return {"name": name, "capacity": str(capacity),
            "mentors": [str(e.id) for e in mentors], "mentees": [str(e.id) for e in mentees]}


def circles() -> list[Circle]:
    db.session.expire_all()
    return list(db.session.scalars(select(Circle).order_by(Circle.id)))


def make_circle(programme, name, mentors, mentees, status=CircleStatus.FORMED) -> Circle:
    circle = Circle(programme_id=programme.id, name=name, capacity=6, status=status,
                    created_at=utcnow() - timedelta(days=30))
    circle.members = [CircleMember(programme_id=programme.id, enrolment_id=e.id,
                                   user_id=e.user_id, role=e.role) for e in mentors + mentees]
    db.session.add(circle)
    db.session.commit()
    return circle


# ---- coordinators: by hand --------------------------------------------------------------------

def test_a_coordinator_forms_a_circle_by_hand_and_its_members_see_it(
        client, auth, coordinator, programme, people):
    auth.login(coordinator(programme))
    page = text(client.get(url(programme)))
    assert "No circle formed yet." in page and "5 accepted mentees are in no circle." not in page
    assert "4 accepted mentees are in no circle." in page
    form_page = text(client.get(url(programme, "/new")))
    assert "Kofi Mensah" in form_page and "Brigitte Lefevre" in form_page

    response = client.post(url(programme, "/new"), data=circle_form(
        "Spectrum circle", 3, [people["Kofi"], people["Bruno"]],
        [people["Amina"], people["Brigitte"]]))
    assert response.status_code == 302
    assert flashes(client) == ["The circle “Spectrum circle” is formed: its members see it on "
                               "their programme page."]
    (circle,) = circles()
    assert sorted(m.user_id for m in circle.members) == sorted(
        people[n].user_id for n in ("Kofi", "Bruno", "Amina", "Brigitte"))
    assert "2 of 3 mentees · meets in English" in text(client.get(url(programme,
                                                                      f"/{circle.id}")))
    page = text(client.get(url(programme)))
    assert "Spectrum circle" in page and "2 of 3" in page
    # They are no longer offered for another circle.
    assert "Amina Kariuki" not in text(client.get(url(programme, "/new")))
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.target_type == "circle")) == "circle.form"

    # Each member is told, with the others' names and the circle's page.
    sent = emails(kind="circle")
    assert sorted(e.recipient for e in sent) == sorted(
        people[n].user.email for n in ("Kofi", "Bruno", "Amina", "Brigitte"))
    to_amina = emails(kind="circle", to=people["Amina"].user.email)[0]
    assert to_amina.subject == "You are in the mentoring circle “Spectrum circle”"
    assert "- Kofi Mensah" in to_amina.body and "- Amina Kariuki" not in to_amina.body
    assert link_in(to_amina) == f"/circles/{circle.id}"

    auth.logout()
    auth.login(people["Amina"].user)
    assert "Spectrum circle" in text(client.get("/me/programmes"))
    page = text(client.get(f"/circles/{circle.id}"))
    assert "Kofi Mensah" in page and "Brigitte Lefevre" in page
    assert "No session logged yet." in page


@pytest.mark.parametrize("change, message", [
    ({"capacity": "1"}, "The circle takes 1 mentees: you chose 2."),
    ({"capacity": "21"}, "Give a capacity from 1 to 20 mentees."),
    ({"mentors": []}, "Choose one or two mentors."),
    ({"mentees": []}, "Choose at least one mentee."),
    ({"name": " "}, "Give the circle a name."),
])
def test_a_circle_that_breaks_a_rule_is_refused_with_the_reason(
        client, auth, coordinator, programme, people, change, message):
    auth.login(coordinator(programme))
    data = {**circle_form("Circle", 3, [people["Kofi"]], [people["Amina"], people["Zawadi"]]),
            **change}
    response = client.post(url(programme, "/new"), data=data)
    assert response.status_code == 200
    assert message in text(response)
    assert circles() == []


def test_three_mentors_are_refused(client, auth, coordinator, programme, people):
    auth.login(coordinator(programme))
    response = client.post(url(programme, "/new"), data=circle_form(
        "Circle", 3, [people["Kofi"], people["Wanjiru"], people["Bruno"]], [people["Amina"]]))
    assert "Choose one or two mentors." in text(response)
    assert circles() == []


def test_a_person_is_in_one_circle_at_most(client, auth, coordinator, programme, people):
    first = make_circle(programme, "First", [people["Kofi"]], [people["Amina"]])
    auth.login(coordinator(programme))
    # The form no longer offers her; a request naming her anyway is refused.
    response = client.post(url(programme, "/new"), data=circle_form(
        "Second", 3, [people["Wanjiru"]], [people["Amina"], people["Zawadi"]]))
    assert "Amina Kariuki is already in the circle “First”: a person is in one circle at " \
           "most." in text(response)
    assert [c.id for c in circles()] == [first.id]


def test_a_circle_without_a_common_language_is_formed_and_says_so(
        client, auth, coordinator, programme, people, make_enrolment, make_user):
    french = make_enrolment(programme, make_user(name="Aïcha Diallo"), status=ACCEPTED,
                            country="SN", languages=["fr"])
    auth.login(coordinator(programme))
    client.post(url(programme, "/new"), data=circle_form(
        "Mixed", 3, [people["Kofi"]], [people["Amina"], french]))
    (circle,) = circles()
    assert circle.language == ""
    assert "No language is spoken by every member." in text(
        client.get(url(programme, f"/{circle.id}")))


def test_when_another_coordinator_placed_her_meanwhile_the_database_refuses_with_words(
        client, auth, coordinator, programme, people, monkeypatch):
    from mentoring.services import circles as service

    first = make_circle(programme, "First", [people["Kofi"]], [people["Amina"]])
    # As if the other coordinator's circle had committed after this request's checks ran.
    monkeypatch.setattr(service, "_check", lambda scope, data, circle: (
        [people["Wanjiru"]], [people["Amina"]]))
    auth.login(coordinator(programme))
    response = client.post(url(programme, "/new"), data=circle_form(
        "Second", 3, [people["Wanjiru"]], [people["Amina"]]))
    assert response.status_code == 200
    assert "One of these people has just been put in another circle: reload the page and " \
           "choose again." in text(response)
    assert [c.id for c in circles()] == [first.id]


def test_a_coordinator_changes_and_dissolves_a_circle_after_confirming(
        client, auth, coordinator, programme, people):
    circle = make_circle(programme, "First", [people["Kofi"]], [people["Amina"]])
    db.session.add(CircleMeeting(circle_id=circle.id, held_on=utcnow().date(),
                                 duration_minutes=60, notes="Private circle notes"))
    db.session.commit()
    auth.login(coordinator(programme))
    detail = text(client.get(url(programme, f"/{circle.id}")))
    assert "60 min" in detail and "Private circle notes" not in detail
    edit = url(programme, f"/{circle.id}/edit")
    assert "Zawadi Otieno" in text(client.get(edit))
    assert client.post(edit, data=circle_form("Renamed", 2, [people["Kofi"]],
                                              [people["Zawadi"], people["Neema"]])
                       ).status_code == 302
    (circle,) = circles()
    assert circle.name == "Renamed"
    # Only those who joined are told.
    assert sorted(e.recipient for e in emails(kind="circle")) == sorted(
        [people["Zawadi"].user.email, people["Neema"].user.email])
    assert "No language is spoken by every member." not in text(
        client.get(url(programme, f"/{circle.id}")))
    assert sorted(m.enrolment_id for m in circle.mentees) == sorted(
        [people["Zawadi"].id, people["Neema"].id])

    dissolve = url(programme, f"/{circle.id}/dissolve")
    page = text(client.get(dissolve))
    assert "Dissolve “Renamed”?" in page and "its 1 logged session is deleted" in page
    assert len(circles()) == 1  # asking dissolves nothing
    assert client.post(dissolve).status_code == 302
    assert circles() == []
    assert db.session.scalar(select(func.count()).select_from(CircleMeeting)) == 0


# ---- a regional co-chair ---------------------------------------------------------------------

def test_a_cochair_forms_circles_with_her_regions_people_only(
        client, auth, coordinator, programme, people):
    europe = make_circle(programme, "Europe circle", [people["Bruno"]], [people["Brigitte"]])
    mixed = make_circle(programme, "Mixed circle", [people["Wanjiru"]], [people["Neema"]],
                        )
    db.session.add(CircleMember(circle_id=mixed.id, programme_id=programme.id,
                                enrolment_id=people["Zawadi"].id,
                                user_id=people["Zawadi"].user_id, role=Role.MENTEE))
    db.session.commit()
    proposal = make_circle(programme, "Proposed circle", [people["Kofi"]], [people["Amina"]],
                           CircleStatus.PROPOSED)
    auth.login(coordinator(programme, "ATU"))
    page = text(client.get(url(programme)))
    assert "Mixed circle" in page and "Europe circle" not in page
    # Proposals are the programme coordinators', even of her own region's people.
    assert "Proposed circle" not in page
    assert client.get(url(programme, f"/{proposal.id}")).status_code == 403
    assert client.post(url(programme, f"/{proposal.id}/dissolve")).status_code == 403
    assert client.post(url(programme, f"/{proposal.id}/approve")).status_code == 403
    db.session.delete(db.session.get(Circle, proposal.id))
    db.session.commit()
    assert "Propose circles" not in page
    form_page = text(client.get(url(programme, "/new")))
    assert "Kofi Mensah" in form_page and "Amina Kariuki" in form_page
    assert "Bruno Schmidt" not in form_page and "Brigitte Lefevre" not in form_page

    # Another region's mentor or mentee: 403, nothing formed.
    for mentors, mentees in (([people["Bruno"]], [people["Amina"]]),
                             ([people["Kofi"]], [people["Brigitte"]])):
        assert client.post(url(programme, "/new"), data=circle_form(
            "Mine", 3, mentors, mentees)).status_code == 403
    assert len(circles()) == 2
    assert client.post(url(programme, "/new"), data=circle_form(
        "Mine", 3, [people["Kofi"]], [people["Amina"]])).status_code == 302
    assert len(circles()) == 3
    for tail in (f"/{europe.id}", f"/{europe.id}/edit", f"/{europe.id}/dissolve", "/propose"):
        assert client.get(url(programme, tail)).status_code == 403, tail
    assert client.post(url(programme, f"/{europe.id}/dissolve")).status_code == 403
    assert client.post(url(programme, "/propose"), data={"capacity": "3", "mentors": [
        str(people["Kofi"].id)]}).status_code == 403
    assert len(circles()) == 3


# ---- the engine's proposals ------------------------------------------------------------------

def test_the_engine_proposes_circles_that_members_see_once_approved(
        client, auth, coordinator, programme, people):
    topics = programme.topics
    # Kofi knows topic 0, Wanjiru topic 1; the mentees want one or the other.
    for name, topic in (("Kofi", 0), ("Wanjiru", 1), ("Amina", 0), ("Zawadi", 1),
                        ("Neema", 0)):
        people[name].topics[0].topic_id = topics[topic].id
    db.session.commit()
    auth.login(coordinator(programme))
    page = text(client.get(url(programme, "/propose")))
    assert "Kofi Mensah" in page and "Wanjiru Kamau" in page
    response = client.post(url(programme, "/propose"), data={
        "capacity": "3", "mentors": [str(people["Kofi"].id), str(people["Wanjiru"].id)]})
    assert response.status_code == 302
    assert flashes(client) == ["2 circles proposed with 4 mentees; 0 mentees are in none. "
                               "Check them, then approve."]
    proposed = circles()
    assert {c.status for c in proposed} == {CircleStatus.PROPOSED}
    # Topic 0's mentees (Brigitte's is topic 0 too) with Kofi, topic 1's with Wanjiru.
    kofi, wanjiru = sorted(proposed, key=lambda c: c.mentors[0].enrolment_id)
    assert sorted(m.enrolment_id for m in kofi.mentees) == sorted(
        [people["Amina"].id, people["Neema"].id, people["Brigitte"].id])
    assert [m.enrolment_id for m in wanjiru.mentees] == [people["Zawadi"].id]
    assert kofi.language == "en"
    page = text(client.get(url(programme)))
    assert "Kofi Mensah's circle" in page
    assert f"shares 1 of 1 wanted topic: {topics[0].label}" in page
    assert f"meets in English; shares {topics[0].label} with others of the circle" in page

    # Members do not see a proposal, and are not told of it.
    assert emails(kind="circle") == []
    auth.logout()
    auth.login(people["Amina"].user)
    assert client.get(f"/circles/{kofi.id}").status_code == 404
    assert "Kofi Mensah's circle" not in text(client.get("/me/programmes"))
    auth.logout()
    auth.login(coordinator(programme))
    assert client.post(url(programme, "/approve")).status_code == 302
    assert {c.status for c in circles()} == {CircleStatus.FORMED}
    assert len(emails(kind="circle")) == 6  # two mentors and four mentees
    auth.logout()
    auth.login(people["Amina"].user)
    assert client.get(f"/circles/{kofi.id}").status_code == 200


def test_proposing_again_replaces_the_proposals(client, auth, coordinator, programme, people):
    auth.login(coordinator(programme))
    data = {"capacity": "3", "mentors": [str(people["Kofi"].id)]}
    client.post(url(programme, "/propose"), data=data)
    assert [len(c.mentees) for c in circles()] == [3]
    assert "The 1 circle proposed before will be replaced." in text(
        client.get(url(programme, "/propose")))
    client.post(url(programme, "/propose"), data={**data, "capacity": "2"})
    assert [(c.capacity, len(c.mentees)) for c in circles()] == [(2, 2)]


# ---- members ----------------------------------------------------------------------------------

def test_members_log_sessions_that_every_member_sees_and_outsiders_cannot(
        client, auth, programme, people):
    circle = make_circle(programme, "Circle", [people["Kofi"]],
                         [people["Amina"], people["Zawadi"]])
    auth.login(people["Amina"].user)
    new = f"/circles/{circle.id}/sessions/new"
    future = (utcnow().date() + timedelta(days=3)).isoformat()
    response = client.post(new, data={"held_on": future, "duration_minutes": "60"})
    assert "A session cannot be in the future." in text(response)
    assert client.post(new, data={"held_on": utcnow().date().isoformat(),
                                  "duration_minutes": "0"}).status_code == 200
    assert client.post(new, data={"held_on": (utcnow().date() - timedelta(days=2)).isoformat(),
                                  "duration_minutes": "75",
                                  "notes": "We read the RR together"}).status_code == 302
    (meeting,) = db.session.scalars(select(CircleMeeting)).all()
    auth.logout()

    auth.login(people["Zawadi"].user)
    page = text(client.get(f"/circles/{circle.id}"))
    assert "We read the RR together" in page and "75 min" in page and "Amina Kariuki" in page
    # Only its author deletes a session.
    assert client.get(f"/circles/sessions/{meeting.id}/delete").status_code == 403
    assert client.post(f"/circles/sessions/{meeting.id}/delete").status_code == 403
    auth.logout()

    # Someone of the programme who is not in the circle: 403 everywhere.
    auth.login(people["Neema"].user)
    for path in (f"/circles/{circle.id}", new, f"/circles/sessions/{meeting.id}/delete"):
        assert client.get(path).status_code == 403, path
    assert client.post(new, data={"held_on": utcnow().date().isoformat(),
                                  "duration_minutes": "60"}).status_code == 403
    assert "Circle" not in text(client.get("/me/programmes")).split("My programmes", 1)[1] \
        .split("Your applications")[0]
    auth.logout()

    auth.login(people["Amina"].user)
    delete = f"/circles/sessions/{meeting.id}/delete"
    assert "Delete the session of" in text(client.get(delete))
    assert db.session.get(CircleMeeting, meeting.id) is not None  # asking deletes nothing
    assert client.post(delete).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CircleMeeting)) == 0
