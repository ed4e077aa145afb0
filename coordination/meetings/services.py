"""Meeting services: scheduling, series, agenda, invitations, attendance and quorum."""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from coordination import audit, dates, uploads
from coordination.accounts.models import User
from coordination.bodies.models import (
    Body,
    Charter,
    CharterStatus,
    MembershipKind,
    OrganisationMembership,
    PersonMembership,
    QuorumRule,
    SeatRole,
)
from coordination.db import apply_changes, bookkeeping, check_version, utcnow
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db
from coordination.meetings import recurrence
from coordination.meetings.models import (
    AgendaItem,
    Attachment,
    Invitation,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Presence,
    Rsvp,
)

# Changes to these fields are sent again to invitees: they raise the iCalendar SEQUENCE.
SENT_FIELDS = ("start", "end", "location", "online_link", "status", "title")
MEETING_FIELDS = ("title", "kind", "location", "online_link", "status", "status_reason")


def new_uid(body: Body) -> str:
    return f"{secrets.token_hex(12)}-{body.acronym.lower() or 'body'}@concertation"


# --- scheduling ------------------------------------------------------------------------------


def _times(data: dict[str, Any], zone: str) -> tuple[datetime, datetime]:
    if not dates.is_known_zone(zone):
        raise ValidationError({"timezone": _l("Choose a time zone from the list.")})
    start, end = dates.to_utc(data["start_local"], zone), dates.to_utc(data["end_local"], zone)
    if end <= start:
        raise ValidationError({"end_local": _l("The meeting must end after it starts.")})
    if end - start > timedelta(days=3):
        raise ValidationError({"end_local": _l("A meeting lasts three days at most.")})
    return start, end


def _check_reason(data: dict[str, Any]) -> None:
    if data.get("status") in (MeetingStatus.POSTPONED, MeetingStatus.CANCELLED, "postponed", "cancelled"):
        if not (data.get("status_reason") or "").strip():
            raise ValidationError({"status_reason": _l("Say why the meeting is postponed or cancelled.")})


def overlaps(meeting: Meeting) -> list[str]:
    """Warnings (not errors) about other meetings at the same time for the body or an invitee."""
    others = db.session.execute(
        db.select(Meeting).where(
            Meeting.id != meeting.id,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.start < meeting.end,
            Meeting.end > meeting.start,
        )
    ).scalars().all()
    if not others:
        return []
    invitees = {i.user_id for i in meeting.invitations}
    busy = {}
    if invitees:
        rows = db.session.execute(
            db.select(Invitation.meeting_id, User.full_name)
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.meeting_id.in_([o.id for o in others]), Invitation.user_id.in_(invitees))
        ).all()
        for meeting_id, name in rows:
            busy.setdefault(meeting_id, []).append(name)
    warnings = []
    for other in others:
        if other.body_id == meeting.body_id:
            warnings.append(str(_l("The body already meets at that time: %(title)s.", title=other.title)))
        elif other.id in busy:
            warnings.append(str(_l("%(names)s also attend %(title)s at that time.",
                                   names=", ".join(sorted(busy[other.id])), title=other.title)))
    return warnings


def default_invitees(body: Body, on: date) -> list[tuple[PersonMembership, bool]]:
    """The body's current personal seats: (seat, counts for quorum). Alternates come along."""
    seats = db.session.execute(
        db.select(PersonMembership).where(
            PersonMembership.body_id == body.id,
            PersonMembership.start_date <= on,
            db.or_(PersonMembership.end_date.is_(None), PersonMembership.end_date >= on),
        )
    ).scalars().all()
    member_orgs = set(db.session.execute(
        db.select(OrganisationMembership.organisation_id).where(
            OrganisationMembership.body_id == body.id,
            OrganisationMembership.kind == MembershipKind.MEMBER,
            OrganisationMembership.start_date <= on,
            db.or_(OrganisationMembership.end_date.is_(None), OrganisationMembership.end_date >= on),
        )
    ).scalars())
    return [(s, s.role != SeatRole.OBSERVER and s.organisation_id in member_orgs) for s in seats]


def _invite_members(meeting: Meeting) -> None:
    # Seats valid on the meeting's local day (an evening meeting west of UTC is the next day in UTC).
    for seat, voting in default_invitees(meeting.body, dates.local_date(meeting)):
        meeting.invitations.append(Invitation(
            user_id=seat.user_id, organisation_id=seat.organisation_id, voting=voting,
            alternate=seat.role == SeatRole.ALTERNATE,
        ))


def create_meeting(body: Body, data: dict[str, Any], *, actor: User | None, series: MeetingSeries | None = None,
                   invite: bool = True) -> Meeting:
    """Schedule a meeting of ``body``; its current members are invited."""
    zone = data.get("timezone") or body.timezone
    start, end = _times(data, zone)
    _check_reason(data)
    meeting = Meeting(body=body, uid=new_uid(body), start=start, end=end, timezone=zone, series=series)
    if series is not None:
        meeting.original_start_local = data["start_local"]
    changes = apply_changes(meeting, data, MEETING_FIELDS)
    db.session.add(meeting)
    if invite:
        _invite_members(meeting)
    db.session.flush()
    audit.record(meeting, "create", {**changes, "start": (None, start.isoformat())}, actor)
    return meeting


def update_meeting(meeting: Meeting, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """Change a meeting; changes invitees must hear about raise its SEQUENCE."""
    check_version(meeting, data.get("version"))
    zone = data.get("timezone") or meeting.timezone
    start, end = _times(data, zone)
    _check_reason(data)
    data = {**data, "start": start, "end": end, "timezone": zone}
    changes = apply_changes(meeting, data, (*MEETING_FIELDS, "start", "end", "timezone"))
    if any(f in changes for f in SENT_FIELDS):
        meeting.sequence += 1
        if meeting.series is not None:
            meeting.series.sequence += 1
    if changes:
        db.session.flush()
        audit.record(meeting, "update", changes, actor)
        _tell_invitees(meeting, changes)
    return changes


# A change of these reaches the invitees at once; a change of text only waits (no spam).
MAILED_AT_ONCE = ("start", "end", "timezone", "location", "online_link", "status")
MAILED_LATER = ("title", "kind", "status_reason")


def _tell_invitees(meeting: Meeting, changes: dict[str, tuple]) -> None:
    """After invitations went out: send an update (or cancellation) for a change of time, place or
    status; note a change of text only, sent with the next real change or on request."""
    if meeting.invitations_sent_at is None:
        return
    from coordination.notifications import invitations

    if any(f in changes for f in MAILED_AT_ONCE):
        invitations.send_update(meeting)
    elif any(f in changes for f in MAILED_LATER):
        meeting.text_update_pending = True
    db.session.flush()


def send_invitations(meeting: Meeting, *, actor: User) -> int:
    """Mail the invitations (a series: once, with its rule); only people not yet invited by mail
    receive one. Nothing is mailed before the secretariat does this."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ConflictError(_l("This meeting is cancelled."))
    if meeting.end < utcnow():
        raise ConflictError(_l("This meeting is over."))
    from coordination.notifications import invitations

    count = invitations.send_invitations(meeting)
    db.session.flush()
    audit.record(meeting, "invitations_sent", {"mails": count}, actor)
    return count


def send_pending_update(meeting: Meeting, *, actor: User) -> int:
    """Send, as one update, the text changes that were held back."""
    if meeting.invitations_sent_at is None:
        raise ConflictError(_l("The invitations have not been sent yet."))
    from coordination.notifications import invitations

    count = invitations.send_update(meeting)
    db.session.flush()
    audit.record(meeting, "update_sent", {"mails": count}, actor)
    return count


def remove_invitee(invitation: Invitation, *, actor: User) -> None:
    """Take someone off the list; if they had been sent the invitation, they get a cancellation."""
    meeting = invitation.meeting
    if meeting.end < utcnow():
        raise ConflictError(_l("This meeting is over."))
    from coordination.notifications import invitations

    invitations.invitee_removed(invitation)
    name = invitation.person.full_name
    meeting.invitations.remove(invitation)
    db.session.flush()
    audit.record(meeting, "uninvite", {"person": name}, actor)


def set_status(meeting: Meeting, status: MeetingStatus, reason: str, *, actor: User) -> None:
    _check_reason({"status": status, "status_reason": reason})
    old = meeting.status
    meeting.status, meeting.status_reason = status, reason.strip()
    meeting.sequence += 1
    if meeting.series is not None:
        meeting.series.sequence += 1
    db.session.flush()
    audit.record(meeting, "status", {"status": (old.value, status.value), "reason": reason}, actor)
    if old != status:
        _tell_invitees(meeting, {"status": (old.value, status.value)})


@dataclass
class SeriesPlan:
    pattern: str
    interval: int
    count: int | None
    until: date | None
    ordinal: int | None = None


def create_series(body: Body, data: dict[str, Any], *, actor: User) -> MeetingSeries:
    """A regular meeting: occurrences at the same local hour, stored one meeting each."""
    zone = data.get("timezone") or body.timezone
    _times(data, zone)  # validates the zone and the first occurrence
    first = data["start_local"]
    duration = data["end_local"] - first
    if not data.get("count") and not data.get("until"):
        raise ValidationError({"count": _l("Give a number of meetings or a last date.")})
    if data.get("until") and data["until"] < first.date():
        raise ValidationError({"until": _l("The last date cannot be before the first meeting.")})
    until = datetime.combine(data["until"], first.time()) if data.get("until") else None
    rule = recurrence.build_rrule(data["pattern"], first, data.get("interval") or 1, data.get("count"), until,
                                data.get("ordinal"))
    occurrences = recurrence.expand(rule, first)
    if len(occurrences) >= recurrence.MAX_OCCURRENCES and not data.get("count"):
        raise ValidationError({"until": _l("A series has %(n)d meetings at most; choose an earlier last date.",
                                           n=recurrence.MAX_OCCURRENCES)})
    series = MeetingSeries(body=body, uid=new_uid(body), title=data["title"].strip(), rrule=rule,
                           first_start_local=first, duration_minutes=int(duration.total_seconds() // 60),
                           timezone=zone)
    db.session.add(series)
    for local_start in occurrences:
        create_meeting(body, {**data, "start_local": local_start, "end_local": local_start + duration,
                              "timezone": zone}, actor=None, series=series)
    db.session.flush()
    audit.record(body, "create_series", {"title": series.title, "rule": rule, "meetings": len(occurrences)}, actor)
    return series


# --- agenda and attachments ---------------------------------------------------------------------


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


# --- invitations, RSVP, attendance, quorum -----------------------------------------------------------


def invite_guest(meeting: Meeting, user: User, *, actor: User) -> Invitation:
    if any(i.user_id == user.id for i in meeting.invitations):
        raise ValidationError({"user_id": _l("This person is already invited.")})
    invitation = Invitation(meeting=meeting, user_id=user.id, organisation_id=user.organisation_id,
                            voting=False, guest=True)
    db.session.add(invitation)
    db.session.flush()
    audit.record(meeting, "invite", {"guest": user.full_name}, actor)
    from coordination.notifications import invitations

    invitations.invitee_added(invitation)
    db.session.flush()
    return invitation


def answer(meeting: Meeting, user: User, value: Rsvp) -> Invitation:
    invitation = next((i for i in meeting.invitations if i.user_id == user.id), None)
    if invitation is None:
        raise ConflictError(_l("You are not invited to this meeting."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise ConflictError(_l("This meeting is cancelled."))
    if meeting.end < utcnow():
        raise ConflictError(_l("This meeting is over."))
    invitation.rsvp = value
    db.session.flush()
    return invitation


def record_attendance(meeting: Meeting, presence: dict[int, Presence], *, actor: User) -> None:
    """Fill the register (by invitation id); marks a planned or confirmed meeting as held."""
    if meeting.start > utcnow():
        raise ConflictError(_l("Attendance is recorded once the meeting has started."))
    changes = {}
    for invitation in meeting.invitations:
        value = presence.get(invitation.id)
        if value is not None and value != invitation.presence:
            changes[invitation.person.full_name] = (invitation.presence.value, value.value)
            invitation.presence = value
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.CONFIRMED):
        meeting.status = MeetingStatus.HELD
        meeting.sequence += 1
    db.session.flush()
    audit.record(meeting, "attendance", changes, actor)


@dataclass
class Quorum:
    judged: bool
    met: bool = False
    present: int = 0
    required: int = 0
    total: int = 0
    rule: str = ""
    present_organisations: list[str] | None = None


def adopted_charter(body: Body, on: date) -> Charter | None:
    return db.session.execute(
        db.select(Charter).where(
            Charter.body_id == body.id,
            Charter.status.in_([CharterStatus.ADOPTED, CharterStatus.SUPERSEDED]),
            Charter.adopted_on <= on,
        ).order_by(Charter.adopted_on.desc(), Charter.number.desc()).limit(1)
    ).scalar()


def required_for(rule: QuorumRule, value: int | None, total: int) -> int:
    """Organisations needed: a majority is more than half; a percentage rounds up."""
    if rule == QuorumRule.FIXED:
        return value or 0
    if rule == QuorumRule.PERCENTAGE:
        return math.ceil(total * (value or 0) / 100)
    return total // 2 + 1


def quorum(meeting: Meeting, charter: Charter | None, member_organisations: int) -> Quorum:
    """Quorum from the charter in force on the meeting day, counted per member organisation.

    An organisation is present when one of its voting invitees is present, or the principal
    is marked as represented and their alternate is present; observers and guests do not count.
    """
    if charter is None:
        return Quorum(judged=False)
    present_orgs = {}
    for invitation in meeting.invitations:
        if invitation.voting and invitation.presence == Presence.PRESENT and invitation.organisation_id:
            present_orgs[invitation.organisation_id] = invitation.organisation.short_name if invitation.organisation else ""
    required = required_for(charter.quorum_rule, charter.quorum_value, member_organisations)
    return Quorum(
        judged=True, met=len(present_orgs) >= required, present=len(present_orgs), required=required,
        total=member_organisations, rule=charter.quorum_description,
        present_organisations=sorted(present_orgs.values()),
    )


def member_organisation_count(body: Body, on: date) -> int:
    return db.session.execute(
        db.select(db.func.count()).select_from(OrganisationMembership).where(
            OrganisationMembership.body_id == body.id,
            OrganisationMembership.kind == MembershipKind.MEMBER,
            OrganisationMembership.start_date <= on,
            db.or_(OrganisationMembership.end_date.is_(None), OrganisationMembership.end_date >= on),
        )
    ).scalar()


def meeting_quorum(meeting: Meeting) -> Quorum:
    """Quorum of a meeting: the charter in force on its day, over the member organisations seated that day."""
    day = dates.local_date(meeting)
    return quorum(meeting, adopted_charter(meeting.body, day), member_organisation_count(meeting.body, day))
