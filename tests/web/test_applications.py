"""Delegates apply to a programme as mentor or mentee, edit, withdraw, and follow the status."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mentoring.extensions import db
from mentoring.models import (
    Enrolment,
    EnrolmentStatus,
    ProgrammeStatus,
    RegionPreference,
    Role,
)
from mentoring.models._types import utcnow
from tests.helpers import enrolment_status, statements_of_page


def mentee_form(programme, **overrides):
    topics = programme.topics
    data = {
        "country": "EG", "organisation": "National Telecom Regulatory Authority",
        "timezone": "Africa/Cairo", "languages": ["ar", "en"],
        "topic_1": str(topics[2].id), "topic_2": str(topics[0].id), "topic_3": "",
        "topic_4": "", "topic_5": "", "years_experience": "2",
        "itu_meetings": "WP 5D #40", "goals": "Speak at WRC-27.",
        "region_preference": "other", "wants_woman_mentor": "y", "gender": "woman",
        "consent": "y",
    }
    data.update(overrides)
    return data


def mentor_form(programme, **overrides):
    data = {
        "country": "BR", "organisation": "Anatel", "timezone": "America/Sao_Paulo",
        "languages": ["es", "en"], "expertise": [str(programme.topics[0].id),
                                                 str(programme.topics[1].id)],
        "years_experience": "15", "capacity": "3", "goals": "", "gender": "", "consent": "y",
    }
    data.update(overrides)
    return data


def count_enrolments():
    return db.session.scalar(select(func.count()).select_from(Enrolment))


def test_mentee_applies_and_sees_submitted(client, auth, make_user, make_programme):
    programme = make_programme(name="NOW4WRC27")
    user = make_user()
    auth.login(user)
    response = client.post(f"/programmes/{programme.slug}/apply/mentee",
                           data=mentee_form(programme))
    assert response.status_code == 302
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.role == Role.MENTEE and enrolment.status == EnrolmentStatus.SUBMITTED
    assert enrolment.region.code == "ASMG"  # derived from Egypt
    assert enrolment.language_codes == ["ar", "en"]
    # Wanted topics keep the order she gave.
    assert [link.topic_id for link in enrolment.topics] == [programme.topics[2].id,
                                                            programme.topics[0].id]
    assert enrolment.region_preference == RegionPreference.OTHER
    assert enrolment.wants_woman_mentor and enrolment.capacity is None
    mine = client.get("/me/programmes")
    assert "NOW4WRC27" in mine.text and "submitted" in mine.text


def test_mentor_applies_with_capacity(client, auth, make_user, make_programme):
    programme = make_programme()
    auth.login(make_user())
    assert client.post(f"/programmes/{programme.slug}/apply/mentor",
                       data=mentor_form(programme)).status_code == 302
    enrolment = db.session.scalar(select(Enrolment))
    assert (enrolment.role, enrolment.capacity, enrolment.region.code) == (Role.MENTOR, 3,
                                                                           "CITEL")


def test_one_person_can_be_mentor_and_mentee_in_the_same_programme(client, auth, make_user,
                                                                   make_programme):
    programme = make_programme()
    auth.login(make_user())
    client.post(f"/programmes/{programme.slug}/apply/mentee", data=mentee_form(programme))
    client.post(f"/programmes/{programme.slug}/apply/mentor", data=mentor_form(programme))
    assert count_enrolments() == 2


def test_applying_twice_in_the_same_role_is_refused(client, auth, make_user, make_programme):
    programme = make_programme()
    auth.login(make_user())
    client.post(f"/programmes/{programme.slug}/apply/mentee", data=mentee_form(programme))
    again = client.post(f"/programmes/{programme.slug}/apply/mentee",
                        data=mentee_form(programme), follow_redirects=True)
    assert "You have already applied to this programme as a mentee." in again.text
    assert count_enrolments() == 1


def test_the_database_refuses_a_second_application_in_the_same_role(make_enrolment,
                                                                    make_programme, make_user):
    programme = make_programme()
    user = make_user()
    first = make_enrolment(programme, user)
    db.session.add(Enrolment(programme_id=programme.id, user_id=user.id, role=Role.MENTEE,
                             country="KE", timezone="UTC"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert count_enrolments() == 1 and first.id


@pytest.mark.parametrize("status", [ProgrammeStatus.DRAFT, ProgrammeStatus.MATCHING,
                                    ProgrammeStatus.CLOSED])
def test_cannot_apply_to_a_programme_not_open(client, auth, make_user, make_programme, status):
    programme = make_programme(status=status)
    auth.login(make_user())
    response = client.post(f"/programmes/{programme.slug}/apply/mentee",
                           data=mentee_form(programme), follow_redirects=True)
    assert "is not taking applications" in response.text
    assert count_enrolments() == 0


def test_cannot_apply_after_the_closing_date(client, auth, make_user, make_programme):
    today = utcnow().date()
    programme = make_programme(applications_open=today - timedelta(days=20),
                               applications_close=today - timedelta(days=1))
    auth.login(make_user())
    response = client.post(f"/programmes/{programme.slug}/apply/mentee",
                           data=mentee_form(programme), follow_redirects=True)
    assert "is not taking applications" in response.text
    assert count_enrolments() == 0


def test_an_unconfirmed_address_must_be_confirmed_first(client, auth, make_user,
                                                        make_programme):
    programme = make_programme()
    auth.login(make_user(verified=False))
    response = client.post(f"/programmes/{programme.slug}/apply/mentee",
                           data=mentee_form(programme), follow_redirects=True)
    assert "Confirm your email address first" in response.text
    assert count_enrolments() == 0


def test_anonymous_visitor_is_sent_to_sign_in(client, make_programme):
    programme = make_programme()
    response = client.get(f"/programmes/{programme.slug}/apply/mentee")
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize(("overrides", "message"), [
    ({"consent": ""}, "You must agree to take part."),
    ({"languages": []}, "Choose at least one language."),
    ({"topic_1": "", "topic_2": ""}, "Choose at least the topic you want most."),
    ({"topic_3": "__same__"}, "Each topic can be chosen only once."),
    ({"country": "XX"}, "Not a valid choice"),
    ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
    ({"years_experience": "-1"}, "Years of experience must be between 0 and 80."),
])
def test_bad_application_is_refused_and_keeps_what_was_typed(client, auth, make_user,
                                                             make_programme, overrides,
                                                             message):
    programme = make_programme()
    auth.login(make_user())
    if overrides.get("topic_3") == "__same__":
        overrides = {"topic_3": str(programme.topics[2].id)}
    response = client.post(f"/programmes/{programme.slug}/apply/mentee",
                           data=mentee_form(programme, **overrides))
    assert response.status_code == 200
    assert message in response.text
    assert "Speak at WRC-27." in response.text  # her goals are still there
    assert count_enrolments() == 0


def test_mentor_capacity_must_be_within_the_programme_maximum(client, auth, make_user,
                                                              make_programme):
    programme = make_programme(mentor_capacity_max=3)
    auth.login(make_user())
    response = client.post(f"/programmes/{programme.slug}/apply/mentor",
                           data=mentor_form(programme, capacity="5"))
    assert "A mentor can take between 1 and 3 mentees in this programme." in response.text
    assert count_enrolments() == 0


def test_unmapped_country_asks_for_a_region(client, auth, make_user, make_programme):
    programme = make_programme()
    auth.login(make_user())
    response = client.post(f"/programmes/{programme.slug}/apply/mentee",
                           data=mentee_form(programme, country="IL"))
    assert "choose one" in response.text
    region = programme.regions[0]
    ok = client.post(f"/programmes/{programme.slug}/apply/mentee",
                     data=mentee_form(programme, country="IL", region_id=str(region.id)))
    assert ok.status_code == 302
    assert db.session.scalar(select(Enrolment)).region_id == region.id


def test_applicant_edits_her_application_while_submitted(client, auth, make_user,
                                                         make_programme, make_enrolment):
    programme = make_programme()
    user = make_user()
    enrolment = make_enrolment(programme, user)
    auth.login(user)
    form = client.get(f"/applications/{enrolment.id}/edit")
    assert form.status_code == 200 and "Save changes" in form.text
    response = client.post(f"/applications/{enrolment.id}/edit",
                           data=mentee_form(programme, country="FR", timezone="Europe/Paris"))
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Enrolment, enrolment.id)
    assert saved.country == "FR" and saved.region.code == "CEPT"


def test_decided_application_can_no_longer_be_edited(client, auth, make_user, make_programme,
                                                     make_enrolment):
    programme = make_programme()
    user = make_user()
    enrolment = make_enrolment(programme, user, status=EnrolmentStatus.ACCEPTED)
    auth.login(user)
    response = client.post(f"/applications/{enrolment.id}/edit",
                           data=mentee_form(programme, country="FR"), follow_redirects=True)
    assert "can no longer be changed" in response.text
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).country == "KE"


def test_someone_elses_application_cannot_be_read_or_changed(client, auth, make_user,
                                                             make_programme, make_enrolment):
    programme = make_programme()
    enrolment = make_enrolment(programme)
    auth.login(make_user())
    assert client.get(f"/applications/{enrolment.id}/edit").status_code == 403
    assert client.post(f"/applications/{enrolment.id}/edit",
                       data=mentee_form(programme)).status_code == 403
    assert client.post(f"/applications/{enrolment.id}/withdraw").status_code == 403
    assert client.get("/applications/999999/edit").status_code == 404
    assert enrolment_status(enrolment.id) == EnrolmentStatus.SUBMITTED


def test_withdraw_asks_for_confirmation_then_withdraws(client, auth, make_user, make_programme,
                                                       make_enrolment):
    programme = make_programme()
    user = make_user()
    enrolment = make_enrolment(programme, user)
    auth.login(user)
    confirm = client.get(f"/applications/{enrolment.id}/withdraw")
    assert "Withdraw your application?" in confirm.text
    assert enrolment_status(enrolment.id) == EnrolmentStatus.SUBMITTED
    client.post(f"/applications/{enrolment.id}/withdraw")
    assert enrolment_status(enrolment.id) == EnrolmentStatus.WITHDRAWN
    assert "withdrawn" in client.get("/me/programmes").text


def test_my_programmes_empty_state(client, auth, make_user):
    auth.login(make_user())
    assert "You have not applied to a programme yet." in client.get("/me/programmes").text


def test_programme_page_shows_deadline_and_apply_buttons(client, make_programme):
    programme = make_programme(name="Women in Cyber 2027")
    page = client.get(f"/programmes/{programme.slug}")
    assert "Apply as mentee" in page.text and "Apply as mentor" in page.text
    assert "Women in Cyber 2027" in client.get("/").text


def test_draft_programme_is_hidden_from_the_public(client, make_programme):
    programme = make_programme(status=ProgrammeStatus.DRAFT, name="Secret draft")
    assert "Secret draft" not in client.get("/").text
    assert client.get(f"/programmes/{programme.slug}").status_code == 404


# ---- the form as a delegate reads it ----------------------------------------------------------


def field_html(page: str, field_id: str) -> str:
    """The markup of one field: its wrapper (div or fieldset) up to the next field."""
    start = page.index(f'id="{field_id}')
    start = max(page.rfind('<div class="field', 0, start), page.rfind("<fieldset", 0, start))
    end = min(i for i in (page.find('<div class="field', start + 10),
                          page.find("<fieldset", start + 10), page.find("</form>", start))
              if i != -1)
    return page[start:end]


@pytest.mark.parametrize("role, required, optional", [
    ("mentee", ["country", "timezone", "languages", "topic_1", "years_experience"],
     ["organisation", "topic_2", "itu_meetings", "goals"]),
    ("mentor", ["country", "timezone", "languages", "expertise", "capacity",
                "years_experience"], ["organisation", "itu_meetings"]),
])
def test_required_fields_are_marked_for_eyes_and_screen_readers(
        client, auth, make_user, make_programme, role, required, optional):
    programme = make_programme()
    auth.login(make_user())
    page = client.get(f"/programmes/{programme.slug}/apply/{role}").text
    for name in required:
        markup = field_html(page, name)
        assert "(required)" in markup, name
        if "<fieldset" not in markup:  # a single input or list says so itself
            assert re.search(rf'<(input|select|textarea)[^>]* id="{name}"[^>]* required', markup) \
                or re.search(rf'<(input|select|textarea)[^>]* required[^>]* id="{name}"', markup), \
                name
    for name in optional:
        markup = field_html(page, name)
        assert "(required)" not in markup and " required" not in markup, name


def test_the_region_is_found_from_the_country_and_asked_only_when_it_cannot_be(
        client, auth, make_user, make_programme):
    programme = make_programme()
    auth.login(make_user())
    page = client.get(f"/programmes/{programme.slug}/apply/mentee").text
    region = field_html(page, "region_id")
    assert "Only needed when the programme does not place your country" not in region
    assert "We find your region from your country" in region
    # The countries no region holds (Israel among them) show the field; script hides it for
    # the others.
    unplaced = re.search(r'data-countries-without-region="([^"]*)"', region).group(1).split()
    assert "IL" in unplaced and "KE" not in unplaced

    # A programme whose regions hold every country does not ask at all.
    for candidate in programme.regions[:1]:
        candidate.countries += " " + " ".join(unplaced)
    db.session.commit()
    page = client.get(f"/programmes/{programme.slug}/apply/mentee").text
    assert 'id="region_id"' not in page
    response = client.post(f"/programmes/{programme.slug}/apply/mentee",
                           data=mentee_form(programme, country="IL"))
    assert response.status_code == 302
    assert db.session.scalar(select(Enrolment)).region_id == programme.regions[0].id


def test_the_applications_list_asks_as_many_queries_for_8_applications_as_for_24(
        client, auth, make_programme, make_enrolment, coordinator):
    small, large = make_programme(), make_programme()
    for programme, size in ((small, 8), (large, 24)):
        topics = [topic.id for topic in programme.topics]
        for number in range(size):
            make_enrolment(programme, role=Role.MENTOR if number % 3 == 0 else Role.MENTEE,
                           country="KE" if number % 2 else "FR", languages=["en", "fr"],
                           topic_ids=topics[number % 3:number % 3 + 2])
    from mentoring.services import programmes

    lead = coordinator(small, email="lead@example.org")
    cochair = coordinator(small, region_code="ATU", email="cochair@example.org")
    programmes.assign_coordinator(None, large, lead.email, None)
    programmes.assign_coordinator(None, large, cochair.email, next(
        r.id for r in large.regions if r.code == "ATU"))
    db.session.commit()
    for email, shown in ((lead.email, (8, 24)), (cochair.email, (4, 12))):
        auth.login(email)
        counts = []
        for programme, rows in zip((small, large), shown, strict=True):
            path = f"/coordinate/{programme.slug}/applications"
            client.get(path)  # warm up
            queries, page = statements_of_page(client, path)
            assert page.count('name="ids"') == rows
            counts.append(queries)
        assert counts[0] == counts[1], (email, counts)
        auth.logout()
