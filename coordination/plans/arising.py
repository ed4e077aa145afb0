"""Action items arising from the decisions in minutes (the minutes domain, below plans, calls
these through :class:`coordination.minutes.actions.ActionsArising`)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.meetings.models import Meeting
from coordination.minutes.models import Decision
from coordination.plans import services
from coordination.plans.models import ActionItem, Origin


class Arising:
    """Action items linked to a meeting and decision of its minutes."""

    def of_meeting(self, meeting_id: int) -> list[ActionItem]:
        """Action items created from the decisions of a meeting."""
        return list(db.session.execute(
            db.select(ActionItem).where(ActionItem.meeting_id == meeting_id)
            .options(joinedload(ActionItem.lead_organisation), joinedload(ActionItem.focal_person))
            .order_by(ActionItem.decision_id, ActionItem.id)
        ).scalars())

    def count_for_decision(self, decision_id: int) -> int:
        """How many action items arise from a decision."""
        return db.session.execute(
            db.select(sa.func.count()).select_from(ActionItem).where(ActionItem.decision_id == decision_id)
        ).scalar()

    def create(self, decision: Decision, meeting: Meeting, data: dict[str, Any], *, actor: User) -> ActionItem:
        """An action item standing outside any plan, followed by the meeting's body."""
        item = services.create_item(
            {**data, "origin": Origin.MEETING_DECISION, "origin_note": decision.reference, "scope_national": True},
            plan=None, parent=None, body_id=meeting.body_id, actor=actor,
        )
        item.meeting_id = meeting.id
        item.decision_id = decision.id
        item.decision_reference = decision.reference
        db.session.flush()
        return item


ARISING = Arising()
