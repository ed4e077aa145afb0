"""Read-side queries for plans: the tree as of a date, the filtered item list, dashboards."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.plans import progress
from coordination.plans.models import (
    ActionItem,
    ActionItemArea,
    ActionPlan,
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


def get_item(item_id: int) -> ActionItem | None:
    return db.session.get(ActionItem, item_id, options=[joinedload(ActionItem.body)])


def all_plans(visible: set[int] | None) -> list[ActionPlan]:
    stmt = db.select(ActionPlan).options(joinedload(ActionPlan.body)).order_by(ActionPlan.period_start.desc())
    if visible is not None:
        stmt = stmt.where(ActionPlan.body_id.in_(visible))
    return list(db.session.execute(stmt).scalars())


def plan_nodes(plan_filter: Any, as_of: date) -> tuple[list[ActionItem], dict[int, progress.NodeProgress]]:
    """Items matching ``plan_filter`` in tree order and their figures on ``as_of`` (3 queries)."""
    items = list(
        db.session.execute(
            db.select(ActionItem)
            .where(plan_filter)
            .options(joinedload(ActionItem.lead_organisation))
            .order_by(ActionItem.sort_key)
        ).scalars()
    )
    states = progress.states_as_of(plan_filter, as_of)
    return items, progress.roll_up(items, states, as_of)


def plans_overview(visible: set[int] | None, as_of: date) -> list[tuple[ActionPlan, progress.PlanSummary]]:
    """Every visible plan with its summary on ``as_of`` (a fixed number of queries)."""
    plans = all_plans(visible)
    if not plans:
        return []
    _items, nodes = plan_nodes(ActionItem.plan_id.in_([p.id for p in plans]), as_of)
    by_plan: dict[int, dict[int, progress.NodeProgress]] = {p.id: {} for p in plans}
    for item_id, node in nodes.items():
        by_plan[node.item.plan_id][item_id] = node
    return [(p, progress.summarise(by_plan[p.id])) for p in plans]


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


def _item_rows_statement(filters: ItemFilters, visible: set[int] | None, today: date):
    latest = progress.latest_updates_subquery(today)
    status = sa.func.coalesce(latest.c.status, ItemStatus.NOT_STARTED.value).label("status")
    percent = sa.func.coalesce(latest.c.progress, 0).label("progress")
    child = sa.orm.aliased(ActionItem, name="kid")
    stmt = (
        sa.select(ActionItem, status, percent, latest.c.update_date)
        .outerjoin(latest, latest.c.item_id == ActionItem.id)
        .outerjoin(Organisation, Organisation.id == ActionItem.lead_organisation_id)
        .where(~sa.exists().where(child.parent_id == ActionItem.id))  # actions only: leaves
        .options(
            joinedload(ActionItem.lead_organisation),
            joinedload(ActionItem.plan),
            joinedload(ActionItem.focal_person),
            selectinload(ActionItem.areas),
            selectinload(ActionItem.supporters),
        )
    )
    if visible is not None:
        stmt = stmt.where(ActionItem.body_id.in_(visible))
    if filters.plan:
        stmt = stmt.where(ActionItem.plan_id == filters.plan)
    if filters.owner:
        stmt = stmt.where(ActionItem.lead_organisation_id == filters.owner)
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
    if filters.search:
        like = f"%{filters.search.lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(ActionItem.title).like(like), ActionItem.code.like(like)))
    if filters.sort in ("progress", "-progress"):
        order = (percent.desc() if filters.sort == "-progress" else percent, ActionItem.sort_key)
    elif filters.sort == "status":
        order = (status, ActionItem.sort_key)
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
    """One page of the filtered action list and the total count (two queries + eager loads)."""
    stmt = _item_rows_statement(filters, visible, today)
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())).scalar()
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return _rows(result, today), total


def item_rows(filters: ItemFilters, visible: set[int] | None, today: date) -> list[ItemRow]:
    """Every row the filter matches (for the CSV export)."""
    return _rows(db.session.execute(_item_rows_statement(filters, visible, today)).unique().all(), today)


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


def organisation_items(organisation_id: int, visible: set[int] | None, today: date, soon_days: int = 60) -> list[ItemRow]:
    """An organisation's open actions: overdue first (oldest deadline first), then due soon."""
    rows = item_rows(ItemFilters(owner=organisation_id, sort="deadline"), visible, today)
    open_rows = [r for r in rows if r.status not in progress.CLOSED]
    overdue = [r for r in open_rows if r.overdue]
    soon = [r for r in open_rows if not r.overdue and r.item.deadline and r.item.deadline <= today + timedelta(days=soon_days)]
    later = [r for r in open_rows if r not in overdue and r not in soon]
    return overdue + soon + later


def overdue_by_owner(visible: set[int] | None, today: date) -> list[tuple[Organisation | None, list[ItemRow]]]:
    """Overdue actions grouped by owner organisation, the most overdue owners first."""
    rows = item_rows(ItemFilters(overdue=True, sort="deadline"), visible, today)
    groups: dict[int | None, list[ItemRow]] = {}
    owners: dict[int | None, Organisation | None] = {}
    for row in rows:
        key = row.item.lead_organisation_id
        groups.setdefault(key, []).append(row)
        owners[key] = row.item.lead_organisation
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), owners[kv[0]].name if owners[kv[0]] else ""))
    return [(owners[k], v) for k, v in ordered]


def axes(plan_id: int | None = None) -> list[ActionItem]:
    stmt = db.select(ActionItem).where(ActionItem.parent_id.is_(None), ActionItem.plan_id.is_not(None))
    if plan_id:
        stmt = stmt.where(ActionItem.plan_id == plan_id)
    return list(db.session.execute(stmt.order_by(ActionItem.plan_id, ActionItem.sort_key)).scalars())
