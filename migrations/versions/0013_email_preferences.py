"""email preferences: reminders and digests can be stopped; the outbox keeps each
message's language and unsubscribe link

Revision ID: 3b9d7f2a6c15
Revises: 3f6b9d2e1c47
Create Date: 2026-12-03 10:00:00.000000

Everyone keeps receiving what they received before (both choices start true). Messages
already in the outbox have no language (the HTML part is written in the default language's
direction) and no unsubscribe link.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b9d7f2a6c15'
down_revision = '3f6b9d2e1c47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_emails', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('digest_emails', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=10), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('unsubscribe_url', sa.String(length=500),
                                      nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_column('unsubscribe_url')
        batch_op.drop_column('locale')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('digest_emails')
        batch_op.drop_column('reminder_emails')
