"""wishes: mentors choose to be listed (with a short bio), mentees rank up to five of them;
the programme's matching objective

Revision ID: 0018_wishes
Revises: 0018_consent
Create Date: 2026-12-01 23:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

from mentoring.models.revision import drop_before_batch, restore_after_batch

# revision identifiers, used by Alembic.
revision = '0018_wishes'
down_revision = '0018_consent'
branch_labels = None
depends_on = None


def upgrade():
    drop_before_batch(op)
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('bio', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('matching_objective', sa.String(length=16),
                                      nullable=False, server_default='score'))
        batch_op.create_check_constraint(
            'matching_objective', "matching_objective IN ('score', 'wishes')")
    op.create_table(
        'mentor_wish',
        sa.Column('mentee_id', sa.Integer(), nullable=False),
        sa.Column('mentor_id', sa.Integer(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.CheckConstraint('rank >= 1 AND rank <= 5', name=op.f('ck_mentor_wish_rank_range')),
        sa.CheckConstraint('mentee_id <> mentor_id', name=op.f('ck_mentor_wish_not_oneself')),
        sa.ForeignKeyConstraint(['mentee_id'], ['enrolment.id'],
                                name=op.f('fk_mentor_wish_mentee_id_enrolment'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['mentor_id'], ['enrolment.id'],
                                name=op.f('fk_mentor_wish_mentor_id_enrolment'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('mentee_id', 'mentor_id', name=op.f('pk_mentor_wish')),
        sa.UniqueConstraint('mentee_id', 'rank', name=op.f('uq_mentor_wish_mentee_id_rank')),
    )
    with op.batch_alter_table('mentor_wish', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_wish_mentor_id'), ['mentor_id'],
                              unique=False)
    restore_after_batch(op)


def downgrade():
    drop_before_batch(op)
    with op.batch_alter_table('mentor_wish', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_wish_mentor_id'))
    op.drop_table('mentor_wish')
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_programme_matching_objective'), type_='check')
        batch_op.drop_column('matching_objective')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('bio')
        batch_op.drop_column('listed')
    restore_after_batch(op)
