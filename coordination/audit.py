"""The audit log: who changed what, when, written in the same transaction as the change.

:func:`save_new` and :func:`save_changes` are the tail of every create and edit service:
apply the form's fields, flush, and record what changed, in one call.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.db import UTCDateTime, apply_changes, check_version, utcnow
from coordination.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int] = mapped_column()
    object_label: Mapped[str] = mapped_column(sa.String(300))
    action: Mapped[str] = mapped_column(sa.String(40))
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User", lazy="raise")

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} {self.object_type}#{self.object_id}>"


def object_type(obj: Any) -> str:
    """The audit name of a model instance or class (its ``__audit_type__`` or class name)."""
    if hasattr(obj, "_get_current_object"):  # a proxy such as Flask-Login's current_user
        obj = obj._get_current_object()
    cls = obj if isinstance(obj, type) else type(obj)
    return getattr(cls, "__audit_type__", cls.__name__)


def record(obj: Any, action: str, changes: dict[str, Any] | None, actor: Any) -> AuditEntry:
    """Add an audit entry for ``obj`` to the current transaction and return it.

    ``changes`` maps field names to ``(old, new)`` pairs (or a single value for facts such as
    a deletion snapshot). The object is flushed first so a new row has its id.
    """
    if obj.id is None:
        db.session.flush()
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        object_type=object_type(obj),
        object_id=obj.id,
        object_label=str(obj)[:300],
        action=action,
        changes={k: list(v) if isinstance(v, tuple) else v for k, v in (changes or {}).items()},
    )
    db.session.add(entry)
    return entry


def save_new(obj: Any, data: Mapping[str, Any], fields: Iterable[str], *, actor: Any,
             action: str = "create") -> Any:
    """Set ``fields`` from ``data`` on a new ``obj``, add and flush it, and record its creation."""
    changes = apply_changes(obj, data, fields)
    db.session.add(obj)
    db.session.flush()
    record(obj, action, changes, actor)
    return obj


def save_changes(obj: Any, data: Mapping[str, Any], fields: Iterable[str], *, actor: Any,
                 action: str = "update", extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Edit ``obj`` from ``data``: refuse a stale copy (``data["version"]``), apply ``fields``, and
    when anything changed (``extra`` adds changes made by the caller) flush and record it.

    Returns the changes, ``{field: (old, new)}``; nothing is written when there are none.
    """
    check_version(obj, data.get("version"))
    changes: dict[str, Any] = apply_changes(obj, data, fields)
    changes.update(extra or {})
    if changes:
        db.session.flush()
        record(obj, action, changes, actor)
    return changes
