"""Read-side queries for the audit log: a filtered page of entries, the object types recorded,
and the names of the records that entries refer to by id."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy.orm import joinedload

from coordination.accounts.models import User
from coordination.audit import AuditEntry
from coordination.auditlog import labels
from coordination.bodies.models import Body
from coordination.extensions import db
from coordination.organisations.models import Organisation


def entries_page(filters: dict[str, str], object_id: int | None, actor_id: int | None, since: date | None,
                 until: date | None, tz: tzinfo, page: int, per_page: int) -> Any:
    """A page of entries, newest first, of ``filters["type"]`` and ``filters["action"]`` (when
    set), about ``object_id``, by ``actor_id``, recorded on local days ``since`` to ``until``."""
    stmt = db.select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
    if filters["type"]:
        legacy = [old for old, new in labels.LEGACY_TYPES.items() if new == filters["type"]]
        stmt = stmt.where(AuditEntry.object_type.in_([filters["type"], *legacy]))
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if filters["action"]:
        stmt = stmt.where(AuditEntry.action == filters["action"])
    if since:
        stmt = stmt.where(AuditEntry.created_at >= datetime.combine(since, time(), tz))
    if until:
        stmt = stmt.where(AuditEntry.created_at < datetime.combine(until + timedelta(days=1), time(), tz))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def recorded_types() -> list[str]:
    """The object types that have entries, as the filter offers them (sorted by label)."""
    recorded = db.session.execute(db.select(AuditEntry.object_type).distinct()).scalars()
    return sorted({labels.type_key(t) for t in recorded}, key=labels.type_label)


def _references() -> dict[str, Any]:
    """Fields that hold the id of another record, and that record's model."""
    return {
        "organisation_id": Organisation, "lead_organisation_id": Organisation,
        "secretariat_organisation_id": Organisation, "user_id": User, "focal_person_id": User,
        "parent_id": Body, "body_id": Body,
    }


def referenced_names(entries: Iterable[Any]) -> dict[tuple[str, int], str]:
    """``{(field, id): name}`` for every id the entries' changes refer to: one query per kind of record."""
    refs = _references()
    wanted: dict[Any, set[int]] = {}
    for entry in entries:
        for field, change in (entry.changes or {}).items():
            model = refs.get(field)
            if model is None:
                continue
            values = change if isinstance(change, list) else [change]
            wanted.setdefault(model, set()).update(v for v in values if isinstance(v, int) and not isinstance(v, bool))
    names_by_model: dict[Any, dict[int, str]] = {}
    for model, ids in wanted.items():
        rows = db.session.execute(db.select(model).where(model.id.in_(ids))).scalars()
        names_by_model[model] = {row.id: str(row) for row in rows}
    names: dict[tuple[str, int], str] = {}
    for field, model in refs.items():
        for id_, name in names_by_model.get(model, {}).items():
            names[(field, id_)] = name
    return names
