"""quotas: a programme's rules on the matched pairs; the blocking pairs of its latest run

Revision ID: d934cecea040
Revises: 7e3c5a9b2d41
Create Date: 2026-12-01 23:48:58.854652

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd934cecea040'
down_revision = '7e3c5a9b2d41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('matching_quota',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('mentee_region_id', sa.Integer(), nullable=True),
    sa.Column('mentee_gender', sa.Enum('woman', 'man', 'non_binary', 'undisclosed', 'self_described', name='quota_mentee_gender', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('mentee_language', sa.String(length=16), nullable=False),
    sa.Column('mentee_topic_id', sa.Integer(), nullable=True),
    sa.Column('mentor_region_id', sa.Integer(), nullable=True),
    sa.Column('mentor_gender', sa.Enum('woman', 'man', 'non_binary', 'undisclosed', 'self_described', name='quota_mentor_gender', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('mentor_language', sa.String(length=16), nullable=False),
    sa.Column('mentor_topic_id', sa.Integer(), nullable=True),
    sa.Column('cross_region', sa.Enum('any', 'different', 'same', name='quota_cross_region', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('at_least', sa.Boolean(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('unit', sa.Enum('count', 'percent', name='quota_unit', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('of_group', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_matching_quota_value_not_negative')),
    sa.ForeignKeyConstraint(['mentee_region_id'], ['region.id'], name=op.f('fk_matching_quota_mentee_region_id_region'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentee_topic_id'], ['topic.id'], name=op.f('fk_matching_quota_mentee_topic_id_topic'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_region_id'], ['region.id'], name=op.f('fk_matching_quota_mentor_region_id_region'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_topic_id'], ['topic.id'], name=op.f('fk_matching_quota_mentor_topic_id_topic'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_matching_quota_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_quota')),
    sa.UniqueConstraint('programme_id', 'name', name=op.f('uq_matching_quota_programme_id_name'))
    )
    with op.batch_alter_table('matching_quota', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_quota_programme_id'), ['programme_id'], unique=False)

    op.create_table('blocking_pair',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('mentee_score', sa.Integer(), nullable=True),
    sa.Column('mentor_lowest', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['mentee_id'], ['enrolment.id'], name=op.f('fk_blocking_pair_mentee_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['enrolment.id'], name=op.f('fk_blocking_pair_mentor_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['matching_run.id'], name=op.f('fk_blocking_pair_run_id_matching_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'mentee_id', 'mentor_id', name=op.f('pk_blocking_pair'))
    )
    with op.batch_alter_table('blocking_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocking_pair_mentor_id'), ['mentor_id'], unique=False)



def downgrade():
    with op.batch_alter_table('blocking_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocking_pair_mentor_id'))

    op.drop_table('blocking_pair')
    with op.batch_alter_table('matching_quota', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matching_quota_programme_id'))

    op.drop_table('matching_quota')
