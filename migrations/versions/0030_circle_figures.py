"""circle figures: the dashboard reads mentoring circles, their members and meetings, so the
database raises the programme's data revision at every write to them too

Revision ID: 0030_circle_figures
Revises: 0029_pairs_page
Create Date: 2026-12-02 06:30:00.000000

"""
from alembic import op

from mentoring.models.revision import drop_statements, trigger_statements

# revision identifiers, used by Alembic.
revision = "0030_circle_figures"
down_revision = "0029_pairs_page"
branch_labels = None
depends_on = None

#: The tables this migration starts watching.
TABLES = ("circle", "circle_member", "circle_meeting")


def upgrade():
    # No table is altered: the triggers are added beside the others (a database migrated
    # from scratch may have them already, since 0019 creates those of the current list).
    for statement in trigger_statements(op.get_bind().dialect.name, TABLES):
        op.execute(statement)


def downgrade():
    for statement in drop_statements(op.get_bind().dialect.name, TABLES):
        op.execute(statement)
