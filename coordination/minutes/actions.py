"""Actions arising from decisions: the action items a meeting's decisions gave rise to.

Action items belong to the plans domain, above this one; it provides them through
:class:`ActionsArising`, filled by the app factory.
"""
from __future__ import annotations

from typing import Any, Protocol

from coordination.accounts.models import User
from coordination.meetings.models import Meeting
from coordination.minutes.models import Decision
from coordination.slots import Slot


class ActionsArising(Protocol):
    """The action items arising from minutes (``coordination.plans.arising``)."""

    def of_meeting(self, meeting_id: int) -> list[Any]:
        """Action items created from the decisions of a meeting (with lead and focal person)."""

    def count_for_decision(self, decision_id: int) -> int:
        """How many action items arise from a decision."""

    def create(self, decision: Decision, meeting: Meeting, data: dict[str, Any], *, actor: User) -> Any:
        """A new action item arising from ``decision`` at ``meeting``, linked to both."""


source: Slot[ActionsArising] = Slot("source of actions arising")
