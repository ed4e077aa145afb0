"""Today's date where the portal's users are, not where the server is."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_today() -> date:
    """The current date in DEFAULT_TIMEZONE.

    Deadlines, "overdue", the default as-of date and "not in the future" checks are calendar
    dates of the people using the portal: an evening in Port-au-Prince is already tomorrow in
    UTC, where servers usually run.
    """
    return datetime.now(ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])).date()
