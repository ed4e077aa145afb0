"""Migrations build the schema the models describe, and go down and up again cleanly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from coordination.db import migration_compare_type
from coordination.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context():
        # The test's own connection: another one would wait for its write lock on SQLite.
        connection = db.session.connection()
        context = MigrationContext.configure(
            connection, opts={"compare_type": migration_compare_type, "render_as_batch": True}
        )
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_to_base_and_upgrade_again(tmp_path):
    from coordination import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(db.inspect(db.engine).get_table_names())
        assert tables <= {"alembic_version"}
        upgrade()
        assert {"users", "organisations", "bodies", "charters", "audit_log"} <= set(db.inspect(db.engine).get_table_names())
        db.engine.dispose()
