"""Ranked wishes through the pages: a mentor chooses to be listed, an accepted mentee ranks
up to five listed mentors, the coordinators see the wishes, and a run "wishes first" gives
the rank profile (issue #16, item 1)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from mentoring.extensions import db
from mentoring.models import (
    Enrolment,
    EnrolmentStatus,
    MatchingRun,
    MentorWish,
    Pairing,
    ProgrammeStatus,
    Role,
)
from tests.helpers import sql_statements, text

TOPICS = ["Negotiation", "Drafting contributions", "Chairing meetings"]


def topic_id(programme, label: str) -> int:
    return next(topic.id for topic in programme.topics if topic.label == label)


@pytest.fixture
def programme(make_programme):
    return make_programme(status=ProgrammeStatus.OPEN, topics=TOPICS)


@pytest.fixture
def person(make_user, make_enrolment):
    """An applicant with a name; mentors are listed unless told otherwise."""

    def make(programme, name, role=Role.MENTEE, *, status=EnrolmentStatus.ACCEPTED,
             topics=("Negotiation",), listed=True, **values):
        if role == Role.MENTOR:
            values.setdefault("capacity", 1)
            values.setdefault("years_experience", 12)
            values["listed"] = listed
        return make_enrolment(programme, make_user(name=name), role=role, status=status,
                              topic_ids=[topic_id(programme, label) for label in topics],
                              **values)

    return make


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.pop("_flashes", [])]


def wished(mentee) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(select(MentorWish.mentor_id)
                                   .where(MentorWish.mentee_id == mentee.id)
                                   .order_by(MentorWish.rank)))


def add(client, mentee, mentor):
    return client.post(f"/applications/{mentee.id}/wishes", data={"add": str(mentor.id)})


def rank(client, mentee, ranks: dict, **extra):
    """Post the ranking form: ``ranks`` maps each mentor to a rank or "remove"."""
    return client.post(f"/applications/{mentee.id}/wishes", data={
        "mentor": [str(mentor.id) for mentor in ranks],
        "rank": [str(value) for value in ranks.values()], **extra})


# ---- mentors ----------------------------------------------------------------------------

def mentor_form(programme, **overrides) -> dict:
    data = {"country": "KE", "organisation": "CA Kenya", "languages": ["en"],
            "expertise": [str(topic_id(programme, "Negotiation"))], "capacity": "2",
            "years_experience": "14", "timezone": "Africa/Nairobi", "goals": "",
            "consent": "y"}
    data.update(overrides)
    return data


def test_a_mentor_chooses_on_her_application_to_be_listed_with_a_few_words(
        client, auth, make_user, programme):
    mentor = make_user(name="Wanjiru Mentor")
    auth.login(mentor)
    form = client.get(f"/programmes/{programme.slug}/apply/mentor").text
    assert "List me so mentees can ask for me" in form
    assert 'name="listed"' in form and 'name="listed" checked' not in form  # off by default

    client.post(f"/programmes/{programme.slug}/apply/mentor", data=mentor_form(
        programme, listed="y", bio="Spectrum negotiator, 14 years at WRCs."))
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.listed and enrolment.bio == "Spectrum negotiator, 14 years at WRCs."

    # A mentee's form asks nothing of the kind.
    assert "List me so mentees" not in client.get(
        f"/programmes/{programme.slug}/apply/mentee").text


def test_an_accepted_mentor_lists_or_unlists_herself_from_my_programmes(
        client, auth, programme, person):
    mentor = person(programme, "Wanjiru Mentor", Role.MENTOR, listed=False)
    auth.login(mentor.user)
    page = client.get("/me/programmes").text
    assert f'href="/applications/{mentor.id}/listing"' in page
    assert f'href="/applications/{mentor.id}/edit"' not in page  # decided: no more edits

    response = client.post(f"/applications/{mentor.id}/listing",
                           data={"listed": "y", "bio": "I chaired SG5."})
    assert response.status_code == 302
    assert flashes(client) == ["You are listed: mentees can ask for you."]
    db.session.expire_all()
    assert mentor.listed and mentor.bio == "I chaired SG5."

    too_long = client.post(f"/applications/{mentor.id}/listing",
                           data={"listed": "y", "bio": "x" * 501})
    assert too_long.status_code == 200 and "500" in too_long.text
    client.post(f"/applications/{mentor.id}/listing", data={"bio": "I chaired SG5."})
    assert flashes(client) == ["You are not listed: mentees cannot ask for you."]
    db.session.expire_all()
    assert not mentor.listed


def test_someone_elses_listing_and_wishes_cannot_be_read_or_changed(
        client, auth, programme, person):
    mentor = person(programme, "Wanjiru Mentor", Role.MENTOR, listed=False)
    mentee = person(programme, "Amina Mentee")
    other = person(programme, "Olga Other")
    auth.login(other.user)
    assert client.get(f"/applications/{mentor.id}/listing").status_code == 403
    assert client.post(f"/applications/{mentor.id}/listing",
                       data={"listed": "y"}).status_code == 403
    assert client.get(f"/applications/{mentee.id}/wishes").status_code == 403
    assert add(client, mentee, mentor).status_code == 403
    db.session.expire_all()
    assert not mentor.listed and wished(mentee) == []
    # A mentee has no listing, a mentor no wishes.
    assert client.get(f"/applications/{other.id}/listing").status_code == 404


# ---- mentees ----------------------------------------------------------------------------

def test_an_accepted_mentee_finds_listed_mentors_filters_and_ranks_them(
        client, auth, programme, person):
    amina = person(programme, "Amina Mentee")
    claire = person(programme, "Claire Europe", Role.MENTOR, country="FR",
                    languages=["fr", "en"], topics=("Drafting contributions",),
                    bio="Drafting at CEPT.")
    bruno = person(programme, "Bruno Africa", Role.MENTOR, topics=("Negotiation",))
    chen = person(programme, "Chen Africa", Role.MENTOR, topics=("Chairing meetings",))
    person(programme, "Hidden Unlisted", Role.MENTOR, listed=False)
    person(programme, "Sara Submitted", Role.MENTOR, status=EnrolmentStatus.SUBMITTED)
    auth.login(amina.user)

    mine = client.get("/me/programmes").text
    assert "Choose mentors you would like" in mine
    page = text(client.get(f"/applications/{amina.id}/wishes"))
    assert "3 mentors are listed." in page
    assert all(name in page for name in ("Claire Europe", "Bruno Africa", "Chen Africa"))
    assert "Hidden Unlisted" not in page and "Sara Submitted" not in page
    assert "Drafting at CEPT." in page and "You have not chosen any mentor yet." in page

    cept = next(region for region in programme.regions if region.code == "CEPT")
    by_region = text(client.get(f"/applications/{amina.id}/wishes?region={cept.id}"))
    assert "1 mentor is listed." in by_region and "Claire Europe" in by_region
    by_topic = text(client.get(f"/applications/{amina.id}/wishes?topic="
                               f"{topic_id(programme, 'Chairing meetings')}"))
    assert "Chen Africa" in by_topic and "Bruno Africa" not in by_topic
    by_language = text(client.get(f"/applications/{amina.id}/wishes?language=fr"))
    assert "Claire Europe" in by_language and "Chen Africa" not in by_language
    assert "No mentor matches these filters." in text(
        client.get(f"/applications/{amina.id}/wishes?language=zh"))

    for mentor in (bruno, claire, chen):
        assert add(client, amina, mentor).status_code == 302
    assert wished(amina) == [bruno.id, claire.id, chen.id]
    page = text(client.get(f"/applications/{amina.id}/wishes"))
    assert page.count("Among your wishes") == 3

    # Chen first, Bruno third; then Claire removed: the others keep their order.
    rank(client, amina, {bruno: 3, claire: 2, chen: 1})
    assert flashes(client)[-1] == "Your wishes are saved."
    assert wished(amina) == [chen.id, claire.id, bruno.id]
    rank(client, amina, {chen: 1, claire: 2, bruno: 3}, remove=str(claire.id))
    assert wished(amina) == [chen.id, bruno.id]
    rank(client, amina, {chen: "remove", bruno: 1})
    assert wished(amina) == [bruno.id]


@pytest.mark.parametrize("case", ["sixth", "twice", "unlisted", "other_programme", "herself",
                                  "same_rank"])
def test_a_mentee_cannot_rank_what_the_rules_refuse(client, auth, programme, person,
                                                    make_programme, case):
    amina = person(programme, "Amina Mentee")
    mentors = [person(programme, f"Mentor {n}", Role.MENTOR) for n in range(6)]
    auth.login(amina.user)
    for mentor in mentors[:5 if case == "sixth" else 2]:
        add(client, amina, mentor)
    flashes(client)
    before = wished(amina)
    if case == "sixth":
        add(client, amina, mentors[5])
        expected = "You can choose at most 5 mentors."
    elif case == "twice":
        add(client, amina, mentors[0])
        expected = "This mentor is already among your wishes."
    elif case == "unlisted":
        add(client, amina, person(programme, "Hidden", Role.MENTOR, listed=False))
        expected = "This mentor is not listed in the programme: choose one from the list."
    elif case == "other_programme":
        add(client, amina, person(make_programme(topics=TOPICS), "Elsewhere", Role.MENTOR))
        expected = "This mentor is not listed in the programme: choose one from the list."
    elif case == "herself":
        mine = person(programme, "Amina as mentor", Role.MENTOR)
        db.session.get(Enrolment, mine.id).user_id = amina.user_id
        db.session.commit()
        add(client, amina, mine)
        expected = "This mentor is not listed in the programme: choose one from the list."
    else:
        rank(client, amina, {mentors[0]: 1, mentors[1]: 1})
        expected = "Give each mentor a different rank."
    assert flashes(client) == [expected]
    assert wished(amina) == before


@pytest.mark.parametrize("case", ["submitted", "run_made", "running"])
def test_wishes_are_closed_before_acceptance_and_once_matching_started(
        client, auth, programme, person, case):
    amina = person(programme, "Amina Mentee", status=EnrolmentStatus.SUBMITTED
                   if case == "submitted" else EnrolmentStatus.ACCEPTED)
    bruno = person(programme, "Bruno Mentor", Role.MENTOR)
    if case == "run_made":
        db.session.add(MatchingRun(programme_id=programme.id))
    elif case == "running":
        programme.status = ProgrammeStatus.RUNNING
    db.session.commit()
    auth.login(amina.user)
    assert "Choose mentors you would like" not in client.get("/me/programmes").text
    page = text(client.get(f"/applications/{amina.id}/wishes"))
    expected = ("You can choose mentors you would like once your application is accepted."
                if case == "submitted" else
                "Matching has started: your wishes can no longer be changed.")
    assert expected in page and "Bruno Mentor" not in page  # no list to choose from
    add(client, amina, bruno)
    assert flashes(client) == [expected]
    assert wished(amina) == []


def test_a_mentor_who_unlists_or_withdraws_drops_out_of_wishes(
        client, auth, programme, person):
    from mentoring.services.matching import applicant_profiles, to_profile

    amina = person(programme, "Amina Mentee")
    bruno, claire, chen = (person(programme, name, Role.MENTOR)
                           for name in ("Bruno Mentor", "Claire Mentor", "Chen Mentor"))
    auth.login(amina.user)
    for mentor in (bruno, claire, chen):
        add(client, amina, mentor)
    db.session.get(Enrolment, bruno.id).listed = False
    db.session.get(Enrolment, chen.id).status = EnrolmentStatus.WITHDRAWN
    db.session.commit()

    page = text(client.get(f"/applications/{amina.id}/wishes"))
    assert ("Bruno Mentor is no longer listed: this wish does not count. Remove it and choose "
            "another mentor.") in page
    assert "Chen Mentor is no longer listed" in page
    # The engine gets Claire alone, as her first wish, read in bulk or alone.
    db.session.expire_all()
    _mentors, [mentee] = applicant_profiles(programme)
    assert mentee.preferred_mentors == (claire.id,)
    assert to_profile(db.session.get(Enrolment, amina.id)) == mentee


def test_the_profiles_take_four_queries_whatever_the_number_of_wishes(
        programme, person, make_user, make_enrolment):
    from mentoring.services import wishes
    from mentoring.services.matching import applicant_profiles

    mentors = [person(programme, f"Mentor {n}", Role.MENTOR) for n in range(5)]

    def cohort(size):
        for n in range(size):
            mentee = person(programme, f"Mentee {size}-{n}")
            wishes.set_wishes(mentee.user, mentee, [m.id for m in mentors[n % 3:]])
            db.session.commit()
        assert programme.id  # loaded again after the commit, before counting
        with sql_statements() as statements:
            applicant_profiles(programme)
        return len(statements)

    assert cohort(2) == cohort(10) == 4


# ---- coordinators -----------------------------------------------------------------------

def test_coordinators_see_wishes_on_the_application_and_in_the_export_co_chairs_their_region(
        client, auth, programme, person, coordinator):
    amina = person(programme, "Amina Africa")
    olga = person(programme, "Olga Europe", country="FR")
    bruno = person(programme, "Bruno Mentor", Role.MENTOR)
    hacker = person(programme, '=HYPERLINK("http://evil.example","x")', Role.MENTOR)
    for mentee, chosen in ((amina, [bruno, hacker]), (olga, [bruno])):
        auth.login(mentee.user)
        for mentor in chosen:
            add(client, mentee, mentor)
        auth.logout()
    db.session.get(Enrolment, hacker.id).listed = False
    db.session.commit()

    auth.login(coordinator(programme))
    page = text(client.get(f"/coordinate/{programme.slug}/applications/{amina.id}"))
    assert re.search(r"Mentors she would like</dt>\s*<dd><ol><li>Bruno Mentor</li>"
                     r"<li>=HYPERLINK\(\"http://evil.example\",\"x\"\) "
                     r"\(no longer listed: not counted\)</li></ol>", page)
    mentor_page = text(client.get(f"/coordinate/{programme.slug}/applications/{bruno.id}"))
    assert re.search(r"Listed for mentees</dt><dd>yes", mentor_page)
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(client.get(
        f"/coordinate/{programme.slug}/applications.csv").get_data(as_text=True).lstrip(
            "\ufeff")))}
    assert rows["Amina Africa"]["wishes"] == (
        '1. Bruno Mentor; 2. =HYPERLINK("http://evil.example","x") (no longer listed)')
    assert rows["Olga Europe"]["wishes"] == "1. Bruno Mentor"
    assert rows["Bruno Mentor"]["wishes"] == ""
    auth.logout()

    auth.login(coordinator(programme, "ATU"))
    assert client.get(
        f"/coordinate/{programme.slug}/applications/{olga.id}").status_code in (403, 404)
    assert "Bruno Mentor" in text(
        client.get(f"/coordinate/{programme.slug}/applications/{amina.id}"))
    exported = client.get(f"/coordinate/{programme.slug}/applications.csv").get_data(
        as_text=True)
    assert "Amina Africa" in exported and "Olga Europe" not in exported


# ---- the run ----------------------------------------------------------------------------

def settings(**overrides) -> dict:
    data = {"topics": "40", "language": "15", "wishes": "0", "region": "10",
            "timezone": "10", "experience": "10", "objective": "score",
            "default_region_preference": "none", "experience_ahead": "3",
            "min_experience_gap": "", "forbid_same_organisation": "y",
            "require_woman_mentor_when_asked": "y"}
    data.update(overrides)
    return data


def test_a_run_wishes_first_gives_wishes_and_says_which_each_pair_was(
        client, auth, programme, person, coordinator):
    # Two mentees both want Negotiation, which only Bruno covers; Amina wished Chen first,
    # Dina wished nobody. Best total: Bruno for Amina or Dina; wishes first: Amina gets Chen.
    amina = person(programme, "Amina Mentee")
    dina = person(programme, "Dina Mentee")
    bruno = person(programme, "Bruno Mentor", Role.MENTOR)
    chen = person(programme, "Chen Mentor", Role.MENTOR, topics=("Chairing meetings",))
    auth.login(amina.user)
    add(client, amina, chen)
    add(client, amina, bruno)
    auth.logout()
    programme.status = ProgrammeStatus.MATCHING
    db.session.commit()

    auth.login(coordinator(programme))
    page = text(client.get(f"/coordinate/{programme.slug}/matching"))
    assert ("1 mentee has ranked mentors she would like, but wishes weigh 0 in the score: give "
            "wishes a weight (15 is the engine's default) or choose \"Wishes first\".") in page
    assert "Best total score" in page and "Wishes first" in page

    client.post(f"/coordinate/{programme.slug}/matching", data=settings(objective="wishes"))
    db.session.expire_all()
    assert programme.matching_objective == "wishes"
    assert "weigh 0 in the score" not in text(client.get(f"/coordinate/{programme.slug}/matching"))

    # Fair mode cannot go with wishes first: refused at once, nothing run.
    client.post(f"/coordinate/{programme.slug}/matching/run", data={"fair": "y"})
    assert flashes(client) == [
        "Fair mode cannot be combined with \"Wishes first\": choose one."]
    assert db.session.scalar(select(MatchingRun)) is None

    response = client.post(f"/coordinate/{programme.slug}/matching/run", data={})
    client.get(response.headers["Location"])
    run = db.session.scalar(select(MatchingRun))
    assert run.settings["objective"] == "wishes"
    assert (run.summary["wishes"], run.summary["wishes_none"], run.summary["wishers"]) == (
        [1, 0], 0, 1)
    pairs = {p.mentee_id: p for p in db.session.scalars(select(Pairing))}
    assert pairs[amina.id].mentor_id == chen.id and pairs[dina.id].mentor_id == bruno.id

    page = text(client.get(f"/coordinate/{programme.slug}/pairs"))
    assert ("wish 1: 1 mentee, wish 2: 0 mentees, none of their wishes: 0 mentees"
            " · wishes first") in page
    assert "the mentee's choice 1 of 2" in page
    # With the best total instead, Amina's first wish is not granted, and the page says so.
    client.post(f"/coordinate/{programme.slug}/matching", data=settings(wishes="15"))
    response = client.post(f"/coordinate/{programme.slug}/matching/run", data={})
    client.get(response.headers["Location"])
    latest = db.session.scalars(select(MatchingRun).order_by(MatchingRun.id.desc())).first()
    assert latest.settings["objective"] == "score"
    assert latest.summary["wishers"] == 1
    assert sum(latest.summary["wishes"]) + latest.summary["wishes_none"] == 1


def test_a_run_without_wishes_says_nothing_of_them(client, auth, programme, person,
                                                   coordinator):
    person(programme, "Amina Mentee")
    person(programme, "Bruno Mentor", Role.MENTOR)
    programme.status = ProgrammeStatus.MATCHING
    db.session.commit()
    auth.login(coordinator(programme))
    response = client.post(f"/coordinate/{programme.slug}/matching/run", data={})
    client.get(response.headers["Location"])
    run = db.session.scalar(select(MatchingRun))
    assert "wishes" not in run.summary
    assert "Wishes granted" not in client.get(f"/coordinate/{programme.slug}/pairs").text


def test_a_new_cycle_keeps_what_matching_puts_first(programme):
    from mentoring.services import programmes

    programme.matching_objective = "wishes"
    copy = programmes.copy_to_new_cycle(None, programme, name="Next", slug="next-cycle")
    db.session.commit()
    assert copy.matching_objective == "wishes"


def test_wishes_first_on_a_cohort_too_large_for_it_is_refused_with_words(
        client, auth, programme, person, coordinator, monkeypatch):
    from mentoring.matching import wishes as engine

    amina = person(programme, "Amina Mentee")
    bruno = person(programme, "Bruno Mentor", Role.MENTOR)
    auth.login(amina.user)
    add(client, amina, bruno)
    auth.logout()
    programme.status, programme.matching_objective = ProgrammeStatus.MATCHING, "wishes"
    db.session.commit()
    # The engine solves "wishes first" up to a size (the dense weights, then its staged solve
    # up to 40M mentee-mentor cells); here both limits are made to refuse at once.
    from mentoring.matching import sparse

    monkeypatch.setattr(engine, "DENSE_CELLS", 0)
    monkeypatch.setattr(sparse, "CACHE_CELLS", 0)
    auth.login(coordinator(programme))
    response = client.post(f"/coordinate/{programme.slug}/matching/run", data={})
    page = text(client.get(response.headers["Location"]))
    assert ("\"Wishes first\" cannot match a cohort this large: choose \"Best total score\" "
            "and give wishes a weight instead.") in page
    assert db.session.scalar(select(MatchingRun)) is None


def test_her_data_lists_her_wishes_and_an_erased_mentor_is_no_longer_listed(
        client, auth, programme, person):
    from mentoring.models import User
    from mentoring.services import personal_data

    amina = person(programme, "Amina Mentee")
    bruno = person(programme, "Bruno Mentor", Role.MENTOR, bio="Twenty years at WRCs.")
    auth.login(amina.user)
    add(client, amina, bruno)
    [application] = personal_data.collect(amina.user)["applications"]
    assert application["wishes"] == "Bruno Mentor"
    [listing] = personal_data.collect(bruno.user)["applications"]
    assert (listing["listed"], listing["bio"]) == (True, "Twenty years at WRCs.")

    admin = db.session.scalar(select(User).where(User.is_admin))
    personal_data.erase_on_request(admin, db.session.get(User, bruno.user_id))
    db.session.commit()
    db.session.expire_all()
    assert (bruno.listed, bruno.bio) == (False, "")
    assert "is no longer listed: this wish does not count" in text(
        client.get(f"/applications/{amina.id}/wishes"))


def test_adding_a_mentor_from_a_filtered_page_comes_back_to_it(client, auth, programme, person):
    amina = person(programme, "Amina Mentee")
    bruno = person(programme, "Bruno Mentor", Role.MENTOR)
    auth.login(amina.user)
    response = client.post(f"/applications/{amina.id}/wishes?language=en&page=1"
                           f"&enrolment_id=999&next=//evil.example", data={"add": str(bruno.id)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/applications/{amina.id}/wishes?language=en&page=1"
    assert wished(amina) == [bruno.id]
