"""Migrations build the schema the models describe, and go down and up again cleanly."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
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


def _scratch_database(app, tmp_path):
    """A database of its own for a migration run, of the suite's kind (SQLite file or PostgreSQL)."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        return f"sqlite:///{tmp_path / 'populated-test.db'}", lambda: None
    name = f"{url.database}_migrations"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), lambda: (drop(), admin.dispose())


def test_every_downgrade_runs_on_the_populated_demo_database(app, tmp_path, own_session):
    """upgrade → demo data → downgrade to base (one revision at a time) → upgrade, on this suite's database kind.

    On SQLite, batch operations recreate tables; with foreign keys on, dropping ``users`` while
    rows point at it failed ("FOREIGN KEY constraint failed"): migrations/env.py switches them off
    for the run and checks every reference afterwards.
    """
    from coordination import create_app
    from coordination.extensions import limiter

    uri, cleanup = _scratch_database(app, tmp_path)
    other = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri})
    try:
        with other.app_context():
            upgrade()
            loaded = other.test_cli_runner().invoke(args=["demo", "load"])
            assert loaded.exit_code == 0, loaded.output
            assert db.session.execute(sa.text("SELECT count(*) FROM minutes")).scalar() > 0
            db.session.remove()
            script = ScriptDirectory.from_config(other.extensions["migrate"].migrate.get_config())
            # One revision at a time, so a failure names the migration whose downgrade broke.
            for revision in script.walk_revisions():
                downgrade(revision=revision.down_revision or "base")
            assert set(db.inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert {"users", "meetings", "minutes", "action_items"} <= set(db.inspect(db.engine).get_table_names())
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()
        limiter.init_app(app)
