"""list rows: the applications' and pairs' rows are cached under the programme's data
revision, so the database raises it at every write to what they show that no trigger watched:
a person's name and address (in every programme she is enrolled in), topics (labels and their
translations), an application's topics, and matching runs

Revision ID: 0031_list_rows
Revises: 0030_circle_figures
Create Date: 2026-12-02 07:00:00.000000

"""
from alembic import op

from mentoring.models.revision import drop_statements, trigger_statements

# revision identifiers, used by Alembic.
revision = "0031_list_rows"
down_revision = "0030_circle_figures"
branch_labels = None
depends_on = None

#: The tables this migration starts watching.
TABLES = ("topic", "enrolment_topic", "matching_run", "user")


def upgrade():
    # No table is altered: the triggers are added beside the others (on SQLite they may be
    # there already: restore_after_batch, in the migrations that batch-alter a watched
    # table, creates those of the current list for the tables there are).
    for statement in trigger_statements(op.get_bind().dialect.name, TABLES):
        op.execute(statement)


def downgrade():
    for statement in drop_statements(op.get_bind().dialect.name, TABLES):
        op.execute(statement)
