"""Admins create programmes, move them through their statuses, copy them to a new cycle and
name their coordinators."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.models import (
    Coordinator,
    Enrolment,
    EnrolmentStatus,
    Meeting,
    MeetingFormat,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    Region,
    Role,
)
from mentoring.models._types import utcnow
from mentoring.services import meetings
from tests.conftest import PASSWORD
from tests.helpers import programme_edit_form

SIX_ORGANISATIONS = {"APT", "ASMG", "ATU", "CEPT", "CITEL", "RCC"}


@pytest.fixture
def admin(make_user):
    return make_user("admin@itu.example", name="Site Admin", admin=True)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def programme_by_slug(slug: str) -> Programme | None:
    db.session.expire_all()
    return db.session.scalar(select(Programme).where(Programme.slug == slug))


def programme_form(**overrides) -> dict:
    today = utcnow().date()
    data = {
        "name": "NOW4WRC27", "slug": "now4wrc27", "network": "ITU Network of Women",
        "description": "Mentoring towards WRC-27.",
        "applications_open": (today - timedelta(days=5)).isoformat(),
        "applications_close": (today + timedelta(days=30)).isoformat(),
        "starts_on": "", "ends_on": "", "mentor_capacity_default": "2",
        "mentor_capacity_max": "4", "min_sessions_per_month": "1",
        "reminder_interval_days": "30", "women_target_percent": "30", "guidance": "",
        "languages": ["en", "fr", "ar"], "default_locale": "en",
        "topics": "IMT and mobile broadband\nSatellite regulatory procedures\n\n  Negotiation \n",
        "regions": "",
    }
    data.update(overrides)
    return data


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email,
                                       "password": PASSWORD}).status_code == 302
    return client


# ---- create and edit ----------------------------------------------------------------------

def test_admin_creates_a_draft_programme_hidden_from_the_public(app, client, auth, admin):
    auth.login(admin)
    response = client.post("/admin/programmes/new", data=programme_form())
    assert response.status_code == 302
    assert response.location.endswith("/admin/programmes/now4wrc27")
    assert "Programme NOW4WRC27 created as a draft." in client.get(response.location).text
    programme = programme_by_slug("now4wrc27")
    assert programme.status == ProgrammeStatus.DRAFT
    assert {region.code for region in programme.regions} == SIX_ORGANISATIONS
    assert programme.region_for_country("KE").code == "ATU"
    assert programme.language_codes == ["en", "fr", "ar"]
    assert [topic.label for topic in programme.topics] == [
        "IMT and mobile broadband", "Satellite regulatory procedures", "Negotiation"]
    assert (programme.mentor_capacity_default, programme.mentor_capacity_max) == (2, 4)

    visitor = app.test_client()
    assert "NOW4WRC27" not in visitor.get("/").text
    assert visitor.get("/programmes/now4wrc27").status_code == 404
    # The admin preparing it can look at its public page.
    assert client.get("/programmes/now4wrc27").status_code == 200


def test_new_programme_form_offers_the_six_un_languages(client, auth, admin):
    auth.login(admin)
    page = client.get("/admin/programmes/new")
    assert page.status_code == 200
    checked = set(re.findall(r'<input checked[^>]*name="languages"[^>]*value="(\w+)"',
                             page.text))
    assert checked == {"ar", "zh", "en", "fr", "ru", "es"}


BAD_INPUT = {
    "capacity-above-maximum": (
        {"mentor_capacity_default": "5", "mentor_capacity_max": "4"},
        "The default capacity cannot be above the maximum."),
    "closes-before-it-opens": (
        {"applications_open": "2027-03-01", "applications_close": "2027-02-01"},
        "Applications cannot close before they open."),
    "ends-before-it-starts": (
        {"starts_on": "2027-05-01", "ends_on": "2027-04-01"},
        "The programme cannot end before it starts."),
    "duplicate-slug": ({"slug": "now4wrc23"}, "Another programme already uses this short name."),
    "bad-slug": ({"slug": "NOW 4 WRC"}, "Use 2 to 63 lower-case letters, digits and hyphens."),
    "malformed-regions-line": (
        {"regions": "R1 | Region 1 | KE FR\nR2 | Region 2"},
        "Line 2: write code | name | countries."),
    "unknown-country-in-regions": (
        {"regions": "R1 | Region 1 | KE XX"}, "Line 1: unknown country codes XX."),
    "country-in-two-regions": (
        {"regions": "R1 | Region 1 | KE FR\nR2 | Region 2 | FR BR"},
        "Line 2: FR are already in another region."),
    "no-language": ({"languages": []}, "Choose at least one language."),
    "no-topic": ({"topics": "  \n"}, "Give at least one topic."),
    "capacity-out-of-range": ({"mentor_capacity_max": "50"}, "Number must be between 1 and 20."),
    "not-a-date": ({"applications_open": "next spring"}, "Not a valid date value."),
}


@pytest.mark.parametrize(("changes", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_programme_input_is_shown_next_to_the_field_and_kept(client, auth, admin,
                                                                 make_programme, changes,
                                                                 message):
    make_programme(slug="now4wrc23", name="NOW4WRC23")
    auth.login(admin)
    before = count(Programme)
    data = programme_form(name="NOW4WRC27 pilot", network="ITU & friends", **changes)
    page = client.post("/admin/programmes/new", data=data)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert message in text
    assert "has-error" in page.text  # the field is marked
    assert "Please correct the fields marked below." in text
    # What the admin typed is still there.
    assert 'value="NOW4WRC27 pilot"' in text and 'value="ITU & friends"' in text
    if changes.get("topics") is None:
        assert "Satellite regulatory procedures" in text
    assert count(Programme) == before


def test_admin_edits_a_programme(client, auth, admin, make_programme, make_enrolment):
    programme = make_programme(name="NOW4WRC27", slug="now4wrc27")
    kenyan = make_enrolment(programme, country="KE")
    auth.login(admin)
    form = client.get("/admin/programmes/now4wrc27/edit")
    assert form.status_code == 200 and "Satellite regulatory procedures" in form.text
    labels = [topic.label for topic in programme.topics]
    response = client.post("/admin/programmes/now4wrc27/edit", data=programme_form(
        name="NOW4WRC27 (second call)", mentor_capacity_max="5", mentor_capacity_default="3",
        languages=["en", "es"], topics="\n".join(labels + ["Public speaking"])))
    assert response.status_code == 302
    assert "Programme saved." in client.get(response.location).text
    programme = programme_by_slug("now4wrc27")
    assert programme.name == "NOW4WRC27 (second call)"
    assert (programme.mentor_capacity_default, programme.mentor_capacity_max) == (3, 5)
    assert programme.language_codes == ["en", "es"]
    assert [topic.label for topic in programme.topics] == labels + ["Public speaking"]
    # The applicant keeps her region and topic.
    db.session.expire_all()
    enrolment = db.session.get(Enrolment, kenyan.id)
    assert enrolment.region.code == "ATU" and enrolment.topic_labels == [labels[0]]


def test_edit_refuses_bad_input_and_changes_nothing(client, auth, admin, make_programme):
    programme = make_programme(name="NOW4WRC27", slug="now4wrc27")
    make_programme(slug="women-in-cyber")
    auth.login(admin)
    page = client.post("/admin/programmes/now4wrc27/edit",
                       data=programme_form(name="Renamed", slug="women-in-cyber"))
    assert page.status_code == 200
    assert "Another programme already uses this short name." in page.text
    assert programme_by_slug("now4wrc27").name == "NOW4WRC27"
    assert programme.id == programme_by_slug("now4wrc27").id


# ---- statuses -----------------------------------------------------------------------------

def test_opening_a_draft_lists_it_publicly_with_its_deadline(app, client, auth, admin,
                                                             make_programme):
    closes = utcnow().date() + timedelta(days=21)
    make_programme(name="NOW4WRC27", slug="now4wrc27", status=ProgrammeStatus.DRAFT,
                   applications_close=closes)
    auth.login(admin)
    page = client.get("/admin/programmes/now4wrc27")
    assert 'value="open"' in page.text and 'value="running"' not in page.text
    response = client.post("/admin/programmes/now4wrc27/status", data={"status": "open"})
    assert response.status_code == 302
    assert "NOW4WRC27 is now open for applications." in client.get(response.location).text
    assert programme_by_slug("now4wrc27").status == ProgrammeStatus.OPEN
    public = app.test_client().get("/")
    open_now = public.text.split("Open for applications", 1)[1]
    assert "NOW4WRC27" in open_now
    assert f"Apply by {format_date(closes, 'medium', locale='en')}" in open_now
    assert app.test_client().get("/programmes/now4wrc27").status_code == 200


@pytest.mark.parametrize(("start", "target"), [
    (ProgrammeStatus.DRAFT, "running"),
    (ProgrammeStatus.DRAFT, "closed"),
    (ProgrammeStatus.OPEN, "running"),
    (ProgrammeStatus.CLOSED, "open"),
    (ProgrammeStatus.OPEN, "archived"),
])
def test_status_moves_only_one_step_at_a_time(client, auth, admin, make_programme, start,
                                              target):
    make_programme(slug="now4wrc27", status=start)
    auth.login(admin)
    response = client.post("/admin/programmes/now4wrc27/status", data={"status": target})
    assert "This status change is not possible now." in client.get(response.location).text
    assert programme_by_slug("now4wrc27").status == start


def test_status_steps_forward_and_back(client, auth, admin, make_programme):
    make_programme(slug="now4wrc27", status=ProgrammeStatus.OPEN)
    auth.login(admin)
    client.post("/admin/programmes/now4wrc27/status", data={"status": "matching"})
    assert programme_by_slug("now4wrc27").status == ProgrammeStatus.MATCHING
    client.post("/admin/programmes/now4wrc27/status", data={"status": "open"})
    assert programme_by_slug("now4wrc27").status == ProgrammeStatus.OPEN


# ---- copy to a new cycle ------------------------------------------------------------------

def test_copy_to_a_new_cycle_keeps_settings_but_no_people_or_dates(
        client, auth, admin, make_programme, make_enrolment, coordinator):
    old = make_programme(name="NOW4WRC23", slug="now4wrc23", status=ProgrammeStatus.RUNNING,
                         mentor_capacity_default=3, mentor_capacity_max=5,
                         starts_on=utcnow().date(),
                         ends_on=utcnow().date() + timedelta(days=300),
                         description="Network of Women for WRC-23.")
    old.translations = {"fr": {"name": "NOW4WRC23 (fr)", "description": "Réseau de femmes."}}
    old.topics[0].translations = {"fr": "Procédures réglementaires des satellites"}
    old.regions[0].translations = {"fr": "Télécommunauté Asie-Pacifique"}
    db.session.commit()
    make_enrolment(old, country="KE")
    make_enrolment(old, role=Role.MENTOR, country="FR")
    coordinator(old)
    coordinator(old, "ATU")
    auth.login(admin)
    assert client.get("/admin/programmes/now4wrc23/copy").status_code == 200
    response = client.post("/admin/programmes/now4wrc23/copy",
                           data={"name": "NOW4WRC27", "slug": "now4wrc27"})
    assert response.status_code == 302
    assert response.location.endswith("/admin/programmes/now4wrc27/edit")
    assert "Set its dates before opening it." in client.get(response.location).text
    old, new = programme_by_slug("now4wrc23"), programme_by_slug("now4wrc27")
    assert new.name == "NOW4WRC27" and new.status == ProgrammeStatus.DRAFT
    assert new.previous_id == old.id
    assert [t.label for t in new.topics] == [t.label for t in old.topics]
    assert [(r.code, r.name, r.countries) for r in new.regions] == \
        [(r.code, r.name, r.countries) for r in old.regions]
    assert new.language_codes == old.language_codes
    assert (new.mentor_capacity_default, new.mentor_capacity_max) == (3, 5)
    assert new.description == "Network of Women for WRC-23."
    # Its versions in other languages come along, except the old cycle's name.
    assert new.translations == {"fr": {"description": "Réseau de femmes."}}
    assert new.topics[0].translations == {"fr": "Procédures réglementaires des satellites"}
    assert new.regions[0].translations == {"fr": "Télécommunauté Asie-Pacifique"}
    assert (new.applications_open, new.applications_close, new.starts_on, new.ends_on) == \
        (None, None, None, None)
    assert new.coordinators == []
    assert db.session.scalar(select(func.count()).select_from(Enrolment)
                             .where(Enrolment.programme_id == new.id)) == 0
    # The old cycle keeps its people.
    assert len(old.coordinators) == 2
    assert db.session.scalar(select(func.count()).select_from(Enrolment)
                             .where(Enrolment.programme_id == old.id)) == 2
    assert old.status == ProgrammeStatus.RUNNING


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "NOW4WRC27", "slug": "now4wrc23"}, "Another programme already uses this short name."),
    ({"name": "", "slug": "now4wrc27"}, "This field is required."),
    ({"name": "NOW4WRC27", "slug": "Now 27"}, "Use 2 to 63 lower-case letters"),
])
def test_copy_refuses_bad_input(client, auth, admin, make_programme, data, message):
    make_programme(name="NOW4WRC23", slug="now4wrc23")
    auth.login(admin)
    before = count(Programme)
    page = client.post("/admin/programmes/now4wrc23/copy", data=data)
    assert page.status_code == 200 and message in page.text
    assert count(Programme) == before


# ---- coordinators -------------------------------------------------------------------------

def test_admin_names_a_regional_cochair_who_then_sees_her_region(app, client, auth, admin,
                                                                 make_programme, make_user,
                                                                 make_enrolment):
    programme = make_programme(name="NOW4WRC27", slug="now4wrc27")
    make_enrolment(programme, make_user(name="Wanjiru Kamau"), country="KE")
    make_enrolment(programme, make_user(name="Nour El-Sayed"), country="EG")
    cochair = make_user("aisha.bello@atu.example", name="Aisha Bello")
    atu = next(r for r in programme.regions if r.code == "ATU")
    auth.login(admin)
    response = client.post("/admin/programmes/now4wrc27/coordinators",
                           data={"email": "Aisha.Bello@ATU.example", "region": str(atu.id)})
    assert response.status_code == 302
    page = client.get(response.location)
    assert "Coordinator saved." in page.text
    assert "Aisha Bello" in page.text and "Region: ATU" in page.text
    [role] = db.session.scalars(select(Coordinator)).all()
    assert (role.user_id, role.region_id) == (cochair.id, atu.id)

    applications = signed_in(app, cochair).get("/coordinate/now4wrc27/applications")
    assert applications.status_code == 200
    assert "Wanjiru Kamau" in applications.text and "Nour El-Sayed" not in applications.text

    # Naming her again for the whole programme changes her scope; she is not listed twice.
    client.post("/admin/programmes/now4wrc27/coordinators",
                data={"email": "aisha.bello@atu.example", "region": "0"})
    db.session.expire_all()
    [role] = db.session.scalars(select(Coordinator)).all()
    assert role.region_id is None
    assert "Nour El-Sayed" in signed_in(app, cochair).get(
        "/coordinate/now4wrc27/applications").text


@pytest.mark.parametrize(("email", "region", "message"), [
    ("nobody@example.org", "0", "No account uses this email address."),
    ("not-an-email", "0", "Invalid email address."),
    ("", "0", "This field is required."),
    ("coordinator@example.org", "999999", "Not a valid choice"),
])
def test_coordinator_assignment_refuses_bad_input(client, auth, admin, make_programme,
                                                  make_user, email, region, message):
    make_programme(slug="now4wrc27")
    make_user("coordinator@example.org")
    auth.login(admin)
    page = client.post("/admin/programmes/now4wrc27/coordinators",
                       data={"email": email, "region": region})
    assert page.status_code == 200
    assert message in page.text
    assert count(Coordinator) == 0


def test_region_of_another_programme_is_refused(client, auth, admin, make_programme,
                                                make_user):
    make_programme(slug="now4wrc27")
    other = make_programme(slug="women-in-cyber")
    make_user("coordinator@example.org")
    auth.login(admin)
    page = client.post("/admin/programmes/now4wrc27/coordinators",
                       data={"email": "coordinator@example.org",
                             "region": str(other.regions[0].id)})
    assert page.status_code == 200 and count(Coordinator) == 0


def test_admin_removes_a_coordinator(app, client, auth, admin, make_programme, coordinator):
    programme = make_programme(slug="now4wrc27")
    person = coordinator(programme)
    assert signed_in(app, person).get("/coordinate/now4wrc27/applications").status_code == 200
    role = db.session.scalar(select(Coordinator))
    auth.login(admin)
    response = client.post(f"/admin/programmes/now4wrc27/coordinators/{role.id}/remove")
    assert "Coordinator removed." in client.get(response.location).text
    assert count(Coordinator) == 0
    assert signed_in(app, person).get("/coordinate/now4wrc27/applications").status_code == 403


def test_removing_another_programmes_coordinator_is_refused(client, auth, admin,
                                                            make_programme, coordinator):
    make_programme(slug="now4wrc27")
    other = make_programme(slug="women-in-cyber")
    coordinator(other)
    role = db.session.scalar(select(Coordinator))
    auth.login(admin)
    response = client.post(f"/admin/programmes/now4wrc27/coordinators/{role.id}/remove")
    assert "This coordinator is not on this programme." in client.get(response.location).text
    assert count(Coordinator) == 1


# ---- who may ------------------------------------------------------------------------------

ADMIN_PAGES = [
    ("get", "/admin/"), ("get", "/admin/users"), ("get", "/admin/dashboard"),
    ("get", "/admin/programmes/new"), ("post", "/admin/programmes/new"),
    ("get", "/admin/programmes/now4wrc27"), ("get", "/admin/programmes/now4wrc27/edit"),
    ("post", "/admin/programmes/now4wrc27/edit"), ("post", "/admin/programmes/now4wrc27/status"),
    ("get", "/admin/programmes/now4wrc27/copy"), ("post", "/admin/programmes/now4wrc27/copy"),
    ("get", "/admin/programmes/now4wrc27/coordinators"),
    ("post", "/admin/programmes/now4wrc27/coordinators"),
    ("post", "/admin/programmes/now4wrc27/coordinators/{role}/remove"),
]


@pytest.mark.parametrize("who", ["participant", "coordinator", "regional co-chair"])
def test_non_admin_gets_403_on_every_admin_page(app, make_programme, make_user, coordinator,
                                                who):
    programme = make_programme(slug="now4wrc27", status=ProgrammeStatus.DRAFT)
    role = db.session.scalar(select(Coordinator).where(
        Coordinator.user_id == coordinator(programme).id))
    user = {"participant": make_user, "coordinator": lambda: coordinator(programme),
            "regional co-chair": lambda: coordinator(programme, "ATU")}[who]()
    client = signed_in(app, user)
    before = count(Programme), count(Coordinator)
    for method, page in ADMIN_PAGES:
        response = getattr(client, method)(page.format(role=role.id), data={
            "status": "open", "name": "Hijacked", "slug": "hijacked",
            "email": user.email, "region": "0", **programme_form(name="Hijacked")})
        assert response.status_code == 403, page
    assert (count(Programme), count(Coordinator)) == before
    assert programme_by_slug("now4wrc27").status == ProgrammeStatus.DRAFT


def test_anonymous_visitor_is_sent_to_sign_in(client, make_programme, coordinator):
    programme = make_programme(slug="now4wrc27")
    role = db.session.scalar(select(Coordinator).where(
        Coordinator.user_id == coordinator(programme).id))
    for method, page in ADMIN_PAGES:
        response = getattr(client, method)(page.format(role=role.id), data={"status": "draft"})
        assert response.status_code == 302, page
        assert "/login" in response.location, page
    assert count(Coordinator) == 1
    assert programme_by_slug("now4wrc27").status == ProgrammeStatus.OPEN


# ---- renaming and removing topics, regions and languages ----------------------------------

def active_pair(programme, mentee, mentor) -> Pairing:
    pairing = Pairing(programme_id=programme.id, mentee=mentee, mentor=mentor,
                      status=PairingStatus.ACTIVE, source="manual", score=700,
                      decided_at=utcnow() - timedelta(days=10),
                      announced_at=utcnow() - timedelta(days=10))
    mentee.live_pairs = mentor.live_pairs = 1
    db.session.add(pairing)
    db.session.commit()
    return pairing


def log_session(pairing, topic_ids) -> Meeting:
    meeting = meetings.log(pairing.mentor.user, pairing, meetings.SessionData(
        held_on=utcnow().date() - timedelta(days=2), duration_minutes=60,
        format=MeetingFormat.VIDEO, topic_ids=list(topic_ids)))
    db.session.commit()
    return meeting


def topics_of(enrolment_id: int) -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(link.topic.label, link.rank) for link in db.session.get(Enrolment,
                                                                     enrolment_id).topics]


@pytest.fixture
def used_programme(make_programme, make_enrolment, make_user):
    """NOW4WRC27 where "Negotiation" is chosen by a mentee (second of two topics) and her
    mentor, who discussed it in one session; the mentee is from Kenya (ATU) and wants French."""
    programme = make_programme(name="NOW4WRC27", slug="now4wrc27",
                               status=ProgrammeStatus.RUNNING)
    satellites, negotiation = programme.topics[0], programme.topics[1]
    negotiation.translations = {"fr": "Négociation"}
    mentee = make_enrolment(programme, make_user(name="Wanjiru Kamau"), country="KE",
                            status=EnrolmentStatus.ACCEPTED, languages=["en", "fr"],
                            topic_ids=[satellites.id, negotiation.id])
    mentor = make_enrolment(programme, make_user(name="Claire Martin"), role=Role.MENTOR,
                            country="FR", status=EnrolmentStatus.ACCEPTED,
                            topic_ids=[negotiation.id])
    log_session(active_pair(programme, mentee, mentor), [negotiation.id])
    return programme


def test_renaming_a_topic_keeps_every_application_its_rank_and_the_sessions(
        client, auth, admin, used_programme):
    programme = used_programme
    negotiation = programme.topics[1]
    mentee, mentor = db.session.scalars(select(Enrolment).order_by(Enrolment.id)).all()
    auth.login(admin)
    page = client.get("/admin/programmes/now4wrc27/edit")
    assert f'value="{negotiation.id}"' in page.text and 'value="Negotiation"' in page.text

    response = client.post("/admin/programmes/now4wrc27/edit", data=programme_edit_form(
        programme, labels={negotiation.id: "Negotiation and consensus building"}))
    assert response.status_code == 302
    assert "Programme saved." in client.get(response.location).text
    assert topics_of(mentee.id) == [("Satellite regulatory procedures", 1),
                                    ("Negotiation and consensus building", 2)]
    assert topics_of(mentor.id) == [("Negotiation and consensus building", 1)]
    meeting = db.session.scalars(select(Meeting)).one()
    assert [link.topic.label for link in meeting.topics] == ["Negotiation and consensus building"]
    # The same topic, renamed: its id, place and French version stay.
    programme = programme_by_slug("now4wrc27")
    renamed = programme.topics[1]
    assert (renamed.id, renamed.label) == (negotiation.id, "Negotiation and consensus building")
    assert renamed.translations == {"fr": "Négociation"}
    assert len(programme.topics) == 5


def test_two_topics_can_swap_their_labels(client, auth, admin, used_programme):
    programme = used_programme
    first, second = programme.topics[0], programme.topics[1]
    mentee = db.session.scalars(select(Enrolment).order_by(Enrolment.id)).first()
    auth.login(admin)
    response = client.post("/admin/programmes/now4wrc27/edit", data=programme_edit_form(
        programme, labels={first.id: second.label, second.id: first.label}))
    assert response.status_code == 302
    assert topics_of(mentee.id) == [("Negotiation", 1), ("Satellite regulatory procedures", 2)]


def test_renaming_a_region_code_keeps_its_applicants_and_its_co_chair(
        app, client, auth, admin, used_programme, coordinator):
    programme = used_programme
    atu = next(region for region in programme.regions if region.code == "ATU")
    cochair = coordinator(programme, "ATU", name="Aisha Bello")
    auth.login(admin)
    response = client.post("/admin/programmes/now4wrc27/edit", data=programme_edit_form(
        programme, region_changes={atu.id: {"code": "AFR", "name": "Africa"}}))
    assert response.status_code == 302
    db.session.expire_all()
    region = db.session.get(Region, atu.id)
    assert (region.code, region.name) == ("AFR", "Africa")
    assert "KE" in region.country_codes
    mentee = db.session.scalars(select(Enrolment).where(Enrolment.role == Role.MENTEE)).one()
    assert mentee.region_id == atu.id
    role = db.session.scalars(select(Coordinator).where(Coordinator.user_id == cochair.id)).one()
    assert role.region_id == atu.id
    applications = signed_in(app, cochair).get("/coordinate/now4wrc27/applications")
    assert applications.status_code == 200 and "Wanjiru Kamau" in applications.text


def test_removing_a_used_topic_asks_first_and_keeps_it_until_confirmed(
        client, auth, admin, used_programme):
    programme = used_programme
    negotiation = programme.topics[1]
    mentee, mentor = db.session.scalars(select(Enrolment).order_by(Enrolment.id)).all()
    auth.login(admin)
    page = client.post("/admin/programmes/now4wrc27/edit",
                       data=programme_edit_form(programme, remove={negotiation.id}))
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Remove the topic Negotiation?" in text
    assert "2 applications chose it." in text and "It was discussed in 1 session." in text
    assert f'value="topic-{negotiation.id}"' in page.text  # the box that confirms
    assert topics_of(mentee.id) == [("Satellite regulatory procedures", 1), ("Negotiation", 2)]
    assert topics_of(mentor.id) == [("Negotiation", 1)]
    assert [t.label for t in programme_by_slug("now4wrc27").topics][1] == "Negotiation"

    response = client.post("/admin/programmes/now4wrc27/edit", data=programme_edit_form(
        programme, remove={negotiation.id}, confirm_removal=[f"topic-{negotiation.id}"]))
    assert response.status_code == 302
    assert "Negotiation" not in [t.label for t in programme_by_slug("now4wrc27").topics]
    assert topics_of(mentee.id) == [("Satellite regulatory procedures", 1)]
    assert topics_of(mentor.id) == []
    assert db.session.scalars(select(Meeting)).one().topics == []


def test_removing_an_unused_topic_needs_no_confirmation(client, auth, admin, used_programme):
    programme = used_programme
    unused = programme.topics[4]
    auth.login(admin)
    response = client.post("/admin/programmes/now4wrc27/edit",
                           data=programme_edit_form(programme, remove={unused.id}))
    assert response.status_code == 302
    assert unused.label not in [t.label for t in programme_by_slug("now4wrc27").topics]


def test_removing_a_used_region_or_language_asks_first(app, client, auth, admin,
                                                        used_programme, coordinator):
    programme = used_programme
    atu = next(region for region in programme.regions if region.code == "ATU")
    cochair = coordinator(programme, "ATU")
    auth.login(admin)
    languages = [code for code in programme.language_codes if code != "fr"]
    page = client.post("/admin/programmes/now4wrc27/edit", data=programme_edit_form(
        programme, remove_regions={atu.id}, languages=languages))
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Remove the region ATU?" in text
    assert "1 application is in it." in text
    assert "1 regional co-chair loses the role." in text
    assert "Remove the language French?" in text and "1 application speaks it." in text
    db.session.expire_all()
    assert db.session.get(Region, atu.id) is not None
    assert "fr" in programme_by_slug("now4wrc27").language_codes
    assert db.session.scalars(select(Coordinator).where(
        Coordinator.user_id == cochair.id)).one().region_id == atu.id

    response = client.post("/admin/programmes/now4wrc27/edit", data=programme_edit_form(
        programme, remove_regions={atu.id}, languages=languages,
        confirm_removal=[f"region-{atu.id}", "language-fr"]))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Region, atu.id) is None
    assert "fr" not in programme_by_slug("now4wrc27").language_codes
    mentee = db.session.scalars(select(Enrolment).where(Enrolment.role == Role.MENTEE)).one()
    assert mentee.region_id is None
    # As the message said, she is no longer a co-chair.
    assert db.session.scalars(select(Coordinator).where(
        Coordinator.user_id == cochair.id)).all() == []


def test_confirming_one_removal_does_not_confirm_another(client, auth, admin, used_programme):
    programme = used_programme
    negotiation, satellites = programme.topics[1], programme.topics[0]
    auth.login(admin)
    page = client.post("/admin/programmes/now4wrc27/edit", data=programme_edit_form(
        programme, remove={negotiation.id, satellites.id},
        confirm_removal=[f"topic-{negotiation.id}"]))
    assert page.status_code == 200
    assert "Remove the topic Satellite regulatory procedures?" in html.unescape(page.text)
    assert len(programme_by_slug("now4wrc27").topics) == 5


def test_a_bad_region_row_is_marked_and_keeps_what_was_typed(client, auth, admin,
                                                             used_programme):
    programme = used_programme
    atu = next(region for region in programme.regions if region.code == "ATU")
    negotiation = programme.topics[1]
    auth.login(admin)
    page = client.post("/admin/programmes/now4wrc27/edit", data=programme_edit_form(
        programme, labels={negotiation.id: "Negotiation skills"},
        region_changes={atu.id: {"name": "Africa (typed)", "countries": "KE XX"}},
        topics="Public speaking"))
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Unknown country codes XX." in text and "has-error" in text
    assert 'value="Africa (typed)"' in text and 'value="Negotiation skills"' in text
    assert "Public speaking" in text
    db.session.expire_all()
    assert db.session.get(Region, atu.id).name != "Africa (typed)"
    assert programme_by_slug("now4wrc27").topics[1].label == "Negotiation"


def test_new_topics_and_regions_are_added_after_the_existing_ones(client, auth, admin,
                                                                   used_programme):
    programme = used_programme
    auth.login(admin)
    response = client.post("/admin/programmes/now4wrc27/edit", data=programme_edit_form(
        programme, topics="Public speaking\nNegotiation\n", regions="XX | Elsewhere | AQ"))
    assert response.status_code == 302
    programme = programme_by_slug("now4wrc27")
    assert [t.label for t in programme.topics][-2:] == ["Chairing meetings", "Public speaking"]
    assert [r.code for r in programme.regions][-1] == "XX"
