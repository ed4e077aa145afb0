"""Add action plans, items, indicators and progress updates

Revision ID: 75befe42a39d
Revises: a1a0c5ab4c19
Create Date: 2026-11-24 22:55:55.902848

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '75befe42a39d'
down_revision = 'a1a0c5ab4c19'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('action_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_action_plans_period_ordered')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_action_plans_body_id_bodies'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_plans')),
    sa.UniqueConstraint('title', name=op.f('uq_action_plans_title'))
    )
    with op.batch_alter_table('action_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_plans_body_id'), ['body_id'], unique=False)

    op.create_table('action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('sort_key', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('lead_organisation_id', sa.Integer(), nullable=True),
    sa.Column('focal_person_id', sa.Integer(), nullable=True),
    sa.Column('focal_is_guest', sa.Boolean(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('priority', sa.Enum('low', 'medium', 'high', name='priority', native_enum=False, length=32), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('scope_national', sa.Boolean(), nullable=False),
    sa.Column('budget_amount', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('budget_currency', sa.String(length=3), nullable=False),
    sa.Column('funding_source', sa.String(length=200), nullable=False),
    sa.Column('origin', sa.Enum('plan', 'meeting_decision', 'evaluation', 'other', name='origin', native_enum=False, length=32), nullable=False),
    sa.Column('origin_note', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('deadline IS NULL OR start_date IS NULL OR deadline >= start_date', name=op.f('ck_action_items_dates_ordered')),
    sa.CheckConstraint('weight >= 1', name=op.f('ck_action_items_weight_positive')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_action_items_body_id_bodies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['focal_person_id'], ['users.id'], name=op.f('fk_action_items_focal_person_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['lead_organisation_id'], ['organisations.id'], name=op.f('fk_action_items_lead_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['parent_id'], ['action_items.id'], name=op.f('fk_action_items_parent_id_action_items'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plans.id'], name=op.f('fk_action_items_plan_id_action_plans'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items')),
    sa.UniqueConstraint('plan_id', 'code', name=op.f('uq_action_items_plan_id_code'))
    )
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_items_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_lead_organisation_id'), ['lead_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_sort_key'), ['sort_key'], unique=False)

    op.create_table('action_item_areas',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_action_item_areas_item_id_action_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'area', name=op.f('pk_action_item_areas'))
    )
    with op.batch_alter_table('action_item_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_item_areas_area'), ['area'], unique=False)

    op.create_table('action_item_supporters',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_action_item_supporters_item_id_action_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_action_item_supporters_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('item_id', 'organisation_id', name=op.f('pk_action_item_supporters'))
    )
    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=False),
    sa.Column('baseline', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('target', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_indicators_item_id_action_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators'))
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_item_id'), ['item_id'], unique=False)

    op.create_table('item_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_item_comments_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_item_comments_item_id_action_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_comments'))
    )
    with op.batch_alter_table('item_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_comments_item_id'), ['item_id'], unique=False)

    op.create_table('progress_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('update_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'completed', 'delayed', 'cancelled', name='itemstatus', native_enum=False, length=32), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('evidence_url', sa.String(length=500), nullable=False),
    sa.Column('evidence_name', sa.String(length=255), nullable=False),
    sa.Column('evidence_path', sa.String(length=100), nullable=False),
    sa.Column('evidence_type', sa.String(length=100), nullable=False),
    sa.Column('evidence_size', sa.Integer(), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_progress_updates_progress_range')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_progress_updates_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['corrects_id'], ['progress_updates.id'], name=op.f('fk_progress_updates_corrects_id_progress_updates'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_progress_updates_item_id_action_items'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_updates'))
    )
    with op.batch_alter_table('progress_updates', schema=None) as batch_op:
        batch_op.create_index('ix_progress_updates_item_date', ['item_id', 'update_date', 'id'], unique=False)

    op.create_table('indicator_values',
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_values_indicator_id_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['update_id'], ['progress_updates.id'], name=op.f('fk_indicator_values_update_id_progress_updates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('update_id', 'indicator_id', name=op.f('pk_indicator_values'))
    )



def downgrade():

    op.drop_table('indicator_values')
    with op.batch_alter_table('progress_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_updates_item_date')

    op.drop_table('progress_updates')
    with op.batch_alter_table('item_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_comments_item_id'))

    op.drop_table('item_comments')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_item_id'))

    op.drop_table('indicators')
    op.drop_table('action_item_supporters')
    with op.batch_alter_table('action_item_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_item_areas_area'))

    op.drop_table('action_item_areas')
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_items_sort_key'))
        batch_op.drop_index(batch_op.f('ix_action_items_plan_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_parent_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_lead_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_deadline'))
        batch_op.drop_index(batch_op.f('ix_action_items_body_id'))

    op.drop_table('action_items')
    with op.batch_alter_table('action_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_plans_body_id'))

    op.drop_table('action_plans')

