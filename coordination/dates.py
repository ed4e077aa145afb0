"""Today's date where the portal's users are, not where the server is."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_today(zone: str | None = None) -> date:
    """The current date in ``zone`` (a body's or meeting's time zone), else in DEFAULT_TIMEZONE.

    Deadlines, "overdue", the default as-of date and "not in the future" checks are calendar
    dates of the people using the portal: an evening in Port-au-Prince is already tomorrow in
    UTC, where servers usually run.
    """
    return datetime.now(ZoneInfo(zone or current_app.config["DEFAULT_TIMEZONE"])).date()
