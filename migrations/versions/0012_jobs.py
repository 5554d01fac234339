"""background jobs: a CSV import or a matching run, outside the web request

Revision ID: 3f6b9d2e1c47
Revises: 7e1a5c0d2b84
Create Date: 2026-12-01 19:00:00.000000

A new table; no existing row changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6b9d2e1c47'
down_revision = '7e1a5c0d2b84'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('import_applications', 'matching_run', name='job_kind',
                                  native_enum=False, create_constraint=True, length=40),
                  nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='job_status',
                                    native_enum=False, create_constraint=True, length=16),
                  nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=False),
        sa.Column('options', sa.JSON(), nullable=True),
        sa.Column('payload', sa.LargeBinary(), nullable=True),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('errors', sa.JSON(), nullable=True),
        sa.Column('error_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name=op.f('fk_job_programme_id_programme'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_job_user_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_programme_id'), ['programme_id'], unique=False)


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_programme_id'))
    op.drop_table('job')
