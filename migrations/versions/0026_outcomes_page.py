"""outcomes page: an ITU meeting's last day; roles given at application (the baseline)

Revision ID: 0026_outcomes_page
Revises: 0025_circles
Create Date: 2026-12-02 03:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_outcomes_page'
down_revision = '0025_circles'
branch_labels = None
depends_on = None


# Neither table is one the dashboard's triggers watch (models/revision.py), so batch mode
# needs no drop_before_batch / restore_after_batch here.
def upgrade():
    with op.batch_alter_table('itu_meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
    with op.batch_alter_table('meeting_role', schema=None) as batch_op:
        batch_op.add_column(sa.Column('baseline', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('meeting_role', schema=None) as batch_op:
        batch_op.drop_column('baseline')
    with op.batch_alter_table('itu_meeting', schema=None) as batch_op:
        batch_op.drop_column('ends_on')
