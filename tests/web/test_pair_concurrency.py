"""Two coordinators approve conflicting pairs at the same moment, on PostgreSQL.

The first approval locks the mentee's and mentor's rows (SELECT ... FOR UPDATE); the second
waits for it, then sees the places taken and gets a clear message. Nothing inconsistent is stored.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text

from mentoring import create_app
from mentoring.extensions import db
from mentoring.models import (
    Enrolment,
    EnrolmentStatus,
    Pairing,
    PairingStatus,
    ProgrammeStatus,
    Role,
    User,
)
from mentoring.permissions import Scope
from mentoring.services import Refused, pairings, programmes
from mentoring.services.enrolments import Application, apply
from tests.conftest import need


@pytest.fixture
def pg_app():
    """An app on a fresh PostgreSQL schema (dropped afterwards)."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        need("the concurrency test needs PostgreSQL in TEST_DATABASE_URL")
    schema = "concurrency_" + uuid.uuid4().hex[:8]
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"{base}{separator}options=-csearch_path%3D"
                                                 f"{schema}",
                      "SECRET_KEY": "x", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "SERVER_NAME": "localhost"})
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def _setup(mentor_capacity: int, *, two_mentees: bool, mentor_first: bool = False) -> dict:
    """A matching programme with proposals that conflict: same mentee, or one place left."""
    admin = User(email="admin@example.org", name="Admin", is_admin=True)
    db.session.add(admin)
    db.session.flush()
    programme = programmes.create(admin, topics=["Negotiation"], name="P", slug="p",
                                  description="", network="", mentor_capacity_default=1,
                                  mentor_capacity_max=4, min_sessions_per_month=1,
                                  default_locale="en")
    programme.status = ProgrammeStatus.MATCHING
    topic = programme.topics[0].id

    def person(name, role, capacity=None):
        user = User(email=f"{name}@example.org", name=name)
        db.session.add(user)
        db.session.flush()
        enrolment = apply(user, programme, role, Application(
            country="KE", languages=["en"], topic_ids=[topic], capacity=capacity,
            organisation=name), source="test")
        enrolment.status = EnrolmentStatus.ACCEPTED
        return enrolment

    if mentor_first:  # the mentor's row comes first in id order
        mentor_a = person("claire", Role.MENTOR, capacity=mentor_capacity)
    mentee = person("amina", Role.MENTEE)
    other = person("leila", Role.MENTEE) if two_mentees else mentee
    if not mentor_first:
        mentor_a = person("claire", Role.MENTOR, capacity=mentor_capacity)
    mentor_b = mentor_a if two_mentees else person("ana", Role.MENTOR, capacity=1)
    first = Pairing(programme_id=programme.id, mentee_id=mentee.id, mentor_id=mentor_a.id,
                    score=800)
    second = Pairing(programme_id=programme.id, mentee_id=other.id, mentor_id=mentor_b.id,
                     score=700)
    db.session.add_all([first, second])
    db.session.commit()
    return {"admin": admin.id, "programme": programme.id, "first": first.id,
            "second": second.id}


def _race(app, ids) -> dict:
    """Approve ``first`` and hold the transaction open while ``second`` tries; then commit."""
    outcome: dict = {}
    first_locked = threading.Event()

    def first():
        with app.app_context():
            admin = db.session.get(User, ids["admin"])
            scope = Scope(db.session.get(programmes.Programme, ids["programme"]))
            pairings.approve(admin, scope, ids["first"])
            first_locked.set()
            time.sleep(0.5)  # the second approval is now waiting on our row locks
            db.session.commit()
            outcome["first"] = "approved"

    def second():
        first_locked.wait(5)
        with app.app_context():
            admin = db.session.get(User, ids["admin"])
            scope = Scope(db.session.get(programmes.Programme, ids["programme"]))
            started = time.perf_counter()
            try:
                pairings.approve(admin, scope, ids["second"])
                db.session.commit()
                outcome["second"] = "approved"
            except Refused as error:
                db.session.rollback()
                outcome["second"] = error.message
            outcome["waited"] = time.perf_counter() - started

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return outcome


def test_two_approvals_for_the_same_mentee_at_once_one_wins(pg_app):
    with pg_app.app_context():
        ids = _setup(mentor_capacity=1, two_mentees=False)
    outcome = _race(pg_app, ids)
    assert outcome["first"] == "approved"
    assert outcome["second"] == "amina already has an approved mentor."
    assert outcome["waited"] >= 0.3  # it really waited for the first one's lock
    with pg_app.app_context():
        live = db.session.scalars(select(Pairing).where(
            Pairing.status == PairingStatus.APPROVED)).all()
        assert [p.id for p in live] == [ids["first"]]
        counts = dict(db.session.execute(select(Enrolment.id, Enrolment.live_pairs)).all())
        assert sum(counts.values()) == 2  # one mentee and one mentor place, nothing more


def test_two_approvals_for_the_last_place_of_a_mentor_one_wins(pg_app):
    with pg_app.app_context():
        ids = _setup(mentor_capacity=1, two_mentees=True)
    outcome = _race(pg_app, ids)
    assert outcome["first"] == "approved"
    assert outcome["second"] == "claire has no place left (capacity: 1)."
    with pg_app.app_context():
        approved = db.session.scalar(select(func.count()).select_from(Pairing).where(
            Pairing.status == PairingStatus.APPROVED))
        assert approved == 1
        mentor = db.session.scalar(select(Enrolment).where(Enrolment.role == Role.MENTOR))
        assert mentor.live_pairs == 1 == mentor.capacity


def test_ending_a_pair_while_a_coordinator_holds_its_mentor_does_not_deadlock(pg_app):
    # Every action takes the two people's rows in id order. Here the mentor applied first (the
    # lower id): an approval for her holds her row and next wants the mentee's. Ending the pair
    # must wait for the mentor's row before it takes the mentee's, or the two would deadlock.
    with pg_app.app_context():
        ids = _setup(mentor_capacity=1, two_mentees=False, mentor_first=True)
        pairing = db.session.get(Pairing, ids["first"])
        mentee_id, mentor_id = pairing.mentee_id, pairing.mentor_id
        assert mentor_id < mentee_id
        pairing.status = PairingStatus.ACTIVE
        pairing.mentee.live_pairs = pairing.mentor.live_pairs = 1
        db.session.commit()
        amina = db.session.scalar(select(User).where(User.name == "amina")).id

    outcome: dict = {}

    def end_pair():
        with pg_app.app_context():
            from mentoring.services import meetings

            user = db.session.get(User, amina)
            meetings.end_early(user, db.session.get(Pairing, ids["first"]), "We moved on.")
            db.session.commit()
            outcome["ended"] = True

    with pg_app.app_context(), db.engine.connect() as other:
        lock = "SELECT id FROM enrolment WHERE id = :id FOR UPDATE"
        other.execute(text(lock), {"id": mentor_id})
        thread = threading.Thread(target=end_pair)
        thread.start()
        deadline = time.monotonic() + 5
        waiting = text("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND wait_event_type = 'Lock'")
        while time.monotonic() < deadline and not other.execute(waiting).scalar():
            time.sleep(0.02)
            other.execute(text("SELECT pg_stat_clear_snapshot()"))  # fresh figures next time
        # The approval goes on to the mentee's row: it is free, so it gets it at once.
        try:
            other.execute(text(lock + " NOWAIT"), {"id": mentee_id})
            outcome["approval"] = "took both rows"
        except Exception as error:  # noqa: BLE001 - the lock the ending took first
            outcome["approval"] = type(error).__name__
        other.rollback()
        thread.join(10)
    assert outcome == {"approval": "took both rows", "ended": True}
    with pg_app.app_context():
        assert db.session.get(Pairing, ids["first"]).status == PairingStatus.ENDED
        assert sum(db.session.scalars(select(Enrolment.live_pairs))) == 0


def test_two_coordinators_running_matching_at_once_get_one_run(pg_app):
    """The second press of "Run matching" is told a run is in progress; no mentee is proposed
    twice, no mentor beyond her places."""
    from mentoring.services import matching

    with pg_app.app_context():
        ids = _setup(mentor_capacity=2, two_mentees=True)
        # Only the run's proposals count: drop the hand-made ones of the setup.
        db.session.execute(text("DELETE FROM pairing"))
        db.session.commit()
    outcome: dict = {}
    first_running = threading.Event()

    def run(name, hold):
        with pg_app.app_context():
            admin = db.session.get(User, ids["admin"])
            scope = Scope(db.session.get(programmes.Programme, ids["programme"]))
            try:
                matching.run(admin, scope)
                first_running.set()
                time.sleep(hold)  # still writing when the other coordinator presses Run
                db.session.commit()
                outcome[name] = "ran"
            except Refused as error:
                db.session.rollback()
                outcome[name] = error.message

    first = threading.Thread(target=run, args=("first", 0.5))
    first.start()
    first_running.wait(10)
    second = threading.Thread(target=run, args=("second", 0))
    second.start()
    for thread in (first, second):
        thread.join(20)
    assert outcome["first"] == "ran"
    assert outcome["second"].startswith("Another matching run for this programme")
    with pg_app.app_context():
        proposed = db.session.execute(select(Pairing.mentee_id, func.count()).where(
            Pairing.status == PairingStatus.PROPOSED).group_by(Pairing.mentee_id)).all()
        assert proposed and all(count == 1 for _mentee, count in proposed)
