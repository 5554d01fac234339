"""activity figures: the dashboard reads group activities and their registrations, so the
database raises the programme's data revision at every write to them too

Revision ID: 0027_activity_figures
Revises: 0026_outcomes_page
Create Date: 2026-12-02 03:20:00.000000

"""
from alembic import op

from mentoring.models.revision import drop_statements, trigger_statements

# revision identifiers, used by Alembic.
revision = "0027_activity_figures"
down_revision = '0026_outcomes_page'
branch_labels = None
depends_on = None

#: The tables this migration starts watching.
TABLES = ("activity", "activity_registration")


def upgrade():
    # No table is altered: the triggers are added beside the others (a database migrated
    # from scratch may have them already, since 0019 creates those of the current list).
    for statement in trigger_statements(op.get_bind().dialect.name, TABLES):
        op.execute(statement)


def downgrade():
    for statement in drop_statements(op.get_bind().dialect.name, TABLES):
        op.execute(statement)
