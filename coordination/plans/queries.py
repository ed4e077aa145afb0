"""Read-side queries for plans: the tree as of a date, the filtered item list, dashboards."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from coordination.db import contains, within
from coordination.extensions import cache, db
from coordination.organisations.models import Organisation
from coordination.plans import progress
from coordination.plans.models import (
    ActionItem,
    ActionItemArea,
    ActionPlan,
    Indicator,
    ItemComment,
    ItemStatus,
    ProgressUpdate,
)

SORTS = {
    "code": (ActionItem.plan_id, ActionItem.sort_key),
    "deadline": (ActionItem.deadline.is_(None), ActionItem.deadline, ActionItem.sort_key),
    "-deadline": (ActionItem.deadline.is_(None), ActionItem.deadline.desc(), ActionItem.sort_key),
    "title": (ActionItem.title,),
    "owner": (Organisation.name, ActionItem.sort_key),
    "priority": (sa.case({"high": 0, "medium": 1, "low": 2}, value=ActionItem.priority), ActionItem.sort_key),
}
SORT_NAMES = (*SORTS, "progress", "-progress", "status")


def get_plan(plan_id: int) -> ActionPlan | None:
    return db.session.get(ActionPlan, plan_id, options=[joinedload(ActionPlan.body)])


def get_item(item_id: int, **_child_ids: int) -> ActionItem | None:
    """An item with its body (routes about one of its indicators or reports pass their ids too)."""
    return db.session.get(ActionItem, item_id, options=[joinedload(ActionItem.body)])


def indicator_of(item: ActionItem, indicator_id: int, **_ids: int) -> Indicator | None:
    """The indicator ``indicator_id`` if it is one of ``item``'s."""
    indicator = db.session.get(Indicator, indicator_id)
    return indicator if indicator is not None and indicator.item_id == item.id else None


def evidence_of(item: ActionItem, update_id: int, **_ids: int) -> ProgressUpdate | None:
    """The progress report ``update_id`` of ``item``, if it carries an evidence file."""
    update = db.session.get(ProgressUpdate, update_id)
    return update if update is not None and update.item_id == item.id and update.evidence_path else None


def all_plans(visible: set[int] | None) -> list[ActionPlan]:
    stmt = db.select(ActionPlan).options(joinedload(ActionPlan.body)).order_by(ActionPlan.period_start.desc())
    stmt = stmt.where(within(ActionPlan.body_id, visible))
    return list(db.session.execute(stmt).scalars())


def _zone() -> str:
    return current_app.config["DEFAULT_TIMEZONE"]


def plans_overview(visible: set[int] | None, as_of: date) -> list[tuple[ActionPlan, progress.PlanSummary]]:
    """Every visible plan with its summary on ``as_of`` (a fixed number of queries).

    A summary reads every item of its plan and their reports: it is cached under the plan's
    ``items_version`` (moved by database triggers on every write to the plan's items and
    reports, see plan_outline), so the dashboard does not roll up whole plans on each view.
    """
    plans = all_plans(visible)
    if not plans:
        return []
    keys = {p.id: f"plans:summary:{SUMMARY_FORMAT}:{p.id}:{p.created_at.isoformat()}:{p.items_version}:{as_of}:{_zone()}"
            for p in plans}
    found = dict(zip(keys, cache.get_many(*keys.values()), strict=True))
    missing = [p.id for p in plans if found[p.id] is None]
    if missing:
        # A plan's summary needs its axes only: the items of the plans are rolled up, not built.
        nodes = light_nodes(ActionItem.plan_id.in_(missing), as_of, roots_only=True)
        by_plan: dict[int, dict[int, progress.NodeProgress]] = {plan_id: {} for plan_id in missing}
        for item_id, node in nodes.items():
            by_plan[node.item.plan_id][item_id] = node
        built = {plan_id: progress.summarise(by_plan[plan_id]) for plan_id in missing}
        cache.set_many({keys[plan_id]: summary for plan_id, summary in built.items()})
        found.update(built)
    return [(p, found[p.id]) for p in plans]


@dataclass
class ItemFilters:
    plan: int | None = None
    owner: int | None = None
    status: str = ""
    axis: int | None = None
    overdue: bool = False
    due_within: int | None = None
    scope: str = ""
    priority: str = ""
    search: str = ""
    sort: str = "code"
    open_only: bool = False


def _item_rows_statement(filters: ItemFilters, visible: set[int] | None, today: date, brief: bool = False):
    """The action list as it stood on ``today`` (the as-of date): states then, items that existed then
    (``brief``: with their plan and lead organisation only, for the lists that show no more)."""
    # The item filters that need no state narrow the reports ranked too (not the whole table).
    narrow = [] if visible is None else [ActionItem.body_id.in_(visible)]
    if filters.plan:
        narrow.append(ActionItem.plan_id == filters.plan)
    if filters.owner:
        narrow.append(ActionItem.lead_organisation_id == filters.owner)
    latest = progress.latest_updates_subquery(today, sa.and_(*narrow) if narrow else None)
    status = sa.func.coalesce(latest.c.status, ItemStatus.NOT_STARTED.value).label("status")
    percent = sa.func.coalesce(latest.c.progress, 0).label("progress")
    parents = sa.select(ActionItem.parent_id).where(ActionItem.parent_id.is_not(None))
    stmt = (
        sa.select(ActionItem, status, percent, latest.c.update_date)
        .outerjoin(latest, latest.c.item_id == ActionItem.id)
        .outerjoin(Organisation, Organisation.id == ActionItem.lead_organisation_id)
        .where(ActionItem.id.not_in(parents), *narrow)  # actions only: leaves
        .where(progress.existed_on(today, _zone(), latest))
        .options(joinedload(ActionItem.lead_organisation), joinedload(ActionItem.plan))
    )
    if not brief:
        stmt = stmt.options(
            joinedload(ActionItem.focal_person), selectinload(ActionItem.areas), selectinload(ActionItem.supporters),
        )
    if filters.status:
        stmt = stmt.where(status == filters.status)
    if filters.priority:
        stmt = stmt.where(ActionItem.priority == filters.priority)
    if filters.axis:
        axis_key = sa.select(ActionItem.sort_key).where(ActionItem.id == filters.axis).scalar_subquery()
        axis_plan = sa.select(ActionItem.plan_id).where(ActionItem.id == filters.axis).scalar_subquery()
        stmt = stmt.where(ActionItem.plan_id == axis_plan, ActionItem.sort_key.startswith(axis_key))
    open_ = status.not_in([s.value for s in progress.CLOSED])
    if filters.overdue:
        stmt = stmt.where(ActionItem.deadline < today, open_)
    if filters.due_within is not None:
        stmt = stmt.where(
            ActionItem.deadline >= today, ActionItem.deadline <= today + timedelta(days=filters.due_within), open_
        )
    if filters.scope == "national":
        stmt = stmt.where(ActionItem.scope_national.is_(True))
    elif filters.scope:
        stmt = stmt.where(
            sa.exists().where(ActionItemArea.item_id == ActionItem.id, ActionItemArea.area == filters.scope)
        )
    if filters.open_only:
        stmt = stmt.where(open_)
    if filters.search:
        stmt = stmt.where(contains(filters.search, ActionItem.title, ActionItem.code))
    if filters.sort in ("progress", "-progress"):
        order = (percent.desc() if filters.sort == "-progress" else percent, ActionItem.sort_key)
    elif filters.sort == "status":
        order = (status, ActionItem.sort_key)
    elif filters.sort == "urgency":  # overdue first, then the nearest deadlines
        order = (
            sa.case((sa.and_(ActionItem.deadline < today, open_), 0), else_=1),
            ActionItem.deadline.is_(None), ActionItem.deadline, ActionItem.sort_key,
        )
    else:
        order = SORTS.get(filters.sort, SORTS["code"])
    return stmt.order_by(*order, ActionItem.id)


@dataclass
class ItemRow:
    item: ActionItem
    status: ItemStatus
    progress: int
    update_date: date | None
    overdue: bool


def _rows(result, today: date) -> list[ItemRow]:
    return [
        ItemRow(item, ItemStatus(status), pct, when, progress.is_overdue(item.deadline, ItemStatus(status), today))
        for item, status, pct, when in result
    ]


def item_page(filters: ItemFilters, visible: set[int] | None, today: date, page: int, per_page: int):
    """One page of the filtered action list and the total count (two queries): the list shows
    no areas, supporters or focal person, so the items are loaded brief."""
    stmt = _item_rows_statement(filters, visible, today, brief=True)
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())).scalar()
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return _rows(result, today), total


def item_rows(filters: ItemFilters, visible: set[int] | None, today: date, limit: int | None = None,
              *, brief: bool = False) -> list[ItemRow]:
    """The rows the filter matches on ``today`` (the as-of date): all of them for the CSV, or the first
    ``limit`` (``brief``: items loaded with their plan and lead organisation only)."""
    stmt = _item_rows_statement(filters, visible, today, brief)
    if limit is not None:
        stmt = stmt.limit(limit)
    return _rows(db.session.execute(stmt).unique().all(), today)


def axes_of(items: list[ActionItem]) -> dict[int, ActionItem]:
    """The strategic axis (top-level ancestor) of each item, by item id (one query)."""
    plan_ids = {i.plan_id for i in items if i.plan_id is not None}
    if not plan_ids:
        return {}
    roots = db.session.execute(
        db.select(ActionItem).where(ActionItem.plan_id.in_(plan_ids), ActionItem.parent_id.is_(None))
    ).scalars().all()
    by_key = {(r.plan_id, r.sort_key): r for r in roots}
    return {
        i.id: by_key[(i.plan_id, i.sort_key.split(".")[0])]
        for i in items if (i.plan_id, i.sort_key.split(".")[0]) in by_key
    }


def item_detail(item_id: int) -> ActionItem | None:
    """An item with everything its page shows."""
    return db.session.execute(
        db.select(ActionItem)
        .where(ActionItem.id == item_id)
        .options(
            joinedload(ActionItem.body),
            joinedload(ActionItem.plan),
            joinedload(ActionItem.parent),
            joinedload(ActionItem.lead_organisation),
            joinedload(ActionItem.focal_person),
            selectinload(ActionItem.children),
            selectinload(ActionItem.supporters),
            selectinload(ActionItem.areas),
            selectinload(ActionItem.indicators),
            selectinload(ActionItem.comments).joinedload(ItemComment.author),
            selectinload(ActionItem.updates).options(
                joinedload(ProgressUpdate.author), selectinload(ProgressUpdate.values)
            ),
        )
    ).unique().scalar_one_or_none()


def organisation_items(organisation_id: int, visible: set[int] | None, today: date, limit: int = 25) -> list[ItemRow]:
    """An organisation's open actions, most urgent first: overdue, then by nearest deadline."""
    filters = ItemFilters(owner=organisation_id, sort="urgency", open_only=True)
    return item_rows(filters, visible, today, limit, brief=True)


def overdue_counts_by_owner(visible: set[int] | None, today: date) -> list[tuple[Organisation | None, int]]:
    """How many overdue actions each owner has, the most first (one grouped query)."""
    rows = _item_rows_statement(ItemFilters(overdue=True), visible, today).subquery()
    counts = db.session.execute(
        sa.select(Organisation, sa.func.count())
        .select_from(rows)
        .outerjoin(Organisation, Organisation.id == rows.c.lead_organisation_id)
        .group_by(Organisation.id)
        .order_by(sa.func.count().desc(), Organisation.name)
    ).all()
    return [(org, n) for org, n in counts]


def axes(plan_id: int | None = None) -> list[ActionItem]:
    stmt = db.select(ActionItem).where(ActionItem.parent_id.is_(None), ActionItem.plan_id.is_not(None))
    if plan_id:
        stmt = stmt.where(ActionItem.plan_id == plan_id)
    return list(db.session.execute(stmt.order_by(ActionItem.plan_id, ActionItem.sort_key)).scalars())


# --- the plan page: an outline whose size does not follow the plan ----------------------------

OUTLINE_CHILDREN = 25  # children shown under each axis on the outline
UNFOLDED_PAGE = 50  # children shown per page under an unfolded node


@dataclass(frozen=True)
class OutlineNode:
    """The columns of an item that a summary needs (no ORM object for each of thousands)."""

    id: int
    parent_id: int | None
    plan_id: int | None
    depth: int
    code: str
    title: str
    sort_key: str
    weight: int
    deadline: date | None
    created_at: datetime


def light_nodes(item_filter: Any, as_of: date, roots_only: bool = False) -> dict[int, progress.NodeProgress]:
    """Figures on ``as_of`` of the items matched, from their columns only (1 query, no ORM objects);
    with ``roots_only``, of the items whose parent is not among them (the axes of whole plans)."""
    rows = progress.rows_as_of(item_filter, as_of, _zone(), ActionItem.plan_id, ActionItem.depth, ActionItem.code,
                               ActionItem.title, ActionItem.sort_key, ActionItem.created_at)
    figures = progress.figures(rows, as_of)
    if roots_only:
        ids = {r[0] for r in rows}
        rows = [r for r in rows if r[1] not in ids]
    return {
        r[0]: progress.node_progress(OutlineNode(r[0], r[1], *r[8:13], r[2], r[3], r[13]), progress.state_of(r),
                                     figures[r[0]])
        for r in rows
    }


@dataclass(frozen=True)
class PlanRollUp:
    """A plan's figures on a date over every item that existed then: what all its outline pages
    share, whichever node they unfold (cached apart from them; ids and tuples, no objects)."""

    figures: dict[int, progress.Figures]
    children: dict[int | None, list[int]]  # in tree order; under None, the axes
    parents: dict[int, int | None]


@dataclass(frozen=True)
class OutlineShape:
    """The figures and the ids of an outline page (what is cached for each page)."""

    figures: dict[int, tuple[progress.Figures, progress.State]]  # of the rows shown (the axes among them)
    axes: list[int]
    shown: list[int]  # the ids of the rows shown, in tree order
    child_counts: dict[int, int]
    opened_id: int | None
    page: int
    pages: int
    hidden: dict[int, int]  # axis id → children not shown on the outline


@dataclass(frozen=True)
class Outline(OutlineShape):
    """What the plan page shows: the shape, with the rows' items loaded."""

    nodes: dict[int, progress.NodeProgress]  # of the rows shown
    summary: progress.PlanSummary  # computed over the whole plan
    rows: list[ActionItem]  # the rows shown, with their lead organisation
    opened: ActionItem | None


# Raised whenever OutlineShape, PlanRollUp or the roll-up changes, so a shared cache never serves old shapes.
OUTLINE_FORMAT = "outline-2"
SUMMARY_FORMAT = "summary-1"  # in the key of cached plan summaries: bump when PlanSummary changes


def plan_outline(plan: ActionPlan, as_of: date, open_id: int | None = None, page: int = 1) -> Outline:
    """The plan's roll-up on ``as_of`` and the rows of its page.

    Shown: the axes, up to ``OUTLINE_CHILDREN`` objectives under each, and — when a node is
    unfolded (``open_id``) — the path down to it and one page of its children.

    The roll-up reads every item of the plan and its reports: it is cached under the plan's
    ``items_version``, which database triggers move on every write to the plan's items and
    reports, so a change never serves an old figure; each page's shape is cached beside it.
    A page then costs one query for the rows it shows, whatever the size of the plan; a
    first view after a change, one more.
    """
    # The time of creation tells apart a plan that took the id of a deleted one (SQLite reuses ids).
    key = (f"plans:outline:{OUTLINE_FORMAT}:{plan.id}:{plan.created_at.isoformat()}:{plan.items_version}:"
           f"{as_of}:{_zone()}")
    shape = cache.get(f"{key}:{open_id}:{page}")
    if shape is None:
        roll, rows = cache.get(key), None
        if roll is None:
            roll, rows = _plan_roll_up(plan.id, as_of)
            cache.set(key, roll)
        shape = _outline_shape(roll, open_id, page, as_of, rows)
        cache.set(f"{key}:{open_id}:{page}", shape)
    loaded = {i.id: i for i in db.session.execute(
        db.select(ActionItem).where(ActionItem.id.in_(shape.shown)).options(joinedload(ActionItem.lead_organisation))
    ).scalars()} if shape.shown else {}
    nodes = {i: progress.node_progress(loaded[i], state, figures)
             for i, (figures, state) in shape.figures.items() if i in loaded}
    return Outline(**vars(shape), nodes=nodes, summary=progress.summarise({i: nodes[i] for i in shape.axes if i in nodes}),
                   rows=[loaded[i] for i in shape.shown if i in loaded],
                   opened=loaded.get(shape.opened_id) if shape.opened_id is not None else None)


def _plan_roll_up(plan_id: int, as_of: date) -> tuple[PlanRollUp, dict[int, sa.Row]]:
    """The plan's roll-up and the rows it was computed from, by id (one query)."""
    rows = progress.rows_as_of(ActionItem.plan_id == plan_id, as_of, _zone())
    children: dict[int | None, list[int]] = {}
    parents: dict[int, int | None] = {}
    for r in rows:
        item_id, parent_id = r[0], r[1]
        parents[item_id] = parent_id
        kids = children.get(parent_id)
        if kids is None:
            children[parent_id] = [item_id]
        else:
            kids.append(item_id)
    return PlanRollUp(progress.figures(rows, as_of), children, parents), {r[0]: r for r in rows}


def _outline_shape(roll: PlanRollUp, open_id: int | None, page: int, as_of: date,
                   rows: dict[int, sa.Row] | None) -> OutlineShape:
    """The page's rows and their figures; their states from ``rows`` when the roll-up was just
    computed, else from one query on the rows shown (dates are dear to cache for every item)."""
    children, parents = roll.children, roll.parents
    shown: list[int] = []
    hidden: dict[int, int] = {}
    opened = open_id if open_id in parents else None
    path: set[int] = set()
    node = opened
    while node is not None:
        path.add(node)
        node = parents[node]
    pages, page = 1, max(page, 1)
    opened_children: list[int] = []
    if opened is not None:
        kids = children.get(opened, [])
        pages = max(1, -(-len(kids) // UNFOLDED_PAGE))
        page = min(page, pages)
        opened_children = kids[(page - 1) * UNFOLDED_PAGE: page * UNFOLDED_PAGE]

    def walk(item: int, axis: bool) -> None:
        shown.append(item)
        kids = children.get(item, [])
        if item == opened:
            shown.extend(opened_children)
            return
        if axis:
            visible = kids[:OUTLINE_CHILDREN]
            extra = [k for k in kids[OUTLINE_CHILDREN:] if k in path]
            if len(kids) > OUTLINE_CHILDREN:
                hidden[item] = len(kids) - OUTLINE_CHILDREN
            for kid in visible + extra:
                walk(kid, False)
        else:
            for kid in kids:
                if kid in path:
                    walk(kid, False)

    axes = children.get(None, [])
    for root in axes:
        walk(root, True)
    if rows is not None:
        states = {i: progress.state_of(rows[i]) for i in shown}
    else:
        states = progress.states_as_of(ActionItem.id.in_(shown), as_of) if shown else {}
    figures = {i: (roll.figures[i], states.get(i, progress.NOT_STARTED)) for i in shown}
    return OutlineShape(figures, list(axes), shown, {i: len(children[i]) for i in shown if children.get(i)},
                        opened, page, pages, hidden)


def outline_page_of(item: ActionItem) -> int:
    """The page of its parent's unfolded children on which ``item`` appears."""
    before = db.session.execute(
        sa.select(sa.func.count()).where(ActionItem.parent_id == item.parent_id, ActionItem.plan_id == item.plan_id,
                                         ActionItem.sort_key < item.sort_key)
    ).scalar_one()
    return before // UNFOLDED_PAGE + 1
