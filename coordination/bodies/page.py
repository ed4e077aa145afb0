"""What a body's page shows from the domains above bodies (seats, charters, meetings, …).

Bodies sit low in the domain order, yet a body's page shows its seats and charter. A domain
above adds its section with :func:`add_section` when its blueprint module is imported: loader
options for the body's query (so the template triggers no query) and a function of the body
and the day returning the section's template variables.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import url_for
from sqlalchemy.orm.interfaces import ORMOption

from coordination.accounts.models import User
from coordination.accounts.services import feed_token
from coordination.bodies.models import Body
from coordination.extensions import db

Section = Callable[[Body, date], dict[str, Any]]

_options: list[ORMOption] = []
_sections: list[Section] = []


def add_section(section: Section, *options: ORMOption) -> None:
    """Show ``section``'s variables on the body page, loading the body with ``options``."""
    _sections.append(section)
    _options.extend(options)


def load_options() -> tuple[ORMOption, ...]:
    """The loader options the registered sections need on the body's query."""
    return tuple(_options)


def context(body: Body, today: date, user: User) -> dict[str, Any]:
    """The template variables of every section of ``body``'s page for ``user``."""
    result: dict[str, Any] = {}
    for section in _sections:
        result.update(section(body, today))
    result.update(_later_sections(body, today))
    token = feed_token(user)
    result["feed_url"] = (
        url_for("calendar.body_feed", token=token, body_id=body.id, _external=True) if token else None
    )
    return result


def _later_sections(body: Body, today: date) -> dict[str, Any]:
    """Meetings, decisions and governance health: still fetched from here, not registered."""
    # Upward imports (meetings, minutes, evaluations sit above bodies): each of those domains
    # should register its section with add_section; until then they are imported here only.
    from coordination.evaluations.health import governance_health
    from coordination.evaluations.labels import labels
    from coordination.meetings import queries as meeting_queries
    from coordination.minutes import queries as minutes_queries

    health = governance_health([body.id], today - timedelta(days=365), today)["bodies"]
    return {
        "health": health[0] if health else None,
        "health_labels": labels(),
        "upcoming": meeting_queries.body_meetings(body.id, upcoming=True),
        "past": meeting_queries.body_meetings(body.id, upcoming=False),
        "decisions": minutes_queries.decision_register({body.id}, None, "", limit=10),
    }


def decision_register(body: Body, year: int | None, search: str, today: date) -> dict[str, Any]:
    """The body's decisions (filtered by year and text) with the actions arising and their state."""
    # Upward imports (minutes, plans sit above bodies): the decision register belongs with the
    # minutes; until it moves there, its data is gathered here only.
    from coordination.minutes import queries as minutes_queries
    from coordination.plans import progress
    from coordination.plans.models import ActionItem

    rows = minutes_queries.decision_register({body.id}, year, search)
    arising = db.session.execute(
        db.select(ActionItem).where(ActionItem.decision_id.in_({d.decision_id for d, _m in rows}))
    ).scalars().all()
    by_decision: dict[int, list] = {}
    for item in arising:
        by_decision.setdefault(item.decision_id, []).append(item)
    states = progress.states_as_of(ActionItem.id.in_([i.id for i in arising]), today)
    return {"rows": rows, "by_decision": by_decision, "states": states,
            "years": minutes_queries.decision_years(body.id)}
