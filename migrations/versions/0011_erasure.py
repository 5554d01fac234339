"""erasure and retention: when an account was erased, when an application was anonymised

Revision ID: 7e1a5c0d2b84
Revises: e7a2c4f81b93
Create Date: 2026-12-02 10:00:00.000000

Two nullable timestamps, empty for every existing row: nobody has been erased or anonymised
before this revision.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e1a5c0d2b84'
down_revision = 'e7a2c4f81b93'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
