"""The programme report (issue #17): the dashboard's, the outcomes page's and the surveys'
figures on one printable page, for the reader's scope, in any of the six languages, with a CSV
of each table; built on the dashboard's hand-made dataset (tests/web/test_dashboard.py) with
ITU roles and a sent survey added."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, gettext

from mentoring.extensions import db
from mentoring.models import ItuMeeting, MeetingRole, MeetingRoleKind, Survey, SurveyResponse
from tests.helpers import statements_of_page
from tests.web.test_dashboard import NOW, build_dataset, page, tables

#: A survey comment: people's own words, never part of the report.
SURVEY_COMMENT = "My mentor was late to every session"
QUESTION = "How useful were the sessions?"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("mentoring.dashboard.routes.utcnow", lambda: NOW)


@pytest.fixture
def data(make_programme, make_user, make_enrolment):
    """The dashboard's dataset, plus:

    ITU roles: at "WRC-27 prep" (1 March 2026) delegates m1, m2, m3, m6, m7 (ATU), m8 (ASMG)
    and m10 (CEPT), all women; at "CPM27-1" (2 February 2026) m8 (ASMG) chaired.
    The mid-programme survey, sent on 1 June 2026, asks one rating and one comment; m1 (ATU)
    rated 5, mentor A (m1's, so ATU) 4, m8 (ASMG) 2, each with a comment.
    """
    found = build_dataset(make_programme, make_user, make_enrolment)
    programme, people = found.programme, found.people
    prep = ItuMeeting(programme_id=programme.id, name="WRC-27 prep", starts_on=date(2026, 3, 1))
    cpm = ItuMeeting(programme_id=programme.id, name="CPM27-1", starts_on=date(2026, 2, 2))
    db.session.add_all([prep, cpm])
    db.session.flush()
    db.session.add_all(
        MeetingRole(user_id=people[key].user_id, itu_meeting_id=prep.id,
                    role=MeetingRoleKind.DELEGATE)
        for key in ("m1", "m2", "m3", "m6", "m7", "m8", "m10"))
    db.session.add(MeetingRole(user_id=people["m8"].user_id, itu_meeting_id=cpm.id,
                               role=MeetingRoleKind.CHAIR))
    survey = Survey(programme_id=programme.id, kind="mid", anonymous=False,
                    sent_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
                    questions=[{"kind": "rating", "text": QUESTION},
                               {"kind": "text", "text": "What would you change?"}])
    db.session.add(survey)
    db.session.flush()
    db.session.add_all(SurveyResponse(survey_id=survey.id, user_id=people[key].user_id,
                                      answers=[rating, f"{SURVEY_COMMENT} ({key})"])
                       for key, rating in (("m1", 5), ("A", 4), ("m8", 2)))
    db.session.commit()
    return found


def get_csv(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def assert_by_role_as_the_csv(client, slug, report):
    """The tables by role carry the dashboard's CSV cells (region, country, gender: mentees and
    mentors), with each row's total; returns them."""
    shown = by_role(report)
    assert [[row[:3] for row in table] for table in shown] == [
        get_csv(client, f"/coordinate/{slug}/dashboard/{name}.csv")[1:]
        for name in ("region", "country", "gender")]
    return shown


def the_three_pages(client, slug):
    return (page(client, f"/coordinate/{slug}/dashboard"),
            page(client, f"/coordinate/{slug}/dashboard/outcomes"),
            page(client, f"/coordinate/{slug}/report"))


ROLE_COLUMNS = ["Mentees", "Mentors", "Total"]


def by_role(report) -> list[list[list[str]]]:
    """The rows of the report's tables of participants by role (region, country, gender)."""
    return [table["rows"][1:] for table in tables(report) if table["rows"][0][1:] == ROLE_COLUMNS]


def assert_same_tables(dashboard, outcomes_page, report):
    """Besides its tables by role, the report's tables are the dashboard's, then the outcomes
    page's, cell for cell, then the surveys' (returned)."""
    on_dashboard, on_outcomes = tables(dashboard), tables(outcomes_page)
    in_report = [table for table in tables(report) if table["rows"][0][1:] != ROLE_COLUMNS]
    assert in_report[:len(on_dashboard)] == on_dashboard
    after = len(on_dashboard) + len(on_outcomes)
    assert in_report[len(on_dashboard):after] == on_outcomes
    return in_report[after:]


def test_a_coordinator_s_report_shows_the_dashboard_outcomes_and_survey_figures(
        data, coordinator, auth, client):
    coordinator(data.programme, email="coord@example.org")
    auth.login("coord@example.org")
    slug = data.programme.slug
    dashboard, outcomes_page, report = the_three_pages(client, slug)
    surveys = assert_same_tables(dashboard, outcomes_page, report)
    region, country, gender = assert_by_role_as_the_csv(client, slug, report)
    # Regions are not suppressed: ASMG m8, m9 and B; ATU m1-m7, A and E; CEPT m10, C and D.
    assert region == [["ASMG", "2", "1", "3"], ["ATU", "7", "2", "9"], ["CEPT", "1", "2", "3"]]
    # Kenya's 1 mentor is small, so its 5 mentees are hidden too (6 - 5 would tell the 1).
    assert country[0] == ["Kenya", "not shown", "fewer than 5", "6"]
    # Delegates at WRC-27 prep: 7 women of 7 who gave a gender, against the target of 50%.
    assert ["WRC-27 prep (Mar 1, 2026)", "Delegate", "7", "100%", "reached"] in [
        row for table in tables(report) for row in table["rows"]]
    assert "CPM27-1" in report
    # 3 answers: their mean could tell one person's answer, so it is not shown.
    assert [table["rows"] for table in surveys] == [[
        ["Question", "Ratings", "Average rating (1–5)"], [QUESTION, "3", "fewer than 5"]]]
    assert "Sent on Jun 1, 2026; 3 answers." in report
    # The heading: the programme, the date, the scope and the language.
    assert "<h1>NOW4WRC27</h1>" in report
    assert "The programme's target: 50% women among mentees and among mentors." in report
    assert "Report of Jun 15, 2026 · Whole programme · in English" in report
    assert get_csv(client, f"/coordinate/{slug}/report/survey-ratings.csv") == [
        ["survey", "question", "responses", "ratings", "mean_rating"],
        ["mid", QUESTION, "3", "3", "fewer than 5"]]
    # The "at a glance" table has its CSV too, with the page's figures (the dashboard's test
    # works them out by hand) and the same hidden shares.
    assert get_csv(client, f"/coordinate/{slug}/dashboard/headline.csv") == [
        ["figure", "value"], ["accepted_mentees", "10"], ["accepted_mentors", "5"],
        ["active_pairs", "3"], ["sessions", "4"], ["met_share", "33.3"], ["never_met", "1"],
        ["silent", "1"], ["confirmation_rate", "75.0"], ["rating", "3.8"],
        ["women_mentees", "not shown"], ["women_mentors", "not shown"]]


def test_a_co_chair_s_report_is_her_region_s_only(data, coordinator, auth, client):
    coordinator(data.programme, region_code="ATU", email="cochair@example.org")
    auth.login("cochair@example.org")
    slug = data.programme.slug
    dashboard, outcomes_page, report = the_three_pages(client, slug)
    surveys = assert_same_tables(dashboard, outcomes_page, report)
    region, _country, _gender = assert_by_role_as_the_csv(client, slug, report)
    assert region == [["ATU", "7", "2", "9"]]
    assert "Report of Jun 15, 2026 · region ATU · in English" in report
    rows = [row for table in tables(report) for row in table["rows"]]
    # Her region's delegates: m1, m2, m3, m6, m7; m8 (ASMG) and her chair are not counted.
    assert ["WRC-27 prep (Mar 1, 2026)", "Delegate", "5", "100%", "reached"] in rows
    assert "CPM27-1" not in report
    assert "Egypt" not in report and "France" not in report
    # m1 and her mentor A (m8's answer is another region's): 2 ratings, no mean.
    assert [table["rows"] for table in surveys] == [[
        ["Question", "Ratings", "Average rating (1–5)"], [QUESTION, "2", "fewer than 5"]]]
    assert get_csv(client, f"/coordinate/{slug}/report/survey-ratings.csv")[1:] == [
        ["mid", QUESTION, "2", "2", "fewer than 5"]]
    assert get_csv(client, f"/coordinate/{slug}/dashboard/headline.csv")[1:3] == [
        ["accepted_mentees", "7"], ["accepted_mentors", "2"]]
    assert get_csv(client, f"/coordinate/{slug}/dashboard/outcomes/women-shares.csv")[1:] == [
        ["WRC-27 prep", "2026-03-01", "delegate", "5", "100.0", "50", "yes"]]


def test_the_report_names_no_one_and_quotes_no_comment(data, coordinator, auth, client):
    coordinator(data.programme, email="coord@example.org")
    auth.login("coord@example.org")
    slug = data.programme.slug
    report = page(client, f"/coordinate/{slug}/report")
    csv_text = client.get(f"/coordinate/{slug}/report/survey-ratings.csv").data.decode()
    for text in (report, csv_text):
        assert SURVEY_COMMENT not in text
        assert "What would you change?" not in text
        assert "Person m" not in text  # the unmatched mentees' names stay on the dashboard


def test_the_report_in_arabic_reads_right_to_left_with_translated_headings(
        app, data, coordinator, auth, client):
    coordinator(data.programme, email="coord@example.org")
    auth.login("coord@example.org")
    report = page(client, f"/coordinate/{data.programme.slug}/report?lang=ar")
    assert '<html lang="ar" dir="rtl">' in report
    with app.test_request_context(), force_locale("ar"):
        headings = [gettext(text) for text in (
            "At a glance", "Participants", "Group activities", "Mentees at each stage")]
    assert not any(heading.isascii() for heading in headings)  # translated indeed
    for heading in headings:
        assert heading in report
    assert "At a glance" not in report
    # The reader's own language otherwise; a language that is not one of the six is refused.
    english = page(client, f"/coordinate/{data.programme.slug}/report")
    assert '<html lang="en" dir="ltr">' in english
    assert client.get(f"/coordinate/{data.programme.slug}/report?lang=de").status_code == 404


def test_the_report_follows_the_reader_s_language_by_default(data, coordinator, auth, client):
    coordinator(data.programme, email="coord@example.org", locale="fr")
    auth.login("coord@example.org")
    report = page(client, f"/coordinate/{data.programme.slug}/report")
    assert '<html lang="fr" dir="ltr">' in report
    assert 'option value="fr" lang="fr" selected' in report


def test_empty_states_without_meetings_or_surveys(make_programme, coordinator, auth, client):
    programme = make_programme()
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    report = html.unescape(page(client, f"/coordinate/{programme.slug}/report"))
    assert "No survey has been sent yet." in report
    assert "No ITU meeting is on the programme's list yet" in report
    assert "No group activities yet." in report
    assert "No mentoring circle formed yet." in report
    assert "No sessions logged yet." in report


def test_a_survey_question_that_looks_like_a_formula_is_defused_in_the_csv(
        data, coordinator, auth, client):
    survey = db.session.query(Survey).one()
    survey.questions = [{"kind": "rating", "text": "=HYPERLINK(\"http://x\")"},
                        survey.questions[1]]
    db.session.commit()
    coordinator(data.programme, email="coord@example.org")
    auth.login("coord@example.org")
    rows = get_csv(client, f"/coordinate/{data.programme.slug}/report/survey-ratings.csv")
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")"


def test_a_participant_or_another_programme_s_coordinator_gets_403(
        data, make_programme, coordinator, auth, client):
    slug = data.programme.slug
    urls = [f"/coordinate/{slug}/report", f"/coordinate/{slug}/report?lang=ar",
            f"/coordinate/{slug}/report/survey-ratings.csv"]
    auth.login("m1@example.org")
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    auth.logout()
    coordinator(make_programme(), email="other@example.org")
    auth.login("other@example.org")
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]


def test_the_report_asks_as_many_statements_for_many_answers_as_for_a_few(
        data, make_enrolment, coordinator, auth, client):
    """The survey figures read no one's name (so no query per answer), and the other figures
    are GROUP BYs: ten more answers and roles add no statement."""
    coordinator(data.programme, email="coord@example.org")
    auth.login("coord@example.org")
    url = f"/coordinate/{data.programme.slug}/report"
    page(client, url)  # the dashboard's figures are cached from here on, in both counts
    before, _ = statements_of_page(client, url)
    survey = db.session.query(Survey).one()
    meeting = db.session.query(ItuMeeting).filter_by(name="CPM27-1").one()
    for rating in (1, 2, 3, 4, 5, 1, 2, 3, 4, 5):
        person = make_enrolment(data.programme)
        db.session.add(SurveyResponse(survey_id=survey.id, user_id=person.user_id,
                                      answers=[rating, SURVEY_COMMENT]))
        db.session.add(MeetingRole(user_id=person.user_id, itu_meeting_id=meeting.id,
                                   role=MeetingRoleKind.DELEGATE))
    db.session.commit()
    page(client, url)
    after, report = statements_of_page(client, url)
    assert "Sent on Jun 1, 2026; 13 answers." in report
    assert after == before


def test_every_table_of_the_report_links_its_csv(data, coordinator, auth, client):
    coordinator(data.programme, email="coord@example.org")
    auth.login("coord@example.org")
    slug = data.programme.slug
    report = page(client, f"/coordinate/{slug}/report")
    links = set(re.findall(r'href="([^"]+\.csv)"', report))
    assert {link.rsplit("/", 1)[1] for link in links} == {
        "headline.csv", "funnel.csv", "gender.csv", "region.csv", "country.csv",
        "language.csv", "scores.csv", "months.csv", "mentee-roles.csv", "women-shares.csv",
        "survey-ratings.csv"}  # no group activity in this programme: no table, no link
    for link in links:
        assert get_csv(client, link)[0]  # a header row at least


# ---- survey means under the small-count rule --------------------------------------------------

def _five_answers_in_africa(data):
    """Three more answers from ATU people of pairs: m6 (3), her mentor E (3), m2 (1). ATU
    now has 5 ratings, 5 + 4 + 3 + 3 + 1 = 16, a mean of 3.2; the programme 6, 18 / 6 = 3."""
    survey = db.session.query(Survey).one()
    db.session.add_all(SurveyResponse(survey_id=survey.id, user_id=data.people[key].user_id,
                                      answers=[rating, ""])
                       for key, rating in (("m6", 3), ("E", 3), ("m2", 1)))
    db.session.commit()


def survey_rows(client, slug) -> tuple[list[str], list[str], str]:
    """The report's survey row, its CSV row and the surveys page's sentence."""
    report = page(client, f"/coordinate/{slug}/report")
    row = next(row for table in tables(report) for row in table["rows"] if row[0] == QUESTION)
    csv_row = get_csv(client, f"/coordinate/{slug}/report/survey-ratings.csv")[1]
    surveys_page = html.unescape(page(client, f"/coordinate/{slug}/surveys"))
    sentence = next(line.strip() for line in re.findall(r"<p>([^<]*)</p>", surveys_page)
                    if "answer" in line and "Sent on" not in line)
    return row, csv_row, sentence


def test_a_co_chair_never_reads_the_mean_of_fewer_than_5_ratings(
        data, coordinator, auth, client):
    coordinator(data.programme, region_code="ATU", email="cochair@example.org")
    auth.login("cochair@example.org")
    slug = data.programme.slug
    row, csv_row, sentence = survey_rows(client, slug)
    # Two ratings in her region (m1 5, A 4): she knows one, the mean would give the other.
    assert row == [QUESTION, "2", "fewer than 5"]
    assert csv_row == ["mid", QUESTION, "2", "2", "fewer than 5"]
    assert sentence.startswith("Fewer than 5 answers: the mean is not shown")
    assert "4.5" not in page(client, f"/coordinate/{slug}/surveys")
    _five_answers_in_africa(data)
    row, csv_row, sentence = survey_rows(client, slug)
    assert row == [QUESTION, "5", "3.2"]
    assert csv_row == ["mid", QUESTION, "5", "5", "3.2"]
    assert sentence == "Mean 3.2 out of 5 from 5 answers"


def test_the_programme_coordinator_reads_every_mean_on_the_surveys_page_not_in_the_report(
        data, coordinator, auth, client):
    coordinator(data.programme, email="coord@example.org")
    auth.login("coord@example.org")
    row, csv_row, sentence = survey_rows(client, data.programme.slug)
    # 3 ratings: she reads every answer (with names) on the surveys page, so its mean stays
    # there; the report goes in front of others.
    assert sentence == "Mean 3.7 out of 5 from 3 answers"  # (5 + 4 + 2) / 3
    assert row == [QUESTION, "3", "fewer than 5"]
    assert csv_row[4] == "fewer than 5"
    _five_answers_in_africa(data)
    row, csv_row, sentence = survey_rows(client, data.programme.slug)
    assert row == [QUESTION, "6", "3"] and csv_row[3:] == ["6", "3.0"]


def test_a_rating_question_nobody_answered_reads_no_answers(data, coordinator, auth, client):
    survey = db.session.query(Survey).one()
    survey.questions = [*survey.questions, {"kind": "rating", "text": "Would you come back?"}]
    db.session.commit()
    coordinator(data.programme, region_code="CEPT", email="cochair@example.org")
    auth.login("cochair@example.org")
    report = page(client, f"/coordinate/{data.programme.slug}/report")
    rows = [row for table in tables(report) for row in table["rows"]]
    # CEPT: m10's pair with C answered nothing; the new question nobody.
    assert [QUESTION, "0", "no answers"] in rows
    assert ["Would you come back?", "0", "no answers"] in rows
    assert get_csv(client, f"/coordinate/{data.programme.slug}/report/survey-ratings.csv"
                   )[1:] == [["mid", QUESTION, "0", "0", ""],
                             ["mid", "Would you come back?", "0", "0", ""]]
