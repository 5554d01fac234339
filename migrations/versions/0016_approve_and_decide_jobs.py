"""jobs: approving all above a score and deciding many applications are jobs too

Revision ID: 5c8e1f3a7d20
Revises: 4f8a2c6e1d93
Create Date: 2026-12-01 20:50:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5c8e1f3a7d20'
down_revision = '4f8a2c6e1d93'
branch_labels = None
depends_on = None

BEFORE = ('import_applications', 'matching_run', 'announce_pairs')
NEW = ('approve_above', 'decide_applications')
AFTER = BEFORE + NEW


def _kinds(kinds):
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_job_job_kind'), type_='check')
        batch_op.create_check_constraint('job_kind', _kinds(AFTER))


def downgrade():
    op.execute("DELETE FROM job WHERE " + _kinds(NEW))
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_job_job_kind'), type_='check')
        batch_op.create_check_constraint('job_kind', _kinds(BEFORE))
