"""programme content per language

Revision ID: 5a1c7e2b9d40
Revises: 73f0f0d607e8
Create Date: 2026-11-28 08:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a1c7e2b9d40'
down_revision = '73f0f0d607e8'
branch_labels = None
depends_on = None

TABLES = ('programme', 'region', 'topic')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=False,
                                          server_default='{}'))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translations')
