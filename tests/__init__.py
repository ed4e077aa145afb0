"""Tests of Concertation. The test app runs with DEFAULT_TIMEZONE = UTC, so "today" is the UTC date."""
from datetime import UTC, date, datetime


def today() -> date:
    """The portal's today in the test configuration (see conftest: DEFAULT_TIMEZONE is UTC)."""
    return datetime.now(UTC).date()
