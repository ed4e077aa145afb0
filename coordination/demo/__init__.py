"""Demo data, one module per part: ``structure`` (organisations, people, bodies, seats,
charters), ``plan``, ``meetings`` and ``evaluations``; ``cli`` holds ``flask demo load``.

The parts load in that order through the services, so the audit log shows the demo too.
"""
from __future__ import annotations

from coordination.accounts.models import User
from coordination.demo.evaluations import load_evaluations
from coordination.demo.meetings import load_meetings
from coordination.demo.plan import load_plan
from coordination.demo.structure import (
    LOGINS,
    PEOPLE,
    TIMEZONE,
    TWO_FACTOR_DEMO,
    load_draft_charter,
    load_structure,
)
from coordination.extensions import db

__all__ = ["LOGINS", "PEOPLE", "TIMEZONE", "TWO_FACTOR_DEMO", "database_is_empty", "is_loaded", "load"]


def is_loaded() -> bool:
    """Whether the demo accounts are already in the database."""
    return db.session.execute(db.select(User.id).where(User.email == LOGINS[0][1])).first() is not None


def database_is_empty() -> bool:
    """Whether the database holds no account at all (``--if-empty`` loads only then)."""
    return db.session.execute(db.select(User.id).limit(1)).first() is None


def load() -> None:
    """Load every part of the demo; the caller commits."""
    structure = load_structure()
    load_plan(structure.orgs, structure.people, structure.committee)
    load_meetings(structure.orgs, structure.people, structure.committee)
    load_evaluations(structure.orgs, structure.people, structure.committee)
    load_draft_charter(structure.care)
