"""The dashboard's figures come from a cache keyed on the programme's data revision, which
database triggers raise at every write: after each kind of write (through the ORM, a bulk
UPDATE, raw SQL or an ON DELETE CASCADE) the figures shown equal a fresh computation, on both
databases, with the in-process cache and with Redis."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update

from mentoring.extensions import cache, db
from mentoring.models import (
    Circle,
    CircleMeeting,
    CircleMember,
    CircleStatus,
    Confirmation,
    ConsentState,
    DashboardRevision,
    EnrolmentLanguage,
    EnrolmentStatus,
    Feedback,
    Meeting,
    MeetingFormat,
    MentorConsent,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeStatus,
    Role,
)
from mentoring.services import consent, enrolments, pair_views, rematch, revision_cache
from mentoring.services import dashboard as figures
from mentoring.services.scope import Scope
from tests.conftest import need
from tests.helpers import sql_statements, statements_of_page
from tests.web.test_dashboard import at_a_glance, page

TODAY = date(2026, 6, 15)
ACCEPTED = EnrolmentStatus.ACCEPTED


@pytest.fixture(params=["in-process", "redis"])
def app_config(request):
    if request.param == "redis":
        url = os.environ.get("TEST_REDIS_URL", "")
        if not url:
            need("Redis tests need TEST_REDIS_URL (redis://...)")
        return {"CACHE_REDIS_URL": url}
    return {}


@pytest.fixture
def data(app, make_programme, make_user, make_enrolment):
    """A running programme: pairs in Africa (ATU) and Europe (CEPT), sessions a few days
    and a few weeks old, one rated, one pending, one application still to decide."""
    cache.clear()
    programme = make_programme(status=ProgrammeStatus.RUNNING, reminder_interval_days=30)
    people = {}
    for name, role, country in (("ke", Role.MENTEE, "KE"), ("ng", Role.MENTEE, "NG"),
                                ("fr", Role.MENTEE, "FR"), ("eg", Role.MENTOR, "EG"),
                                ("de", Role.MENTOR, "DE")):
        people[name] = make_enrolment(programme, make_user(), role=role, country=country,
                                      status=ACCEPTED)
    people["waiting"] = make_enrolment(programme, make_user(), country="KE")
    announced = datetime(2026, 3, 1, tzinfo=UTC)
    pairs = {mentee: Pairing(programme_id=programme.id, mentee_id=people[mentee].id,
                             mentor_id=people[mentor].id, status=PairingStatus.ACTIVE,
                             score=score, announced_at=announced)
             for mentee, mentor, score in (("ke", "eg", 700), ("ng", "eg", 450),
                                           ("fr", "de", 820))}
    db.session.add_all(pairs.values())
    db.session.flush()
    meetings = {}
    for name, pair, days_ago, confirmation in (
            ("recent", "ke", 3, Confirmation.CONFIRMED), ("pending", "ke", 20,
                                                         Confirmation.PENDING),
            ("old", "ng", 20, Confirmation.CONFIRMED), ("fr", "fr", 60, Confirmation.CONFIRMED)):
        meetings[name] = Meeting(pairing_id=pairs[pair].id, held_on=TODAY - timedelta(days_ago),
                                 duration_minutes=60, format=MeetingFormat.VIDEO,
                                 confirmation=confirmation)
    db.session.add_all(meetings.values())
    db.session.flush()
    db.session.add(Feedback(meeting_id=meetings["recent"].id, user_id=people["ke"].user_id,
                            rating=5))
    # A formed circle (DE's mentor and FR's mentee) with a session, and a proposal (EG, NG).
    for key, mentor, mentee, status in (("formed", "de", "fr", CircleStatus.FORMED),
                                        ("proposed", "eg", "ng", CircleStatus.PROPOSED)):
        circle = Circle(programme_id=programme.id, name=key, capacity=4, status=status)
        circle.members = [CircleMember(programme_id=programme.id, enrolment_id=people[p].id,
                                       user_id=people[p].user_id, role=people[p].role)
                          for p in (mentor, mentee)]
        db.session.add(circle)
        db.session.flush()
        meetings[f"circle_{key}"] = circle
    db.session.add(CircleMeeting(circle_id=meetings["circle_formed"].id,
                                 held_on=TODAY - timedelta(days=5), duration_minutes=60))
    db.session.commit()
    africa = next(r for r in programme.regions if r.id == people["ke"].region_id)
    return programme, people, pairs, meetings, africa


def _queries(work) -> int:
    with sql_statements() as sent:
        work()
    return len(sent)


def test_unchanged_figures_come_from_the_cache_in_one_query(data):
    programme, *_ = data
    scope = Scope(programme)
    first = figures.build(scope, TODAY)
    assert _queries(lambda: figures.build(scope, TODAY)) == 1  # the revision
    assert figures.build(scope, TODAY) == first == figures.compute(scope, TODAY)
    assert db.session.scalar(select(DashboardRevision.revision)
                             .where(DashboardRevision.programme_id == programme.id)) > 0


def _new_session(programme, people, pairs, meetings):
    db.session.add(Meeting(pairing_id=pairs["fr"].id, held_on=TODAY - timedelta(days=1),
                           duration_minutes=90, format=MeetingFormat.VIDEO))


def _edited_session(programme, people, pairs, meetings):
    meetings["old"].duration_minutes = 15


def _deleted_session(programme, people, pairs, meetings):
    db.session.delete(meetings["recent"])


def _confirmed_session(programme, people, pairs, meetings):
    meetings["pending"].confirmation = Confirmation.CONFIRMED


def _rated_session(programme, people, pairs, meetings):
    db.session.add(Feedback(meeting_id=meetings["old"].id, user_id=people["ng"].user_id,
                            rating=1))


def _rating_deleted_with_its_session_by_the_database(programme, people, pairs, meetings):
    db.session.execute(delete(Meeting).where(Meeting.id == meetings["recent"].id))


def _pair_completed(programme, people, pairs, meetings):
    pairs["ng"].status = PairingStatus.COMPLETED


def _enrolment_accepted(programme, people, pairs, meetings):
    people["waiting"].status = ACCEPTED


def _pairing_deleted_with_its_sessions_by_the_database(programme, people, pairs, meetings):
    db.session.execute(delete(Pairing).where(Pairing.id == pairs["ke"].id))


def _bulk_update(programme, people, pairs, meetings):
    db.session.execute(update(Meeting).values(duration_minutes=Meeting.duration_minutes + 30))


def _raw_sql(programme, people, pairs, meetings):
    db.session.execute(text("UPDATE pairing SET score = 100 WHERE id = :id"),
                       {"id": pairs["fr"].id})


def _language_added(programme, people, pairs, meetings):
    db.session.add(EnrolmentLanguage(enrolment_id=people["fr"].id, code="ar"))


def _reminder_interval_shortened(programme, people, pairs, meetings):
    programme.reminder_interval_days = 14  # the NG pair, 20 days without a session, is silent


def _moved_to_another_region(programme, people, pairs, meetings):
    people["ng"].region_id = next(r.id for r in programme.regions
                                  if r.id != people["ng"].region_id)


def _circle_formed(programme, people, pairs, meetings):
    circle = Circle(programme_id=programme.id, name="Africa", capacity=4)
    circle.members = [CircleMember(programme_id=programme.id, enrolment_id=people["ke"].id,
                                   user_id=people["ke"].user_id, role=Role.MENTEE)]
    db.session.add(circle)


def _circle_member_added(programme, people, pairs, meetings):
    meetings["circle_formed"].members.append(CircleMember(
        programme_id=programme.id, enrolment_id=people["ke"].id, user_id=people["ke"].user_id,
        role=Role.MENTEE))


def _circle_member_removed(programme, people, pairs, meetings):
    circle = meetings["circle_formed"]
    circle.members.remove(next(m for m in circle.members if m.role == Role.MENTEE))


def _circle_session_logged(programme, people, pairs, meetings):
    db.session.add(CircleMeeting(circle_id=meetings["circle_formed"].id, held_on=TODAY,
                                 duration_minutes=45))


def _circle_sessions_lengthened_in_bulk(programme, people, pairs, meetings):
    db.session.execute(update(CircleMeeting).values(
        duration_minutes=CircleMeeting.duration_minutes + 30))


def _circle_dissolved_with_members_and_sessions_by_the_database(programme, people, pairs,
                                                                 meetings):
    db.session.execute(delete(Circle).where(Circle.id == meetings["circle_formed"].id))


def _proposal_approved(programme, people, pairs, meetings):
    meetings["circle_proposed"].status = CircleStatus.FORMED


def _proposal_discarded(programme, people, pairs, meetings):
    db.session.delete(meetings["circle_proposed"])


#: Writes to circles: the dashboard counts them too (migration 0030_circle_figures).
CIRCLE_WRITES = [_circle_formed, _circle_member_added, _circle_member_removed,
                 _circle_session_logged, _circle_sessions_lengthened_in_bulk,
                 _circle_dissolved_with_members_and_sessions_by_the_database,
                 _proposal_approved, _proposal_discarded]


WRITES = [_new_session, _edited_session, _deleted_session, _confirmed_session, _rated_session,
          _rating_deleted_with_its_session_by_the_database, _pair_completed,
          _enrolment_accepted, _pairing_deleted_with_its_sessions_by_the_database,
          _bulk_update, _raw_sql, _language_added, _reminder_interval_shortened,
          _moved_to_another_region]


@pytest.mark.parametrize("write", WRITES + CIRCLE_WRITES,
                         ids=lambda write: write.__name__.strip("_"))
def test_figures_after_a_write_equal_a_fresh_computation(data, write):
    programme, people, pairs, meetings, africa = data
    whole, region = Scope(programme), Scope(programme, africa)
    before = figures.build(whole, TODAY), figures.build(region, TODAY)
    assert _queries(lambda: figures.build(whole, TODAY)) == 1  # from the cache
    write(*data[:4])
    db.session.commit()
    after = figures.build(whole, TODAY), figures.build(region, TODAY)
    assert after == (figures.compute(whole, TODAY), figures.compute(region, TODAY))
    assert after[0] != before[0]  # the write changed what the dashboard shows


def test_a_new_session_computes_only_the_sessions_figures_again(data):
    """Pairs log sessions all day: a session (or a rating) computes again the figures that
    read sessions, while the others (participants, languages, scores, group activities) stay
    cached; a write to anything else computes them all."""
    programme, *_ = data
    scope = Scope(programme)
    figures.build(scope, TODAY)
    sessions_figures = _queries(lambda: figures.activity(scope, TODAY))
    for write in (_new_session, _rated_session, _enrolment_accepted):
        write(*data[:4])
        db.session.commit()
        assert programme.created_at  # the programme's row read again after the commit
        queries = _queries(lambda: figures.build(scope, TODAY))
        if write is _enrolment_accepted:
            assert queries > 1 + sessions_figures
        else:
            assert queries == 1 + sessions_figures, write.__name__
        assert figures.build(scope, TODAY) == figures.compute(scope, TODAY)


def test_a_co_chairs_figures_stay_her_regions(data):
    programme, people, pairs, meetings, africa = data
    whole, region = Scope(programme), Scope(programme, africa)
    everyone, hers = figures.build(whole, TODAY), figures.build(region, TODAY)
    assert hers == figures.compute(region, TODAY) != everyone
    assert hers.activity.sessions == 3 and everyone.activity.sessions == 4  # not FR's
    # A write in another region changes the programme's figures, not hers.
    _new_session(*data[:4])
    db.session.commit()
    assert figures.build(region, TODAY) == hers
    assert figures.build(whole, TODAY).activity.sessions == 5


def test_figures_follow_the_day(data):
    programme, *_ = data
    scope = Scope(programme)
    today = figures.build(scope, TODAY)
    later = figures.build(scope, TODAY + timedelta(days=40))
    assert later == figures.compute(scope, TODAY + timedelta(days=40))
    assert (today.activity.silent, later.activity.silent) == (1, 3)  # FR: 60 days ago


def test_a_transaction_that_wrote_neither_reads_nor_fills_the_cache(data):
    programme, people, pairs, meetings, _africa = data
    scope = Scope(programme)
    before = figures.build(scope, TODAY)
    _new_session(*data[:4])
    db.session.flush()
    unsaved = figures.build(scope, TODAY)
    assert unsaved.activity.sessions == 5 and unsaved == figures.compute(scope, TODAY)
    db.session.rollback()
    assert figures.build(scope, TODAY) == before == figures.compute(scope, TODAY)


def test_a_deleted_programme_takes_its_revision_along(data, make_programme):
    programme, *_ = data
    other = make_programme(status=ProgrammeStatus.RUNNING)
    assert figures.build(Scope(other), TODAY) == figures.compute(Scope(other), TODAY)
    db.session.execute(delete(Programme).where(Programme.id == programme.id))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(DashboardRevision)) == 1
    assert figures.build(Scope(other), TODAY) == figures.compute(Scope(other), TODAY)


def test_the_page_shows_a_new_session_at_once(data, coordinator, auth, client, monkeypatch):
    programme, *_ = data
    monkeypatch.setattr("mentoring.dashboard.routes.utcnow",
                        lambda: datetime(2026, 6, 15, 12, tzinfo=UTC))
    coordinator(programme, email="coord@example.org")
    auth.login("coord@example.org")
    url = f"/coordinate/{programme.slug}/dashboard"
    computed = statements_of_page(client, url)[0]
    cached = statements_of_page(client, url)[0]
    assert cached <= computed - 9
    assert at_a_glance(page(client, url))["Sessions logged"] == ["4"]
    _new_session(*data[:4])
    db.session.commit()
    assert at_a_glance(page(client, url))["Sessions logged"] == ["5"]


def test_a_cache_that_does_not_answer_only_costs_time(data, monkeypatch):
    programme, *_ = data

    def down(*_args, **_kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    scope = Scope(programme)
    assert figures.build(scope, TODAY) == figures.compute(scope, TODAY)


def _list_counts(scope):
    """The counts above the pairs and applications lists, as the pages read them."""
    waiting = rematch.summary(scope)
    return (pair_views.status_counts(scope), enrolments.status_counts(scope),
            (waiting.count, waiting.since), sorted(consent.counts(scope), key=str))


def _fresh_list_counts(scope):
    found = rematch.waiting(scope)
    passed = consent.deadline_passed(scope.programme)
    return (pair_views._status_counts(scope), enrolments._status_counts(scope),
            (len(found), found[0].since if found else None),
            sorted(consent._counts(scope, passed), key=str))


def _pair_approved_and_its_mentor_asked(programme, people, pairs, meetings):
    pairs["fr"].status = PairingStatus.APPROVED
    db.session.add(MentorConsent(pairing_id=pairs["fr"].id, programme_id=programme.id,
                                 state=ConsentState.ASKED))


def _mentor_answered(programme, people, pairs, meetings):
    """A consent answered by raw SQL (no ORM event): the pair's status is unchanged."""
    db.session.execute(text("UPDATE mentor_consent SET state = 'accepted'"))


def _consent_deadline_passed(programme, people, pairs, meetings):
    programme.consent_deadline = TODAY - timedelta(days=400)


@pytest.mark.parametrize("write", [*WRITES, _pair_approved_and_its_mentor_asked],
                         ids=lambda write: write.__name__.strip("_"))
def test_the_lists_counts_after_a_write_equal_a_fresh_count(data, write):
    """The pairs page's counts by status and of the waiting mentees, and the applications
    page's counts by role and status, come from the cache under the same revision."""
    programme, people, pairs, meetings, africa = data
    scopes = Scope(programme), Scope(programme, africa)
    before = [_list_counts(scope) for scope in scopes]
    assert [_list_counts(scope) for scope in scopes] == before  # now from the cache
    write(*data[:4])
    db.session.commit()
    after = [_list_counts(scope) for scope in scopes]
    assert after == [_fresh_list_counts(scope) for scope in scopes]
    if write in (_enrolment_accepted, _pair_completed, _pair_approved_and_its_mentor_asked):
        assert after != before  # a mentee waits / a pair is no longer active / is asked


def test_the_consent_counts_follow_the_deadline_and_answers(data, monkeypatch):
    """The deadline passing, and a mentor's answer written behind the ORM's back, change the
    consent counts above the pairs list: never read stale from the cache."""
    programme, people, pairs, meetings, _africa = data
    programme.mentor_consent = True
    _pair_approved_and_its_mentor_asked(*data[:4])
    db.session.commit()
    scope = Scope(programme)

    def fresh():
        with monkeypatch.context() as uncached:
            uncached.setattr(revision_cache, "revision", lambda _programme_id: None)
            return consent.summary(scope)

    seen = [consent.summary(scope)]
    for write in (_consent_deadline_passed, _mentor_answered):
        write(*data[:4])
        db.session.commit()
        seen.append(consent.summary(scope))
        assert seen[-1] == fresh()
    assert [(view.asked, view.lapsed, view.accepted, view.ready) for view in seen] == [
        (1, 0, 0, 0), (0, 1, 0, 1), (0, 0, 1, 1)]


def test_the_lists_counts_come_from_the_cache(data):
    programme, *_ = data
    scope = Scope(programme)
    _list_counts(scope)
    # One query each (the programme's revision) instead of each count's own.
    assert _queries(lambda: pair_views.status_counts(scope)) == 1
    assert _queries(lambda: enrolments.status_counts(scope)) == 1
