"""outcomes: the ITU meetings a programme follows and its participants' roles at them

Revision ID: c4e8a2f6b913
Revises: 0018_wishes
Create Date: 2026-12-02 01:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e8a2f6b913'
down_revision = '0018_wishes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'itu_meeting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name=op.f('fk_itu_meeting_programme_id_programme'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_itu_meeting')),
        sa.UniqueConstraint('programme_id', 'name',
                            name=op.f('uq_itu_meeting_programme_id_name')),
    )
    op.create_table(
        'meeting_role',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('itu_meeting_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.Enum('delegate', 'speaker', 'author', 'head', 'deputy_head', 'chair',
                                  'vice_chair', 'rapporteur', name='meeting_role_kind',
                                  native_enum=False, create_constraint=True, length=16),
                  nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_meeting_role_user_id_user'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['itu_meeting_id'], ['itu_meeting.id'],
                                name=op.f('fk_meeting_role_itu_meeting_id_itu_meeting'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'],
                                name=op.f('fk_meeting_role_recorded_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_role')),
        sa.UniqueConstraint('user_id', 'itu_meeting_id', 'role',
                            name=op.f('uq_meeting_role_user_id_itu_meeting_id_role')),
    )
    op.create_index('ix_meeting_role_meeting', 'meeting_role', ['itu_meeting_id', 'role'])


def downgrade():
    op.drop_table('meeting_role')
    op.drop_table('itu_meeting')
