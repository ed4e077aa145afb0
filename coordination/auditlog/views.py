"""The audit log page: filter by object type, object, actor and date."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request

from coordination.audit import AuditEntry
from coordination.auditlog import labels, queries
from coordination.dates import zone
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
    since, until = _date_arg("since"), _date_arg("until")
    page = queries.entries_page(filters, id_arg("object"), id_arg("actor"), since, until, zone(None), page_arg(),
                                current_app.config["PAGE_SIZE"] * 2)
    return render_template(
        "auditlog/index.html", page=page, filters=filters, types=queries.recorded_types(), since=since, until=until,
        labels=labels, names=queries.referenced_names(page.items),
    )
