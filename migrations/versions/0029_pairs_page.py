"""pairs page: an index on (programme, score, id) for the pairs page's order, and mentors'
consents watched by the revision's triggers (the page's consent counts are cached under it)

Revision ID: 0029_pairs_page
Revises: 0028_session_revision
Create Date: 2026-12-02 07:10:00.000000

"""
from alembic import op

from mentoring.models.revision import drop_statements, trigger_statements

# revision identifiers, used by Alembic.
revision = "0029_pairs_page"
down_revision = "0028_session_revision"
branch_labels = None
depends_on = None

#: The table this migration starts watching.
TABLES = ("mentor_consent",)


def upgrade():
    # An index and triggers only: no table is rebuilt (the revision's triggers stay). A
    # database migrated from scratch may have the triggers already (restore_after_batch
    # creates those of the current list).
    op.create_index("ix_pairing_programme_score", "pairing", ["programme_id", "score", "id"])
    for statement in trigger_statements(op.get_bind().dialect.name, TABLES):
        op.execute(statement)


def downgrade():
    for statement in drop_statements(op.get_bind().dialect.name, TABLES):
        op.execute(statement)
    op.drop_index("ix_pairing_programme_score", table_name="pairing")
