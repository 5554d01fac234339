"""failed sign-ins counted per address and client

Revision ID: 7c3d1e9a4b20
Revises: 7b2d4e6f8a10
Create Date: 2026-12-02 10:00:00.000000

An account locked at the time of the upgrade stays locked until the same moment: its lock
becomes the address's lock over all clients. ``user.failed_logins`` and ``user.locked_until``
are no longer read.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3d1e9a4b20'
down_revision = '7b2d4e6f8a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failure')),
        sa.UniqueConstraint('email', 'client', name=op.f('uq_sign_in_failure_email_client')),
    )
    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failure_last_failed_at'),
                              ['last_failed_at'], unique=False)
    op.execute(
        "INSERT INTO sign_in_failure (email, client, failures, last_failed_at, locked_until)"
        " SELECT email, '', 0, locked_until, locked_until FROM \"user\""
        " WHERE locked_until IS NOT NULL")


def downgrade():
    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_failure_last_failed_at'))
    op.drop_table('sign_in_failure')
