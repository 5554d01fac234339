"""mentors' consent: a programme may ask mentors before announcing; their answers

Revision ID: 0018_consent
Revises: 0018_rematch
Create Date: 2026-12-02 00:00:00.000000

Two programme columns (off, no deadline) and a new table: every existing programme keeps
announcing as before, and pairs already approved have no consent row, so they stay
announceable.
"""
import sqlalchemy as sa
from alembic import op

from mentoring.models.revision import drop_before_batch, restore_after_batch


# revision identifiers, used by Alembic.
revision = '0018_consent'
down_revision = '0018_rematch'
branch_labels = None
depends_on = None


def upgrade():
    drop_before_batch(op)
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mentor_consent', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('consent_deadline', sa.Date(), nullable=True))
    op.create_table(
        'mentor_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pairing_id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.Enum('asked', 'accepted', 'declined', name='consent_state',
                                   native_enum=False, create_constraint=True, length=16),
                  nullable=False),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('next_pairing_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['pairing_id'], ['pairing.id'],
                                name=op.f('fk_mentor_consent_pairing_id_pairing'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['next_pairing_id'], ['pairing.id'],
                                name=op.f('fk_mentor_consent_next_pairing_id_pairing'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name=op.f('fk_mentor_consent_programme_id_programme'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_consent')),
        sa.UniqueConstraint('pairing_id', name=op.f('uq_mentor_consent_pairing_id')),
    )
    with op.batch_alter_table('mentor_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_consent_programme_id'), ['programme_id'],
                              unique=False)
    restore_after_batch(op)


def downgrade():
    drop_before_batch(op)
    with op.batch_alter_table('mentor_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_consent_programme_id'))
    op.drop_table('mentor_consent')
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('consent_deadline')
        batch_op.drop_column('mentor_consent')
    restore_after_batch(op)
