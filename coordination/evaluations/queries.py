"""Read-side queries for evaluations: loading, lists, figures (frozen or live), comparison, follow-up."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload, undefer

from coordination.accounts.models import Role, User
from coordination.bodies.queries import descendant_ids
from coordination.db import within
from coordination.evaluations import health
from coordination.evaluations.figures import item_states, plan_figures
from coordination.evaluations.models import (
    Evaluation,
    EvaluationAttachment,
    EvaluationNote,
    EvaluationStatus,
    Recommendation,
    evaluation_evaluators,
)
from coordination.extensions import db
from coordination.plans.models import ActionItem, ActionPlan


def get_evaluation(evaluation_id: int) -> Evaluation | None:
    """An evaluation with everything its page shows (frozen figures included)."""
    return db.session.execute(
        db.select(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .options(
            undefer(Evaluation.figures),
            joinedload(Evaluation.plan).joinedload(ActionPlan.body),
            joinedload(Evaluation.created_by),
            selectinload(Evaluation.evaluators),
            selectinload(Evaluation.notes),
            selectinload(Evaluation.recommendations).options(
                joinedload(Recommendation.addressee), joinedload(Recommendation.action_item),
            ),
            selectinload(Evaluation.attachments),
        )
    ).unique().scalar_one_or_none()


def note_of(evaluation: Evaluation, note_id: int, **_ids: int) -> EvaluationNote | None:
    """The note ``note_id`` of ``evaluation``, or None."""
    return next((n for n in evaluation.notes if n.id == note_id), None)


def recommendation_of(evaluation: Evaluation, rec_id: int, **_ids: int) -> Recommendation | None:
    """The recommendation ``rec_id`` of ``evaluation``, or None."""
    return next((r for r in evaluation.recommendations if r.id == rec_id), None)


def attachment_of(evaluation: Evaluation, attachment_id: int, **_ids: int) -> EvaluationAttachment | None:
    """The document ``attachment_id`` attached to ``evaluation``, or None."""
    return next((a for a in evaluation.attachments if a.id == attachment_id), None)


def get_light(evaluation_id: int, **_child_ids: int) -> Evaluation | None:
    """An evaluation without its figures (for the workflow and narrative forms).

    Routes about one of its notes, recommendations or files pass their ids too; the guard's
    ``child`` picks it from the loaded lists (``note_of``, ``recommendation_of``, ``attachment_of``).
    """
    return db.session.execute(
        db.select(Evaluation).where(Evaluation.id == evaluation_id).options(
            joinedload(Evaluation.plan).joinedload(ActionPlan.body), selectinload(Evaluation.evaluators),
            selectinload(Evaluation.recommendations), selectinload(Evaluation.notes),
            selectinload(Evaluation.attachments),
        )
    ).unique().scalar_one_or_none()


def evaluation_list(user: User, visible: set[int] | None, plan_id: int | None = None) -> list[Evaluation]:
    """Evaluations the user may open: final ones of visible plans; drafts for authors and staff."""
    stmt = (
        db.select(Evaluation)
        .join(ActionPlan, ActionPlan.id == Evaluation.plan_id)
        .where(within(ActionPlan.body_id, visible))
        .options(joinedload(Evaluation.plan), selectinload(Evaluation.evaluators), joinedload(Evaluation.created_by))
        .order_by(Evaluation.as_of.desc(), Evaluation.id.desc())
    )
    if plan_id:
        stmt = stmt.where(Evaluation.plan_id == plan_id)
    if user.role not in (Role.ADMIN, Role.SECRETARIAT):
        authored = sa.select(evaluation_evaluators.c.evaluation_id).where(evaluation_evaluators.c.user_id == user.id)
        stmt = stmt.where(sa.or_(
            Evaluation.status == EvaluationStatus.FINAL, Evaluation.created_by_id == user.id,
            Evaluation.id.in_(authored),
        ))
    return list(db.session.execute(stmt).unique().scalars())


def covered_period(evaluation: Evaluation) -> tuple[date, date]:
    """The stretch governance health is measured over: the period, cut at the as-of date."""
    return evaluation.period_start, min(evaluation.period_end, evaluation.as_of)


def plan_bodies(plan: ActionPlan) -> list[int]:
    """The plan's owning body and the bodies under it (one query)."""
    return [plan.body_id, *sorted(descendant_ids(plan.body_id))]


def live_figures(plan: ActionPlan, as_of: date, period: tuple[date, date] | None = None) -> dict[str, Any]:
    """The plan's figures as of a date, with governance health over ``period`` (a fixed number of queries)."""
    start, end = period or (max(plan.period_start, as_of - timedelta(days=365)), as_of)
    governance = health.governance_health(plan_bodies(plan), start, end, plan_id=plan.id)
    return plan_figures(plan, as_of, governance)


def figures_of(evaluation: Evaluation) -> dict[str, Any]:
    """The stored figures of a final evaluation, or the live ones of a draft."""
    if evaluation.is_final and evaluation.figures is not None:
        return evaluation.figures
    return live_figures(evaluation.plan, evaluation.as_of, covered_period(evaluation))


def follow_up(recommendations: list[Recommendation], on: date) -> dict[int, dict[str, Any]]:
    """Current state of the action items recommendations became, by recommendation id (one query)."""
    linked = {r.id: r.action_item_id for r in recommendations if r.action_item_id}
    states = item_states(sorted(set(linked.values())), on)
    return {rid: states[item_id] for rid, item_id in linked.items() if item_id in states}


def recommendation_for_item(item_id: int) -> Recommendation | None:
    """The recommendation an item arose from, if any (for the item page).

    No autoflush: the item page is also shown again after a refused form, whose half-built
    objects must not reach the database.
    """
    with db.session.no_autoflush:
        return db.session.execute(
            db.select(Recommendation).where(Recommendation.action_item_id == item_id)
            .options(joinedload(Recommendation.evaluation).joinedload(Evaluation.plan).joinedload(ActionPlan.body))
        ).scalar_one_or_none()


def comparable(evaluation: Evaluation, user: User, visible: set[int] | None) -> list[Evaluation]:
    """Other evaluations of the same plan the user may open (to compare with)."""
    return [e for e in evaluation_list(user, visible, evaluation.plan_id) if e.id != evaluation.id]


def plan_axes(plan_id: int) -> list[ActionItem]:
    return list(db.session.execute(
        db.select(ActionItem).where(ActionItem.plan_id == plan_id, ActionItem.parent_id.is_(None))
        .order_by(ActionItem.sort_key)
    ).scalars())


def plan_tree(plan_id: int) -> list[ActionItem]:
    return list(db.session.execute(
        db.select(ActionItem).where(ActionItem.plan_id == plan_id).order_by(ActionItem.sort_key)
    ).scalars())


def compare(earlier: dict[str, Any], later: dict[str, Any], recommendations: list[Recommendation]) -> dict[str, Any]:
    """What moved, stalled, was added or cancelled between two sets of figures, and the
    follow-up of the earlier evaluation's recommendations on the later date (one query)."""
    before = {r["id"]: r for r in earlier["items"]}
    after = {r["id"]: r for r in later["items"]}
    earlier_date = earlier["as_of"]
    moved, stalled, added, cancelled = [], [], [], []
    rows = []
    for item_id, new in after.items():
        old = before.get(item_id)
        if old is None:
            added.append(new)
            continue
        delta = None
        if new["progress"] is not None and old["progress"] is not None:
            delta = round(new["progress"] - old["progress"], 1)
        row = {"id": item_id, "code": new["code"], "title": new["title"], "depth": new["depth"], "leaf": new["leaf"],
               "old_status": old["status"], "new_status": new["status"], "old_progress": old["progress"],
               "new_progress": new["progress"], "delta": delta}
        rows.append(row)
        if not new["leaf"]:
            continue
        if new["status"] == "cancelled" and old["status"] != "cancelled":
            cancelled.append(row)
        elif (delta or 0) != 0 or new["status"] != old["status"]:
            moved.append(row)
        elif new["status"] not in ("completed", "cancelled") and (
            new["update_date"] is None or new["update_date"] <= earlier_date
        ):
            stalled.append(row)
    old_axes = {a["id"]: a for a in earlier["axes"]}
    axes = []
    for axis in later["axes"]:
        old = old_axes.get(axis["id"])
        axes.append({
            "code": axis["code"], "title": axis["title"], "old": old["progress"] if old else None, "new": axis["progress"],
            "delta": round(axis["progress"] - old["progress"], 1)
            if old and axis["progress"] is not None and old["progress"] is not None else None,
            "old_completed": old["completed"] if old else None, "new_completed": axis["completed"],
        })
    later_date = date.fromisoformat(later["as_of"])
    states = follow_up(recommendations, later_date)
    follow = [
        {"number": r.number, "text": r.text, "code": r.action_item.code if r.action_item else None,
         "item_id": r.action_item_id, **(states.get(r.id) or {})}
        for r in recommendations
    ]
    return {
        "earlier": earlier_date, "later": later["as_of"],
        "overall": (earlier["summary"]["overall"], later["summary"]["overall"]),
        "summary": (earlier["summary"], later["summary"]),
        "axes": axes, "items": rows, "moved": moved, "stalled": stalled, "added": [a for a in added if a["leaf"]],
        "cancelled": cancelled, "recommendations": follow,
    }
