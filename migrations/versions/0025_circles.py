"""circles: mentoring circles of a programme, their members and the meetings they log

Revision ID: 0025_circles
Revises: c4e8a2f6b913
Create Date: 2026-12-02 03:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_circles'
down_revision = 'c4e8a2f6b913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'circle',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('proposed', 'formed', name='circle_status',
                                    native_enum=False, create_constraint=True, length=16),
                  nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('capacity >= 1 AND capacity <= 20',
                           name=op.f('ck_circle_capacity_range')),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name=op.f('fk_circle_programme_id_programme'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_circle_created_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_circle')),
    )
    op.create_index(op.f('ix_circle_programme_id'), 'circle', ['programme_id'])
    op.create_table(
        'circle_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('circle_id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.Enum('mentor', 'mentee', name='circle_role', native_enum=False,
                                  create_constraint=True, length=8), nullable=False),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('parts', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['circle_id'], ['circle.id'],
                                name=op.f('fk_circle_member_circle_id_circle'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name=op.f('fk_circle_member_programme_id_programme'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'],
                                name=op.f('fk_circle_member_enrolment_id_enrolment'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_circle_member_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_member')),
        sa.UniqueConstraint('programme_id', 'user_id',
                            name=op.f('uq_circle_member_programme_id_user_id')),
    )
    op.create_index(op.f('ix_circle_member_circle_id'), 'circle_member', ['circle_id'])
    op.create_index(op.f('ix_circle_member_enrolment_id'), 'circle_member', ['enrolment_id'])
    op.create_index(op.f('ix_circle_member_user_id'), 'circle_member', ['user_id'])
    op.create_table(
        'circle_meeting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('circle_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('duration_minutes > 0 AND duration_minutes <= 720',
                           name=op.f('ck_circle_meeting_duration_range')),
        sa.ForeignKeyConstraint(['circle_id'], ['circle.id'],
                                name=op.f('fk_circle_meeting_circle_id_circle'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'],
                                name=op.f('fk_circle_meeting_author_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_meeting')),
    )
    op.create_index('ix_circle_meeting_circle_held_on', 'circle_meeting',
                    ['circle_id', 'held_on'])


def downgrade():
    op.drop_table('circle_meeting')
    op.drop_table('circle_member')
    op.drop_table('circle')
