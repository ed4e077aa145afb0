"""Read-side queries for the outbox page."""
from __future__ import annotations

from typing import Any

from coordination.extensions import db
from coordination.notifications.models import OutboxMessage, OutboxStatus


def outbox_page(status: OutboxStatus | None, page: int, per_page: int) -> Any:
    """A page of outbox messages, newest first, optionally of one status."""
    stmt = db.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def outbox_counts() -> dict[OutboxStatus, int]:
    rows = db.session.execute(
        db.select(OutboxMessage.status, db.func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update({OutboxStatus(status): n for status, n in rows})
    return counts


def get_message(message_id: int) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)
