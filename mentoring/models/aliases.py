"""Aliases of the models for queries that join a table twice (a pair's mentee and mentor are
both enrolments), built once: SQLAlchemy builds an alias's columns on first use, and on a
list page building fresh aliases for every request cost more than reading its rows."""

from __future__ import annotations

from sqlalchemy.orm import aliased

from .enrolment import Enrolment
from .user import User

#: A pair's mentee, and her user row.
MENTEE = aliased(Enrolment, name="mentee")
MENTEE_USER = aliased(User, name="mentee_user")
#: A pair's mentor.
MENTOR = aliased(Enrolment, name="mentor")
