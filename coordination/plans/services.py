"""Plan services: plans, the item tree (codes, moves), item details and progress updates."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import list_currencies
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from coordination import audit, uploads
from coordination.accounts.models import User
from coordination.bodies.models import Body
from coordination.dates import local_today
from coordination.db import apply_changes, audit_value, check_version, utcnow
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db
from coordination.minutes.models import Decision, Minutes
from coordination.organisations.models import Organisation
from coordination.plans.models import (
    ActionItem,
    ActionItemArea,
    ActionPlan,
    Indicator,
    IndicatorValue,
    ItemComment,
    ItemStatus,
    Origin,
    ProgressUpdate,
)

PLAN_FIELDS = ("title", "body_id", "period_start", "period_end", "description")
ITEM_FIELDS = (
    "title", "description", "lead_organisation_id", "focal_person_id", "focal_is_guest", "start_date",
    "deadline", "priority", "weight", "scope_national", "budget_amount", "budget_currency",
    "funding_source", "origin", "origin_note",
)


# --- plans -----------------------------------------------------------------------------------


def _validate_plan(data: dict[str, Any], plan: ActionPlan | None) -> None:
    errors: dict[str | None, Any] = {}
    if data["period_end"] < data["period_start"]:
        errors["period_end"] = _l("The end of the period cannot be before its start.")
    clash = db.session.execute(
        db.select(ActionPlan.id).where(db.func.lower(ActionPlan.title) == data["title"].strip().lower())
    ).scalar()
    if clash is not None and (plan is None or clash != plan.id):
        errors["title"] = _l("A plan with this title already exists.")
    if errors:
        raise ValidationError(errors)


def create_plan(data: dict[str, Any], *, actor: User) -> ActionPlan:
    """Create an action plan owned by a body."""
    _validate_plan(data, None)
    return audit.save_new(ActionPlan(), data, PLAN_FIELDS, actor=actor)


def update_plan(plan: ActionPlan, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """Edit a plan; its items follow it to another body."""
    _validate_plan(data, plan)
    if data.get("body_id") not in (None, plan.body_id):
        for item in plan.items:
            item.body_id = data["body_id"]
    return audit.save_changes(plan, data, PLAN_FIELDS, actor=actor)


def delete_plan(plan: ActionPlan, *, actor: User) -> None:
    if plan.items:
        raise ConflictError(_l("This plan has items and cannot be deleted."))
    audit.record(plan, "delete", {f: audit_value(getattr(plan, f)) for f in PLAN_FIELDS}, actor)
    db.session.delete(plan)
    db.session.flush()


# --- the tree --------------------------------------------------------------------------------


def _key(number: int) -> str:
    return f"{number:05d}"


def _place(item: ActionItem, parent: ActionItem | None) -> None:
    """Give ``item`` the next free number under ``parent`` and the code that follows."""
    siblings = db.select(db.func.max(ActionItem.number)).where(ActionItem.id != (item.id or 0))
    if item.plan is None:
        siblings = siblings.where(ActionItem.plan_id.is_(None), ActionItem.body_id == item.body_id)
    elif parent is None:
        siblings = siblings.where(ActionItem.plan_id == item.plan.id, ActionItem.parent_id.is_(None))
    else:
        siblings = siblings.where(ActionItem.parent_id == parent.id)
    with db.session.no_autoflush:  # the new item is not complete (no code) until _recode
        item.number = (db.session.execute(siblings).scalar() or 0) + 1
        item.parent = parent
        _recode(item)


def _recode(item: ActionItem) -> None:
    """Recompute code, depth and sort key of ``item`` and its whole subtree."""
    parent = item.parent
    if item.plan is None:
        body = item.body or db.session.get(Body, item.body_id)
        prefix = body.acronym or "A"
        item.code, item.depth, item.sort_key = f"{prefix}-{item.number}", 0, _key(item.number)
    elif parent is None:
        item.code, item.depth, item.sort_key = str(item.number), 0, _key(item.number)
    else:
        item.code = f"{parent.code}.{item.number}"
        item.depth = parent.depth + 1
        item.sort_key = f"{parent.sort_key}.{_key(item.number)}"
    for child in item.children:
        _recode(child)


def _check_item(data: dict[str, Any], item: ActionItem | None) -> None:
    errors: dict[str | None, Any] = {}
    if data.get("start_date") and data.get("deadline") and data["deadline"] < data["start_date"]:
        errors["deadline"] = _l("The deadline cannot be before the start date.")
    person_id, lead_id = data.get("focal_person_id"), data.get("lead_organisation_id")
    if person_id:
        person = db.session.get(User, person_id)
        if person is None:
            errors["focal_person_id"] = _l("Choose a person from the list.")
        elif not data.get("focal_is_guest") and person.organisation_id != lead_id:
            errors["focal_person_id"] = _l(
                "The focal person must belong to the lead organisation, or be marked as a guest focal point."
            )
    if lead_id and lead_id in (data.get("supporter_ids") or []):
        errors["supporter_ids"] = _l("The lead organisation cannot also be a supporting organisation.")
    amount = data.get("budget_amount")
    if amount is not None and amount < 0:
        errors["budget_amount"] = _l("The budget cannot be negative.")
    currency = (data.get("budget_currency") or "").upper()
    if amount is not None and not currency:
        errors["budget_currency"] = _l("Give the currency of the budget (e.g. USD, HTG, EUR).")
    elif currency and currency not in list_currencies():
        errors["budget_currency"] = _l("Use a three-letter ISO currency code such as USD, HTG or EUR.")
    areas = data.get("areas") or []
    unknown = set(areas) - set(current_app.config["GEOGRAPHIC_AREAS"])
    if unknown:
        errors["areas"] = _l("Choose areas from the list.")
    if not data.get("scope_national", True) and not areas:
        errors["areas"] = _l("Name at least one area, or mark the item as national.")
    if errors:
        raise ValidationError(errors)


def _set_links(item: ActionItem, data: dict[str, Any]) -> dict[str, tuple]:
    """Set the supporting organisations and the areas ``data`` names; return what changed."""
    changes: dict[str, tuple] = {}
    if "supporter_ids" in data:
        old = sorted(o.id for o in item.supporters)
        new = sorted(set(data["supporter_ids"] or []))
        if old != new:
            item.supporters = list(
                db.session.execute(db.select(Organisation).where(Organisation.id.in_(new))).scalars()
            ) if new else []
            changes["supporters"] = (old, new)
    if "areas" in data:
        old_areas = sorted(item.area_names)
        new_areas = [] if data.get("scope_national", item.scope_national) else sorted(set(data["areas"] or []))
        if old_areas != new_areas:
            item.areas = [ActionItemArea(area=a) for a in new_areas]
            changes["areas"] = (old_areas, new_areas)
    return changes


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["budget_currency"] = (data.get("budget_currency") or "").upper()
    if not data.get("focal_person_id"):
        data["focal_is_guest"] = False
    if data.get("origin") is None:
        data.pop("origin", None)
    return data


def create_item(
    data: dict[str, Any], *, plan: ActionPlan | None, parent: ActionItem | None, body_id: int | None = None, actor: User
) -> ActionItem:
    """Add an item under ``parent`` (or at the top of ``plan``), or standing outside any plan."""
    data = _normalise(data)
    _check_item(data, None)
    if parent is not None and parent.plan_id != (plan.id if plan else None):
        raise ValidationError({"parent_id": _l("The parent must belong to the same plan.")})
    item = ActionItem(plan=plan, body_id=plan.body_id if plan else body_id)
    if plan is None and not body_id:
        raise ValidationError({"body_id": _l("Choose the body that follows this item.")})
    if plan is not None:
        item.origin = Origin.PLAN
    changes = apply_changes(item, data, ITEM_FIELDS)
    db.session.add(item)
    _place(item, parent)
    changes.update(_set_links(item, data))
    db.session.flush()
    audit.record(item, "create", {"code": (None, item.code), **changes}, actor)
    return item


# What approved minutes record of an action arising (their page and Word file show these).
RECORDED_IN_MINUTES = ("title", "lead_organisation_id", "focal_person_id", "deadline")


def recorded_in_locked_minutes(item: ActionItem) -> bool:
    """Whether ``item`` arises from a decision whose latest minutes are approved or published.

    Such an item's recorded fields cannot change (its progress still can); a change goes
    through a corrected version of the minutes, which reopens them.
    """
    if item.decision_id is None:
        return False
    latest = db.session.execute(
        db.select(Minutes).join(Decision, Decision.meeting_id == Minutes.meeting_id)
        .where(Decision.id == item.decision_id).order_by(Minutes.number.desc()).limit(1)
    ).scalar()
    return latest is not None and latest.locked


LOCKED_ARISING = _l("This action is recorded in approved minutes: its title, owner, focal person and deadline "
                    "cannot change. Start a corrected version of the minutes to change them.")


def update_item(item: ActionItem, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """Edit an item's definition; refuses an edit made from a stale copy."""
    data = _normalise(data)
    _check_item(data, item)
    if recorded_in_locked_minutes(item) and any(
        name in data and (data[name].strip() if isinstance(data[name], str) else data[name]) != getattr(item, name)
        for name in RECORDED_IN_MINUTES
    ):
        raise ConflictError(LOCKED_ARISING)
    links = _set_links(item, data)
    if links:  # the item's own row changes too, so that its version and time say so
        item.updated_at = utcnow()
    return audit.save_changes(item, data, ITEM_FIELDS, actor=actor, extra=links)


def descendant_ids(item: ActionItem) -> set[int]:
    """Ids of the items under ``item``, at any depth (one recursive query, not one per item;
    UNION, not UNION ALL, so even a cycle left by bad data ends)."""
    tree = db.select(ActionItem.id).where(ActionItem.parent_id == item.id).cte("descendants", recursive=True)
    tree = tree.union(db.select(ActionItem.id).where(ActionItem.parent_id == tree.c.id))
    return set(db.session.execute(db.select(tree.c.id)).scalars())


def move_item(item: ActionItem, new_parent: ActionItem | None, *, actor: User, version: Any = None) -> None:
    """Move an item (and its subtree) under another parent of the same plan; codes follow.

    ``version`` is the item's version the move form was opened on (a stale form is refused).
    """
    check_version(item, version)
    if item.plan_id is None:
        raise ConflictError(_l("Only items of a plan can be moved within its tree."))
    if new_parent is not None:
        if new_parent.plan_id != item.plan_id:
            raise ValidationError({"parent_id": _l("The new parent must belong to the same plan.")})
        if new_parent.id == item.id or new_parent.id in descendant_ids(item):
            raise ValidationError({"parent_id": _l("An item cannot move under itself or one of its own sub-items.")})
        if new_parent.updates:
            raise ValidationError({"parent_id": _l("This item has progress reports of its own and cannot take sub-items.")})
    if new_parent is item.parent:
        return
    old_code = item.code
    _place(item, new_parent)
    db.session.flush()
    audit.record(item, "move", {"code": (old_code, item.code)}, actor)


def delete_item(item: ActionItem, *, actor: User) -> None:
    """Delete an item entered by mistake: only without sub-items and progress reports."""
    if item.children or item.updates:
        raise ConflictError(_l("This item has sub-items or progress reports and cannot be deleted. Cancel it instead."))
    if recorded_in_locked_minutes(item):
        raise ConflictError(LOCKED_ARISING)
    audit.record(item, "delete", {"code": item.code, "title": item.title}, actor)
    db.session.delete(item)
    db.session.flush()


def add_indicator(item: ActionItem, data: dict[str, Any], *, actor: User) -> Indicator:
    indicator = Indicator(item=item, name=data["name"].strip(), unit=(data.get("unit") or "").strip(),
                          baseline=data.get("baseline"), target=data.get("target"))
    db.session.add(indicator)
    db.session.flush()
    audit.record(item, "add_indicator", {"indicator": indicator.name}, actor)
    return indicator


def remove_indicator(indicator: Indicator, *, actor: User) -> None:
    used = db.session.execute(
        db.select(IndicatorValue.update_id).where(IndicatorValue.indicator_id == indicator.id).limit(1)
    ).first()
    if used:
        raise ConflictError(_l("Values were reported for this indicator; it cannot be removed."))
    audit.record(indicator.item, "remove_indicator", {"indicator": indicator.name}, actor)
    db.session.delete(indicator)
    db.session.flush()


# --- progress ----------------------------------------------------------------------------------


def _validate_update(item: ActionItem, data: dict[str, Any]) -> None:
    errors: dict[str | None, Any] = {}
    when, status, pct = data["update_date"], ItemStatus(data["status"]), data["progress"]
    if when > local_today():
        errors["update_date"] = _l("The date of an update cannot be in the future.")
    latest = max((u.update_date for u in item.updates), default=None)
    if latest and when < latest:
        errors["update_date"] = _l(
            "An update on %(date)s already exists; a new one cannot be dated earlier.", date=latest.isoformat()
        )
    if not 0 <= pct <= 100:
        errors["progress"] = _l("Progress is a percentage from 0 to 100.")
    elif status == ItemStatus.COMPLETED and pct != 100:
        errors["progress"] = _l("A completed item is at 100 %.")
    elif status == ItemStatus.NOT_STARTED and pct != 0:
        errors["progress"] = _l("An item that has not started is at 0 %.")
    elif pct == 100 and status not in (ItemStatus.COMPLETED, ItemStatus.CANCELLED):
        errors["status"] = _l("At 100 % the item is completed: choose that status.")
    corrects = data.get("corrects_id")
    if corrects and not any(u.id == corrects for u in item.updates):
        errors["corrects_id"] = _l("Choose an earlier update of this item.")
    if corrects and not (data.get("narrative") or "").strip():
        errors["narrative"] = _l("Say what the correction is about.")
    if errors:
        raise ValidationError(errors)


def record_progress_update(
    item: ActionItem, data: dict[str, Any], *, evidence: FileStorage | None = None, actor: User
) -> ProgressUpdate:
    """Append a progress report. Earlier reports are never changed; a correction says so."""
    if item.children:
        raise ConflictError(_l("The progress of an item with sub-items is computed from them."))
    _validate_update(item, data)
    # The file is checked before the report exists: a refused file must leave no half-made
    # report attached to the item (it would show on the form re-shown with the message).
    stored = uploads.store(evidence) if evidence is not None and evidence.filename else None
    update = ProgressUpdate(
        item=item,
        update_date=data["update_date"],
        status=ItemStatus(data["status"]),
        progress=data["progress"],
        narrative=(data.get("narrative") or "").strip(),
        evidence_url=(data.get("evidence_url") or "").strip(),
        corrects_id=data.get("corrects_id") or None,
        author_id=getattr(actor, "id", None),
    )
    if stored is not None:
        update.evidence_path, update.evidence_name = stored.path, stored.name
        update.evidence_type, update.evidence_size = stored.mime, stored.size
    indicators = {i.id: i for i in item.indicators}
    for indicator_id, value in (data.get("indicator_values") or {}).items():
        if value is not None and indicator_id in indicators:
            update.values.append(IndicatorValue(indicator_id=indicator_id, value=Decimal(value)))
    db.session.add(update)
    db.session.flush()
    audit.record(
        update, "create",
        {"item": item.code, "status": update.status.value, "progress": update.progress,
         "update_date": update.update_date.isoformat(), "corrects": update.corrects_id},
        actor,
    )
    return update


def add_comment(item: ActionItem, text: str, *, actor: User) -> ItemComment:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _l("Write a comment first.")})
    comment = ItemComment(item=item, text=text, author_id=actor.id)
    db.session.add(comment)
    db.session.flush()
    return comment
