"""Decisions numbered once per body and year, texts per minutes version, form tokens, more versions

Revision ID: 3784a49f4d95
Revises: 2cc7ceb3b417
Create Date: 2026-12-01 09:53:24.252834

A decision's identity (body, year, number, reference, meeting) moves to ``decisions``, unique
per (body, year, number); its text per version of the minutes goes to ``decision_texts``.
Copies of one decision in corrected versions become one decision; two *different* meetings
that were given the same number (the race this fixes) keep the first and renumber the
later one after the body's last number of that year. Numbers are then allocated from
``decision_counters``. Action items arising get a foreign key to their decision.
Agenda positions are renumbered 1, 2, … per meeting and made unique.
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


revision = '3784a49f4d95'
down_revision = '2cc7ceb3b417'
branch_labels = None
depends_on = None

old_decisions = sa.table(
    'decisions', sa.column('id', sa.Integer), sa.column('minutes_id', sa.Integer), sa.column('meeting_id', sa.Integer),
    sa.column('body_id', sa.Integer), sa.column('year', sa.Integer), sa.column('number', sa.Integer),
    sa.column('reference', sa.String), sa.column('text', sa.Text), sa.column('votes_for', sa.Integer),
    sa.column('votes_against', sa.Integer), sa.column('abstentions', sa.Integer),
)
decision_texts = sa.table(
    'decision_texts', sa.column('id', sa.Integer), sa.column('minutes_id', sa.Integer),
    sa.column('decision_id', sa.Integer), sa.column('text', sa.Text), sa.column('votes_for', sa.Integer),
    sa.column('votes_against', sa.Integer), sa.column('abstentions', sa.Integer),
)
counters = sa.table('decision_counters', sa.column('body_id', sa.Integer), sa.column('year', sa.Integer),
                    sa.column('last_number', sa.Integer))
minutes = sa.table('minutes', sa.column('id', sa.Integer), sa.column('meeting_id', sa.Integer))
action_items = sa.table('action_items', sa.column('id', sa.Integer), sa.column('meeting_id', sa.Integer),
                        sa.column('decision_reference', sa.String), sa.column('decision_id', sa.Integer))
agenda_items = sa.table('agenda_items', sa.column('id', sa.Integer), sa.column('meeting_id', sa.Integer),
                        sa.column('position', sa.Integer))


def _renumbered(reference, number):
    head, _sep, _tail = reference.rpartition('-')
    return f'{head}-{number:03d}' if head else f'{reference}-{number:03d}'


def _split_decisions(conn):
    """Copy texts to decision_texts, keep one row per decision, renumber clashing meetings."""
    rows = conn.execute(
        sa.select(old_decisions.c.id, old_decisions.c.minutes_id, minutes.c.meeting_id, old_decisions.c.body_id,
                  old_decisions.c.year, old_decisions.c.number, old_decisions.c.reference, old_decisions.c.text,
                  old_decisions.c.votes_for, old_decisions.c.votes_against, old_decisions.c.abstentions)
        .join(minutes, minutes.c.id == old_decisions.c.minutes_id).order_by(old_decisions.c.id)
    ).all()
    last = defaultdict(int)
    for r in rows:
        last[(r.body_id, r.year)] = max(last[(r.body_id, r.year)], r.number)
    owner = {}        # (body, year, number) -> meeting that keeps the number
    canonical = {}    # (meeting, body, year, original number) -> kept decision id
    renumber = {}     # kept decision id -> new number
    texts, links = [], []
    for r in rows:
        key = (r.body_id, r.year, r.number)
        owner.setdefault(key, r.meeting_id)
        ident = (r.meeting_id, *key)
        if ident not in canonical:
            canonical[ident] = r.id
            if owner[key] != r.meeting_id:
                last[(r.body_id, r.year)] += 1
                renumber[r.id] = last[(r.body_id, r.year)]
            links.append((r.id, r.meeting_id, r.reference))
        texts.append({'minutes_id': r.minutes_id, 'decision_id': canonical[ident], 'text': r.text,
                      'votes_for': r.votes_for, 'votes_against': r.votes_against, 'abstentions': r.abstentions})
    if texts:
        op.bulk_insert(decision_texts, texts)
    kept = set(canonical.values())
    resolved = []
    for r in rows:
        if r.id not in kept:
            conn.execute(sa.delete(old_decisions).where(old_decisions.c.id == r.id))
    for decision_id, meeting_id, reference in links:
        values = {'meeting_id': meeting_id}
        if decision_id in renumber:
            values.update(number=renumber[decision_id], reference=_renumbered(reference, renumber[decision_id]))
        conn.execute(sa.update(old_decisions).where(old_decisions.c.id == decision_id).values(**values))
        resolved.append((decision_id, meeting_id, reference, values.get('reference', reference)))
    if last:
        op.bulk_insert(counters, [{'body_id': b, 'year': y, 'last_number': n} for (b, y), n in last.items()])
    return resolved


def _link_actions(conn, resolved):
    """Action items arising named their decision by reference within their meeting."""
    for decision_id, meeting_id, reference, new_reference in resolved:
        conn.execute(
            sa.update(action_items)
            .where(action_items.c.meeting_id == meeting_id, action_items.c.decision_reference == reference,
                   action_items.c.decision_id.is_(None))
            .values(decision_id=decision_id, decision_reference=new_reference)
        )


def _renumber_agenda(conn):
    rows = conn.execute(sa.select(agenda_items.c.id, agenda_items.c.meeting_id)
                        .order_by(agenda_items.c.meeting_id, agenda_items.c.position, agenda_items.c.id)).all()
    position, meeting = 0, None
    for r in rows:
        position = position + 1 if r.meeting_id == meeting else 1
        meeting = r.meeting_id
        conn.execute(sa.update(agenda_items).where(agenda_items.c.id == r.id).values(position=-position))
    conn.execute(sa.update(agenda_items).values(position=-agenda_items.c.position))


def upgrade():
    conn = op.get_bind()
    op.create_table('decision_counters',
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_decision_counters_body_id_bodies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('body_id', 'year', name=op.f('pk_decision_counters'))
    )
    op.create_table('form_submissions',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_submissions'))
    )
    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_submissions_created_at'), ['created_at'], unique=False)

    op.create_table('decision_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minutes_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('abstentions', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['minutes_id'], ['minutes.id'], name=op.f('fk_decision_texts_minutes_id_minutes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_texts')),
    sa.UniqueConstraint('minutes_id', 'decision_id', name=op.f('uq_decision_texts_minutes_id_decision_id'))
    )
    with op.batch_alter_table('decision_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_texts_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_texts_minutes_id'), ['minutes_id'], unique=False)

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
    resolved = _split_decisions(conn)

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.alter_column('meeting_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_decisions_minutes_id'))
        batch_op.drop_constraint(batch_op.f('uq_decisions_minutes_id_reference'), type_='unique')
        batch_op.create_index(batch_op.f('ix_decisions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_decisions_body_id_year_number'), ['body_id', 'year', 'number'])
        batch_op.drop_constraint(batch_op.f('fk_decisions_minutes_id_minutes'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_decisions_meeting_id_meetings'), 'meetings', ['meeting_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_column('votes_against')
        batch_op.drop_column('abstentions')
        batch_op.drop_column('text')
        batch_op.drop_column('votes_for')
        batch_op.drop_column('minutes_id')
    with op.batch_alter_table('decision_texts', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_decision_texts_decision_id_decisions'), 'decisions', ['decision_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_action_items_decision_id'), ['decision_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_action_items_decision_id_decisions'), 'decisions', ['decision_id'], ['id'], ondelete='RESTRICT')
    _link_actions(conn, resolved)

    _renumber_agenda(conn)
    # A unique index rather than a constraint: SQLite adds it without rebuilding agenda_items.
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_index('uq_agenda_items_meeting_id_position', ['meeting_id', 'position'], unique=True)

    with op.batch_alter_table('organisation_memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('person_memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def _join_decisions(conn):
    """Back to one decision row per minutes version: the first text fills the row, others copy it."""
    rows = conn.execute(
        sa.select(decision_texts, old_decisions.c.body_id, old_decisions.c.meeting_id, old_decisions.c.year,
                  old_decisions.c.number, old_decisions.c.reference)
        .join(old_decisions, old_decisions.c.id == decision_texts.c.decision_id).order_by(decision_texts.c.id)
    ).all()
    filled = set()
    for r in rows:
        values = {'minutes_id': r.minutes_id, 'text': r.text, 'votes_for': r.votes_for,
                  'votes_against': r.votes_against, 'abstentions': r.abstentions}
        if r.decision_id not in filled:
            filled.add(r.decision_id)
            conn.execute(sa.update(old_decisions).where(old_decisions.c.id == r.decision_id).values(**values))
        else:
            conn.execute(sa.insert(old_decisions).values(body_id=r.body_id, meeting_id=r.meeting_id, year=r.year,
                                                         number=r.number, reference=r.reference, **values))
    # A decision without any text cannot exist in the old shape.
    conn.execute(sa.delete(old_decisions).where(old_decisions.c.minutes_id.is_(None)))


def downgrade():
    conn = op.get_bind()
    with op.batch_alter_table('person_memberships', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('organisation_memberships', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index('uq_agenda_items_meeting_id_position')
        batch_op.drop_column('version')

    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_action_items_decision_id_decisions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_action_items_decision_id'))
        batch_op.drop_column('decision_id')

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes_id', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('votes_for', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('text', sa.TEXT(), nullable=True))
        batch_op.add_column(sa.Column('abstentions', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('votes_against', sa.INTEGER(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_decisions_body_id_year_number'), type_='unique')
    _join_decisions(conn)

    with op.batch_alter_table('decision_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_texts_minutes_id'))
        batch_op.drop_index(batch_op.f('ix_decision_texts_decision_id'))
    op.drop_table('decision_texts')

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.alter_column('minutes_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column('text', existing_type=sa.TEXT(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_decisions_meeting_id_meetings'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_decisions_minutes_id_minutes'), 'minutes', ['minutes_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_index(batch_op.f('ix_decisions_meeting_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_decisions_minutes_id_reference'), ['minutes_id', 'reference'])
        batch_op.create_index(batch_op.f('ix_decisions_minutes_id'), ['minutes_id'], unique=False)
        batch_op.drop_column('meeting_id')

    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_submissions_created_at'))
    op.drop_table('form_submissions')
    op.drop_table('decision_counters')
