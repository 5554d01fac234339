"""Mentoring circles on the dashboard and in the programme report (issue #17): circles formed
and proposed, their members by role, region and gender (the dashboard's small-count rule),
their sessions and hours, and the mentees in no circle, against figures worked out by hand;
a co-chair's figures are those of the circles she sees on the circles page."""

from __future__ import annotations

from datetime import date

import pytest

from mentoring.extensions import cache, db
from mentoring.gender import Gender
from mentoring.models import CircleMeeting, CircleStatus, EnrolmentStatus, ProgrammeStatus, Role
from mentoring.services import circles as circle_service
from mentoring.services import dashboard as figures
from mentoring.services.scope import Scope
from tests.web.test_circles import make_circle
from tests.web.test_dashboard import _worked_out_by_linear_algebra, get_csv, page, tables

ACCEPTED = EnrolmentStatus.ACCEPTED
WOMAN, MAN = Gender.WOMAN, Gender.MAN


@pytest.fixture
def data(app, make_programme, make_user, make_enrolment):
    """Two formed circles, seven members, and a proposal:

    - "Spectrum" (all of Africa, ATU): mentor Wanjiru (KE, woman); mentees Amina (KE, woman),
      Zawadi (KE, woman), Neema (TZ, no gender given). Sessions of 60 and 90 minutes.
    - "Bridges" (two regions): mentor Bruno (DE, man, CEPT); mentees Brigitte (FR, woman,
      CEPT) and Esi (GH, woman, ATU). A session of 36 minutes.
    - Proposed: mentor Kofi (GH, man), mentee Ama (GH, woman): no members counted.
    - Accepted mentees in no circle: Lina (KE) and Marie (FR).

    Whole programme: 2 formed, 1 proposed; 2 mentors and 5 mentees; ATU 4 mentees and 1
    mentor, CEPT 1 and 1; women 4 mentees and 1 mentor, men 1 mentor, not given 1 mentee;
    3 sessions, 186 minutes = 3.1 hours; 2 mentees in no circle (Ama's proposal holds her).
    The ATU co-chair: "Spectrum" only (Bridges has CEPT members), 1 mentor and 3 mentees,
    2 sessions, 2.5 hours, 1 mentee in no circle (Lina; Esi is in Bridges). The CEPT
    co-chair: no circle."""
    cache.clear()
    programme = make_programme(status=ProgrammeStatus.RUNNING)

    def person(name, country, gender, role=Role.MENTEE):
        return make_enrolment(programme, make_user(name=name), role=role, status=ACCEPTED,
                              country=country, gender=gender)

    people = {
        "Wanjiru": person("Wanjiru Kamau", "KE", WOMAN, Role.MENTOR),
        "Amina": person("Amina Kariuki", "KE", WOMAN),
        "Zawadi": person("Zawadi Otieno", "KE", WOMAN),
        "Neema": person("Neema Mwangi", "TZ", None),
        "Bruno": person("Bruno Schmidt", "DE", MAN, Role.MENTOR),
        "Brigitte": person("Brigitte Lefevre", "FR", WOMAN),
        "Esi": person("Esi Mensah", "GH", WOMAN),
        "Kofi": person("Kofi Mensah", "GH", MAN, Role.MENTOR),
        "Ama": person("Ama Owusu", "GH", WOMAN),
        "Lina": person("Lina Njeri", "KE", WOMAN),
        "Marie": person("Marie Dubois", "FR", WOMAN),
    }
    spectrum = make_circle(programme, "Spectrum", [people["Wanjiru"]],
                           [people[n] for n in ("Amina", "Zawadi", "Neema")])
    bridges = make_circle(programme, "Bridges", [people["Bruno"]],
                          [people["Brigitte"], people["Esi"]])
    make_circle(programme, "Kofi's circle", [people["Kofi"]], [people["Ama"]],
                status=CircleStatus.PROPOSED)
    for circle, minutes in ((spectrum, 60), (spectrum, 90), (bridges, 36)):
        db.session.add(CircleMeeting(circle_id=circle.id, author_id=circle.members[0].user_id,
                                     held_on=date(2026, 5, 5), duration_minutes=minutes,
                                     notes="Private to the circle"))
    db.session.commit()
    regions = {r.code: r for r in programme.regions}
    return programme, people, regions


def _counts(breakdown: figures.Breakdown) -> dict:
    return {label: breakdown.counts.get(label, {}) for label in breakdown.labels}


def test_figures_are_the_hand_computed_ones(data):
    programme, people, regions = data
    whole = figures.circle_figures(Scope(programme))
    assert (whole.formed, whole.proposed, whole.members("mentor"), whole.members("mentee"),
            whole.meetings, whole.hours, whole.without_circle) == (2, 1, 2, 5, 3, 3.1, 2)
    assert _counts(whole.region) == {"ATU": {"mentee": 4, "mentor": 1},
                                     "CEPT": {"mentee": 1, "mentor": 1}}
    assert _counts(whole.gender) == {"women": {"mentee": 4, "mentor": 1},
                                     "men": {"mentor": 1}, "not given": {"mentee": 1}}
    # Region is not suppressed (as participants by region); every gender count is 1 to 4
    # but the women's five members, which can show: the four small cells hidden lie on one
    # cycle (women-mentee, not given-mentee, not given-total, men-total, men-mentor,
    # women-mentor), so no sum tells any of them.
    assert [whole.region.figure(code, role) for code in ("ATU", "CEPT")
            for role in ("mentee", "mentor", "total")] == [4, 1, 5, 1, 1, 2]
    assert [whole.gender.figure(label, role) for label in ("women", "men", "not given")
            for role in ("mentee", "mentor")] == [None, None, 0, None, None, 0]
    assert [whole.gender.figure(label) for label in ("women", "men", "not given")] \
        == [5, None, None]

    africa = figures.circle_figures(Scope(programme, regions["ATU"]))
    assert (africa.formed, africa.proposed, africa.members("mentor"), africa.members("mentee"),
            africa.meetings, africa.hours, africa.without_circle) == (1, None, 1, 3, 2, 2.5, 1)
    assert _counts(africa.region) == {"ATU": {"mentee": 3, "mentor": 1}}
    europe = figures.circle_figures(Scope(programme, regions["CEPT"]))
    assert (europe.formed, europe.proposed, europe.members("mentee"), europe.meetings) \
        == (0, None, 0, 0)


def test_a_member_of_no_region_still_counts_among_the_members(data):
    """A person's region may be unknown (her country in no region, or the region removed):
    she is in the circle all the same, in its totals, though in no region's row."""
    programme, people, _regions = data
    people["Brigitte"].region_id = None
    db.session.commit()
    whole = figures.circle_figures(Scope(programme))
    assert (whole.members("mentor"), whole.members("mentee")) == (2, 5)
    assert _counts(whole.region) == {"ATU": {"mentee": 4, "mentor": 1},
                                     "CEPT": {"mentor": 1}}


def test_a_co_chair_counts_the_circles_the_circles_page_gives_her(data):
    programme, people, regions = data
    for scope in (Scope(programme), Scope(programme, regions["ATU"]),
                  Scope(programme, regions["CEPT"])):
        seen = circle_service.of_programme(scope)
        board = figures.circle_figures(scope)
        formed = [c for c in seen if c.status == CircleStatus.FORMED]
        assert board.formed == len(formed)
        assert board.members("mentee") + board.members("mentor") == sum(
            len(c.members) for c in formed)


def test_no_small_count_of_the_members_by_gender_can_be_worked_out(data):
    programme, *_ = data
    gender = figures.circle_figures(Scope(programme)).gender
    roles = (*figures.ROLES, "total")
    cells = {(label, role): gender.counts.get(label, {}).get(role, 0)
             for label in gender.labels for role in figures.ROLES}
    cells |= {(label, "total"): gender.total(label) for label in gender.labels}
    sums = [([(label, role) for role in figures.ROLES], (label, "total"))
            for label in gender.labels]
    sums += [([(label, role) for label in gender.labels], None) for role in roles]
    small = {key for key, count in cells.items() if 0 < count < 5}
    assert small and small <= set(gender.hidden)
    assert not _worked_out_by_linear_algebra(list(gender.hidden), sums) & small


def circle_tables(html: str) -> list[list[list[str]]]:
    """The rows of the circles section's tables: the figures, by region, by gender."""
    section = html[html.index('id="h-circles"'):]
    section = section[:section.index("</section>")]
    return [table["rows"] for table in tables("<h2 " + section)]


def test_the_dashboard_shows_the_circles_and_the_csv_carries_them(
        data, coordinator, auth, client):
    programme, people, regions = data
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    html = page(client, f"/coordinate/{programme.slug}/dashboard")
    assert html.index('id="h-group-activities"') < html.index('id="h-circles"')
    glance, by_region, by_gender = circle_tables(html)
    assert glance[1:] == [["Circles formed", "2"], ["Circles proposed, waiting for approval", "1"],
                          ["Mentors in circles", "2"], ["Mentees in circles", "5"],
                          ["Circle sessions logged", "3"], ["Hours in circle sessions", "3.1"],
                          ["Accepted mentees in no circle", "2"]]
    assert by_region == [["Region", "Mentees", "Mentors", "Members"], ["ATU", "4", "1", "5"],
                         ["CEPT", "1", "1", "2"]]
    assert by_gender[1:] == [["women", "fewer than 5", "fewer than 5", "5"],
                             ["men", "0", "fewer than 5", "fewer than 5"],
                             ["not given", "fewer than 5", "0", "fewer than 5"]]
    assert "Private to the circle" not in html
    slug = programme.slug
    assert get_csv(client, slug, "circles") == [
        ["figure", "value"], ["formed", "2"], ["proposed", "1"], ["mentors", "2"],
        ["mentees", "5"], ["sessions", "3"], ["hours", "3.1"], ["mentees_in_no_circle", "2"]]
    assert get_csv(client, slug, "circle_regions") == [
        ["region", "mentees", "mentors"], ["ATU", "4", "1"], ["CEPT", "1", "1"]]
    assert get_csv(client, slug, "circle_genders") == [
        ["gender", "mentees", "mentors"], ["women", "fewer than 5", "fewer than 5"],
        ["men", "0", "fewer than 5"], ["not given", "fewer than 5", "0"]]


def test_a_co_chair_sees_her_regions_circles_only(data, coordinator, auth, client):
    programme, people, regions = data
    coordinator(programme, region_code="ATU", email="cochair@example.org")
    auth.login("cochair@example.org")
    slug = programme.slug
    html = page(client, f"/coordinate/{slug}/dashboard")
    glance, by_region, _by_gender = circle_tables(html)
    # No proposals (they are the programme coordinators'), no mixed circle, no CEPT member.
    assert glance[1:] == [["Circles formed", "1"], ["Mentors in circles", "1"],
                          ["Mentees in circles", "3"], ["Circle sessions logged", "2"],
                          ["Hours in circle sessions", "2.5"],
                          ["Accepted mentees in no circle", "1"]]
    assert by_region[1:] == [["ATU", "3", "1", "4"]]
    assert get_csv(client, slug, "circles")[1:] == [
        ["formed", "1"], ["mentors", "1"], ["mentees", "3"], ["sessions", "2"],
        ["hours", "2.5"], ["mentees_in_no_circle", "1"]]
    assert get_csv(client, slug, "circle_regions")[1:] == [["ATU", "3", "1"]]
    report = page(client, f"/coordinate/{slug}/report")
    assert circle_tables(report) == circle_tables(html)
    auth.logout()
    coordinator(programme, region_code="CEPT", email="europe@example.org")
    auth.login("europe@example.org")
    for url in (f"/coordinate/{slug}/dashboard", f"/coordinate/{slug}/report"):
        html = page(client, url)
        assert "No mentoring circle formed yet." in html
        assert "Bridges" not in html
    assert get_csv(client, slug, "circle_regions") == [["region", "mentees", "mentors"]]


def test_the_report_has_the_circles_part_as_on_the_dashboard_in_arabic_too(
        data, coordinator, auth, client):
    programme, *_ = data
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    slug = programme.slug
    dashboard = page(client, f"/coordinate/{slug}/dashboard")
    report = page(client, f"/coordinate/{slug}/report")
    assert circle_tables(report) == circle_tables(dashboard)
    part = report[report.index('id="h-circles"') - 300:report.index('id="h-circles"')]
    assert 'class="report-part"' in part
    for name in ("circles", "circle_regions", "circle_genders"):
        assert f"/dashboard/{name}.csv" in report
    arabic = page(client, f"/coordinate/{slug}/report?lang=ar")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "حلقات الإرشاد" in arabic  # "Mentoring circles", the section's heading
    figures_ar = circle_tables(arabic)[0]
    assert [row[1] for row in figures_ar[1:]] == ["2", "1", "2", "5", "3", "3.1", "2"]


def test_a_programme_without_circles_says_so(make_programme, coordinator, auth, client):
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    for url in (f"/coordinate/{programme.slug}/dashboard",
                f"/coordinate/{programme.slug}/report"):
        assert "No mentoring circle formed yet." in page(client, url)
    assert get_csv(client, programme.slug, "circles")[1:3] == [["formed", "0"],
                                                               ["proposed", "0"]]
