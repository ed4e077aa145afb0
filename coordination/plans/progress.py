"""Status and progress "as of" a date, and the weighted roll-up from children to parents.

An item's state on date D is its latest progress update dated on or before D (ties broken
by the order they were recorded); with none, it is "not started" at 0 %. A parent's
progress is Σ weight × progress / Σ weight over its children that are not cancelled on D;
nobody types a parent's percentage.
"""
from __future__ import annotations

from collections import Counter
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


def rows_as_of(item_filter: Any, as_of: date, zone: str, *columns: Any) -> list[sa.Row]:
    """The items matched that existed on ``as_of``, in tree order, with their state then (one query).

    Each row is (id, parent id, weight, deadline, status, progress, update date, created by
    the date, *columns): a :data:`Row` for :func:`figures` in its first six places; status
    (its value), progress and update date None for an item not reported on by then. As of
    means as it was: items that did not exist then (see :func:`existed_on`) are left out,
    their ancestors kept.
    """
    latest = latest_updates_subquery(as_of, item_filter)
    stmt = (
        # The status as its value (figures maps it to the member): no enum conversion per row.
        sa.select(ActionItem.id, ActionItem.parent_id, ActionItem.weight, ActionItem.deadline,
                  sa.type_coerce(latest.c.status, sa.String), latest.c.progress, latest.c.update_date,
                  existed_on(as_of, zone).label("created"), *columns)
        .outerjoin(latest, latest.c.item_id == ActionItem.id)
        .where(item_filter)
        .order_by(ActionItem.sort_key)
    )
    # Run on the connection: plain rows, without the ORM's processing of each of thousands
    # (which the session would apply, the columns being mapped ones); flushed first as it would.
    db.session.flush()
    rows = db.session.connection().execute(stmt).all()
    return _existing(rows)


def state_of(row: Sequence[Any]) -> State:
    """The state in a row of :func:`rows_as_of`."""
    return NOT_STARTED if row[4] is None else State(_MEMBER[row[4]], row[5], row[6])


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


STATUSES = tuple(ItemStatus)
_INDEX = {s: n for n, s in enumerate(STATUSES)}
_MEMBER = {s: s for s in STATUSES}  # a status given as its value → the member (``is`` compares below)
_ONE = {s: tuple(int(t is s) for t in STATUSES) for s in STATUSES}  # a leaf's counts, shared
_NS, _IP, _DONE, _DELAYED, _CANCELLED = (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.COMPLETED,
                                         ItemStatus.DELAYED, ItemStatus.CANCELLED)

# One row of the roll-up's input: (id, parent id, weight, deadline, reported status — the member or
# its value — or None, reported %).
Row = tuple[int, "int | None", int, "date | None", "ItemStatus | None", "int | None"]
# A node's figures: (progress, status, overdue, is leaf, leaf counts by STATUSES index, overdue leaves).
Figures = tuple["float | None", ItemStatus, bool, bool, "Sequence[int]", int]


def figures(rows: Sequence[Row], as_of: date) -> dict[int, Figures]:
    """Every node's figures on ``as_of`` from its leaves' reported states (no query, no object per node).

    A leaf has its reported state (none: not started at 0 %) and is overdue when its deadline
    passed with it neither completed nor cancelled. A parent's progress is
    :func:`weighted_progress` over its children; its status is derived from theirs: cancelled
    when all are, completed when all the others are, delayed when one is delayed or overdue,
    in progress when one has started. A row whose parent is not among ``rows`` is a root.
    Plain tuples and loops: a plan of 5,000 items is rolled up on every first view of its page.
    """
    ids = {r[0] for r in rows}
    children: dict[int, list[Row]] = {}
    roots: list[Row] = []
    for r in rows:
        parent = r[1]
        if parent is not None and parent in ids:
            kids = children.get(parent)
            if kids is None:
                children[parent] = [r]
            else:
                kids.append(r)
        else:
            roots.append(r)
    result: dict[int, Figures] = {}

    def leaf(r: Row) -> Figures:
        status = _MEMBER[r[4]] if r[4] is not None else _NS
        overdue = is_overdue(r[3], status, as_of)
        figs = (float(r[5] or 0), status, overdue, True, _ONE[status], int(overdue))
        result[r[0]] = figs
        return figs

    # Parents after their children (post-order), without recursion: the tree may be deep.
    stack: list[tuple[Row, bool]] = [(r, False) for r in reversed(roots)]
    while stack:
        r, ready = stack.pop()
        kids = children.get(r[0])
        if kids is None:
            leaf(r)
            continue
        if not ready:
            stack.append((r, True))
            stack.extend((k, False) for k in reversed(kids) if k[0] in children)
            continue
        live = completed = overdue_leaves = 0
        delayed = started = False
        counts = [0] * len(STATUSES)
        weighed: list[tuple[int, float | None, ItemStatus]] = []
        for k in kids:
            k_progress, k_status, k_overdue, k_leaf, k_counts, k_overdue_leaves = (
                result[k[0]] if k[0] in children else leaf(k))
            if k_leaf:
                counts[_INDEX[k_status]] += 1
            else:
                for n, c in enumerate(k_counts):
                    counts[n] += c
            overdue_leaves += k_overdue_leaves
            weighed.append((k[2], k_progress, k_status))
            if k_status is _CANCELLED:
                continue
            live += 1
            if k_status is _DONE:
                completed += 1
            elif k_status is _DELAYED or k_overdue:
                delayed = True
            if k_status is not _NS:
                started = True
        if not live:
            status = _CANCELLED
        elif completed == live:
            status = _DONE
        elif delayed:
            status = _DELAYED
        elif started:
            status = _IP
        else:
            status = _NS
        result[r[0]] = (weighted_progress(weighed), status, False, False, counts, overdue_leaves)
    return result


def _existing(rows: Sequence[sa.Row]) -> list[sa.Row]:
    """The rows of :func:`rows_as_of` (in their order) of the items that existed on its date, with
    each one's ancestors: created by the end of the day, or reported on by then. An axis entered
    later than its actions is kept so the tree keeps its shape."""
    parent_of = {r[0]: r[1] for r in rows}
    kept: set[int] = set()
    for r in rows:
        if r[7] or r[4] is not None:
            node = r[0]
            while node is not None and node not in kept:
                kept.add(node)
                node = parent_of.get(node)
    return [r for r in rows if r[0] in kept]


def node_progress(item: Any, state: State, figs: Figures) -> NodeProgress:
    """A :class:`NodeProgress` from a node's :func:`figures`."""
    progress, status, overdue, is_leaf, counts, overdue_leaves = figs
    leaf_counts = Counter({s: n for s, n in zip(STATUSES, counts, strict=True) if n})
    return NodeProgress(item, state, progress, status, overdue, is_leaf, leaf_counts, overdue_leaves)


def roll_up(items: Sequence[ActionItem], states: dict[int, State], as_of: date) -> dict[int, NodeProgress]:
    """Compute every node's figures on ``as_of`` from its leaves' states (no query)."""
    rows = []
    for i in items:
        state = states.get(i.id)
        rows.append((i.id, i.parent_id, i.weight, i.deadline, *((state.status, state.progress) if state else (None, None))))
    by_id = {i.id: i for i in items}
    return {item_id: node_progress(by_id[item_id], states.get(item_id, NOT_STARTED), figs)
            for item_id, figs in figures(rows, as_of).items()}


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
