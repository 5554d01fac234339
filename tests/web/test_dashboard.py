"""The programme dashboard, its CSV exports, the printable report and the admin overview,
checked against one small hand-made dataset whose every figure is worked out by hand below."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from mentoring.extensions import cache, db
from mentoring.gender import Gender, from_words
from mentoring.models import (
    Confirmation,
    Enrolment,
    EnrolmentLanguage,
    EnrolmentStatus,
    Feedback,
    Meeting,
    MeetingFormat,
    Pairing,
    PairingStatus,
    ProgrammeStatus,
    Role,
    User,
)
from tests.helpers import statements_of_page

#: The dashboard's "today" for every test here (the real clock is patched).
TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
NOTES = "Private plan for the Radio Regulations chapter"
COMMENT = "Private comment about my mentor"
ACCEPTED, SUBMITTED = EnrolmentStatus.ACCEPTED, EnrolmentStatus.SUBMITTED
FEWER = "fewer than 5"
#: A count hidden so that a small one cannot be worked out by subtraction, and a hidden share.
HIDDEN = "not shown"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("mentoring.dashboard.routes.utcnow", lambda: NOW)


# ---- the dataset ---------------------------------------------------------------------------
#
# Accepted mentees (country, gender, languages):
#   m1 KE "Woman" en,es   m2 KE "female" en   m3 KE " WOMAN " en   m4 KE "" en
#   m5 KE "non-binary" en,fr   m6 NG "Woman" en   m7 NG "female" en,fr
#   m8 EG "Woman" ar,en   m9 EG "" ar   m10 FR "female" fr
# Accepted mentors: A KE "man" en; B EG "Woman" ar,fr; C FR "Man" fr,en; D FR "female" fr,en;
#   E NG "male" en
# Others: mentees KE submitted, NG submitted, FR declined, KE withdrawn;
#   mentors FR submitted, EG withdrawn.
# Regions: KE, NG -> ATU; EG -> ASMG; FR -> CEPT.
#
# Pairs (mentee-mentor, status, score):
#   P1 m1-A active 850 (announced 90 days ago): sessions 2026-05-05 60 min confirmed
#      (ratings 5 and 4), 2026-06-10 90 min confirmed (rating 5)
#   P2 m6-E active 720 (90 days ago): session 2026-05-06 (40 days ago) 30 min confirmed
#      (rating 3, and one feedback without a rating)         -> silent
#   P3 m8-B active 430 (announced 20 days ago): no session    -> never met
#   P4 m10-C completed 990: session 2026-05-20 120 min disputed (rating 2)
#   P5 m2-D approved 615;  P6 m5-A ended 95;  not counted: m7-E proposed 500, m3-C rejected 300


def build_dataset(make_programme, make_user, make_enrolment):
    programme = make_programme(status=ProgrammeStatus.RUNNING, name="NOW4WRC27",
                               women_target_percent=50, reminder_interval_days=30)
    people = {}

    def enrol(key, role, country, gender, languages, status=ACCEPTED):
        # The answers as the form's words; "agender" is written in the person's own words.
        user = make_user(f"{key}@example.org", name=f"Person {key}")
        answer, described = from_words(gender)
        people[key] = make_enrolment(programme, user, role=role, status=status, country=country,
                                     gender=answer, gender_self_described=described,
                                     languages=languages)

    mentee, mentor = Role.MENTEE, Role.MENTOR
    enrol("m1", mentee, "KE", "Woman", ["en", "es"])
    enrol("m2", mentee, "KE", "female", ["en"])
    enrol("m3", mentee, "KE", " WOMAN ", ["en"])
    enrol("m4", mentee, "KE", "", ["en"])
    enrol("m5", mentee, "KE", "non-binary", ["en", "fr"])
    enrol("m6", mentee, "NG", "Woman", ["en"])
    enrol("m7", mentee, "NG", "female", ["en", "fr"])
    enrol("m8", mentee, "EG", "Woman", ["ar", "en"])
    enrol("m9", mentee, "EG", "", ["ar"])
    enrol("m10", mentee, "FR", "female", ["fr"])
    enrol("A", mentor, "KE", "man", ["en"])
    enrol("B", mentor, "EG", "Woman", ["ar", "fr"])
    enrol("C", mentor, "FR", "Man", ["fr", "en"])
    enrol("D", mentor, "FR", "female", ["fr", "en"])
    enrol("E", mentor, "NG", "male", ["en"])
    enrol("s1", mentee, "KE", "Woman", ["en"], SUBMITTED)
    enrol("s2", mentee, "NG", "Woman", ["en"], SUBMITTED)
    enrol("s3", mentee, "FR", "Woman", ["fr"], EnrolmentStatus.DECLINED)
    enrol("w1", mentee, "KE", "Woman", ["en"], EnrolmentStatus.WITHDRAWN)
    enrol("s4", mentor, "FR", "man", ["fr"], SUBMITTED)
    enrol("w2", mentor, "EG", "man", ["ar"], EnrolmentStatus.WITHDRAWN)

    def pair(mentee_key, mentor_key, status, score, announced_days_ago=None):
        pairing = Pairing(
            programme_id=programme.id, mentee_id=people[mentee_key].id,
            mentor_id=people[mentor_key].id, status=status, score=score,
            announced_at=NOW - timedelta(days=announced_days_ago) if announced_days_ago else None)
        db.session.add(pairing)
        db.session.flush()
        return pairing

    def meet(pairing, held_on, minutes, confirmation, *ratings):
        meeting = Meeting(pairing_id=pairing.id, author_id=pairing.mentor.user_id,
                          held_on=held_on, duration_minutes=minutes,
                          format=MeetingFormat.VIDEO, notes=NOTES, next_steps=NOTES,
                          confirmation=confirmation)
        db.session.add(meeting)
        db.session.flush()
        for user_id, rating in zip((pairing.mentee.user_id, pairing.mentor.user_id), ratings,
                                   strict=False):
            db.session.add(Feedback(meeting_id=meeting.id, user_id=user_id, rating=rating,
                                    comment=COMMENT))
        return meeting

    active, done = PairingStatus.ACTIVE, Confirmation.CONFIRMED
    p1 = pair("m1", "A", active, 850, 90)
    meet(p1, date(2026, 5, 5), 60, done, 5, 4)
    meet(p1, date(2026, 6, 10), 90, done, 5)
    p2 = pair("m6", "E", active, 720, 90)
    meet(p2, TODAY - timedelta(days=40), 30, done, 3, None)
    pair("m8", "B", active, 430, 20)
    p4 = pair("m10", "C", PairingStatus.COMPLETED, 990, 120)
    meet(p4, date(2026, 5, 20), 120, Confirmation.DISPUTED, 2)
    pair("m2", "D", PairingStatus.APPROVED, 615)
    pair("m5", "A", PairingStatus.ENDED, 95, 100)
    pair("m7", "E", PairingStatus.PROPOSED, 500)
    pair("m3", "C", PairingStatus.REJECTED, 300)
    db.session.commit()
    return SimpleNamespace(programme=programme, people=people)


@pytest.fixture
def data(make_programme, make_user, make_enrolment):
    return build_dataset(make_programme, make_user, make_enrolment)


# ---- reading pages -------------------------------------------------------------------------

class _Tables(HTMLParser):
    """Every table of a page as {"caption": text, "rows": [[cell text, ...], ...]}."""

    def __init__(self):
        super().__init__()
        self.tables, self._open, self._row, self._cell, self._caption = [], [], None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
            self._open.append(self.tables[-1])
        elif tag == "tr" and self._open:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag):
        if tag == "table" and self._open:
            self._open.pop()
        elif tag == "tr" and self._row is not None:
            self._open[-1]["rows"].append(self._row)
            self._row = None
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self._open[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None

    def handle_data(self, data):
        for bucket in (self._cell, self._caption):
            if bucket is not None:
                bucket.append(data)


def tables(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def chart_table(html: str, caption: str) -> list[tuple[str, str]]:
    [table] = [t for t in tables(html) if t["caption"] == caption]
    return [tuple(row) for row in table["rows"]]


def at_a_glance(html: str) -> dict[str, list[str]]:
    table = tables(html)[0]
    return {row[0]: row[1:] for row in table["rows"]}


def get_csv(client, slug, name):
    response = client.get(f"/coordinate/{slug}/dashboard/{name}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# ---- the programme coordinator's dashboard ------------------------------------------------

FUNNEL_MENTEES = [("applied", "13"), ("accepted", "10"), ("matched", "6"), ("at work", "3"),
                  ("completed", "1")]
FUNNEL_MENTORS = [("applied", "6"), ("accepted", "5"), ("matched", "5"), ("at work", "3"),
                  ("completed", "1")]


def test_every_chart_shows_the_hand_computed_figures(data, coordinator, auth, client):
    coordinator(data.programme, email="coord@example.org")
    auth.login("coord@example.org")
    html = page(client, f"/coordinate/{data.programme.slug}/dashboard")

    assert chart_table(html, "Mentees at each stage") == FUNNEL_MENTEES
    assert chart_table(html, "Mentors at each stage") == FUNNEL_MENTORS
    # Women among those who gave a gender: mentees 7 of 8 (87.5% would tell that 1 is not a
    # woman), mentors 2 of 5: neither share is shown, so no chart of nothing either.
    assert "Women's share among mentees and mentors" not in html
    assert "The shares are not shown: they would reveal counts under 5." in html
    assert chart_table(html, "Participants by gender") == [
        ("women", "9"), ("men", FEWER), ("other", FEWER), ("not given", FEWER)]
    assert chart_table(html, "Accepted participants by region") == [
        ("ASMG", "3"), ("ATU", "9"), ("CEPT", "3")]
    # Only Kenya can be counted; Egypt, France and Nigeria (3 each) together make 9.
    assert chart_table(html, "Accepted participants by country, top 15") == [
        ("Kenya", "6"), ("other countries (3)", "9")]
    assert chart_table(html, "Accepted participants by working language") == [
        ("English", "12"), ("French", "6"), ("Arabic", "3"), ("Spanish", "1")]
    # Scores 95, 430, 615, 720, 850, 990 (proposed and rejected pairs do not count).
    assert chart_table(html, "Pairs by score") == [
        ("0–99", "1"), ("100–199", "0"), ("200–299", "0"), ("300–399", "0"), ("400–499", "1"),
        ("500–599", "0"), ("600–699", "1"), ("700–799", "1"), ("800–899", "1"),
        ("900–1000", "1")]
    assert "6 pairs; lowest score 95, mean 616.7 (of 1000)." in html
    # May: 60 + 30 + 120 minutes; June: 90 minutes.
    assert chart_table(html, "Sessions per month") == [("May 2026", "3"), ("Jun 2026", "1")]
    assert chart_table(html, "Hours per month") == [("May 2026", "3.5"), ("Jun 2026", "1.5")]

    glance = at_a_glance(html)
    assert glance["Figure"] == ["Programme"]
    assert glance == {
        "Figure": ["Programme"],
        "Accepted mentees": ["10"], "Accepted mentors": ["5"], "Pairs at work": ["3"],
        "Sessions logged": ["4"],
        "Pairs with a session in the last 30 days": ["33.3%"],  # P1 of P1, P2, P3
        "Pairs that never met": ["1"],  # P3, announced 20 days ago
        "Silent pairs": ["1"],  # P2, last session 40 days ago (interval 30)
        "Sessions confirmed": ["75%"],  # 3 of 4
        "Average feedback (1–5)": ["3.8"],  # (5 + 4 + 5 + 3 + 2) / 5
        "Women among mentees": [HIDDEN], "Women among mentors": [HIDDEN],
    }


def test_figures_from_the_service(data):
    from mentoring.permissions import Scope
    from mentoring.services import dashboard as figures

    board = figures.build(Scope(data.programme), TODAY)
    assert board.funnel.rows == {
        "mentee": {"applied": 13, "accepted": 10, "matched": 6, "active": 3, "completed": 1},
        "mentor": {"applied": 6, "accepted": 5, "matched": 5, "active": 3, "completed": 1}}
    assert board.gender.counts == {"women": {"mentee": 7, "mentor": 2},
                                   "men": {"mentor": 3}, "other": {"mentee": 1},
                                   "not given": {"mentee": 2}}
    assert figures.women_share(board.gender, "mentee") == 87.5
    assert figures.women_share(board.gender, "mentor") == 40.0
    assert board.region.counts == {"ATU": {"mentee": 7, "mentor": 2},
                                   "ASMG": {"mentee": 2, "mentor": 1},
                                   "CEPT": {"mentee": 1, "mentor": 2}}
    assert board.country.labels == ["Kenya", figures.OTHER]
    assert (board.country.grouped, board.country.total(figures.OTHER)) == (3, 9)
    assert board.language.counts["English"] == {"mentee": 8, "mentor": 4}
    assert board.quality.histogram == [1, 0, 0, 0, 1, 0, 1, 1, 1, 1]
    assert (board.quality.lowest, board.quality.mean, board.quality.pairs) == (95, 616.7, 6)
    a = board.activity
    assert a.months == [("2026-05", 3, 3.5), ("2026-06", 1, 1.5)]
    assert (a.active_pairs, a.met_last_30, a.never_met, a.silent) == (3, 1, 1, 1)
    assert (a.sessions, a.confirmed, a.rating) == (4, 3, 3.8)
    assert (a.met_share, a.confirmation_rate) == (33.3, 75.0)


def test_each_region_counts_its_own_mentors_and_mentees_at_every_stage(data):
    # Pairs may cross regions (m2 of ATU with D of CEPT): each side counts in its own region,
    # so no stage ever holds more people than the region has.
    from mentoring.permissions import Scope
    from mentoring.services import dashboard as figures

    regions = {r.code: r for r in data.programme.regions}
    atu = figures.funnel(Scope(data.programme, regions["ATU"])).rows
    assert atu["mentor"] == {"applied": 2, "accepted": 2, "matched": 2, "active": 2,
                             "completed": 0}  # A and E; not D, the mentor of m2
    assert atu["mentee"] == {"applied": 9, "accepted": 7, "matched": 4, "active": 2,
                             "completed": 0}  # m1, m2, m5, m6
    cept = figures.funnel(Scope(data.programme, regions["CEPT"])).rows
    assert cept["mentor"] == {"applied": 3, "accepted": 2, "matched": 2, "active": 0,
                              "completed": 1}  # C (completed with m10) and D (approved, m2)
    assert cept["mentee"] == {"applied": 2, "accepted": 1, "matched": 1, "active": 0,
                              "completed": 1}  # m10
    for rows in (atu, cept):
        for role in ("mentee", "mentor"):
            assert rows[role]["matched"] <= rows[role]["accepted"]


def test_csv_exports_carry_the_same_numbers_with_small_counts_hidden(data, coordinator, auth,
                                                                       client):
    coordinator(data.programme, email="coord@example.org")
    auth.login("coord@example.org")
    slug = data.programme.slug
    assert get_csv(client, slug, "funnel") == [
        ["stage", "mentees", "mentors"], ["applied", "13", "6"], ["accepted", "10", "5"],
        ["matched", "6", "5"], ["active", "3", "3"], ["completed", "1", "1"]]
    # Region and language are not suppressed, whatever the count.
    assert get_csv(client, slug, "region") == [
        ["region", "mentees", "mentors"], ["ASMG", "2", "1"], ["ATU", "7", "2"],
        ["CEPT", "1", "2"]]
    assert get_csv(client, slug, "language") == [
        ["language", "mentees", "mentors"], ["English", "8", "4"], ["French", "3", "3"],
        ["Arabic", "2", "1"], ["Spanish", "1", "0"]]
    # Gender and country: 1 to 4 shown as "fewer than 5", 5 and more as the number, unless
    # the page's totals would give a hidden count away: the chart shows 9 women, so women
    # mentees (7) are not shown either, else 9 - 7 = 2 women mentors.
    assert get_csv(client, slug, "gender") == [
        ["gender", "mentees", "mentors"], ["women", HIDDEN, FEWER], ["men", "0", FEWER],
        ["other", FEWER, "0"], ["not given", FEWER, "0"]]
    # Kenya 6 = 5 mentees + 1 mentor: hiding 5 alone would leave it as 10 accepted mentees
    # minus the other countries' 5, so both mentee cells are hidden.
    assert get_csv(client, slug, "country") == [
        ["country", "mentees", "mentors"], ["Kenya", HIDDEN, FEWER],
        ["other countries (3)", HIDDEN, FEWER]]
    assert get_csv(client, slug, "scores") == [
        ["score_from", "score_to", "pairs"], ["0", "99", "1"], ["100", "199", "0"],
        ["200", "299", "0"], ["300", "399", "0"], ["400", "499", "1"], ["500", "599", "0"],
        ["600", "699", "1"], ["700", "799", "1"], ["800", "899", "1"], ["900", "1000", "1"]]
    assert get_csv(client, slug, "months") == [
        ["month", "sessions", "hours"], ["2026-05", "3", "3.5"], ["2026-06", "1", "1.5"]]
    response = client.get(f"/coordinate/{slug}/dashboard/funnel.csv")
    assert f'filename="{slug}-funnel.csv"' in response.headers["Content-Disposition"]
    assert client.get(f"/coordinate/{slug}/dashboard/people.csv").status_code == 404
    assert client.get(f"/coordinate/{slug}/dashboard/ratings.csv").status_code == 404


def test_suppression_counts_the_boundary_of_five(make_programme, make_user, make_enrolment,
                                                 coordinator, auth, client):
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    for number in range(9):  # 5 Kenyan women, 4 Egyptian women, all mentees
        make_enrolment(programme, make_user(), country="KE" if number < 5 else "EG",
                       gender=Gender.WOMAN, status=ACCEPTED)
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    html = page(client, f"/coordinate/{programme.slug}/dashboard")
    assert chart_table(html, "Accepted participants by country, top 15") == [("Kenya", "5")]
    assert "1 other country is not shown, to keep small numbers private." in html
    assert chart_table(html, "Participants by gender") == [("women", "9")]
    # 9 of 9 mentees are women (nobody to reveal); no mentor, no share.
    assert chart_table(html, "Women's share among mentees and mentors") == [("Mentees", "100%")]
    assert get_csv(client, programme.slug, "country")[1:] == [["Kenya", "5", "0"],
                                                              ["other country (1)", FEWER, "0"]]


def test_the_report_shows_the_same_figures_and_no_private_text(data, coordinator, auth,
                                                               client):
    coordinator(data.programme, email="coord@example.org")
    auth.login("coord@example.org")
    dashboard = page(client, f"/coordinate/{data.programme.slug}/dashboard")
    report = page(client, f"/coordinate/{data.programme.slug}/report")
    assert "Report of" in report
    assert chart_table(report, "Mentees at each stage") == FUNNEL_MENTEES
    assert at_a_glance(report) == at_a_glance(dashboard)
    for html in (dashboard, report):
        assert NOTES not in html
        assert COMMENT not in html
    for name in ("funnel", "region", "country", "language", "gender", "scores", "months"):
        text = client.get(f"/coordinate/{data.programme.slug}/dashboard/{name}.csv").data
        assert NOTES.encode() not in text and COMMENT.encode() not in text


# ---- region scope and access -------------------------------------------------------------

def test_regional_co_chair_sees_her_region_beside_the_whole_programme(data, coordinator, auth,
                                                                      client):
    coordinator(data.programme, region_code="ATU", email="cochair@example.org")
    auth.login("cochair@example.org")
    slug = data.programme.slug
    html = page(client, f"/coordinate/{slug}/dashboard")
    assert at_a_glance(html) == {
        "Figure": ["Region ATU", "Whole programme"],
        "Accepted mentees": ["7", "10"], "Accepted mentors": ["2", "5"],
        "Pairs at work": ["2", "3"], "Sessions logged": ["3", "4"],
        "Pairs with a session in the last 30 days": ["50%", "33.3%"],
        "Pairs that never met": ["0", "1"], "Silent pairs": ["1", "1"],
        "Sessions confirmed": ["100%", "75%"],
        "Average feedback (1–5)": ["4.25", "3.8"],  # (5 + 4 + 5 + 3) / 4
        # 5 of 6 who gave a gender, 7 of 8: the one who is not a woman would show.
        "Women among mentees": [HIDDEN, HIDDEN],
        "Women among mentors": [HIDDEN, HIDDEN],  # 0 of 2, 2 of 5
    }
    # The charts are her region's only; pairs count in the mentee's region.
    assert chart_table(html, "Mentees at each stage") == [
        ("applied", "9"), ("accepted", "7"), ("matched", "4"), ("at work", "2"),
        ("completed", "0")]
    assert chart_table(html, "Accepted participants by region") == [("ATU", "9")]
    # Nigeria (3) alone cannot be shown, nor grouped.
    assert chart_table(html, "Accepted participants by country, top 15") == [("Kenya", "6")]
    assert "1 other country is not shown, to keep small numbers private." in html
    assert chart_table(html, "Sessions per month") == [("May 2026", "2"), ("Jun 2026", "1")]
    assert "4 pairs; lowest score 95, mean 570 (of 1000)." in html  # 850, 720, 615, 95
    assert "Egypt" not in html and "France" not in html
    assert get_csv(client, slug, "region") == [["region", "mentees", "mentors"],
                                               ["ATU", "7", "2"]]
    assert get_csv(client, slug, "months")[1:] == [["2026-05", "2", "1.5"],
                                                   ["2026-06", "1", "1.5"]]
    report = page(client, f"/coordinate/{slug}/report")
    assert "region ATU" in report
    assert at_a_glance(report) == at_a_glance(html)


def test_who_may_see_the_dashboard(data, make_programme, coordinator, auth, client):
    slug = data.programme.slug
    urls = [f"/coordinate/{slug}/dashboard", f"/coordinate/{slug}/report",
            f"/coordinate/{slug}/dashboard/funnel.csv"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]

    coordinator(make_programme(status=ProgrammeStatus.RUNNING), email="other@example.org")
    auth.login("other@example.org")
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    auth.logout()

    auth.login("m1@example.org")  # a mentee of the programme
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    auth.logout()
    assert client.get("/coordinate/no-such-programme/dashboard").status_code == 302


# ---- the admin overview ------------------------------------------------------------------

def test_admin_overview_lists_every_programme_but_drafts(data, make_programme, make_user,
                                                          make_enrolment, auth, client,
                                                          monkeypatch):
    closed = make_programme(status=ProgrammeStatus.CLOSED, name="Women in Cyber 2026")
    make_enrolment(closed, make_user(), status=ACCEPTED, gender=Gender.WOMAN)
    make_programme(status=ProgrammeStatus.DRAFT, name="Draft cycle")
    make_user("root@example.org", admin=True)
    auth.login("root@example.org")
    monkeypatch.setattr("mentoring.admin.routes.utcnow", lambda: NOW)
    html = page(client, "/admin/dashboard")
    rows = tables(html)[0]["rows"]
    assert rows[0][:4] == ["Programme", "Status", "Applied", "Accepted"]
    by_name = {row[0]: row[2:] for row in rows[1:]}
    assert set(by_name) == {"NOW4WRC27", "Women in Cyber 2026"}
    assert by_name["NOW4WRC27"] == ["19", "15", "3", "1", "4", "33.3%", "87.5%",
                                    "40% (target 50%)", "616.7"]
    assert by_name["Women in Cyber 2026"] == ["1", "1", "0", "0", "0", "—", "100%", "—", "—"]
    assert "Draft cycle" not in html

    auth.logout()
    auth.login("m1@example.org")
    assert client.get("/admin/dashboard").status_code == 403


# ---- charts --------------------------------------------------------------------------------

def test_every_chart_is_an_image_with_title_description_and_a_table(data, coordinator, auth,
                                                                    client):
    coordinator(data.programme, email="coord@example.org")
    auth.login("coord@example.org")
    html = page(client, f"/coordinate/{data.programme.slug}/dashboard")
    svgs = re.findall(r"<svg([^>]*)>(.*?)</svg>", html, re.S)
    assert len(svgs) == 9  # the women's share has no chart: both shares are hidden
    captions = {t["caption"] for t in tables(html)}
    for attrs, body in svgs:
        assert 'role="img"' in attrs
        chart = re.search(r'aria-labelledby="([\w-]+)-title \1-desc"', attrs).group(1)
        title = re.search(rf'<title id="{chart}-title">(.*?)</title>', body).group(1)
        assert title.strip()
        assert re.search(rf'<desc id="{chart}-desc">\S.*?</desc>', body)
        assert title.replace("&#39;", "'") in captions
    assert html.count("Show the data as a table") == 9


def _bars(markup) -> list[tuple[float, float]]:
    return [(float(x), float(w)) for x, w in
            re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', str(markup))]


def test_bars_are_mirrored_right_to_left(app):
    rows = [("Kenya", 10), ("Egypt", None), ("France", 4)]
    with app.test_request_context():
        charts = app.jinja_env.get_template("_macros/charts.html").module
        ltr = charts.hbar("c", "Title", "Desc", rows, rtl=False, target=5)
        rtl = charts.hbar("c", "Title", "Desc", rows, rtl=True, target=5)
        ltr_columns = charts.columns("k", "Title", "Desc", [("a", 1), ("b", 3)], rtl=False)
        rtl_columns = charts.columns("k", "Title", "Desc", [("a", 1), ("b", 3)], rtl=True)
    width = 640
    assert len(_bars(ltr)) == len(_bars(rtl)) == 2  # the suppressed row has no bar
    for (x_ltr, w_ltr), (x_rtl, w_rtl) in zip(_bars(ltr), _bars(rtl), strict=True):
        assert w_ltr == w_rtl > 0
        assert x_rtl == pytest.approx(width - (x_ltr + w_ltr))
    target = r'<line x1="([\d.]+)"'
    assert float(re.search(target, str(rtl)).group(1)) == pytest.approx(
        width - float(re.search(target, str(ltr)).group(1)))
    # Labels sit at the start side: left in LTR, right in RTL.
    label = r'<text x="([\d.]+)"[^>]*class="chart-label">Kenya<'
    assert float(re.search(label, str(ltr)).group(1)) < width / 2
    assert float(re.search(label, str(rtl)).group(1)) > width / 2
    # Columns run the other way: the first month is rightmost in RTL.
    assert [w for _, w in _bars(ltr_columns)] == [w for _, w in _bars(rtl_columns)]
    first_ltr, second_ltr = (x for x, _ in _bars(ltr_columns))
    first_rtl, second_rtl = (x for x, _ in _bars(rtl_columns))
    assert first_ltr < second_ltr and first_rtl > second_rtl
    assert first_rtl == pytest.approx(second_ltr) and second_rtl == pytest.approx(first_ltr)


def test_a_long_run_of_months_writes_every_other_month_under_the_columns(app):
    # 14 labels of 9 characters ("sept. 2026" has 10): at 11 px about 65 units, in columns of 44:
    # every second month is written under its column, and every month is in the table.
    rows = [(f"m{n:02d} 2026.", n) for n in range(14)]
    with app.test_request_context():
        charts = app.jinja_env.get_template("_macros/charts.html").module
        markup = str(charts.columns("months", "Sessions per month", "Desc", rows))
    written = re.findall(r'class="chart-label chart-axis-label">([^<]*)<', markup)
    assert written == [label for label, _ in rows[::2]]
    assert chart_table(markup, "Sessions per month") == [(label, str(n)) for label, n in rows]


# ---- the number of queries ----------------------------------------------------------------

def _count_queries(client, url) -> tuple[int, int]:
    """Queries of the page with its figures computed (an empty cache), then from the cache."""
    cache.clear()
    return statements_of_page(client, url)[0], statements_of_page(client, url)[0]


COUNTRIES = ["KE", "NG", "EG", "FR", "BR", "IN", "RU", "GH", "SN", "MA", "DE", "IT", "AR",
             "MX", "JP", "CN", "KZ", "ZA", "TN", "ES"]


def _add_many(programme, count=60, meetings=200):
    """Bulk-add participants in 20 countries, pairs and sessions over six months."""
    regions = {code: programme.region_for_country(code) for code in COUNTRIES}
    users = [User(email=f"bulk{n}@example.org", name=f"Bulk {n}") for n in range(count)]
    db.session.add_all(users)
    db.session.flush()
    enrolments = []
    for n, user in enumerate(users):
        role = Role.MENTOR if n % 3 == 0 else Role.MENTEE
        country = COUNTRIES[n % len(COUNTRIES)]
        enrolments.append(Enrolment(
            programme_id=programme.id, user_id=user.id, role=role, status=ACCEPTED,
            country=country, region_id=regions[country].id if regions[country] else None,
            gender=[Gender.WOMAN, Gender.MAN, None, Gender.WOMAN, Gender.NON_BINARY][n % 5],
            capacity=3 if role == Role.MENTOR else None,
            languages=[EnrolmentLanguage(code=c) for c in (["en", "zh", "ru", "es"][n % 4],)]))
    db.session.add_all(enrolments)
    db.session.flush()
    mentors = [e for e in enrolments if e.role == Role.MENTOR]
    mentees = [e for e in enrolments if e.role == Role.MENTEE]
    pairs = [Pairing(programme_id=programme.id, mentee_id=mentee.id,
                     mentor_id=mentors[n % len(mentors)].id, status=PairingStatus.ACTIVE,
                     score=100 + n * 20, announced_at=NOW - timedelta(days=150))
             for n, mentee in enumerate(mentees)]
    db.session.add_all(pairs)
    db.session.flush()
    db.session.add_all(Meeting(pairing_id=pairs[n % len(pairs)].id, held_on=TODAY - timedelta(
        days=n % 180), duration_minutes=30 + n % 60, format=MeetingFormat.PHONE,
        confirmation=Confirmation.CONFIRMED if n % 2 else Confirmation.PENDING)
        for n in range(meetings))
    db.session.commit()


def test_the_number_of_queries_does_not_grow_with_the_data(data, coordinator, auth, client):
    coordinator(data.programme, email="coord@example.org")
    coordinator(data.programme, region_code="ATU", email="cochair@example.org")
    url = f"/coordinate/{data.programme.slug}/dashboard"
    auth.login("coord@example.org")
    small = _count_queries(client, url)
    auth.logout()
    auth.login("cochair@example.org")
    small_regional = _count_queries(client, url)
    auth.logout()

    _add_many(data.programme)
    auth.login("coord@example.org")
    large = _count_queries(client, url)
    html = page(client, url)
    # Each bulk country has 3 people: only KE, EG, FR and NG can be counted.
    assert [label for label, _ in chart_table(html, "Accepted participants by country, top 15")
            ] == ["Kenya", "Egypt", "France", "Nigeria", "other countries (16)"]
    assert at_a_glance(html)["Accepted mentees"] == ["50"]  # 10 + 40
    auth.logout()
    auth.login("cochair@example.org")
    large_regional = _count_queries(client, url)
    assert (large, large_regional) == (small, small_regional)
    # The figures alone take 9 aggregate queries per scope: counting works; from the cache
    # they take one (the programme's revision).
    (computed, cached), (computed_regional, cached_regional) = small, small_regional
    assert computed >= 9 and computed_regional >= computed + 9
    assert cached <= computed - 8 and cached_regional <= computed_regional - 16


def test_never_met_and_silent_count_from_the_announcement_day(make_programme, make_user,
                                                              make_enrolment):
    from mentoring.permissions import Scope
    from mentoring.services import dashboard as figures

    programme = make_programme(status=ProgrammeStatus.RUNNING, reminder_interval_days=30)
    for days in (3, 13, 14, 29, 30):  # announced that many days ago, never met
        mentee = make_enrolment(programme, make_user(), status=ACCEPTED)
        mentor = make_enrolment(programme, make_user(), role=Role.MENTOR, status=ACCEPTED)
        db.session.add(Pairing(programme_id=programme.id, mentee_id=mentee.id,
                               mentor_id=mentor.id, status=PairingStatus.ACTIVE, score=500,
                               announced_at=NOW - timedelta(days=days)))
    db.session.commit()
    activity = figures.activity(Scope(programme), TODAY)
    assert activity.active_pairs == 5
    assert activity.never_met == 3  # 14, 29 and 30 days
    assert activity.silent == 1  # 30 days: the reminder interval
    assert activity.met_share == 0.0


# ---- months without sessions ---------------------------------------------------------------

def _pair_meeting_in(programme, make_user, make_enrolment, days: list[tuple[date, int]]):
    mentee = make_enrolment(programme, make_user(), status=ACCEPTED)
    mentor = make_enrolment(programme, make_user(), role=Role.MENTOR, status=ACCEPTED)
    pairing = Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor.id,
                      status=PairingStatus.COMPLETED, score=500,
                      announced_at=datetime(2026, 3, 1, tzinfo=UTC))
    db.session.add(pairing)
    db.session.flush()
    for held_on, minutes in days:
        db.session.add(Meeting(pairing_id=pairing.id, author_id=mentor.user_id, held_on=held_on,
                               duration_minutes=minutes, format=MeetingFormat.PHONE,
                               confirmation=Confirmation.CONFIRMED))
    db.session.commit()


def test_a_month_without_sessions_shows_as_zero_between_the_first_and_the_last(
        make_programme, make_user, make_enrolment, coordinator, auth, client):
    programme = make_programme(status=ProgrammeStatus.CLOSED)
    # March: one hour; April: nothing; May: 90 + 30 minutes.
    _pair_meeting_in(programme, make_user, make_enrolment,
                     [(date(2026, 3, 10), 60), (date(2026, 5, 12), 90), (date(2026, 5, 30), 30)])
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    html = page(client, f"/coordinate/{programme.slug}/dashboard")

    assert chart_table(html, "Sessions per month") == [
        ("Mar 2026", "1"), ("Apr 2026", "0"), ("May 2026", "2")]
    assert chart_table(html, "Hours per month") == [
        ("Mar 2026", "1"), ("Apr 2026", "0"), ("May 2026", "2")]
    assert get_csv(client, programme.slug, "months") == [
        ["month", "sessions", "hours"], ["2026-03", "1", "1.0"], ["2026-04", "0", "0.0"],
        ["2026-05", "2", "2.0"]]


def test_a_running_programme_shows_every_month_up_to_this_one(make_programme, make_user,
                                                               make_enrolment):
    from mentoring.permissions import Scope
    from mentoring.services import dashboard as figures

    programme = make_programme(status=ProgrammeStatus.RUNNING)
    _pair_meeting_in(programme, make_user, make_enrolment,
                     [(date(2025, 11, 28), 60), (date(2026, 2, 3), 30)])
    # Across the new year, and on to April although nobody met since February.
    assert figures.activity(Scope(programme), date(2026, 4, 2)).months == [
        ("2025-11", 1, 1.0), ("2025-12", 0, 0.0), ("2026-01", 0, 0.0), ("2026-02", 1, 0.5),
        ("2026-03", 0, 0.0), ("2026-04", 0, 0.0)]
    # No session at all: no months.
    empty = make_programme(status=ProgrammeStatus.RUNNING)
    assert figures.activity(Scope(empty), date(2026, 4, 2)).months == []


# ---- one definition of "silent" and "never met" ------------------------------------------

def test_dashboard_counts_activity_page_and_reminders_agree_at_the_boundaries(
        make_programme, make_user, make_enrolment, coordinator, auth, client, monkeypatch):
    from mentoring.services.reminders import send_reminders

    monkeypatch.setattr("mentoring.pairs_at_work.routes.utcnow", lambda: NOW)
    programme = make_programme(status=ProgrammeStatus.RUNNING, reminder_interval_days=30)
    # (mentee, announced at, last session); today is 15 June, the reminder interval 30 days.
    cases = [
        ("Announced today", NOW, None),
        ("Announced 13 days ago", NOW - timedelta(days=13), None),
        ("Announced 14 days ago, late at night", datetime(2026, 6, 1, 23, 59, tzinfo=UTC), None),
        ("Announced 30 days ago", NOW - timedelta(days=30), None),
        ("Met 29 days ago", NOW - timedelta(days=90), TODAY - timedelta(days=29)),
        ("Met 30 days ago", NOW - timedelta(days=90), TODAY - timedelta(days=30)),
        ("Met today", NOW - timedelta(days=90), TODAY),
    ]
    for name, announced_at, last in cases:
        mentee = make_enrolment(programme, make_user(name=name), status=ACCEPTED)
        mentor = make_enrolment(programme, make_user(), role=Role.MENTOR, status=ACCEPTED)
        pairing = Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor.id,
                          status=PairingStatus.ACTIVE, score=500, announced_at=announced_at)
        db.session.add(pairing)
        db.session.flush()
        if last:
            db.session.add(Meeting(pairing_id=pairing.id, author_id=mentor.user_id, held_on=last,
                                   duration_minutes=60, format=MeetingFormat.VIDEO))
    db.session.commit()
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    slug = programme.slug

    def listed(only):
        html = page(client, f"/coordinate/{slug}/activity?only={only}")
        return sorted(row[0] for table in tables(html)
                      if table["caption"] == "Announced pairs and their sessions"
                      for row in table["rows"][1:])

    never_met = ["Announced 14 days ago, late at night", "Announced 30 days ago"]
    silent = ["Announced 30 days ago", "Met 30 days ago"]
    assert listed("never-met") == never_met
    assert listed("silent") == silent
    glance = at_a_glance(page(client, f"/coordinate/{slug}/dashboard"))
    assert glance["Pairs that never met"] == [str(len(never_met))]
    assert glance["Silent pairs"] == [str(len(silent))]
    # The reminders go to the same pairs: a pair that never met gets that reminder only.
    sent = send_reminders(TODAY)
    assert (sent.never_met, sent.silent) == (2, 1)


# ---- issue #15: empty charts, countries, shares and differences, months ------------------

def test_a_programme_without_sessions_says_so_instead_of_drawing_empty_charts(
        make_programme, make_user, make_enrolment, coordinator, auth, client):
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    make_enrolment(programme, make_user(), status=ACCEPTED, country="KE")
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    html = page(client, f"/coordinate/{programme.slug}/dashboard")
    assert "No sessions logged yet." in html
    captions = {t["caption"] for t in tables(html)}
    assert "Sessions per month" not in captions and "Hours per month" not in captions
    assert 'id="months-title"' not in html and 'id="hours-title"' not in html


def _people(programme, make_user, make_enrolment, countries: dict[str, int], role=Role.MENTEE,
            gender=Gender.WOMAN):
    for country, count in countries.items():
        for _ in range(count):
            make_enrolment(programme, make_user(), role=role, status=ACCEPTED, country=country,
                           gender=gender)


@pytest.mark.parametrize(("countries", "rows", "sentence"), [
    # 15 countries of 1 to 4: nothing to draw, one sentence.
    ({code: 1 + n % 4 for n, code in enumerate(COUNTRIES[:15])}, None,
     "15 countries are not shown, to keep small numbers private."),
    # Kenya 6; seven countries of 1 make 7: one line for them.
    ({"KE": 6, **dict.fromkeys(["EG", "FR", "NG", "BR", "IN", "GH", "SN"], 1)},
     [("Kenya", "6"), ("other countries (7)", "7")], None),
    # Kenya 6, Nigeria 2, Egypt 1: the other 3 would be a small count, so no line.
    ({"KE": 6, "NG": 2, "EG": 1}, [("Kenya", "6")],
     "2 other countries are not shown, to keep small numbers private."),
])
def test_the_country_chart_draws_only_what_it_can_count(
        make_programme, make_user, make_enrolment, coordinator, auth, client, countries, rows,
        sentence):
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    _people(programme, make_user, make_enrolment, countries)
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    html = page(client, f"/coordinate/{programme.slug}/dashboard")
    captions = {t["caption"] for t in tables(html)}
    if rows is None:
        assert "Accepted participants by country, top 15" not in captions
        assert 'id="country-title"' not in html
    else:
        assert chart_table(html, "Accepted participants by country, top 15") == rows
    if sentence:
        assert sentence in html
    assert FEWER not in str(chart_table(html, "Accepted participants by country, top 15")
                            if rows else "")


def test_no_hidden_gender_count_can_be_worked_out_from_what_is_shown(
        make_programme, make_user, make_enrolment, coordinator, auth, client):
    """The issue's case, by hand: mentors 2 women and 3 men, mentees 10 women and 5 men.

    Shown around the gender table: accepted mentees 15 and mentors 5 (the headline), and each
    gender's total in the chart: women 12, men 8.
    - 2 and 3 are small: "fewer than 5". But 12 - 10 = 2 and 8 - 5 = 3 would give them back,
      so the mentees' cells are hidden too ("not shown"); hiding 10 alone would not do, as
      15 - 5 = 10. With 10 and 5 hidden, 12 = ? + 2, 8 = ? + 3 and 15 = ? + ? have many
      answers (9 + 3 and 6 + 2, ...): nothing can be worked out.
    - Women among mentors, 2 of 5 (40%), would give the 2 back: hidden. Women among mentees,
      10 of 15, would give back the hidden 10: hidden too.
    """
    from mentoring.permissions import Scope
    from mentoring.services import dashboard as figures

    programme = make_programme(status=ProgrammeStatus.RUNNING)
    for role, gender, count in [(Role.MENTEE, Gender.WOMAN, 10), (Role.MENTEE, Gender.MAN, 5),
                                (Role.MENTOR, Gender.WOMAN, 2), (Role.MENTOR, Gender.MAN, 3)]:
        _people(programme, make_user, make_enrolment, {"KE": count}, role=role, gender=gender)
    board = figures.by_gender(Scope(programme))
    assert [(label, board.figure(label, "mentee"), board.figure(label, "mentor"),
             board.figure(label)) for label in board.labels] == [
        ("women", figures.HIDDEN, None, 12), ("men", figures.HIDDEN, None, 8)]
    assert figures.shown_women_share(board, "mentee") == figures.HIDDEN
    assert figures.shown_women_share(board, "mentor") == figures.HIDDEN

    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    html = page(client, f"/coordinate/{programme.slug}/dashboard")
    glance = at_a_glance(html)
    assert (glance["Accepted mentees"], glance["Accepted mentors"]) == (["15"], ["5"])
    assert glance["Women among mentors"] == [HIDDEN]
    assert glance["Women among mentees"] == [HIDDEN]
    assert chart_table(html, "Participants by gender") == [("women", "12"), ("men", "8")]
    assert get_csv(client, programme.slug, "gender") == [
        ["gender", "mentees", "mentors"], ["women", HIDDEN, FEWER], ["men", HIDDEN, FEWER]]


def test_the_rule_hides_a_second_cell_only_where_subtraction_would_tell():
    from mentoring.services.dashboard import HIDDEN, SMALL, protect

    # One row, its total shown: a + b = 9 with b = 2 small.
    assert protect({"a": 7, "b": 2, "t": 9}, [(["a", "b"], "t")]) == {"b": SMALL, "a": HIDDEN}
    # Two small cells already hide each other; zeros are shown.
    assert protect({"a": 7, "b": 2, "c": 3, "d": 0, "t": 12},
                   [(["a", "b", "c", "d"], "t")]) == {"b": SMALL, "c": SMALL}
    # The only other cell is 0: it is hidden, so 2 + 0 cannot be told from 1 + 1.
    assert protect({"a": 2, "b": 0}, [(["a", "b"], None)]) == {"a": SMALL, "b": HIDDEN}
    # A cell nobody can name (the countries grouped as "other") needs no protection.
    assert protect({"a": 7, "o": 2, "t": 9}, [(["a", "o"], "t")], anonymous={"o"}) == {
        "o": SMALL}


def _worked_out_by_linear_algebra(hidden, sums) -> set:
    """Independently of the service: the hidden cells fixed in every solution of the sums."""
    import numpy as np
    from scipy.linalg import null_space

    column = {key: n for n, key in enumerate(hidden)}
    rows = []
    for parts, total in sums:
        row = np.zeros(len(column))
        for key in parts:
            if key in column:
                row[column[key]] += 1
        if total in column:
            row[column[total]] -= 1
        rows.append(row)
    free = null_space(np.array(rows)) if column else np.zeros((0, 0))
    return {key for key, n in column.items() if not np.abs(free[n]).max(initial=0) > 1e-9}


def test_no_small_count_of_any_table_can_be_worked_out():
    """300 random tables of 2 to 16 rows (mentees, mentors, total; the columns' sums shown):
    whatever the rule hides, linear algebra finds no small count it could work out, but for
    a table where the page's own totals already tell it (one row)."""
    import random

    from mentoring.services.dashboard import SMALL, protect

    draw = random.Random(15)
    for _ in range(300):
        labels = range(draw.choice([1, 2, 4, 8, 16]))
        cells = {}
        for label in labels:
            cells[(label, "mentee")] = draw.choice([0, 1, 2, 3, 4, 5, 7, 12, 30])
            cells[(label, "mentor")] = draw.choice([0, 1, 2, 3, 4, 6, 9, 40])
            cells[(label, "total")] = cells[(label, "mentee")] + cells[(label, "mentor")]
        sums = [([(label, "mentee"), (label, "mentor")], (label, "total")) for label in labels]
        sums += [([(label, role) for label in labels], None)
                 for role in ("mentee", "mentor", "total")]
        hidden = protect(cells, sums)
        small = {key for key, why in hidden.items() if why == SMALL}
        assert small == {key for key, count in cells.items() if 0 < count < 5}
        told_anyway = _worked_out_by_linear_algebra(list(cells), sums)
        assert not (_worked_out_by_linear_algebra(list(hidden), sums) & small) - told_anyway
        assert len(labels) == 1 or not told_anyway


@pytest.mark.parametrize(("locale", "months"), [
    ("en", ["May 2026", "Jun 2026"]), ("fr", ["mai 2026", "juin 2026"]),
    ("ar", ["مايو 2026", "يونيو 2026"]),
])
def test_months_are_written_in_the_readers_language_and_iso_in_the_csv(
        data, coordinator, auth, client, locale, months):
    coordinator(data.programme, email="coord@example.org", locale=locale)
    auth.login("coord@example.org")
    html = page(client, f"/coordinate/{data.programme.slug}/dashboard")
    all_rows = [[tuple(row) for row in t["rows"]] for t in tables(html)]
    assert [(months[0], "3"), (months[1], "1")] in all_rows  # sessions
    assert "2026-05" not in html
    assert get_csv(client, data.programme.slug, "months")[1:] == [["2026-05", "3", "3.5"],
                                                                  ["2026-06", "1", "1.5"]]
