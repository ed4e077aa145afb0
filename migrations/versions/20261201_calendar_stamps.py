"""Calendar stamps on bodies: a counter and a time that every meeting or series change moves

Revision ID: 7b1e0c4d9a20
Revises: 3784a49f4d95
Create Date: 2026-12-01 17:00:00

``bodies.calendar_version`` and ``bodies.calendar_changed_at`` are moved by database
triggers whenever a row of ``meetings`` or ``meeting_series`` of the body is inserted,
updated or deleted (for a meeting moved to another body, both bodies). Triggers catch every
write (ORM, bulk statements, ``touch``), so a body feed's validator is read from the body's
own row instead of an aggregate over all its meetings.
"""
from alembic import op
import sqlalchemy as sa


revision = '7b1e0c4d9a20'
down_revision = '3784a49f4d95'
branch_labels = None
depends_on = None

TABLES = ("meetings", "meeting_series")

PG_FUNCTION = """
CREATE FUNCTION bodies_calendar_stamp() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE bodies SET calendar_version = calendar_version + 1, calendar_changed_at = now()
        WHERE id = OLD.body_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.body_id IS DISTINCT FROM OLD.body_id) THEN
        UPDATE bodies SET calendar_version = calendar_version + 1, calendar_changed_at = now()
        WHERE id = NEW.body_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

# SQLite keeps UTC datetimes naive ("YYYY-MM-DD HH:MM:SS"), as coordination.db.UTCDateTime does.
SQLITE_BUMP = ("UPDATE bodies SET calendar_version = calendar_version + 1, "
               "calendar_changed_at = datetime('now') WHERE id IN ({ids});")
SQLITE_TRIGGERS = {
    "insert": "NEW.body_id",
    "update": "OLD.body_id, NEW.body_id",
    "delete": "OLD.body_id",
}


def upgrade():
    with op.batch_alter_table('bodies') as batch_op:
        batch_op.add_column(sa.Column('calendar_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('calendar_changed_at', sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_calendar_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION bodies_calendar_stamp()")
    else:
        for table in TABLES:
            for event, ids in SQLITE_TRIGGERS.items():
                op.execute(f"CREATE TRIGGER {table}_calendar_stamp_{event} AFTER {event.upper()} ON {table} "
                           f"BEGIN {SQLITE_BUMP.format(ids=ids)} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_calendar_stamp ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bodies_calendar_stamp()")
    else:
        for table in TABLES:
            for event in SQLITE_TRIGGERS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_calendar_stamp_{event}")
    with op.batch_alter_table('bodies') as batch_op:
        batch_op.drop_column('calendar_changed_at')
        batch_op.drop_column('calendar_version')
