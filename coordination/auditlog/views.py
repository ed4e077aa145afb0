"""The audit log page: filter by object type, object, actor and date."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, current_app, render_template, request
from sqlalchemy.orm import joinedload

from coordination.audit import AuditEntry
from coordination.auditlog import labels
from coordination.dates import zone
from coordination.extensions import db
from coordination.permissions import guard
from coordination.urls import id_arg, page_arg

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/")
@guard("view", AuditEntry)
def index():
    filters = {
        "type": request.args.get("type", "")[:40],
        "object": request.args.get("object", ""),
        "actor": request.args.get("actor", ""),
        "action": request.args.get("action", "")[:40],
    }
    stmt = db.select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
    if filters["type"]:
        legacy = [old for old, new in labels.LEGACY_TYPES.items() if new == filters["type"]]
        stmt = stmt.where(AuditEntry.object_type.in_([filters["type"], *legacy]))
    if (object_id := id_arg("object")) is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if (actor_id := id_arg("actor")) is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if filters["action"]:
        stmt = stmt.where(AuditEntry.action == filters["action"])
    tz = zone(None)
    since, until = _date_arg("since"), _date_arg("until")
    if since:
        stmt = stmt.where(AuditEntry.created_at >= datetime.combine(since, time(), tz))
    if until:
        stmt = stmt.where(AuditEntry.created_at < datetime.combine(until + timedelta(days=1), time(), tz))
    recorded = db.session.execute(db.select(AuditEntry.object_type).distinct()).scalars()
    types = sorted({labels.type_key(t) for t in recorded}, key=labels.type_label)
    page = db.paginate(stmt, page=page_arg(), per_page=current_app.config["PAGE_SIZE"] * 2, error_out=False)
    return render_template(
        "auditlog/index.html", page=page, filters=filters, types=types, since=since, until=until,
        labels=labels, names=labels.referenced_names(page.items),
    )
