"""Create accounts, organisations, bodies, charters and audit log

Revision ID: a1a0c5ab4c19
Revises: 
Create Date: 2026-11-24 22:39:08.578128

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1a0c5ab4c19'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('acronym', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.Enum('government_ministry', 'public_institution', 'civil_society', 'international_partner', 'un_agency', 'academic', 'private', name='organisationkind', native_enum=False, length=32), nullable=False),
    sa.Column('level', sa.Enum('national', 'departmental', 'local', name='level', native_enum=False, length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('contact_person', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_acronym'), ['acronym'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_level'), ['level'], unique=False)

    op.create_table('bodies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('acronym', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.Enum('coordination_committee', 'steering_committee', 'technical_commission', 'sub_commission', 'working_group', 'task_force', name='bodykind', native_enum=False, length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Enum('national', 'departmental', 'local', name='level', native_enum=False, length=32), nullable=False),
    sa.Column('area', sa.String(length=120), nullable=False),
    sa.Column('mandate', sa.Text(), nullable=False),
    sa.Column('established_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('active', 'dormant', 'dissolved', name='bodystatus', native_enum=False, length=32), nullable=False),
    sa.Column('lead_organisation_id', sa.Integer(), nullable=True),
    sa.Column('secretariat_organisation_id', sa.Integer(), nullable=True),
    sa.Column('visibility', sa.Enum('internal', 'restricted', name='visibility', native_enum=False, length=32), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lead_organisation_id'], ['organisations.id'], name=op.f('fk_bodies_lead_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['parent_id'], ['bodies.id'], name=op.f('fk_bodies_parent_id_bodies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['secretariat_organisation_id'], ['organisations.id'], name=op.f('fk_bodies_secretariat_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bodies')),
    sa.UniqueConstraint('name', name=op.f('uq_bodies_name'))
    )
    with op.batch_alter_table('bodies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bodies_lead_organisation_id'), ['lead_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bodies_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bodies_secretariat_organisation_id'), ['secretariat_organisation_id'], unique=False)

    op.create_table('organisation_sectors',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.Enum('health', 'justice', 'social_protection', 'gender', 'security', 'education', 'local_government', 'presidency', 'statistics', 'other', name='sector', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_sectors_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', 'sector', name=op.f('pk_organisation_sectors'))
    )
    with op.batch_alter_table('organisation_sectors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_sectors_sector'), ['sector'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('role', sa.Enum('admin', 'secretariat', 'member', 'evaluator', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('object_label', sa.String(length=300), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_audit_log_object', ['object_type', 'object_id'], unique=False)

    op.create_table('charters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('mandate', sa.Text(), nullable=False),
    sa.Column('objectives', sa.Text(), nullable=False),
    sa.Column('composition_rule', sa.Text(), nullable=False),
    sa.Column('quorum_rule', sa.Enum('majority', 'fixed', 'percentage', name='quorumrule', native_enum=False, length=32), nullable=False),
    sa.Column('quorum_value', sa.Integer(), nullable=True),
    sa.Column('decision_rule', sa.Enum('consensus', 'simple_majority', 'two_thirds', name='decisionrule', native_enum=False, length=32), nullable=False),
    sa.Column('meeting_frequency', sa.Enum('weekly', 'fortnightly', 'monthly', 'bimonthly', 'quarterly', 'semiannual', 'annual', 'as_needed', name='meetingfrequency', native_enum=False, length=32), nullable=False),
    sa.Column('legal_status', sa.Enum('informal', 'decree', 'legal_entity', name='legalstatus', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('draft', 'under_review', 'adopted', 'superseded', name='charterstatus', native_enum=False, length=32), nullable=False),
    sa.Column('adopted_on', sa.Date(), nullable=True),
    sa.Column('adopted_at_meeting', sa.String(length=200), nullable=False),
    sa.Column('based_on_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['based_on_id'], ['charters.id'], name=op.f('fk_charters_based_on_id_charters'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_charters_body_id_bodies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_charters')),
    sa.UniqueConstraint('body_id', 'number', name=op.f('uq_charters_body_id_number'))
    )
    with op.batch_alter_table('charters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_charters_body_id'), ['body_id'], unique=False)

    op.create_table('organisation_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('member', 'observer', 'partner', name='membershipkind', native_enum=False, length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('notes', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_organisation_memberships_dates_ordered')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_organisation_memberships_body_id_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_memberships_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_memberships'))
    )
    with op.batch_alter_table('organisation_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_memberships_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_memberships_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('person_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('chair', 'co_chair', 'secretary', 'member', 'alternate', 'observer', name='seatrole', native_enum=False, length=32), nullable=False),
    sa.Column('alternate_for_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_person_memberships_dates_ordered')),
    sa.ForeignKeyConstraint(['alternate_for_id'], ['person_memberships.id'], name=op.f('fk_person_memberships_alternate_for_id_person_memberships'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_person_memberships_body_id_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_person_memberships_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_person_memberships_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_memberships'))
    )
    with op.batch_alter_table('person_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_memberships_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_memberships_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('charter_signatories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('charter_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('signer_name', sa.String(length=200), nullable=False),
    sa.Column('signer_title', sa.String(length=200), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['charter_id'], ['charters.id'], name=op.f('fk_charter_signatories_charter_id_charters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_charter_signatories_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_charter_signatories')),
    sa.UniqueConstraint('charter_id', 'organisation_id', name=op.f('uq_charter_signatories_charter_id_organisation_id'))
    )
    with op.batch_alter_table('charter_signatories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_charter_signatories_charter_id'), ['charter_id'], unique=False)




def downgrade():

    with op.batch_alter_table('charter_signatories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_charter_signatories_charter_id'))

    op.drop_table('charter_signatories')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
    with op.batch_alter_table('person_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_person_memberships_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_person_memberships_body_id'))

    op.drop_table('person_memberships')
    with op.batch_alter_table('organisation_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_memberships_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_organisation_memberships_body_id'))

    op.drop_table('organisation_memberships')
    with op.batch_alter_table('charters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_charters_body_id'))

    op.drop_table('charters')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_object')
        batch_op.drop_index(batch_op.f('ix_audit_log_created_at'))

    op.drop_table('audit_log')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))

    op.drop_table('users')
    with op.batch_alter_table('organisation_sectors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_sectors_sector'))

    op.drop_table('organisation_sectors')
    with op.batch_alter_table('bodies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bodies_secretariat_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_bodies_parent_id'))
        batch_op.drop_index(batch_op.f('ix_bodies_lead_organisation_id'))

    op.drop_table('bodies')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_level'))
        batch_op.drop_index(batch_op.f('ix_organisations_kind'))
        batch_op.drop_index(batch_op.f('ix_organisations_acronym'))

    op.drop_table('organisations')

