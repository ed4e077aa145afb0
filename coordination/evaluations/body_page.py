"""What evaluations show on a body's page (coordination.bodies.page; wired by the app factory)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from coordination.bodies.models import Body
from coordination.evaluations.health import bodies_health
from coordination.evaluations.labels import labels_on_demand


def body_page_section(body: Body, today: date) -> dict[str, Any]:
    """The body's governance health over the last twelve months (the page has loaded its charters,
    signatories and seats; a body established later has none yet)."""
    established = body.established_on is None or body.established_on <= today
    health = bodies_health([body], today - timedelta(days=365), today) if established else []
    return {"health": health[0] if health else None, "health_labels": labels_on_demand()}
