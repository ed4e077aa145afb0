"""An evaluation's figures: the plan as it stood on the as-of date, as plain JSON-ready data.

The same dictionary is shown while an evaluation is a draft (computed afresh on each view)
and stored when it becomes final, so a final evaluation's page, Word report and spreadsheet
never change whatever is edited, re-parented, re-weighted or reported later.

"As of" is exact here: items created after the date are left out; an item's state is its
latest progress report dated on or before the date (ties broken by the order recorded);
indicator values are the latest reported on or before the date.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from coordination.extensions import db
from coordination.plans import progress
from coordination.plans.models import (
    ActionItem,
    ActionItemArea,
    ActionPlan,
    Indicator,
    IndicatorValue,
    ItemStatus,
    ProgressUpdate,
)

# Bumped when the stored structure changes, so old snapshots can be read knowingly.
FIGURES_VERSION = 1
STATUS_ORDER = [s.value for s in ItemStatus]


def end_of_day_utc(on: date, zone: str | None = None) -> datetime:
    """The first instant after ``on`` in the portal's time zone, in UTC (items created before it count)."""
    tz = ZoneInfo(zone or current_app.config["DEFAULT_TIMEZONE"])
    return datetime.combine(on + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def items_as_of(item_filter: Any, as_of: date) -> list[ActionItem]:
    """Items matching ``item_filter`` that existed on ``as_of``, in tree order (one query)."""
    return list(
        db.session.execute(
            db.select(ActionItem)
            .where(item_filter, ActionItem.created_at < end_of_day_utc(as_of))
            .options(joinedload(ActionItem.lead_organisation))
            .order_by(ActionItem.plan_id, ActionItem.sort_key)
        ).scalars()
    )


def areas_of(item_filter: Any) -> dict[int, list[str]]:
    """Departments/areas of the matching items (one query, whatever their number:
    a selectinload would split into batches of 500)."""
    rows = db.session.execute(
        sa.select(ActionItemArea.item_id, ActionItemArea.area)
        .where(ActionItemArea.item_id.in_(sa.select(ActionItem.id).where(item_filter)))
        .order_by(ActionItemArea.item_id, ActionItemArea.area)
    ).all()
    result: dict[int, list[str]] = defaultdict(list)
    for item_id, area in rows:
        result[item_id].append(area)
    return result


def latest_reports(item_ids: Any, as_of: date) -> dict[int, Any]:
    """Per item: its latest report on or before ``as_of`` (status, progress, date, narrative)."""
    ranked = (
        sa.select(
            ProgressUpdate.item_id, ProgressUpdate.status, ProgressUpdate.progress,
            ProgressUpdate.update_date, ProgressUpdate.narrative,
            sa.func.row_number().over(
                partition_by=ProgressUpdate.item_id,
                order_by=(ProgressUpdate.update_date.desc(), ProgressUpdate.id.desc()),
            ).label("rank"),
        )
        .where(ProgressUpdate.update_date <= as_of, ProgressUpdate.item_id.in_(item_ids))
        .subquery()
    )
    rows = db.session.execute(sa.select(ranked).where(ranked.c.rank == 1)).all()
    return {r.item_id: r for r in rows}


def _indicators(item_ids: Any, as_of: date) -> tuple[list[Indicator], dict[int, Any]]:
    indicators = list(
        db.session.execute(
            db.select(Indicator).where(Indicator.item_id.in_(item_ids)).order_by(Indicator.item_id, Indicator.id)
        ).scalars()
    )
    ranked = (
        sa.select(
            IndicatorValue.indicator_id, IndicatorValue.value, ProgressUpdate.update_date,
            sa.func.row_number().over(
                partition_by=IndicatorValue.indicator_id,
                order_by=(ProgressUpdate.update_date.desc(), ProgressUpdate.id.desc()),
            ).label("rank"),
        )
        .join(ProgressUpdate, ProgressUpdate.id == IndicatorValue.update_id)
        .where(ProgressUpdate.update_date <= as_of, ProgressUpdate.item_id.in_(item_ids))
        .subquery()
    )
    values = {r.indicator_id: r for r in db.session.execute(sa.select(ranked).where(ranked.c.rank == 1)).all()}
    return indicators, values


def percent_of_target(baseline: float | None, target: float | None, value: float | None) -> float | None:
    """How far the value has come from the baseline to the target, in % (None if undefined)."""
    if value is None or target is None:
        return None
    start = baseline or 0.0
    if target == start:
        return None
    return _round(100 * (value - start) / (target - start))


def plan_figures(plan: ActionPlan, as_of: date, governance: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every figure an evaluation of ``plan`` as of ``as_of`` shows (5 queries; ``governance`` is computed apart)."""
    items = items_as_of(ActionItem.plan_id == plan.id, as_of)
    areas = areas_of(ActionItem.plan_id == plan.id)
    ids = [i.id for i in items]
    reports = latest_reports(ids, as_of) if ids else {}
    states = {
        item_id: progress.State(ItemStatus(r.status), r.progress, r.update_date) for item_id, r in reports.items()
    }
    nodes = progress.roll_up(items, states, as_of)
    summary = progress.summarise(nodes)
    by_id = {i.id: i for i in items}

    def axis_of(item: ActionItem) -> ActionItem:
        node = item
        while node.parent_id in by_id:
            node = by_id[node.parent_id]
        return node

    rows = []
    for item in items:
        node = nodes[item.id]
        report = reports.get(item.id)
        days_late = (as_of - item.deadline).days if node.overdue and item.deadline else None
        rows.append({
            "id": item.id, "code": item.code, "title": item.title, "depth": item.depth,
            "parent_id": item.parent_id if item.parent_id in by_id else None, "axis_id": axis_of(item).id,
            "leaf": node.is_leaf, "weight": item.weight,
            "owner_id": item.lead_organisation_id,
            "owner": item.lead_organisation.short_name if item.lead_organisation else "",
            "deadline": _iso(item.deadline), "status": node.status.value, "progress": _round(node.progress),
            "update_date": _iso(report.update_date) if report else None,
            "narrative": report.narrative if report else "",
            "overdue": node.overdue, "days_late": days_late,
            "areas": [] if item.scope_national else areas.get(item.id, []),
        })
    leaves = [r for r in rows if r["leaf"]]
    counts = Counter(r["status"] for r in leaves)
    owners: dict[Any, dict[str, Any]] = {}
    progress_sums: dict[Any, list[float]] = defaultdict(list)
    for r in leaves:
        row = owners.setdefault(r["owner_id"], {
            "id": r["owner_id"], "name": r["owner"], "items": 0, "completed": 0, "overdue": 0, "mean_progress": None,
        })
        row["items"] += 1
        row["completed"] += r["status"] == ItemStatus.COMPLETED.value
        row["overdue"] += bool(r["overdue"])
        if r["status"] != ItemStatus.CANCELLED.value:
            progress_sums[r["owner_id"]].append(r["progress"] or 0.0)
    for key, row in owners.items():
        values = progress_sums.get(key)
        row["mean_progress"] = _round(sum(values) / len(values)) if values else None
    owner_rows = sorted(owners.values(), key=lambda o: (o["name"] == "", o["name"].lower()))

    indicator_rows = []
    if ids:
        indicators, values = _indicators(ids, as_of)
        for ind in indicators:
            item = by_id[ind.item_id]
            reported = values.get(ind.id)
            value = float(reported.value) if reported else None
            baseline = float(ind.baseline) if ind.baseline is not None else None
            target = float(ind.target) if ind.target is not None else None
            indicator_rows.append({
                "item_id": item.id, "code": item.code, "item": item.title, "name": ind.name, "unit": ind.unit,
                "baseline": baseline, "target": target, "value": value,
                "value_date": _iso(reported.update_date) if reported else None,
                "percent_of_target": percent_of_target(baseline, target, value),
            })

    axes = []
    for axis in summary.axes:
        axes.append({
            "id": axis.item.id, "code": axis.item.code, "title": axis.item.title,
            "progress": _round(axis.progress), "status": axis.status.value,
            "actions": sum(axis.leaf_counts.values()),
            "completed": axis.leaf_counts[ItemStatus.COMPLETED],
            "overdue": axis.overdue_leaves,
        })
    overdue = sorted((r for r in leaves if r["overdue"]), key=lambda r: (-(r["days_late"] or 0), r["code"]))
    return {
        "version": FIGURES_VERSION,
        "plan": {"id": plan.id, "title": plan.title, "period_start": _iso(plan.period_start),
                 "period_end": _iso(plan.period_end)},
        "as_of": as_of.isoformat(),
        "summary": {
            "overall": _round(summary.overall),
            "actions": len(leaves),
            "counts": {s: counts.get(s, 0) for s in STATUS_ORDER},
            "completed": counts.get(ItemStatus.COMPLETED.value, 0),
            "overdue": len(overdue),
            "not_started": counts.get(ItemStatus.NOT_STARTED.value, 0),
            "cancelled": counts.get(ItemStatus.CANCELLED.value, 0),
        },
        "axes": axes,
        "items": rows,
        "owners": owner_rows,
        "indicators": indicator_rows,
        "overdue": [
            {"id": r["id"], "code": r["code"], "title": r["title"], "owner": r["owner"], "deadline": r["deadline"],
             "days_late": r["days_late"], "status": r["status"], "progress": r["progress"]}
            for r in overdue
        ],
        "governance": governance or {"bodies": [], "coverage": [], "period_start": None, "period_end": None},
    }


def item_states(item_ids: list[int], as_of: date) -> dict[int, dict[str, Any]]:
    """Status, progress and latest report date of the given items on ``as_of`` (one query)."""
    if not item_ids:
        return {}
    reports = latest_reports(item_ids, as_of)
    result = {}
    for item_id in item_ids:
        r = reports.get(item_id)
        result[item_id] = {
            "status": r.status if r else ItemStatus.NOT_STARTED.value,
            "progress": float(r.progress) if r else 0.0,
            "update_date": _iso(r.update_date) if r else None,
        }
    return result
