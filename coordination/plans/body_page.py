"""What plans show on a body's decision register (coordination.bodies.page; wired by the app
factory): the action items arising from the decisions listed, and their state today."""
from __future__ import annotations

from datetime import date
from typing import Any

from coordination.bodies.models import Body
from coordination.extensions import db
from coordination.plans import progress
from coordination.plans.models import ActionItem


def register_part(body: Body, year: int | None, search: str, today: date, found: dict[str, Any]) -> dict[str, Any]:
    """The items arising from the decisions in ``found["rows"]``, by decision, with their states."""
    arising = db.session.execute(
        db.select(ActionItem).where(ActionItem.decision_id.in_({d.decision_id for d, _m in found["rows"]}))
    ).scalars().all()
    by_decision: dict[int, list] = {}
    for item in arising:
        by_decision.setdefault(item.decision_id, []).append(item)
    states = progress.states_as_of(ActionItem.id.in_([i.id for i in arising]), today)
    return {"by_decision": by_decision, "states": states}
