"""outbox: priority, back-off and leases, failures kept for admins

Revision ID: 8e1f3a5c7d92
Revises: 0c6e3a9b5f12
Create Date: 2026-12-01 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e1f3a5c7d92'
down_revision = '0c6e3a9b5f12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('message_id', sa.String(length=200), nullable=False,
                                      server_default=''))
    # Messages waiting today are due now; those given up by the old rule (5 attempts) are
    # kept as failed, so an admin sees them and can send them again.
    op.execute("UPDATE outbox_email SET next_attempt_at = created_at")
    op.execute("UPDATE outbox_email SET failed_at = created_at "
               "WHERE sent_at IS NULL AND attempts >= 5")
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.alter_column('next_attempt_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.create_index(batch_op.f('ix_outbox_email_next_attempt_at'),
                              ['next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_email_next_attempt_at'))
        batch_op.drop_column('message_id')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('priority')
