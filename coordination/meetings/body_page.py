"""What meetings show on a body's page (coordination.bodies.page; wired by the app factory)."""
from __future__ import annotations

from datetime import date
from typing import Any

from coordination.bodies.models import Body
from coordination.meetings import queries


def body_page_section(body: Body, today: date) -> dict[str, Any]:
    """The body's next and latest meetings."""
    upcoming, past = queries.body_meetings(body.id)
    return {"upcoming": upcoming, "past": past}
