"""Add meetings, series, agendas, invitations, minutes and decisions

Revision ID: 898aca76ffb2
Revises: 75befe42a39d
Create Date: 2026-11-24 23:26:58.939772

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '898aca76ffb2'
down_revision = '75befe42a39d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=120), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('rrule', sa.String(length=300), nullable=False),
    sa.Column('first_start_local', sa.DateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_meeting_series_body_id_bodies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_series')),
    sa.UniqueConstraint('uid', name=op.f('uq_meeting_series_uid'))
    )
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_series_body_id'), ['body_id'], unique=False)

    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=120), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('original_start_local', sa.DateTime(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('ordinary', 'extraordinary', 'working_session', name='meetingkind', native_enum=False, length=32), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('online_link', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('planned', 'confirmed', 'held', 'postponed', 'cancelled', name='meetingstatus', native_enum=False, length=32), nullable=False),
    sa.Column('status_reason', sa.String(length=500), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_meetings_end_after_start')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_meetings_body_id_bodies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['series_id'], ['meeting_series.id'], name=op.f('fk_meetings_series_id_meeting_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('uid', name=op.f('uq_meetings_uid'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_start_at'), ['start_at'], unique=False)

    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('presenter_organisation_id', sa.Integer(), nullable=True),
    sa.Column('presenter_id', sa.Integer(), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_agenda_items_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['presenter_id'], ['users.id'], name=op.f('fk_agenda_items_presenter_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['presenter_organisation_id'], ['organisations.id'], name=op.f('fk_agenda_items_presenter_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items'))
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_items_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('voting', sa.Boolean(), nullable=False),
    sa.Column('alternate', sa.Boolean(), nullable=False),
    sa.Column('guest', sa.Boolean(), nullable=False),
    sa.Column('rsvp', sa.Enum('none', 'accepted', 'declined', 'tentative', name='rsvp', native_enum=False, length=32), nullable=False),
    sa.Column('presence', sa.Enum('unknown', 'present', 'absent', 'excused', 'represented', name='presence', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_invitations_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_invitations_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invitations_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_invitations_meeting_id_user_id'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_user_id'), ['user_id'], unique=False)

    op.create_table('minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'circulated', 'approved', 'published', name='minutesstatus', native_enum=False, length=32), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('correction_reason', sa.String(length=500), nullable=False),
    sa.Column('approved_at_meeting_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_on', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_at_meeting_id'], ['meetings.id'], name=op.f('fk_minutes_approved_at_meeting_id_meetings'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_minutes_approved_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_minutes_meeting_id_meetings'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes')),
    sa.UniqueConstraint('meeting_id', 'number', name=op.f('uq_minutes_meeting_id_number'))
    )
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'], name=op.f('fk_attachments_agenda_item_id_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_attachments_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minutes_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('abstentions', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_decisions_body_id_bodies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['minutes_id'], ['minutes.id'], name=op.f('fk_decisions_minutes_id_minutes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions')),
    sa.UniqueConstraint('minutes_id', 'reference', name=op.f('uq_decisions_minutes_id_reference'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_minutes_id'), ['minutes_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_reference'), ['reference'], unique=False)

    op.create_table('minutes_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minutes_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_minutes_comments_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['minutes_id'], ['minutes.id'], name=op.f('fk_minutes_comments_minutes_id_minutes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_comments'))
    )
    with op.batch_alter_table('minutes_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_comments_minutes_id'), ['minutes_id'], unique=False)

    op.create_table('minutes_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minutes_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['minutes_id'], ['minutes.id'], name=op.f('fk_minutes_sections_minutes_id_minutes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_sections'))
    )
    with op.batch_alter_table('minutes_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_sections_minutes_id'), ['minutes_id'], unique=False)

    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decision_reference', sa.String(length=40), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_action_items_decision_reference'), ['decision_reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_action_items_meeting_id_meetings'), 'meetings', ['meeting_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_feed_token_hash'), ['feed_token_hash'])




def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_feed_token_hash'), type_='unique')
        batch_op.drop_column('feed_token_hash')

    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_action_items_meeting_id_meetings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_action_items_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_decision_reference'))
        batch_op.drop_column('decision_reference')
        batch_op.drop_column('meeting_id')

    with op.batch_alter_table('minutes_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_sections_minutes_id'))

    op.drop_table('minutes_sections')
    with op.batch_alter_table('minutes_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_comments_minutes_id'))

    op.drop_table('minutes_comments')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_reference'))
        batch_op.drop_index(batch_op.f('ix_decisions_minutes_id'))
        batch_op.drop_index(batch_op.f('ix_decisions_body_id'))

    op.drop_table('decisions')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_meeting_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_meeting_id'))

    op.drop_table('minutes')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_user_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_meeting_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_meeting_id'))

    op.drop_table('agenda_items')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_start_at'))
        batch_op.drop_index(batch_op.f('ix_meetings_series_id'))
        batch_op.drop_index(batch_op.f('ix_meetings_body_id'))

    op.drop_table('meetings')
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_series_body_id'))

    op.drop_table('meeting_series')

