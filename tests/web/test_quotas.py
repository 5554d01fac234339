"""Quotas through the coordinator's pages: add, edit and delete a rule (the engine's parser
judging it, its verdict on the field), a co-chair who may read but not change them, a run that
meets them with their price on the pairs page, and rules that cannot be met refusing the run
with nothing written.

The cohort is small enough to work out by hand: two mentees who want "Negotiation", two men
who offer it and one woman who offers only "Drafting contributions" (one place each).
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.gender import Gender
from mentoring.matching import score_pair
from mentoring.models import AuditEvent, Job, MatchingQuota, MatchingRun, Pairing, Role
from mentoring.services.matching import rules_for, to_profile
from tests.helpers import programme_edit_form
from tests.web import test_matching_runs as runs
from tests.web.test_matching_runs import flashes, run, state

#: The matching pages' fixtures: a programme in status "matching", an accepted person.
matching_programme, person = runs.matching_programme, runs.person


def quota_form(**overrides) -> dict:
    data = {"name": "Women mentors", "mentee_region": "0", "mentee_gender": "",
            "mentee_language": "", "mentee_topic": "0", "mentor_region": "0",
            "mentor_gender": "woman", "mentor_language": "", "mentor_topic": "0",
            "cross_region": "any", "bound": "at_least", "value": "50", "unit": "percent",
            "of": "pairs"}
    data.update(overrides)
    return data


def quota_rows() -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(select(MatchingQuota.name, MatchingQuota.value,
                                     MatchingQuota.unit, MatchingQuota.at_least)
                              .order_by(MatchingQuota.id)).all()


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    return match.group(1) if match else ""


@pytest.fixture
def cohort(matching_programme, person):
    programme = matching_programme()
    mentees = [person(programme, name, topics=["Negotiation"])
               for name in ("Amina Diallo", "Beatriz Costa")]
    men = [person(programme, name, Role.MENTOR, topics=["Negotiation"], gender=Gender.MAN)
           for name in ("Carlos Mendes", "David Okafor")]
    woman = person(programme, "Wanjiru Kamau", Role.MENTOR, topics=["Drafting contributions"],
                   gender=Gender.WOMAN)
    return programme, mentees, men, woman


# ---- the rules ---------------------------------------------------------------------------

def test_coordinator_adds_edits_and_deletes_a_quota_each_in_the_audit_trail(
        client, auth, cohort, coordinator):
    programme, *_people = cohort
    auth.login(coordinator(programme))
    base = f"/coordinate/{programme.slug}/quotas"
    empty = text_of(client.get(base))
    assert "No quotas" in empty and "Add a quota" in empty
    form_page = text_of(client.get(f"{base}/new"))
    # Choices are the programme's own regions, topics and the one gender definition.
    assert "Negotiation" in form_page and "ATU" in form_page and "Non-binary" in form_page

    response = client.post(f"{base}/new", data=quota_form())
    assert response.status_code == 302 and response.headers["Location"].endswith(base)
    assert flashes(client) == ["Quota added."]
    assert quota_rows() == [("Women mentors", 50, "percent", True)]
    listing = text_of(client.get(base))
    assert "Women mentors" in listing and "at least 50% of all matched pairs" in listing
    assert "Woman" in listing
    [added] = events("matching.quota_add")
    assert added.after == {"name": "Women mentors", "mentee": {},
                           "mentor": {"gender": "woman"}, "min_share": 0.5}

    quota_id = db.session.scalar(select(MatchingQuota.id))
    edit_page = text_of(client.get(f"{base}/{quota_id}/edit"))
    assert 'value="Women mentors"' in edit_page and 'value="50"' in edit_page
    response = client.post(f"{base}/{quota_id}/edit",
                           data=quota_form(bound="at_most", value="1", unit="count"))
    assert response.status_code == 302
    assert quota_rows() == [("Women mentors", 1, "count", False)]
    [edited] = events("matching.quota_edit")
    assert edited.before["min_share"] == 0.5 and edited.after["max"] == 1

    # Deleting asks first: the GET changes nothing.
    confirm = text_of(client.get(f"{base}/{quota_id}/delete"))
    assert "Delete this quota" in confirm and "at most 1 pair" in confirm
    assert len(quota_rows()) == 1
    response = client.post(f"{base}/{quota_id}/delete")
    assert response.status_code == 302
    assert quota_rows() == []
    [deleted] = events("matching.quota_delete")
    assert deleted.before["name"] == "Women mentors"
    assert "No quotas" in text_of(client.get(base))


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"name": "  "}, "name", "Give the quota a name."),
    ({"value": "150"}, "value", "Give a percentage from 0 to 100."),
    ({"value": "-2", "unit": "count"}, "value", "Give a whole number of pairs, 0 or more."),
    ({"value": "", "unit": "count"}, "value", "Give a whole number of pairs, 0 or more."),
    ({"unit": "count", "value": "2", "of": "group"}, "of",
     "Only a percentage can count against the group of mentees; a number counts pairs."),
])
def test_a_rule_the_engine_refuses_is_shown_on_its_field_with_the_values_kept(
        client, auth, cohort, coordinator, overrides, field, message):
    programme, *_people = cohort
    auth.login(coordinator(programme))
    data = quota_form(name="Cross-region women", cross_region="different", **{
        k: v for k, v in overrides.items() if k != "name"})
    if "name" in overrides:
        data["name"] = overrides["name"]
    response = client.post(f"/coordinate/{programme.slug}/quotas/new", data=data)
    assert response.status_code == 200
    page = text_of(response)
    assert field_error(page, field) == message
    # What she chose is still there to correct.
    assert re.search(r'<input checked[^>]*value="different"', page)
    assert '<option selected value="woman">' in page
    assert quota_rows() == [] and events("matching.quota_add") == []


def test_two_quotas_of_a_programme_cannot_share_a_name(client, auth, cohort, coordinator):
    programme, *_people = cohort
    auth.login(coordinator(programme))
    assert client.post(f"/coordinate/{programme.slug}/quotas/new",
                       data=quota_form()).status_code == 302
    page = text_of(client.post(f"/coordinate/{programme.slug}/quotas/new",
                               data=quota_form(value="10")))
    assert field_error(page, "name") == "Another quota of this programme has this name."
    assert len(quota_rows()) == 1


def test_a_cochair_sees_the_quotas_but_cannot_change_them(client, auth, cohort, coordinator):
    programme, *_people = cohort
    auth.login(coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/quotas/new", data=quota_form())
    quota_id = db.session.scalar(select(MatchingQuota.id))
    auth.logout()
    auth.login(coordinator(programme, "ATU"))
    base = f"/coordinate/{programme.slug}/quotas"
    page = text_of(client.get(base))
    assert "Women mentors" in page and "at least 50% of all matched pairs" in page
    assert "Add a quota" not in page and f"{base}/{quota_id}/edit" not in page
    assert f"{base}/{quota_id}/delete" not in page
    for url in (f"{base}/new", f"{base}/{quota_id}/edit", f"{base}/{quota_id}/delete"):
        assert client.get(url).status_code == 403
    assert client.post(f"{base}/new", data=quota_form(name="Mine")).status_code == 403
    assert client.post(f"{base}/{quota_id}/edit",
                       data=quota_form(value="1")).status_code == 403
    assert client.post(f"{base}/{quota_id}/delete").status_code == 403
    assert quota_rows() == [("Women mentors", 50, "percent", True)]
    assert len(events("matching.quota_add")) == 1
    assert events("matching.quota_edit") == events("matching.quota_delete") == []


# ---- runs --------------------------------------------------------------------------------

def test_a_run_meets_the_quotas_and_the_pairs_page_shows_reached_values_and_their_price(
        client, auth, cohort, coordinator):
    programme, (amina, beatriz), (carlos, _david), woman = cohort
    auth.login(coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/quotas/new", data=quota_form())
    rules = rules_for(programme)
    with_man = score_pair(to_profile(carlos), to_profile(amina), rules).score
    with_woman = score_pair(to_profile(woman), to_profile(amina), rules).score
    assert with_man > with_woman  # she lacks their topic: the quota has a price

    page = client.get(run(client, programme).headers["Location"])
    assert "Matching done" in page.text
    pairs = db.session.scalars(select(Pairing).order_by(Pairing.mentee_id)).all()
    assert sorted(p.mentor_id == woman.id for p in pairs) == [False, True]
    summary = db.session.scalar(select(MatchingRun)).summary
    assert summary["total"] == with_man + with_woman
    assert summary["without_quotas"] == {"matched": 2, "total": 2 * with_man,
                                         "lowest": with_man}
    assert summary["quotas"] == [{"name": "Women mentors", "count": 1, "base": 2, "met": True,
                                  "at_least": True, "value": 50, "unit": "percent",
                                  "of_group": False}]

    text = text_of(client.get(f"/coordinate/{programme.slug}/pairs"))
    assert "“Women mentors”: 1 of 2 (50%), at least 50% of all matched pairs — met" in text
    lost = with_man - with_woman
    share = f"{100 * lost / (2 * with_man):.1f}".rstrip("0").rstrip(".")
    assert (f"The quotas cost {lost} points, {share}% of the total; lowest score {with_man} → "
            f"{with_woman}; matched 2 → 2.") in text


def test_quotas_that_cannot_be_met_refuse_the_run_with_nothing_written_naming_the_rule(
        client, auth, cohort, coordinator):
    programme, *_people = cohort
    auth.login(coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/quotas/new",
                data=quota_form(name="Two women", unit="count", value="2"))
    before = state()
    response = run(client, programme)
    page = text_of(client.get(response.headers["Location"]))
    assert "Some quotas cannot be met, so nothing was changed:" in page
    # One woman mentor with one place: one pair at best.
    assert "“Two women” (at least 2 pairs): at best 1 pair." in page
    assert state() == before and before["runs"] == 0
    job = db.session.scalar(select(Job))
    assert job.status == "failed" and job.error_count == 2
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == 0


def test_a_quota_on_something_no_applicant_has_refuses_the_run(client, auth, cohort,
                                                                 coordinator):
    programme, *_people = cohort
    auth.login(coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/quotas/new",
                data=quota_form(name="Arabic-speaking mentors", mentor_gender="",
                                mentor_language="ar", unit="count", value="1"))
    assert len(quota_rows()) == 1  # Arabic is a language of the programme: nobody speaks it
    before = state()
    page = text_of(client.get(run(client, programme).headers["Location"]))
    assert ("The quota “Arabic-speaking mentors” cannot be counted: no accepted mentor has "
            "its language. Nothing was changed.") in page
    assert state() == before


def test_quotas_are_not_combined_with_the_stable_matching_or_fair_mode(
        client, auth, cohort, coordinator):
    programme, *_people = cohort
    auth.login(coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/quotas/new", data=quota_form())
    assert flashes(client) == ["Quota added."]
    before = state()
    for option in ("stable", "fair"):
        response = run(client, programme, **{option: "y"})
        assert response.headers["Location"].endswith(f"/coordinate/{programme.slug}/matching")
        assert flashes(client) == [
            "The programme's quotas cannot be combined with fair mode or the stable "
            "matching: run without these options, or delete the quotas."]
    assert state() == before


def test_wishes_first_is_not_combined_with_quotas_or_the_stable_matching(
        client, auth, cohort, coordinator):
    """Quotas and the stable matching answer by score alone: with "wishes first" chosen, a
    run is refused instead of quietly ignoring the wishes."""
    programme, *_people = cohort
    programme.matching_objective = "wishes"
    db.session.commit()
    auth.login(coordinator(programme))
    message = ("\"Wishes first\" cannot be combined with the stable matching or with quotas: "
               "choose \"Best total score\" on the settings page, or run without them.")
    before = state()
    run(client, programme, stable="y")
    assert flashes(client) == [message]
    assert state() == before
    client.post(f"/coordinate/{programme.slug}/quotas/new", data=quota_form())
    flashes(client)
    before = state()
    run(client, programme)
    assert flashes(client) == [message]
    assert state() == before


def test_removing_a_topic_a_quota_names_asks_first_and_deletes_the_quota_with_it(
        client, auth, cohort, coordinator, make_user):
    programme, *_people = cohort
    chairing = next(t for t in programme.topics if t.label == "Chairing meetings")
    auth.login(coordinator(programme))
    client.post(f"/coordinate/{programme.slug}/quotas/new",
                data=quota_form(name="Chairs", mentor_gender="", mentee_topic=str(chairing.id),
                                unit="count", value="0", bound="at_most"))
    assert len(quota_rows()) == 1
    auth.logout()
    auth.login(make_user(admin=True))
    edit = f"/admin/programmes/{programme.slug}/edit"
    page = client.post(edit, data=programme_edit_form(programme, remove={chairing.id}))
    assert page.status_code == 200  # nobody chose the topic, yet the admin is asked
    assert ("Remove the topic Chairing meetings? 1 matching quota names it and is deleted "
            "with it.") in text_of(page)
    assert len(quota_rows()) == 1
    response = client.post(edit, data=programme_edit_form(
        programme, remove={chairing.id}, confirm_removal=[f"topic-{chairing.id}"]))
    assert response.status_code == 302
    assert quota_rows() == []


def test_the_refusal_is_written_in_the_language_of_who_started_the_run(
        client, auth, cohort, coordinator):
    programme, *_people = cohort
    auth.login(coordinator(programme, locale="fr"))
    client.post(f"/coordinate/{programme.slug}/quotas/new",
                data=quota_form(name="Women mentors", value="75", of="group"))
    run(client, programme)
    job = db.session.scalar(select(Job))
    assert job.locale == "fr"
    # French writes a space before the percent sign: the job ran in her language.
    [line] = [e["message"] for e in job.errors if "Women mentors" in e["message"]]
    assert re.search(r"75\s%", line) and re.search(r"\(50\s%\)", line)
