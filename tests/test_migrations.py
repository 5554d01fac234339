"""The Alembic migrations build the whole schema from empty, and match the models exactly."""

from __future__ import annotations

import os
import uuid
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text

from mentoring import create_app
from mentoring.extensions import db
from mentoring.models._types import render_item
from mentoring.models.revision import trigger_names
from tests.conftest import need

#: A programme row as the schema has it from migration 0005 on.
PROGRAMME_SINCE_0005 = (
    "INSERT INTO programme (slug, name, description, network, status, mentor_capacity_default,"
    " mentor_capacity_max, min_sessions_per_month, default_locale, created_at,"
    " women_target_percent, translations) VALUES ('p', 'P', '', '', 'open', 1, 2, 1, 'en',"
    " '2026-01-01', 30, '{}')")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """An empty database: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "empty.sqlite")
        return
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base:
        need("PostgreSQL tests need TEST_DATABASE_URL (postgresql+psycopg://...)")
    schema = "migrations_" + uuid.uuid4().hex[:8]
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_upgrade_from_empty_builds_a_schema_that_matches_the_models(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"user", "programme", "enrolment", "outbox_email", "audit_event", "pairing",
                "matching_run", "forbidden_pair"} <= tables
        checks = {c["name"] for c in inspect(db.engine).get_check_constraints("enrolment")}
        assert "ck_enrolment_live_pairs_within_capacity" in checks
        indexes = {i["name"]: i for i in inspect(db.engine).get_indexes("pairing")}
        assert indexes["uq_pairing_live_mentee"]["unique"]
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_item": render_item})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations differ: {differences}"
        db.engine.dispose()


def test_downgrade_to_empty_and_upgrade_again(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "enrolment" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_upgrading_a_database_with_data_keeps_it(empty_database):
    """Later migrations rebuild tables on SQLite (batch mode): rows must survive, children too."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="c32ac9f6c98f")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO \"user\" (email, name, password_hash, is_admin, locale, timezone,"
                " failed_logins, created_at) VALUES ('a@example.org', 'A', '', false, '', '', 0,"
                " '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO programme (slug, name, description, network, status,"
                " mentor_capacity_default, mentor_capacity_max, min_sessions_per_month,"
                " default_locale, created_at) VALUES ('p', 'P', '', '', 'open', 1, 2, 1, 'en',"
                " '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO enrolment (programme_id, user_id, role, status, country,"
                " organisation, years_experience, itu_meetings, timezone, goals,"
                " region_preference, wants_woman_mentor, gender, consent_at, decision_message,"
                " source, created_at, updated_at) VALUES ((SELECT id FROM programme),"
                " (SELECT id FROM \"user\"), 'mentee', 'submitted', 'KE', '', 1, '', 'UTC', '',"
                " 'none', false, '', '2026-01-01', '', 'form', '2026-01-01', '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO enrolment_language (enrolment_id, code)"
                " VALUES ((SELECT id FROM enrolment), 'en')"))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM enrolment_language")
                                      ).scalar() == 1
            assert connection.execute(text("SELECT live_pairs FROM enrolment")).scalar() == 0
            assert connection.execute(text("SELECT women_target_percent FROM programme")
                                      ).scalar() == 30
            # 0018: nobody is listed until she chooses it; runs put the best total first.
            assert tuple(connection.execute(text("SELECT listed, bio FROM enrolment")).one()
                         ) in ((False, ""), (0, ""))
            assert connection.execute(text("SELECT matching_objective FROM programme")
                                      ).scalar() == "score"
        db.engine.dispose()


def test_upgrade_turns_free_text_genders_into_answers_and_keeps_other_words(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    written = {"a@example.org": "女性", "b@example.org": " Male ", "c@example.org": "",
               "d@example.org": "genderqueer", "e@example.org": "ЖЕНЩИНА"}
    with app.app_context():
        upgrade(revision="5a1c7e2b9d40")
        with db.engine.begin() as connection:
            connection.execute(text(PROGRAMME_SINCE_0005))
            for email, gender in written.items():
                connection.execute(text(
                    "INSERT INTO \"user\" (email, name, password_hash, is_admin, locale,"
                    " timezone, failed_logins, created_at) VALUES (:email, 'A', '', false, '',"
                    " '', 0, '2026-01-01')"), {"email": email})
                connection.execute(text(
                    "INSERT INTO enrolment (programme_id, user_id, role, status, country,"
                    " organisation, years_experience, itu_meetings, timezone, goals,"
                    " region_preference, wants_woman_mentor, gender, consent_at,"
                    " decision_message, source, created_at, updated_at, live_pairs) VALUES"
                    " ((SELECT id FROM programme), (SELECT id FROM \"user\" WHERE email = :email),"
                    " 'mentee', 'submitted', 'KE', '', 1, '', 'UTC', '', 'none', false, :gender,"
                    " '2026-01-01', '', 'form', '2026-01-01', '2026-01-01', 0)"),
                    {"email": email, "gender": gender})
        upgrade()
        with db.engine.connect() as connection:
            answers = {email: (gender, described) for email, gender, described in
                       connection.execute(text(
                           "SELECT u.email, e.gender, e.gender_self_described FROM enrolment e"
                           " JOIN \"user\" u ON u.id = e.user_id"))}
        assert answers == {"a@example.org": ("woman", ""), "b@example.org": ("man", ""),
                           "c@example.org": (None, ""),
                           "d@example.org": ("self_described", "genderqueer"),
                           "e@example.org": ("woman", "")}
        checks = {c["name"] for c in inspect(db.engine).get_check_constraints("enrolment")}
        assert "ck_enrolment_gender" in checks  # the database holds the list of answers
        db.engine.dispose()


def test_upgrade_gives_every_account_its_own_session_token_and_no_pending_email(
        empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="0c6e3a9b5f12")
        with db.engine.begin() as connection:
            for email in ("a@example.org", "b@example.org"):
                connection.execute(text(
                    "INSERT INTO \"user\" (email, name, password_hash, is_admin, locale,"
                    " timezone, failed_logins, created_at) VALUES (:email, 'A', 'hash', false,"
                    " '', '', 0, '2026-01-01')"), {"email": email})
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT email, password_hash, pending_email, session_token FROM \"user\""
                " ORDER BY email")).all()
        assert [(r.email, r.password_hash, r.pending_email) for r in rows] == [
            ("a@example.org", "hash", None), ("b@example.org", "hash", None)]
        tokens = {r.session_token for r in rows}
        assert len(tokens) == 2 and all(len(t) >= 32 for t in tokens)
        db.engine.dispose()


def test_upgrade_keeps_an_account_locked_at_the_time_locked_until_the_same_moment(
        empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="0c6e3a9b5f12")
        with db.engine.begin() as connection:
            for email, until in (("locked@example.org", "2999-01-01 00:00:00+00:00"),
                                 ("free@example.org", None)):
                connection.execute(text(
                    "INSERT INTO \"user\" (email, name, password_hash, is_admin, locale,"
                    " timezone, failed_logins, locked_until, created_at) VALUES (:email, 'A',"
                    " '', false, '', '', 0, :until, '2026-01-01')"),
                    {"email": email, "until": until})
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT email, client, failures FROM sign_in_failure")).all()
        assert [tuple(row) for row in rows] == [("locked@example.org", "", 0)]
        db.engine.dispose()


def test_upgrade_writes_look_alike_addresses_in_their_normal_form_unless_taken(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="0c6e3a9b5f12")
        with db.engine.begin() as connection:
            for email in ["ａｍｉｎａ@example.org", "admin@example.org", "ａdmin@example.org",
                          "claire@example.org"]:
                connection.execute(text(
                    "INSERT INTO \"user\" (email, name, password_hash, is_admin, locale,"
                    " timezone, failed_logins, created_at) VALUES (:email, 'A', '', false, '',"
                    " '', 0, '2026-01-01')"), {"email": email})
        upgrade()
        with db.engine.connect() as connection:
            stored = list(connection.execute(text("SELECT email FROM \"user\" ORDER BY id")
                                             ).scalars())
        assert stored == ["amina@example.org", "admin@example.org", "ａdmin@example.org",
                          "claire@example.org"]
        db.engine.dispose()


def test_dropping_the_unused_sign_in_columns_keeps_accounts_and_their_locks(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="9d4e2a7c1b58")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO \"user\" (email, name, password_hash, is_admin, locale, timezone,"
                " failed_logins, locked_until, created_at, session_token, reminder_emails,"
                " digest_emails) VALUES ('a@example.org', 'Amina', 'hash', false, 'fr', 'UTC',"
                " 3, '2999-01-01 00:00:00+00:00', '2026-01-01', 'token', true, false)"))
            connection.execute(text(
                "INSERT INTO sign_in_failure (email, client, failures, last_failed_at,"
                " locked_until) VALUES ('a@example.org', '', 50, '2026-01-01',"
                " '2999-01-01 00:00:00+00:00')"))
        upgrade()
        columns = {c["name"] for c in inspect(db.engine).get_columns("user")}
        assert "failed_logins" not in columns and "locked_until" not in columns
        read = ("SELECT email, name, password_hash, locale, session_token, digest_emails"
                " FROM \"user\"")
        with db.engine.connect() as connection:
            assert tuple(connection.execute(text(read)).one()) == (
                "a@example.org", "Amina", "hash", "fr", "token", False)
            assert connection.execute(text("SELECT failures FROM sign_in_failure")
                                      ).scalar() == 50

        downgrade(revision="9d4e2a7c1b58")
        with db.engine.connect() as connection:
            assert tuple(connection.execute(text(read)).one()) == (
                "a@example.org", "Amina", "hash", "fr", "token", False)
            assert tuple(connection.execute(text(
                "SELECT failed_logins, locked_until FROM \"user\"")).one()) == (0, None)
        db.engine.dispose()


def _triggers(connection) -> set[str]:
    if connection.dialect.name == "postgresql":
        return set(connection.execute(text(
            "SELECT tgname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid"
            " WHERE relnamespace = current_schema()::regnamespace AND NOT tgisinternal"
        )).scalars())
    return set(connection.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())


def _programme_before_the_revision_then_upgraded() -> None:
    """A programme written before the dashboard's revision existed (0019), then every
    migration run."""
    upgrade(revision="6d2b9e4f1a37")
    with db.engine.begin() as connection:
        connection.execute(text(PROGRAMME_SINCE_0005))
    upgrade()


def test_the_dashboard_revision_starts_for_every_programme_and_its_triggers_survive(
        empty_database):
    """Batch mode rebuilds SQLite tables without their triggers: after every migration the
    dashboard's revision triggers must all be there, or its cached figures would go stale."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        _programme_before_the_revision_then_upgraded()
        with db.engine.begin() as connection:
            assert trigger_names(connection.dialect.name) <= _triggers(connection)
            assert connection.execute(text("SELECT revision FROM dashboard_revision")
                                      ).scalar() == 0
            connection.execute(text("UPDATE programme SET name = 'Q'"))
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT revision FROM dashboard_revision")
                                      ).scalar() == 1
        downgrade(revision="6d2b9e4f1a37")
        with db.engine.connect() as connection:
            assert not {name for name in _triggers(connection) if "dashboard" in name}
        db.engine.dispose()


def test_upgrade_turns_new_partners_only_on_for_existing_programmes(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="6d2b9e4f1a37")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO programme (slug, name, description, network, status,"
                " mentor_capacity_default, mentor_capacity_max, min_sessions_per_month,"
                " default_locale, created_at) VALUES ('p', 'P', '', '', 'running', 1, 2, 1,"
                " 'en', '2026-01-01')"))
        upgrade()
        read = "SELECT slug, status, new_partners_only FROM programme"
        with db.engine.connect() as connection:
            assert tuple(connection.execute(text(read)).one()) == ("p", "running", True)
        downgrade(revision="6d2b9e4f1a37")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT slug FROM programme")).scalar() == "p"
        db.engine.dispose()


def test_mentors_consent_starts_off_and_pairs_approved_before_stay_announceable(
        empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="6d2b9e4f1a37")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO \"user\" (email, name, password_hash, is_admin, locale, timezone,"
                " created_at, session_token) VALUES ('a@example.org', 'A', '', false, '', '',"
                " '2026-01-01', 't1'), ('b@example.org', 'B', '', false, '', '', '2026-01-01',"
                " 't2')"))
            connection.execute(text(
                "INSERT INTO programme (slug, name, description, network, status,"
                " mentor_capacity_default, mentor_capacity_max, min_sessions_per_month,"
                " default_locale, created_at) VALUES ('p', 'P', '', '', 'matching', 1, 2, 1,"
                " 'en', '2026-01-01')"))
            for email, role, capacity in (("a@example.org", "mentee", None),
                                          ("b@example.org", "mentor", 1)):
                connection.execute(text(
                    "INSERT INTO enrolment (programme_id, user_id, role, status, country,"
                    " organisation, years_experience, itu_meetings, timezone, goals,"
                    " region_preference, wants_woman_mentor, consent_at, decision_message,"
                    " source, created_at, updated_at, capacity, live_pairs) VALUES"
                    " ((SELECT id FROM programme), (SELECT id FROM \"user\" WHERE email ="
                    " :email), :role, 'accepted', 'KE', '', 1, '', 'UTC', '', 'none',"
                    " false, '2026-01-01', '', 'form', '2026-01-01', '2026-01-01', :capacity,"
                    " 1)"), {"email": email, "role": role, "capacity": capacity})
            connection.execute(text(
                "INSERT INTO pairing (programme_id, mentee_id, mentor_id, status, locked, score,"
                " parts, alternatives, broken, change, source, override_reason, created_at)"
                " VALUES ((SELECT id FROM programme), (SELECT id FROM enrolment WHERE role ="
                " 'mentee'), (SELECT id FROM enrolment WHERE role = 'mentor'), 'approved',"
                " false, 700, '[]', '[]', '[]', '', 'manual', '', '2026-01-01')"))
        upgrade()
        from mentoring.models import Programme
        from mentoring.services import consent
        from mentoring.services.scope import Scope

        programme = db.session.scalar(select(Programme))
        assert not programme.mentor_consent and programme.consent_deadline is None
        # Turned on afterwards, the pair approved before it is still announced.
        programme.mentor_consent = True
        programme.consent_deadline = date(2999, 1, 1)
        summary = consent.summary(Scope(programme))
        assert (summary.ready, summary.waiting, summary.asked) == (1, 0, 0)
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_0026_keeps_meetings_and_roles_marking_none_as_given_at_application(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="0025_circles")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO \"user\" (email, name, password_hash, is_admin, locale, timezone,"
                " created_at, session_token) VALUES ('a@example.org', 'A', '', false, '', '',"
                " '2026-01-01', 't1')"))
            connection.execute(text(PROGRAMME_SINCE_0005))
            connection.execute(text(
                "INSERT INTO itu_meeting (programme_id, name, starts_on, created_at) VALUES"
                " ((SELECT id FROM programme), 'WRC-23', '2023-11-20', '2026-01-01')"))
            connection.execute(text(
                "INSERT INTO meeting_role (user_id, itu_meeting_id, role, created_at) VALUES"
                " ((SELECT id FROM \"user\"), (SELECT id FROM itu_meeting), 'delegate',"
                " '2026-01-01')"))
        upgrade()
        read = ("SELECT itu_meeting.name, itu_meeting.ends_on, meeting_role.role,"
                " meeting_role.baseline FROM meeting_role JOIN itu_meeting"
                " ON itu_meeting.id = meeting_role.itu_meeting_id")
        with db.engine.connect() as connection:
            name, ends_on, role, baseline = connection.execute(text(read)).one()
        assert (name, ends_on, role, bool(baseline)) == ("WRC-23", None, "delegate", False)
        downgrade(revision="0025_circles")
        with db.engine.connect() as connection:
            assert tuple(connection.execute(text(
                "SELECT itu_meeting.name, meeting_role.role FROM meeting_role JOIN itu_meeting"
                " ON itu_meeting.id = meeting_role.itu_meeting_id")).one()) == (
                "WRC-23", "delegate")
        db.engine.dispose()


def test_writes_to_activities_and_registrations_raise_the_revision_from_0027_on(
        empty_database):
    """The dashboard reads group activities from 0027 on: their writes must raise the
    programme's revision, and going back to 0026 takes those triggers away (only those)."""
    from datetime import UTC, datetime

    from mentoring.models import Activity, ActivityKind, Registration, RegistrationStatus, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        _programme_before_the_revision_then_upgraded()

        def revision() -> int:
            with db.engine.connect() as connection:
                return connection.execute(text("SELECT revision FROM dashboard_revision")
                                          ).scalar()

        user = User(email="a@example.org", name="A")
        user.set_password("a long enough password")
        activity = Activity(programme_id=1, kind=ActivityKind.TALK, title="Talk",
                            starts_at=datetime(2026, 1, 1, tzinfo=UTC), duration_minutes=60)
        db.session.add_all([user, activity])
        db.session.commit()
        assert revision() == 1  # the activity
        db.session.add(Registration(activity_id=activity.id, user_id=user.id,
                                    status=RegistrationStatus.REGISTERED))
        db.session.commit()
        assert revision() == 2
        db.session.remove()
        changes = ("UPDATE activity_registration SET attended = TRUE",
                   "UPDATE activity SET title = 'Another talk'",
                   "UPDATE programme SET name = 'Q'")
        downgrade(revision="0026_outcomes_page")  # raised by 0028's downgrade (below)
        for statement, raised in zip(changes, (0, 0, 1), strict=True):
            before = revision()
            with db.engine.begin() as connection:
                connection.execute(text(statement))
            assert revision() == before + raised, statement
        before = revision()
        upgrade()
        with db.engine.begin() as connection:
            assert trigger_names(connection.dialect.name) <= _triggers(connection)
            connection.execute(text(changes[0]))
        assert revision() == before + 1
        db.engine.dispose()


def test_sessions_raise_their_own_counter_from_0028_on(empty_database):
    """From 0028 a session or its rating raises the programme's ``sessions`` counter and not
    its revision (the figures that read no session stay cached); going back to 0027 makes
    them raise the revision again, and raises it once so that figures cached under the
    revision alone are not read with a session missing."""
    from datetime import date

    from mentoring.models import (
        Enrolment,
        EnrolmentStatus,
        Meeting,
        MeetingFormat,
        Pairing,
        PairingStatus,
        Role,
        User,
    )

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        _programme_before_the_revision_then_upgraded()

        def counters() -> tuple[int, int]:
            with db.engine.connect() as connection:
                return tuple(connection.execute(text(
                    "SELECT revision, sessions FROM dashboard_revision")).one())

        people = []
        for number, role in enumerate((Role.MENTEE, Role.MENTOR)):
            user = User(email=f"p{number}@example.org", name=f"P{number}")
            user.set_password("a long enough password")
            people.append(Enrolment(programme_id=1, user=user, role=role, country="KE",
                                    status=EnrolmentStatus.ACCEPTED))
        pairing = Pairing(programme_id=1, mentee=people[0], mentor=people[1], score=500,
                          status=PairingStatus.ACTIVE)
        db.session.add(pairing)
        db.session.commit()
        revision = counters()[0]
        db.session.add(Meeting(pairing_id=pairing.id, held_on=date(2026, 1, 5),
                               duration_minutes=60, format=MeetingFormat.VIDEO))
        db.session.commit()
        assert counters() == (revision, 1)
        db.session.remove()
        downgrade(revision="0027_activity_figures")

        def revision_only() -> int:
            with db.engine.connect() as connection:
                return connection.execute(text("SELECT revision FROM dashboard_revision")
                                          ).scalar()

        assert revision_only() > revision  # cached figures of before are stale
        revision = revision_only()
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE meeting SET duration_minutes = 90"))
        assert revision_only() == revision + 1
        upgrade()
        with db.engine.begin() as connection:
            assert trigger_names(connection.dialect.name) <= _triggers(connection)
            connection.execute(text("UPDATE meeting SET duration_minutes = 30"))
        assert counters() == (revision + 1, 1)
        db.engine.dispose()


def test_a_name_change_raises_each_of_the_persons_programmes_and_a_sign_in_none(
        empty_database):
    """From 0031 the lists' rows are cached too, and they show a person's name and address:
    changing them raises the revision of every programme she is enrolled in (only those),
    while a sign-in (which writes her row too) raises none. Topics, an application's topics
    and matching runs raise theirs; going back to 0030 takes those triggers away."""
    from mentoring.models import Enrolment, EnrolmentStatus, Programme, Role, Topic, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    with app.app_context():
        _programme_before_the_revision_then_upgraded()
        db.session.add_all([Programme(slug=slug, name=slug) for slug in ("q", "r")])
        user = User(email="a@example.org", name="A")
        user.set_password("a long enough password")
        db.session.add_all([Enrolment(programme_id=programme_id, user=user, role=Role.MENTEE,
                                      country="KE", status=EnrolmentStatus.SUBMITTED)
                            for programme_id in (1, 2)])
        db.session.commit()
        db.session.remove()

        def revisions() -> list[int]:
            with db.engine.connect() as connection:
                return list(connection.execute(text(
                    "SELECT revision FROM dashboard_revision ORDER BY programme_id")).scalars())

        def raised_by(statement: str) -> list[int]:
            before = revisions()
            with db.engine.begin() as connection:
                connection.execute(text(statement))
            return [after - then for after, then in zip(revisions(), before, strict=True)]

        assert raised_by("""UPDATE "user" SET name = 'B'""") == [1, 1, 0]
        assert raised_by("""UPDATE "user" SET email = 'b@example.org'""") == [1, 1, 0]
        assert raised_by("""UPDATE "user" SET last_login_at = '2026-01-02'""") == [0, 0, 0]
        assert raised_by("""UPDATE "user" SET name = 'B'""") == [0, 0, 0]  # unchanged
        db.session.add(Topic(programme_id=3, label="Spectrum"))
        db.session.commit()
        db.session.remove()
        assert raised_by("UPDATE topic SET translations = '{\"fr\": \"Spectre\"}'") == [0, 0, 1]
        assert raised_by("INSERT INTO enrolment_topic (enrolment_id, topic_id, rank)"
                         " SELECT id, 1, 0 FROM enrolment WHERE programme_id = 2") == [0, 1, 0]
        downgrade(revision="0030_circle_figures")
        assert raised_by("""UPDATE "user" SET name = 'C'""") == [0, 0, 0]
        assert raised_by("UPDATE topic SET label = 'Radio'") == [0, 0, 0]
        upgrade()
        with db.engine.connect() as connection:
            assert trigger_names(connection.dialect.name) <= _triggers(connection)
        assert raised_by("""UPDATE "user" SET name = 'D'""") == [1, 1, 0]
        db.engine.dispose()
