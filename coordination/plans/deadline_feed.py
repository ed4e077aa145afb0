"""Action-item deadlines in the personal calendar feed (the calendar domain, below plans,
calls these through :class:`coordination.calendar.feeds.DeadlineSource`)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from coordination.calendar import feeds
from coordination.dates import local_today
from coordination.db import within
from coordination.exports import ics
from coordination.extensions import cache, db
from coordination.organisations.models import Organisation
from coordination.plans.models import ActionItem, ItemStatus
from coordination.plans.progress import states_as_of


def _deadline_filter(organisation_id: int, visible: set[int] | None) -> tuple:
    return (ActionItem.lead_organisation_id == organisation_id, ActionItem.deadline.is_not(None),
            within(ActionItem.body_id, visible))


class Deadlines:
    """The organisation's action items with a deadline, in the bodies the viewer may see."""

    def stamp(self, organisation_id: Any) -> tuple[Any, Any]:
        """The organisation's deadline stamp and its time of change, as two columns for the
        personal feed's viewer query (whatever the number of items); ``organisation_id`` is an
        id or a column of that query (``calendar.queries.deadline_stamp``).

        Database triggers move it on every write to an item the organisation leads and to a
        report of such an item (a report can close a deadline). It covers the items of every
        body; the bodies the viewer may see are part of the personal feed's key."""
        version = sa.select(Organisation.deadline_version).where(Organisation.id == organisation_id)
        changed = sa.select(Organisation.deadline_changed_at).where(Organisation.id == organisation_id)
        return (version.scalar_subquery().label("deadline_version"),
                changed.scalar_subquery().label("deadline_changed"))

    def fragments(self, organisation_id: int, visible: set[int] | None) -> list[ics.Fragment]:
        """The deadlines as all-day events, each serialised once per version."""
        context = feeds.digest(feeds.FORMAT, feeds.context())
        # What the cache keys and the events are made of, in one query (no models loaded).
        items = db.session.execute(
            sa.select(ActionItem.id, ActionItem.version, ActionItem.updated_at, ActionItem.code, ActionItem.title,
                      ActionItem.deadline)
            .where(*_deadline_filter(organisation_id, visible)).order_by(ActionItem.id)
        ).all()
        # A completed or cancelled item's deadline is marked so (its status is its latest report's).
        states = states_as_of(ActionItem.id.in_([i.id for i in items]), local_today()) if items else {}
        closed = {ItemStatus.COMPLETED: _("Completed"), ItemStatus.CANCELLED: _("Cancelled")}
        done = {i.id: closed.get(states[i.id].status) if i.id in states else None for i in items}
        keys = [f"ics:d:{i.id}:{i.version}:{feeds.stamp(i.updated_at)}:{done[i.id] or ''}:{context}" for i in items]
        found = dict(zip(keys, cache.get_many(*keys), strict=True)) if keys else {}
        missing = [(i, k) for i, k in zip(items, keys, strict=True) if found[k] is None]
        if missing:
            built = {}
            for item, key in missing:
                event = ics.deadline_event(f"deadline-{item.id}@concertation", f"{item.code} {item.title}",
                                           item.deadline, url_for("plans.item", item_id=item.id, _external=True),
                                           item.updated_at, done=done[item.id])
                built[key] = ics.fragment([event])
            cache.set_many(built)
            found.update(built)
        return [found[k] for k in keys]


DEADLINES = Deadlines()
