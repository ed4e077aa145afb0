"""Store the calendar feed nonce

Revision ID: 10e31f353be0
Revises: 898aca76ffb2
Create Date: 2026-11-24 23:49:53.285792

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '10e31f353be0'
down_revision = '898aca76ffb2'
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_nonce', sa.String(length=64), nullable=True))




def downgrade():

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('feed_nonce')


