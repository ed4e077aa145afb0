"""Agenda services: the items of a meeting's agenda, their order, and the documents attached."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from coordination import audit, uploads
from coordination.accounts.models import User
from coordination.db import apply_changes, bookkeeping, check_version
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db
from coordination.meetings.models import AgendaItem, Attachment, Meeting

AGENDA_FIELDS = ("title", "presenter_organisation_id", "presenter_id", "duration_minutes", "description")


def _lock_agenda(meeting: Meeting) -> None:
    """Take the meeting's row lock before changing its agenda, and refuse a frozen agenda.

    Concurrent additions or reorderings of one agenda then run one after the other (on
    PostgreSQL the ``FOR UPDATE`` waits; on SQLite the write lock taken at BEGIN already
    serialises writers), and each sees the agenda as the previous one left it. The unique
    index on (meeting, position) is the last guard.
    """
    db.session.execute(db.select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    db.session.expire(meeting, ["agenda", "minutes"])
    if any(m.locked for m in meeting.minutes):
        raise ConflictError(_l("The minutes of this meeting are approved: its agenda is frozen and cannot change."))


def add_agenda_item(meeting: Meeting, data: dict[str, Any], *, actor: User) -> AgendaItem:
    """Add an item at the end of the agenda (positions allocated under the meeting's lock)."""
    _lock_agenda(meeting)
    position = db.session.execute(
        db.select(db.func.coalesce(db.func.max(AgendaItem.position), 0)).where(AgendaItem.meeting_id == meeting.id)
    ).scalar_one() + 1
    item = AgendaItem(meeting=meeting, position=position)
    apply_changes(item, data, AGENDA_FIELDS)
    db.session.add(item)
    db.session.flush()
    audit.record(meeting, "agenda_add", {"item": item.title}, actor)
    return item


def update_agenda_item(item: AgendaItem, data: dict[str, Any], *, actor: User) -> None:
    """Change an agenda item; an edit from a stale copy is refused (optimistic locking)."""
    if any(m.locked for m in item.meeting.minutes):
        raise ConflictError(_l("The minutes of this meeting are approved: its agenda is frozen and cannot change."))
    check_version(item, data.get("version"))
    # Not audit.save_changes: agenda changes are recorded in the meeting's history, not the item's.
    changes = apply_changes(item, data, AGENDA_FIELDS)
    if changes:
        db.session.flush()
        audit.record(item.meeting, "agenda_edit", changes, actor)


def remove_agenda_item(item: AgendaItem, *, actor: User) -> None:
    meeting = item.meeting
    _lock_agenda(meeting)
    meeting.agenda.remove(item)
    db.session.flush()
    _renumber_agenda(meeting, list(meeting.agenda), actor)
    audit.record(meeting, "agenda_remove", {"item": item.title}, actor)


def move_agenda_item(item: AgendaItem, offset: int, *, actor: User) -> None:
    """Swap an agenda item with its neighbour above (-1) or below (+1)."""
    meeting = item.meeting
    _lock_agenda(meeting)
    items = list(meeting.agenda)
    index = items.index(item)
    other = index + offset
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    _renumber_agenda(meeting, items, actor)


def reorder_agenda(meeting: Meeting, ids: list[int], *, actor: User) -> None:
    """Put the agenda in the order of ``ids``, which must name each of its items exactly once."""
    _lock_agenda(meeting)
    by_id = {a.id: a for a in meeting.agenda}
    if sorted(ids) != sorted(by_id):
        raise ValidationError({"order": _l("The agenda changed meanwhile: reload the page and order it again.")})
    _renumber_agenda(meeting, [by_id[i] for i in ids], actor)


def _renumber_agenda(meeting: Meeting, ordered: list[AgendaItem], actor: User) -> None:
    """Number ``ordered`` 1, 2, …; a change of order (not a mere closing of gaps) is audited.

    Positions are unique per meeting, so items first move out of the way (negative
    positions), then take their new places: a swap never meets itself half-way. The order
    is bookkeeping, not the item's content: it does not bump the items' versions, so an
    edit form someone has open on an item stays valid.
    """
    before = [a.title for a in sorted(meeting.agenda, key=lambda a: a.position)]
    if [a.position for a in ordered] == list(range(1, len(ordered) + 1)):
        return
    for n, item in enumerate(ordered, start=1):
        bookkeeping(item, position=-n)
    for n, item in enumerate(ordered, start=1):
        bookkeeping(item, position=n)
    after = [a.title for a in ordered]
    if after != before:
        audit.record(meeting, "agenda_order", {"agenda": (" · ".join(before), " · ".join(after))}, actor)


def add_attachment(meeting: Meeting, upload: FileStorage, agenda_item: AgendaItem | None, *, actor: User) -> Attachment:
    stored = uploads.store(upload, field="file")
    attachment = Attachment(meeting=meeting, agenda_item=agenda_item, path=stored.path, name=stored.name,
                            mime=stored.mime, size=stored.size, uploaded_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    audit.record(meeting, "attach", {"file": stored.name}, actor)
    return attachment


