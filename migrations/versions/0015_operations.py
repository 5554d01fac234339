"""operations: drop the sign-in columns of user no longer read

Revision ID: 4f8a2c6e1d93
Revises: 9d4e2a7c1b58
Create Date: 2026-12-01 21:00:00.000000

Failed sign-ins are counted in ``sign_in_failure`` since 0009 (which carried over every lock
standing then); ``user.failed_logins`` and ``user.locked_until`` have not been read since. A
downgrade brings them back empty (no failures, no lock), as the code of that revision
expects: the locks stay in ``sign_in_failure``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f8a2c6e1d93'
down_revision = '9d4e2a7c1b58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('user', schema=None) as batch_op:
        # Filled for the rows there are; as in 0001, the model gives the value from then on.
        batch_op.alter_column('failed_logins', server_default=None)
