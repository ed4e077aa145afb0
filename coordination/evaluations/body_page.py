"""What evaluations show on a body's page (coordination.bodies.page; wired by the app factory)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from coordination.bodies.models import Body
from coordination.evaluations.health import governance_health
from coordination.evaluations.labels import labels


def body_page_section(body: Body, today: date) -> dict[str, Any]:
    """The body's governance health over the last twelve months."""
    health = governance_health([body.id], today - timedelta(days=365), today, with_coverage=False)["bodies"]
    return {"health": health[0] if health else None, "health_labels": labels()}
