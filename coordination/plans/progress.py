"""Status and progress "as of" a date, and the weighted roll-up from children to parents.

An item's state on date D is its latest progress update dated on or before D (ties broken
by the order they were recorded); with none, it is "not started" at 0 %. A parent's
progress is Σ weight × progress / Σ weight over its children that are not cancelled on D;
nobody types a parent's percentage.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from coordination.extensions import db
from coordination.plans.models import ActionItem, ItemStatus, ProgressUpdate

CLOSED = (ItemStatus.COMPLETED, ItemStatus.CANCELLED)


@dataclass(frozen=True)
class State:
    """An item's reported state on a date."""

    status: ItemStatus = ItemStatus.NOT_STARTED
    progress: int = 0
    update_date: date | None = None


NOT_STARTED = State()


def latest_updates_subquery(as_of: date, item_filter: Any = None) -> sa.Subquery:
    """One row per item: its latest update dated on or before ``as_of`` (a window query).

    ``item_filter`` (on ActionItem) narrows the updates ranked to those items' own, so the
    database never ranks the whole table to keep a few rows.
    """
    where = [ProgressUpdate.update_date <= as_of]
    if item_filter is not None:
        where.append(ProgressUpdate.item_id.in_(sa.select(ActionItem.id).where(item_filter)))
    ranked = (
        sa.select(
            ProgressUpdate.item_id,
            ProgressUpdate.status,
            ProgressUpdate.progress,
            ProgressUpdate.update_date,
            sa.func.row_number()
            .over(
                partition_by=ProgressUpdate.item_id,
                order_by=(ProgressUpdate.update_date.desc(), ProgressUpdate.id.desc()),
            )
            .label("rank"),
        )
        .where(*where)
        .subquery("ranked")
    )
    return (
        sa.select(ranked.c.item_id, ranked.c.status, ranked.c.progress, ranked.c.update_date)
        .where(ranked.c.rank == 1)
        .subquery("latest")
    )


def states_as_of(item_filter: Any, as_of: date) -> dict[int, State]:
    """States on ``as_of`` of the items matched by ``item_filter`` (one query)."""
    latest = latest_updates_subquery(as_of, item_filter)
    rows = db.session.execute(sa.select(latest)).all()
    return {r.item_id: State(ItemStatus(r.status), r.progress, r.update_date) for r in rows}


def day_end_utc(as_of: date, zone: str) -> datetime:
    """The first instant after the calendar day ``as_of`` in ``zone``, in UTC.

    "Created on or before D" compares a stored UTC time with a local calendar day: an item
    created at 20:30 in Port-au-Prince on D is already D + 1 in UTC and still belongs to D.
    """
    return datetime.combine(as_of + timedelta(days=1), time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def existed_on(as_of: date, zone: str, latest: sa.Subquery | None = None) -> Any:
    """SQL filter: the item existed on ``as_of`` (for queries joined to :func:`latest_updates_subquery`).

    An item exists on D when it was created by the end of D (in ``zone``) or when it has a
    progress update dated on or before D — a plan typed into the portal after the fact
    still shows the past that its reports record. Items that did not exist are left out of
    every "as of" figure instead of counting as 0 %.
    """
    created = ActionItem.created_at < day_end_utc(as_of, zone)
    return created if latest is None else sa.or_(created, latest.c.item_id.is_not(None))


def items_existing_on(items: Sequence[ActionItem], states: dict[int, State], as_of: date,
                      zone: str) -> list[ActionItem]:
    """The items (in their order) that existed on ``as_of``, with the ancestors of each kept.

    ``states`` are the items' states on ``as_of`` (an item with one had a report by then).
    An axis created later than its actions is kept so the tree keeps its shape.
    """
    cutoff = day_end_utc(as_of, zone)
    by_id = {i.id: i for i in items}
    kept: set[int] = set()
    for item in items:
        if item.created_at < cutoff or item.id in states:
            node: ActionItem | None = item
            while node is not None and node.id not in kept:
                kept.add(node.id)
                node = by_id.get(node.parent_id) if node.parent_id else None
    return [i for i in items if i.id in kept]


def before_period(plan: Any, as_of: date) -> bool:
    """Whether ``as_of`` falls before the plan's period (its figures are then all "not started")."""
    return plan.period_start is not None and as_of < plan.period_start


def state_from_updates(updates: Iterable[ProgressUpdate], as_of: date) -> State:
    """The state on ``as_of`` from an item's loaded updates (no query)."""
    best = None
    for u in updates:
        if u.update_date <= as_of and (best is None or (u.update_date, u.id) > (best.update_date, best.id)):
            best = u
    return State(best.status, best.progress, best.update_date) if best else NOT_STARTED


def is_overdue(deadline: date | None, status: ItemStatus, as_of: date) -> bool:
    """Deadline passed on ``as_of`` and the item neither completed nor cancelled."""
    return deadline is not None and deadline < as_of and status not in CLOSED


@dataclass
class NodeProgress:
    """Computed figures for one node of the tree on a date."""

    item: ActionItem
    state: State
    progress: float | None
    status: ItemStatus
    overdue: bool
    is_leaf: bool
    leaf_counts: Counter = field(default_factory=Counter)
    overdue_leaves: int = 0


def weighted_progress(children: Sequence[tuple[int, float | None, ItemStatus]]) -> float | None:
    """Σ weight × progress / Σ weight over (weight, progress, status), cancelled ones left out."""
    kept = [(w, p) for w, p, s in children if s != ItemStatus.CANCELLED and p is not None]
    total = sum(w for w, _ in kept)
    if not total:
        return None
    return sum(w * p for w, p in kept) / total


def _derived_status(children: list[NodeProgress]) -> ItemStatus:
    live = [c for c in children if c.status != ItemStatus.CANCELLED]
    if not live:
        return ItemStatus.CANCELLED
    if all(c.status == ItemStatus.COMPLETED for c in live):
        return ItemStatus.COMPLETED
    if any(c.status == ItemStatus.DELAYED or c.overdue for c in live):
        return ItemStatus.DELAYED
    if any(c.status != ItemStatus.NOT_STARTED for c in live):
        return ItemStatus.IN_PROGRESS
    return ItemStatus.NOT_STARTED


def roll_up(items: Sequence[ActionItem], states: dict[int, State], as_of: date) -> dict[int, NodeProgress]:
    """Compute every node's figures on ``as_of`` from its leaves' states (no query)."""
    children: dict[int | None, list[ActionItem]] = defaultdict(list)
    ids = {i.id for i in items}
    for item in items:
        children[item.parent_id if item.parent_id in ids else None].append(item)
    result: dict[int, NodeProgress] = {}

    def visit(item: ActionItem) -> NodeProgress:
        kids = [visit(child) for child in children.get(item.id, [])]
        state = states.get(item.id, NOT_STARTED)
        if not kids:
            node = NodeProgress(
                item, state, float(state.progress), state.status,
                is_overdue(item.deadline, state.status, as_of), True,
            )
            node.leaf_counts[state.status] += 1
            node.overdue_leaves = int(node.overdue)
        else:
            progress = weighted_progress([(k.item.weight, k.progress, k.status) for k in kids])
            status = _derived_status(kids)
            node = NodeProgress(item, state, progress, status, False, False)
            for k in kids:
                node.leaf_counts.update(k.leaf_counts)
                node.overdue_leaves += k.overdue_leaves
        result[item.id] = node
        return node

    for root in children.get(None, []):
        visit(root)
    return result


@dataclass
class PlanSummary:
    overall: float | None
    leaf_counts: Counter
    overdue: int
    axes: list[NodeProgress]


def summarise(nodes: dict[int, NodeProgress]) -> PlanSummary:
    """Overall progress (weighted over the axes), status counts and overdue actions."""
    axes = [n for n in nodes.values() if n.item.parent_id is None or n.item.parent_id not in nodes]
    axes.sort(key=lambda n: n.item.sort_key)
    counts: Counter = Counter()
    for axis in axes:
        counts.update(axis.leaf_counts)
    overall = weighted_progress([(a.item.weight, a.progress, a.status) for a in axes])
    return PlanSummary(overall, counts, sum(a.overdue_leaves for a in axes), axes)
