"""Gender is one structured answer: the matching rule, the dashboard and the pages agree on it."""

from __future__ import annotations

import io

from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import Enrolment, EnrolmentStatus, Pairing, ProgrammeStatus, Role
from mentoring.permissions import Scope
from mentoring.services import dashboard as figures
from mentoring.services.matching import to_profile
from tests.conftest import PASSWORD
from tests.helpers import imported_count, job_page

HEADINGS = "E-mail,Full name,Applies as,Country,Languages,Topics,Gender"


def import_mentors(client, programme, genders: dict[str, str]) -> dict[str, Enrolment]:
    """Mentors imported from a spreadsheet, each with the gender written in her own words."""
    lines = [HEADINGS] + [
        f"mentor{n}@example.org,{name},mentor,KE,English,Negotiation,{gender}"
        for n, (name, gender) in enumerate(genders.items())]
    response = job_page(client, client.post(f"/coordinate/{programme.slug}/import", data={
        "file": (io.BytesIO(("\n".join(lines) + "\n").encode()), "mentors.csv")}))
    assert imported_count(response) == len(genders), response.text
    mentors = {e.user.name: e for e in db.session.scalars(
        select(Enrolment).where(Enrolment.role == Role.MENTOR))}
    for mentor in mentors.values():
        mentor.status = EnrolmentStatus.ACCEPTED
    db.session.commit()
    return mentors


def test_mentee_who_asks_for_a_woman_mentor_gets_the_mentor_who_wrote_女性(
        client, auth, make_programme, make_enrolment, coordinator):
    programme = make_programme(status=ProgrammeStatus.MATCHING)
    auth.login(coordinator(programme))
    mentors = import_mentors(client, programme, {"Li Na": "女性", "Ivan Petrov": "man"})
    mentee = make_enrolment(programme, role=Role.MENTEE, status=EnrolmentStatus.ACCEPTED,
                            wants_woman_mentor=True, topic_ids=[programme.topics[0].id])

    response = client.post(f"/coordinate/{programme.slug}/matching/run")
    assert response.status_code == 302

    [pairing] = db.session.scalars(select(Pairing)).all()
    assert (pairing.mentee_id, pairing.mentor_id) == (mentee.id, mentors["Li Na"].id)


def test_the_matching_rule_and_the_dashboard_count_the_same_women(
        client, auth, make_programme, coordinator):
    programme = make_programme(status=ProgrammeStatus.MATCHING)
    auth.login(coordinator(programme))
    mentors = import_mentors(client, programme, {
        "Li Na": "女性", "Wang Fang": "女", "Amal Haddad": "امرأة", "Olga Ivanova": "женщина",
        "Ana Souza": "Woman", "Claire Dubois": " female ", "Ivan Petrov": "man",
        "Omar Farouk": "ذكر", "Sam Lee": "genderqueer", "Pat Doe": ""})

    women_for_the_rule = sorted(name for name, enrolment in mentors.items()
                                if to_profile(enrolment).is_woman)
    board = figures.by_gender(Scope(programme))

    assert women_for_the_rule == ["Amal Haddad", "Ana Souza", "Claire Dubois", "Li Na",
                                  "Olga Ivanova", "Wang Fang"]
    assert board.counts["women"]["mentor"] == len(women_for_the_rule)
    assert board.counts["men"]["mentor"] == 2
    assert board.counts["other"]["mentor"] == 1
    assert board.counts["not given"]["mentor"] == 1


def mentor_form(programme, **overrides) -> dict:
    data = {"country": "KE", "timezone": "Africa/Nairobi", "languages": ["en"],
            "expertise": [str(programme.topics[0].id)], "years_experience": "12",
            "capacity": "2", "consent": "y"}
    data.update(overrides)
    return data


def test_a_mentor_describes_her_gender_in_her_own_words_and_the_coordinator_reads_them(
        app, client, auth, make_programme, make_user, coordinator):
    programme = make_programme()
    auth.login(make_user("sam@example.org"))
    form = client.get(f"/programmes/{programme.slug}/apply/mentor").text
    for value, label in (("woman", "Woman"), ("man", "Man"), ("non_binary", "Non-binary"),
                         ("self_described", "I describe myself as…"),
                         ("undisclosed", "Prefer not to say")):
        assert f'value="{value}"' in form and label in form

    refused = client.post(f"/programmes/{programme.slug}/apply/mentor",
                          data=mentor_form(programme, gender="self_described"))
    assert "Describe your gender in your own words, or choose another answer." in refused.text
    assert client.post(f"/programmes/{programme.slug}/apply/mentor", data=mentor_form(
        programme, gender="self_described", gender_self_described=" two-spirit ")
    ).status_code == 302

    [enrolment] = db.session.scalars(select(Enrolment)).all()
    assert (enrolment.gender, enrolment.gender_self_described) == ("self_described",
                                                                   "two-spirit")
    reader = app.test_client()
    reader.post("/login", data={"email": coordinator(programme).email, "password": PASSWORD})
    page = reader.get(f"/coordinate/{programme.slug}/applications/{enrolment.id}")
    assert page.status_code == 200 and "two-spirit" in page.text


def test_words_written_for_another_answer_are_not_kept(client, auth, make_programme, make_user):
    programme = make_programme()
    auth.login(make_user())
    client.post(f"/programmes/{programme.slug}/apply/mentor", data=mentor_form(
        programme, gender="woman", gender_self_described="typed, then changed her mind"))
    [enrolment] = db.session.scalars(select(Enrolment)).all()
    assert (enrolment.gender, enrolment.gender_self_described) == ("woman", "")
    assert to_profile(enrolment).gender == "woman"
