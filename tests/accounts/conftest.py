"""Fixtures for the sign-in tests: a frozen clock for the session and second-factor services."""
from datetime import UTC, datetime, timedelta

import pytest

from coordination.accounts import sessions

T0 = datetime(2026, 12, 1, 10, 0, 5, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Freeze the sign-in services' clock at T0; ``clock.advance(minutes=…)`` moves it."""

    class Clock:
        now = T0

        def advance(self, **delta):
            self.now += timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(sessions, "utcnow", lambda: c.now)
    return c
