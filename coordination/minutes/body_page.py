"""What minutes show on a body's page and decision register (coordination.bodies.page; wired
by the app factory)."""
from __future__ import annotations

from datetime import date
from typing import Any

from coordination.bodies.models import Body
from coordination.minutes import queries


def body_page_section(body: Body, today: date) -> dict[str, Any]:
    """The body's latest decisions."""
    return {"decisions": queries.latest_decisions(body.id, limit=10)}


def register_part(body: Body, year: int | None, search: str, today: date, found: dict[str, Any]) -> dict[str, Any]:
    """The body's decisions matching ``year`` and ``search``, and the years that have some."""
    return {"rows": queries.decision_register({body.id}, year, search), "years": queries.decision_years(body.id)}
