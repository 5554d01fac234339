"""email addresses in their one normal form (NFKC, lower case)

Revision ID: e7a2c4f81b93
Revises: 7c3d1e9a4b20
Create Date: 2027-01-10 12:00:00.000000

Addresses are now stored and compared in NFKC, lower case (``accounts.normalise_email``), so
"ａdmin@example.org" is "admin@example.org". An address kept in another form is rewritten, so
that its owner still signs in with it; when its normal form already belongs to another account,
the look-alike stays as it is (it can no longer be signed in with; the real address wins).
Data only: the downgrade has nothing to undo.
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a2c4f81b93'
down_revision = '7c3d1e9a4b20'
branch_labels = None
depends_on = None

user = sa.table('user', sa.column('id', sa.Integer), sa.column('email', sa.String))


def _normal(email):
    # A copy of mentoring.services.accounts.normalise_email at the time of this migration.
    return unicodedata.normalize('NFKC', email).strip().lower()


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(user.c.id, user.c.email).order_by(user.c.id)).all()
    taken = {email for _, email in rows if _normal(email) == email}
    for row_id, email in rows:
        normal = _normal(email)
        if normal != email and normal not in taken:
            taken.add(normal)
            connection.execute(user.update().where(user.c.id == row_id).values(email=normal))


def downgrade():
    pass
