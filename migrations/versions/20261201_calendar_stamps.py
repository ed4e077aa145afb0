"""Calendar stamps: on bodies for their meetings and series, on organisations for the deadlines they lead

Revision ID: 7b1e0c4d9a20
Revises: 3784a49f4d95
Create Date: 2026-12-01 17:00:00

``bodies.calendar_version`` and ``bodies.calendar_changed_at`` are moved by database
triggers whenever a row of ``meetings`` or ``meeting_series`` of the body is inserted,
updated or deleted (for a meeting moved to another body, both bodies). Triggers catch every
write (ORM, bulk statements, ``touch``), so a body feed's validator is read from the body's
own row instead of an aggregate over all its meetings.

``organisations.deadline_version`` and ``deadline_changed_at`` are moved likewise by every
write to an action item the organisation leads (both organisations when the lead changes)
and to a progress report of such an item (a report can close the item's deadline): the
personal feed's deadlines are stood for by the viewer's organisation's row. The same
triggers move ``action_plans.items_version`` for the plan of the item, so the plan page's
roll-up is cached under it.
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


PG_ITEMS = """
CREATE FUNCTION action_items_stamps() RETURNS trigger AS $$
DECLARE
    lead_old integer;
    lead_new integer;
    plan_old integer;
    plan_new integer;
BEGIN
    IF TG_TABLE_NAME = 'action_items' THEN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            lead_old := OLD.lead_organisation_id; plan_old := OLD.plan_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            lead_new := NEW.lead_organisation_id; plan_new := NEW.plan_id;
        END IF;
    ELSE
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT lead_organisation_id, plan_id INTO lead_old, plan_old FROM action_items WHERE id = OLD.item_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT lead_organisation_id, plan_id INTO lead_new, plan_new FROM action_items WHERE id = NEW.item_id;
        END IF;
    END IF;
    UPDATE organisations SET deadline_version = deadline_version + 1, deadline_changed_at = now()
    WHERE id IN (lead_old, lead_new);
    UPDATE action_plans SET items_version = items_version + 1 WHERE id IN (plan_old, plan_new);
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
SQLITE_ITEMS = ("UPDATE organisations SET deadline_version = deadline_version + 1, "
                "deadline_changed_at = datetime('now') WHERE id IN (SELECT {lead});"
                "UPDATE action_plans SET items_version = items_version + 1 WHERE id IN (SELECT {plan});")
SQLITE_LEADS = {
    "action_items": {
        "insert": ("NEW.lead_organisation_id", "NEW.plan_id"),
        "update": ("OLD.lead_organisation_id UNION SELECT NEW.lead_organisation_id",
                   "OLD.plan_id UNION SELECT NEW.plan_id"),
        "delete": ("OLD.lead_organisation_id", "OLD.plan_id")},
    "progress_updates": {
        "insert": ("lead_organisation_id FROM action_items WHERE id = NEW.item_id",
                   "plan_id FROM action_items WHERE id = NEW.item_id"),
        "update": ("lead_organisation_id FROM action_items WHERE id IN (OLD.item_id, NEW.item_id)",
                   "plan_id FROM action_items WHERE id IN (OLD.item_id, NEW.item_id)"),
        "delete": ("lead_organisation_id FROM action_items WHERE id = OLD.item_id",
                   "plan_id FROM action_items WHERE id = OLD.item_id")},
}


def upgrade():
    with op.batch_alter_table('bodies') as batch_op:
        batch_op.add_column(sa.Column('calendar_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('calendar_changed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('organisations') as batch_op:
        batch_op.add_column(sa.Column('deadline_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('deadline_changed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('action_plans') as batch_op:
        batch_op.add_column(sa.Column('items_version', sa.Integer(), server_default='0', nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_calendar_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION bodies_calendar_stamp()")
        op.execute(PG_ITEMS)
        for table in SQLITE_LEADS:
            op.execute(f"CREATE TRIGGER {table}_stamps AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION action_items_stamps()")
    else:
        for table in TABLES:
            for event, ids in SQLITE_TRIGGERS.items():
                op.execute(f"CREATE TRIGGER {table}_calendar_stamp_{event} AFTER {event.upper()} ON {table} "
                           f"BEGIN {SQLITE_BUMP.format(ids=ids)} END")
        for table, events in SQLITE_LEADS.items():
            for event, (lead, plan) in events.items():
                op.execute(f"CREATE TRIGGER {table}_stamps_{event} AFTER {event.upper()} ON {table} "
                           f"BEGIN {SQLITE_ITEMS.format(lead=lead, plan=plan)} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_calendar_stamp ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bodies_calendar_stamp()")
        for table in SQLITE_LEADS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_stamps ON {table}")
        op.execute("DROP FUNCTION IF EXISTS action_items_stamps()")
    else:
        for table in TABLES:
            for event in SQLITE_TRIGGERS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_calendar_stamp_{event}")
        for table, events in SQLITE_LEADS.items():
            for event in events:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_stamps_{event}")
    with op.batch_alter_table('action_plans') as batch_op:
        batch_op.drop_column('items_version')
    with op.batch_alter_table('organisations') as batch_op:
        batch_op.drop_column('deadline_changed_at')
        batch_op.drop_column('deadline_version')
    with op.batch_alter_table('bodies') as batch_op:
        batch_op.drop_column('calendar_changed_at')
        batch_op.drop_column('calendar_version')
