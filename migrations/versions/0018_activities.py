"""activities: group activities of a programme and registrations (with a waiting list)

Revision ID: a7c3e5f9b214
Revises: 6d2b9e4f1a37
Create Date: 2026-12-02 00:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c3e5f9b214'
down_revision = '6d2b9e4f1a37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'activity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('talk', 'training', 'group_session', 'circle', 'networking',
                                  name='activity_kind', native_enum=False,
                                  create_constraint=True, length=16), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('location', sa.String(length=500), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('audience', sa.Enum('everyone', 'mentees', 'mentors', name='activity_audience',
                                      native_enum=False, create_constraint=True, length=16),
                  nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=True),
        sa.Column('registration_closes_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('translations', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('duration_minutes >= 1 AND duration_minutes <= 720',
                           name=op.f('ck_activity_duration_range')),
        sa.CheckConstraint('capacity IS NULL OR (capacity >= 1 AND capacity <= 10000)',
                           name=op.f('ck_activity_capacity_range')),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name=op.f('fk_activity_programme_id_programme'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'],
                                name=op.f('fk_activity_region_id_region'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_activity_created_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
    )
    op.create_index('ix_activity_programme_starts', 'activity', ['programme_id', 'starts_at'])
    op.create_table(
        'activity_registration',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('registered', 'waiting', name='registration_status',
                                    native_enum=False, create_constraint=True, length=16),
                  nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attended', sa.Boolean(), nullable=True),
        sa.Column('rating', sa.Integer(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('feedback_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)',
                           name=op.f('ck_activity_registration_rating_range')),
        sa.ForeignKeyConstraint(['activity_id'], ['activity.id'],
                                name=op.f('fk_activity_registration_activity_id_activity'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_activity_registration_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_registration')),
        sa.UniqueConstraint('activity_id', 'user_id',
                            name=op.f('uq_activity_registration_activity_id_user_id')),
    )
    op.create_index('ix_activity_registration_queue', 'activity_registration',
                    ['activity_id', 'status', 'created_at', 'id'])
    op.create_index(op.f('ix_activity_registration_user_id'), 'activity_registration',
                    ['user_id'])


def downgrade():
    op.drop_table('activity_registration')
    op.drop_table('activity')
