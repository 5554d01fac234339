"""jobs: announcing pairs is a job too

Revision ID: 9d4e2a7c1b58
Revises: 3b9d7f2a6c15
Create Date: 2026-12-01 20:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d4e2a7c1b58'
down_revision = '3b9d7f2a6c15'
branch_labels = None
depends_on = None

BEFORE = ('import_applications', 'matching_run')
AFTER = BEFORE + ('announce_pairs',)


def _kinds(kinds):
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_job_job_kind'), type_='check')
        batch_op.create_check_constraint('job_kind', _kinds(AFTER))


def downgrade():
    op.execute("DELETE FROM job WHERE kind = 'announce_pairs'")
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_job_job_kind'), type_='check')
        batch_op.create_check_constraint('job_kind', _kinds(BEFORE))
