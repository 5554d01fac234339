"""gender as one structured answer

Revision ID: 0c6e3a9b5f12
Revises: 5a1c7e2b9d40
Create Date: 2026-12-01 18:00:00.000000

The free-text answers become woman / man when they are one of the words below (the words the
dashboard counted, compared case- and space-insensitively); any other text is kept as the
person's own description; an empty answer stays "not given".
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0c6e3a9b5f12'
down_revision = '5a1c7e2b9d40'
branch_labels = None
depends_on = None

# A copy, as data, of the words of mentoring.gender at the time of this migration.
WOMAN_WORDS = frozenset({"woman", "women", "female", "f", "w", "femme", "mujer", "mulher",
                         "donna", "امرأة", "أنثى", "女", "女性", "женщина", "жен"})
MAN_WORDS = frozenset({"man", "men", "male", "m", "homme", "hombre", "homem", "uomo", "رجل",
                       "ذكر", "男", "男性", "мужчина", "муж"})
GENDERS = ('woman', 'man', 'non_binary', 'undisclosed', 'self_described')

enrolment = sa.table('enrolment', sa.column('id', sa.Integer),
                     sa.column('gender', sa.String), sa.column('gender_self_described', sa.String))


def _answer(text):
    text = (text or '').strip()
    folded = ' '.join(text.casefold().split())
    if not folded:
        return None, ''
    if folded in WOMAN_WORDS:
        return 'woman', ''
    if folded in MAN_WORDS:
        return 'man', ''
    return 'self_described', text


def upgrade():
    # Keep every answer's text aside, replace the column by the answer, then fill it.
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gender_self_described', sa.String(length=60),
                                      nullable=False, server_default=''))
    op.execute(enrolment.update().values(gender_self_described=enrolment.c.gender))
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('gender')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gender', sa.Enum(*GENDERS, name='gender', native_enum=False,
                                                        create_constraint=True, length=16),
                                      nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(enrolment.c.id, enrolment.c.gender_self_described)
                              .where(enrolment.c.gender_self_described != '')).all()
    updates = []
    for row_id, text in rows:
        answer, described = _answer(text)
        updates.append({'row_id': row_id, 'new_gender': answer, 'new_text': described})
    if updates:
        connection.execute(
            enrolment.update().where(enrolment.c.id == sa.bindparam('row_id'))
            .values(gender=sa.bindparam('new_gender'),
                    gender_self_described=sa.bindparam('new_text')),
            updates)


def downgrade():
    # Back to free text: the answer's word, or the person's own description.
    for answer in ('woman', 'man', 'non_binary', 'undisclosed'):
        op.execute(enrolment.update().where(enrolment.c.gender == answer)
                   .values(gender_self_described=answer.replace('_', '-')
                           if answer != 'undisclosed' else ''))
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_enrolment_gender'), type_='check')
        batch_op.drop_column('gender')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gender', sa.String(length=60), nullable=False,
                                      server_default=''))
    op.execute(enrolment.update().values(gender=enrolment.c.gender_self_described))
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('gender_self_described')
