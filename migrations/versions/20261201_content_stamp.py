"""Content stamp: one row whose version every committed change of content moves

Revision ID: 9c4f2a6e1b37
Revises: 7b1e0c4d9a20
Create Date: 2026-12-01 23:10:00

Signed-in people's pages are cached under this version (coordination/page_cache.py); the
application moves it as the last statement of every transaction that wrote content.
"""
from alembic import op
import sqlalchemy as sa


revision = '9c4f2a6e1b37'
down_revision = '7b1e0c4d9a20'
branch_labels = None
depends_on = None


def upgrade():
    stamps = op.create_table(
        'content_stamps',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_stamps')),
    )
    op.bulk_insert(stamps, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('content_stamps')
