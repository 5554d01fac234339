"""dashboard revision: a programme's data revision, raised by triggers, for cached figures

Revision ID: 7e3c5a9b2d41
Revises: a7c3e5f9b214
Create Date: 2026-12-02 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

from mentoring.models.revision import drop_statements, trigger_statements

# revision identifiers, used by Alembic.
revision = '7e3c5a9b2d41'
down_revision = 'a7c3e5f9b214'
branch_labels = None
depends_on = None

#: The tables watched then (later migrations add theirs).
TABLES = ("programme", "region", "enrolment", "enrolment_language", "pairing", "meeting",
          "feedback")


def upgrade():
    op.create_table(
        'dashboard_revision',
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.BigInteger(), nullable=False),
        sa.Column('xact', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name=op.f('fk_dashboard_revision_programme_id_programme'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('programme_id', name=op.f('pk_dashboard_revision')),
    )
    # Every programme there is starts at revision 0; the triggers raise it from now on.
    op.execute("INSERT INTO dashboard_revision (programme_id, revision) "
               "SELECT id, 0 FROM programme")
    # Sessions raised this revision until they had a counter of their own (0028).
    for statement in trigger_statements(op.get_bind().dialect.name, TABLES,
                                        sessions_apart=False):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    # On SQLite a later migration's downgrade may have restored (restore_after_batch) the
    # triggers of tables watched later (topic, from 0031): none may outlive the revision.
    for statement in drop_statements(dialect, TABLES if dialect != "sqlite" else None,
                                     new_programme=True):
        op.execute(statement)
    op.drop_table('dashboard_revision')
