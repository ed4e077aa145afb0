"""Database plumbing: UTC datetimes, SQLite pragmas and write-lock behaviour."""
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from coordination.db import UTCDateTime


def test_utc_datetime_refuses_naive_and_normalises_to_utc():
    column = UTCDateTime()
    sqlite = sa.create_engine("sqlite://").dialect
    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(datetime(2026, 1, 1, 12), sqlite)
    haiti = timezone(timedelta(hours=-5))
    stored = column.process_bind_param(datetime(2026, 1, 1, 7, tzinfo=haiti), sqlite)
    assert stored == datetime(2026, 1, 1, 12)  # naive UTC on SQLite
    assert column.process_result_value(stored, sqlite) == datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_concurrent_read_then_write_transactions_wait_instead_of_failing(tmp_path):
    """A transaction that reads and then writes while another one commits must not fail
    with "database is locked": writers take the lock up front and wait their turn."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    started, errors = threading.Event(), []

    def first():
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM t").scalar()
                started.set()
                threading.Event().wait(0.5)  # the other transaction tries to write meanwhile
                conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        except Exception as error:  # noqa: BLE001 - recorded for the assertion
            errors.append(error)
            started.set()

    def second():
        started.wait(5)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    [t.start() for t in threads]
    [t.join(10) for t in threads]
    assert errors == []
    with engine.connect() as conn:
        assert sorted(conn.exec_driver_sql("SELECT n FROM t").scalars()) == [1, 2]
    engine.dispose()


def test_today_is_the_portals_date_not_the_servers(app):
    """UTC+14 and UTC-11 are always on different calendar days: "today" must follow the setting."""
    from coordination.dates import local_today

    with app.app_context():
        saved = app.config["DEFAULT_TIMEZONE"]
        try:
            app.config["DEFAULT_TIMEZONE"] = "Pacific/Kiritimati"
            east = local_today()
            app.config["DEFAULT_TIMEZONE"] = "Pacific/Pago_Pago"
            west = local_today()
        finally:
            app.config["DEFAULT_TIMEZONE"] = saved
    assert 1 <= (east - west).days <= 2
