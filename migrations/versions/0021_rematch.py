"""rematch: a programme's "new partners only" setting, on for every programme

Revision ID: 0018_rematch
Revises: d934cecea040
Create Date: 2026-12-01 23:55:00.000000

"""
import sqlalchemy as sa
from alembic import op

from mentoring.models.revision import drop_before_batch, restore_after_batch


# revision identifiers, used by Alembic.
revision = '0018_rematch'
down_revision = 'd934cecea040'
branch_labels = None
depends_on = None


def upgrade():
    drop_before_batch(op)
    # Existing programmes get it on too: nobody is paired again with an earlier partner.
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_partners_only', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    restore_after_batch(op)


def downgrade():
    drop_before_batch(op)
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('new_partners_only')
    restore_after_batch(op)
