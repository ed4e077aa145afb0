"""Search across bodies, organisations, meetings, minutes, decisions and action items.

Every kind is one query with a limit, filtered by what the user may see, so a search costs
the same number of queries however many rows match.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordination.bodies.models import Body
from coordination.db import contains, within
from coordination.extensions import db
from coordination.meetings.models import Meeting
from coordination.minutes import queries as minutes_queries
from coordination.minutes.models import DecisionText, Minutes, MinutesSection, MinutesStatus
from coordination.organisations.models import Organisation
from coordination.plans import queries as plan_queries

PER_KIND = 20


@dataclass
class Results:
    bodies: list[Body] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    minutes: list[Minutes] = field(default_factory=list)
    decisions: list[tuple[DecisionText, Meeting]] = field(default_factory=list)
    items: list[plan_queries.ItemRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(getattr(self, kind)) for kind in
                   ("bodies", "organisations", "meetings", "minutes", "decisions", "items"))


def search(text: str, visible: set[int] | None, drafts: bool, today: date, limit: int = PER_KIND) -> Results:
    """What matches ``text`` among the bodies in ``visible`` (None: all); draft minutes only if ``drafts``."""
    results = Results()
    results.bodies = list(db.session.execute(
        db.select(Body).where(contains(text, Body.name, Body.acronym, Body.mandate), within(Body.id, visible))
        .order_by(Body.name).limit(limit)
    ).scalars())
    results.organisations = list(db.session.execute(
        db.select(Organisation).where(contains(text, Organisation.name, Organisation.acronym))
        .order_by(Organisation.name).limit(limit)
    ).scalars())
    results.meetings = list(db.session.execute(
        db.select(Meeting).where(contains(text, Meeting.title, Meeting.location), within(Meeting.body_id, visible))
        .options(joinedload(Meeting.body)).order_by(Meeting.start.desc()).limit(limit)
    ).scalars())
    in_sections = sa.exists().where(MinutesSection.minutes_id == Minutes.id,
                                    contains(text, MinutesSection.title, MinutesSection.summary))
    minutes = (
        db.select(Minutes).join(Meeting, Meeting.id == Minutes.meeting_id)
        .where(sa.or_(contains(text, Minutes.summary), in_sections), within(Meeting.body_id, visible))
        .options(joinedload(Minutes.meeting).joinedload(Meeting.body))
        .order_by(Meeting.start.desc(), Minutes.number.desc()).limit(limit)
    )
    if not drafts:
        minutes = minutes.where(Minutes.status != MinutesStatus.DRAFT)
    results.minutes = list(db.session.execute(minutes).scalars())
    results.decisions = minutes_queries.decision_register(visible, None, text, limit)
    results.items = plan_queries.item_rows(plan_queries.ItemFilters(search=text), visible, today, limit, brief=True)
    return results
