"""Meeting services: scheduling, series, status, and telling the invitees (agenda: ``agenda``;
invitees, attendance and quorum: ``attendance``)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from coordination import audit, dates
from coordination.accounts.models import User
from coordination.bodies.models import Body
from coordination.db import bookkeeping, check_version, transition, utcnow
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db
from coordination.meetings import attendance, notices, recurrence
from coordination.meetings.models import (
    MEETING_STEPS,
    Invitation,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from coordination.memberships.models import (
    SeatRole,
)

# Changes to these fields are sent again to invitees: they raise the iCalendar SEQUENCE.
SENT_FIELDS = ("start", "end", "location", "online_link", "status", "title")
MEETING_FIELDS = ("title", "kind", "location", "online_link", "status", "status_reason")
# An edit moves the status through :func:`transition`, the other fields are set as given.
EDITED_FIELDS = tuple(f for f in MEETING_FIELDS if f != "status")


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


def _invite_members(meeting: Meeting) -> None:
    # Seats valid on the meeting's local day (an evening meeting west of UTC is the next day in UTC).
    for seat, voting in attendance.default_invitees(meeting.body, dates.local_date(meeting)):
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
    meeting = Meeting(body=body, uid=new_uid(body), end=end, timezone=zone, series=series)
    if series is not None:
        meeting.original_start_local = data["start_local"]
    audit.save_new(meeting, {**data, "start": start}, (*MEETING_FIELDS, "start"), actor=actor)
    if invite:
        _invite_members(meeting)
        db.session.flush()
    return meeting


def update_meeting(meeting: Meeting, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """Change a meeting; changes invitees must hear about raise its SEQUENCE."""
    check_version(meeting, data.get("version"))  # a stale copy is refused before its content is judged
    zone = data.get("timezone") or meeting.timezone
    start, end = _times(data, zone)
    _check_reason(data)
    status = _status_step(meeting, data.get("status"))
    changes = audit.save_changes(meeting, {**data, "start": start, "end": end, "timezone": zone},
                                 (*EDITED_FIELDS, "start", "end", "timezone"), actor=actor, extra=status)
    if any(f in changes for f in SENT_FIELDS):
        _raise_sequence(meeting)
    if changes:
        _tell_invitees(meeting, changes)
    return changes


def _status_step(meeting: Meeting, value: str | None) -> dict[str, tuple]:
    """Move the meeting to status ``value`` (if given); the change, for the audit log."""
    if not value:
        return {}
    new = MeetingStatus(value)
    old = transition(meeting, new, MEETING_STEPS)
    return {"status": (old.value, new.value)} if old != new else {}


def _raise_sequence(meeting: Meeting) -> None:
    """A change invitees hear about raises the iCalendar SEQUENCE of the meeting and its series.

    Written as bookkeeping: the edit's own UPDATE already checked and bumped the version.
    """
    bookkeeping(meeting, sequence=meeting.sequence + 1)
    if meeting.series is not None:
        meeting.series.sequence += 1


# A change of these reaches the invitees at once; a change of text only waits (no spam).
MAILED_AT_ONCE = ("start", "end", "timezone", "location", "online_link", "status")
MAILED_LATER = ("title", "kind", "status_reason")


def _tell_invitees(meeting: Meeting, changes: dict[str, tuple]) -> None:
    """After invitations went out: send an update (or cancellation) for a change of time, place or
    status; note a change of text only, sent with the next real change or on request."""
    if meeting.invitations_sent_at is None:
        return
    if any(f in changes for f in MAILED_AT_ONCE):
        notices.mailer.get().send_update(meeting)
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
    count = notices.mailer.get().send_invitations(meeting)
    db.session.flush()
    audit.record(meeting, "invitations_sent", {"mails": count}, actor)
    return count


def send_pending_update(meeting: Meeting, *, actor: User) -> int:
    """Send, as one update, the text changes that were held back."""
    if meeting.invitations_sent_at is None:
        raise ConflictError(_l("The invitations have not been sent yet."))
    count = notices.mailer.get().send_update(meeting)
    db.session.flush()
    audit.record(meeting, "update_sent", {"mails": count}, actor)
    return count


def set_status(meeting: Meeting, status: MeetingStatus, reason: str, *, actor: User) -> None:
    _check_reason({"status": status, "status_reason": reason})
    old = transition(meeting, status, MEETING_STEPS)
    meeting.status_reason = reason.strip()
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
