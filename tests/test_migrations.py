"""The Alembic migrations build the whole schema from empty, and match the models exactly."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from mentoring import create_app
from mentoring.extensions import db
from mentoring.models._types import render_item
from tests.conftest import need


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
