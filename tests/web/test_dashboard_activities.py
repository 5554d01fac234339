"""The dashboard's group activities (issue #17): registrations, attendance rate and feedback
per activity, kind, region and gender, against figures worked out by hand; the gender table
with the dashboard's small-count rule; a co-chair's figures are her region's people; the
cached figures follow every write to activities and registrations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, update

from mentoring.extensions import cache, db
from mentoring.gender import Gender
from mentoring.models import (
    Activity,
    ActivityKind,
    EnrolmentStatus,
    ProgrammeStatus,
    Registration,
    RegistrationStatus,
    Role,
)
from mentoring.models._types import utcnow
from mentoring.services import dashboard as figures
from mentoring.services.scope import Scope
from tests.web.test_dashboard import _worked_out_by_linear_algebra, get_csv, page, tables

ACCEPTED = EnrolmentStatus.ACCEPTED
REGISTERED, WAITING = RegistrationStatus.REGISTERED, RegistrationStatus.WAITING
TODAY = date(2026, 6, 15)


@pytest.fixture
def data(app, make_programme, make_user, make_enrolment):
    """Eight women in Kenya (ATU), three men in France (CEPT); four activities:

    - "Negotiating" (talk, 40 days ago, everyone): W1-W6, M1, M2 registered, M3 waiting;
      W1-W5 and M1 came, W6 and M2 did not; ratings W1 5, W2 4, W3 4, W4 3, W5 5, M1 2.
    - "Drafting" (training, 20 days ago): W1-W7 and M3 registered; attendance not recorded.
    - "Africa circle" (talk, 10 days ago, ATU only): W7 and W8 came; W7 rated 4.
    - "Meet-up" (networking, in 10 days): W1 and M1 registered.
    """
    cache.clear()
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    people = {}
    for n in range(1, 9):
        people[f"W{n}"] = make_enrolment(programme, make_user(), country="KE", status=ACCEPTED,
                                         gender=Gender.WOMAN)
    for n in range(1, 4):
        people[f"M{n}"] = make_enrolment(programme, make_user(), country="FR", status=ACCEPTED,
                                         gender=Gender.MAN, role=Role.MENTOR)
    africa = people["W1"].region
    now = utcnow()

    def activity(title, kind, days, region=None):
        row = Activity(programme_id=programme.id, kind=kind, title=title, timezone="UTC",
                       starts_at=now + timedelta(days=days), duration_minutes=60,
                       region_id=region.id if region else None)
        db.session.add(row)
        db.session.flush()
        return row

    acts = {"talk": activity("Negotiating", ActivityKind.TALK, -40),
            "training": activity("Drafting", ActivityKind.TRAINING, -20),
            "circle": activity("Africa circle", ActivityKind.TALK, -10, africa),
            "meetup": activity("Meet-up", ActivityKind.NETWORKING, 10)}

    def register(key, who, status=REGISTERED, attended=None, rating=None):
        db.session.add(Registration(activity_id=acts[key].id, user_id=people[who].user_id,
                                    status=status, attended=attended, rating=rating))

    ratings = {"W1": 5, "W2": 4, "W3": 4, "W4": 3, "W5": 5, "M1": 2}
    for who in ("W1", "W2", "W3", "W4", "W5", "W6", "M1", "M2"):
        register("talk", who, attended=who not in ("W6", "M2"), rating=ratings.get(who))
    register("talk", "M3", WAITING)
    for who in ("W1", "W2", "W3", "W4", "W5", "W6", "W7", "M3"):
        register("training", who)
    register("circle", "W7", attended=True, rating=4)
    register("circle", "W8", attended=True)
    register("meetup", "W1")
    register("meetup", "M1")
    db.session.commit()
    return programme, people, acts, africa


def _row(figure: figures.Attendance) -> tuple:
    return figure.registered, figure.came, figure.absent, figure.rate, figure.rated, figure.mean


def test_figures_per_activity_kind_region_and_gender_are_the_hand_computed_ones(data):
    programme, people, acts, africa = data
    board = figures.group_activities(Scope(programme))
    # Latest first; the waiting list is not counted; the rate counts recorded attendance.
    assert [(row.title, row.kind, _row(row.figures)) for row in board.activities] == [
        ("Meet-up", "networking", (2, 0, 0, None, 0, None)),
        ("Africa circle", "talk", (2, 2, 0, 100.0, 1, 4.0)),
        ("Drafting", "training", (8, 0, 0, None, 0, None)),
        ("Negotiating", "talk", (8, 6, 2, 75.0, 6, 3.83)),  # 23 / 6
    ]
    assert {kind: _row(row) for kind, row in board.kinds.items()} == {
        "networking": (2, 0, 0, None, 0, None),
        "talk": (10, 8, 2, 80.0, 7, 3.86),  # 27 / 7
        "training": (8, 0, 0, None, 0, None),
    }
    europe = people["M1"].region
    assert {code: _row(row) for code, row in board.regions.items()} == {
        africa.code: (16, 7, 1, 87.5, 6, 4.17),  # 25 / 6
        europe.code: (4, 1, 1, 50.0, 1, 2.0),
    }
    assert _row(board.total) == (20, 8, 2, 80.0, 7, 3.86)
    # By gender: the men's counts are 1 to 4, so "fewer than 5", and what would give them
    # back (their rate and mean rating) is not shown.
    assert board.gender_labels[:2] == ["women", "men"]
    assert [board.gender_figure("men", what) for what in ("registered", "came", "rated")] \
        == [None, None, None]
    assert board.gender_figure("men", "rate") == figures.HIDDEN
    assert board.gender_figure("men", "mean") == figures.HIDDEN
    # The women's mean (25 / 6) with the kinds' (27 / 7) would tell the man's rating.
    assert board.gender_figure("women", "mean") == figures.HIDDEN
    # With four more ratings from men (5 in all), both means can show.
    board.genders["men"].rated, board.genders["men"].rating_sum = 5, 14
    board.total.rated, board.total.rating_sum = 11, 39
    board.hidden = {}
    assert (board.gender_figure("women", "mean"), board.gender_figure("men", "mean")) \
        == (4.17, 2.8)


def test_no_small_count_of_the_gender_table_can_be_worked_out(data):
    programme, *_ = data
    board = figures.group_activities(Scope(programme))
    groups = figures.STATISTICS_GROUPS
    cells = {(g, part): getattr(board.genders[g], part) for g in groups
             for part in figures.ATTENDANCE}
    cells |= {(g, "total"): board.genders[g].registered for g in groups}
    cells |= {(g, "rated"): board.genders[g].rated for g in groups}
    sums = [([(g, part) for part in figures.ATTENDANCE], (g, "total")) for g in groups]
    sums += [([(g, part) for g in groups], None)
             for part in (*figures.ATTENDANCE, "total", "rated")]
    small = {key for key, count in cells.items() if 0 < count < 5}
    assert small and small <= set(board.hidden)
    assert not _worked_out_by_linear_algebra(list(board.hidden), sums) & small


def test_a_co_chair_counts_her_regions_people_at_the_activities_she_sees(data, make_programme):
    programme, people, acts, africa = data
    europe = people["M1"].region
    mine = figures.group_activities(Scope(programme, europe))
    # Not the Africa circle (another region's activity); only the men's registrations.
    assert [(row.title, _row(row.figures)) for row in mine.activities] == [
        ("Meet-up", (1, 0, 0, None, 0, None)),
        ("Drafting", (1, 0, 0, None, 0, None)),
        ("Negotiating", (2, 1, 1, 50.0, 1, 2.0)),
    ]
    assert list(mine.regions) == [europe.code]
    hers = figures.group_activities(Scope(programme, africa))
    assert [row.title for row in hers.activities] == [
        "Meet-up", "Africa circle", "Drafting", "Negotiating"]
    assert _row(hers.total) == (16, 7, 1, 87.5, 6, 4.17)


def test_the_dashboard_shows_the_tables_and_the_csv_carries_them_formula_safe(
        data, coordinator, auth, client):
    programme, people, acts, africa = data
    acts["meetup"].title = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    html = page(client, f"/coordinate/{programme.slug}/dashboard")
    rows = [row for table in tables(html) for row in table["rows"] if len(row) == 6]
    assert ["Talk", "10", "8", "80%", "7", "3.86"] in rows
    assert ["men", "fewer than 5", "fewer than 5", "not shown", "fewer than 5",
            "not shown"] in rows
    rows = get_csv(client, programme.slug, "activities")
    assert rows[0] == ["activity", "title", "kind", "day", "registered", "came",
                       "attendance_percent", "ratings", "mean_rating"]
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")"
    assert rows[4][1:] == ["Negotiating", "talk", acts["talk"].starts_at.date().isoformat(),
                           "8", "6", "75.0", "6", "3.83"]
    men = next(row for row in get_csv(client, programme.slug, "activity_genders")
               if row[0] == "men")
    assert men == ["men", "fewer than 5", "fewer than 5", "not shown", "fewer than 5",
                   "not shown"]
    assert get_csv(client, programme.slug, "activity_kinds")[1:] == [
        ["networking", "2", "0", "", "0", ""], ["talk", "10", "8", "80.0", "7", "3.86"],
        ["training", "8", "0", "", "0", ""]]


def test_a_programme_without_activities_says_so(make_programme, coordinator, auth, client):
    programme = make_programme(status=ProgrammeStatus.RUNNING)
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    assert "No group activities yet." in page(client, f"/coordinate/{programme.slug}/dashboard")
    assert get_csv(client, programme.slug, "activities") == [
        ["activity", "title", "kind", "day", "registered", "came", "attendance_percent",
         "ratings", "mean_rating"]]


def _attendance_recorded(programme, people, acts):
    db.session.execute(update(Registration).where(Registration.activity_id
                                                  == acts["training"].id).values(attended=True))


def _rated(programme, people, acts):
    db.session.execute(update(Registration).where(
        Registration.activity_id == acts["circle"].id,
        Registration.user_id == people["W8"].user_id).values(rating=1))


def _registered(programme, people, acts):
    db.session.add(Registration(activity_id=acts["meetup"].id, user_id=people["W2"].user_id,
                                status=REGISTERED))


def _renamed(programme, people, acts):
    acts["talk"].title = "Negotiating at WRC"


def _cancelled_with_its_registrations_by_the_database(programme, people, acts):
    db.session.execute(delete(Activity).where(Activity.id == acts["talk"].id))


def _moved_in_time(programme, people, acts):
    acts["circle"].starts_at = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("write", [_attendance_recorded, _rated, _registered, _renamed,
                                   _cancelled_with_its_registrations_by_the_database,
                                   _moved_in_time], ids=lambda write: write.__name__.strip("_"))
def test_cached_figures_follow_every_write_to_activities(data, write):
    programme, people, acts, africa = data
    whole, region = Scope(programme), Scope(programme, africa)
    before = figures.build(whole, TODAY), figures.build(region, TODAY)
    write(programme, people, acts)
    db.session.commit()
    db.session.expire_all()
    after = figures.build(whole, TODAY), figures.build(region, TODAY)
    assert after == (figures.compute(whole, TODAY), figures.compute(region, TODAY))
    assert after[0] != before[0]
