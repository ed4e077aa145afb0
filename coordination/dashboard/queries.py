"""Read-side queries for the dashboard's health check."""
from __future__ import annotations

from coordination.errors import DATABASE_UNAVAILABLE, is_database_unavailable
from coordination.extensions import db


def database_error() -> Exception | None:
    """None when the database answers a trivial statement; else why not (the session is rolled
    back). Errors that do not mean "unavailable" are raised."""
    try:
        db.session.execute(db.text("SELECT 1"))
    except DATABASE_UNAVAILABLE as error:
        if not is_database_unavailable(error):
            raise
        db.session.rollback()
        return error
    return None
