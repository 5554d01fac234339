"""The Flask extensions, created unbound and initialised in :func:`mentoring.create_app`."""

import sqlite3

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

#: Named constraints so that Alembic can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
#: The dashboard's computed figures (`services/dashboard.py`), configured in create_app.
cache = Cache()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def _lower(value):
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _sqlite_like_postgresql(dbapi_connection, _record) -> None:
    """Make SQLite behave as PostgreSQL does where it matters: foreign keys are enforced (with
    their ON DELETE rules), and lower() folds every letter, not only ASCII, so that a search for
    "élodie" finds "Élodie"."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
