"""session revision: sessions and their ratings raise a counter of their own, so that the
dashboard's figures that read no session stay cached while pairs log sessions

Revision ID: 0028_session_revision
Revises: 0027_activity_figures
Create Date: 2026-12-02 06:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

from mentoring.models.revision import (
    SESSIONS,
    drop_before_batch,
    drop_statements,
    restore_after_batch,
    trigger_statements,
)

# revision identifiers, used by Alembic.
revision = "0028_session_revision"
down_revision = "0027_activity_figures"
branch_labels = None
depends_on = None


def _triggers(sessions_apart: bool) -> None:
    """The triggers of the sessions' tables, raising ``sessions`` or (before) ``revision``."""
    dialect = op.get_bind().dialect.name
    for statement in (drop_statements(dialect, SESSIONS)
                      + trigger_statements(dialect, SESSIONS, sessions_apart)):
        op.execute(statement)


def upgrade():
    # SQLite adds a column in place (no rebuild: the triggers stay).
    op.add_column("dashboard_revision", sa.Column(
        "sessions", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("dashboard_revision", sa.Column("sessions_xact", sa.BigInteger(),
                                                  nullable=True))
    _triggers(sessions_apart=True)


def downgrade():
    _triggers(sessions_apart=False)
    # Figures cached under the revision alone must not outlive the sessions' counter: a
    # session logged since would not show. Raising the revision makes them stale.
    op.execute("UPDATE dashboard_revision SET revision = revision + sessions + 1")
    # SQLite rebuilds the table, which the other tables' triggers name.
    drop_before_batch(op)
    with op.batch_alter_table("dashboard_revision") as batch_op:
        batch_op.drop_column("sessions_xact")
        batch_op.drop_column("sessions")
    restore_after_batch(op)
