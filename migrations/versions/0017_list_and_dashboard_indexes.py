"""indexes: applications newest first per programme; a pair's sessions by day

Revision ID: 6d2b9e4f1a37
Revises: 5c8e1f3a7d20
Create Date: 2026-12-01 22:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '6d2b9e4f1a37'
down_revision = '5c8e1f3a7d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_programme_newest',
                              ['programme_id', 'created_at', 'id'], unique=False)
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_pairing_held_on', ['pairing_id', 'held_on'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_pairing_held_on')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_programme_newest')
