"""Minutes services: drafting, decisions, circulation, comments, approval, publication, corrections."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from coordination import audit
from coordination.accounts.models import User
from coordination.accounts.services import check_version
from coordination.bodies.models import Body
from coordination.dates import local_today
from coordination.db import apply_changes, utcnow
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db
from coordination.meetings import timeutil
from coordination.meetings.models import Meeting
from coordination.minutes.models import (
    Decision,
    Minutes,
    MinutesComment,
    MinutesSection,
    MinutesStatus,
)

# Builds (file name, Word bytes) after the change, for the mail; None: no attachment.
Document = Callable[[], tuple[str, bytes]] | None


def start_minutes(meeting: Meeting, *, actor: User) -> Minutes:
    """Open the first draft of the minutes, one section per agenda item."""
    if meeting.minutes:
        raise ConflictError(_l("This meeting already has minutes."))
    minutes = Minutes(meeting=meeting, number=1)
    minutes.sections = [MinutesSection(position=a.position, title=a.title) for a in meeting.agenda]
    db.session.add(minutes)
    db.session.flush()
    audit.record(minutes, "create", {}, actor)
    return minutes


def _editable(minutes: Minutes) -> None:
    if minutes.locked:
        raise ConflictError(_l("Approved minutes are locked. Start a corrected version to change them."))


def update_minutes(minutes: Minutes, data: dict[str, Any], summaries: dict[int, str], *, actor: User) -> None:
    """Save the summaries (optimistic locking: a stale copy is refused)."""
    _editable(minutes)
    check_version(minutes, data.get("version"))
    changes = apply_changes(minutes, data, ("summary",))
    for section in minutes.sections:
        if section.id in summaries and summaries[section.id] != section.summary:
            changes[section.title] = ("…", "…")
            section.summary = summaries[section.id]
    minutes.updated_at = utcnow()
    db.session.flush()
    audit.record(minutes, "update", changes, actor)


def next_decision_number(body: Body, year: int) -> int:
    current = db.session.execute(
        db.select(db.func.max(Decision.number)).where(Decision.body_id == body.id, Decision.year == year)
    ).scalar()
    return (current or 0) + 1


def add_decision(minutes: Minutes, data: dict[str, Any], *, actor: User) -> Decision:
    """Record a decision, numbered per body and year (e.g. CN-2026-014)."""
    _editable(minutes)
    body = minutes.meeting.body
    year = timeutil.to_local(minutes.meeting.start, minutes.meeting.timezone).year
    number = next_decision_number(body, year)
    decision = Decision(
        minutes=minutes, body_id=body.id, year=year, number=number,
        reference=f"{body.acronym or 'D'}-{year}-{number:03d}", text=data["text"].strip(),
        votes_for=data.get("votes_for"), votes_against=data.get("votes_against"), abstentions=data.get("abstentions"),
    )
    db.session.add(decision)
    minutes.updated_at = utcnow()
    db.session.flush()
    audit.record(minutes, "decision", {"reference": decision.reference, "text": decision.text}, actor)
    return decision


def remove_decision(decision: Decision, *, actor: User) -> None:
    _editable(decision.minutes)
    audit.record(decision.minutes, "decision_removed", {"reference": decision.reference}, actor)
    db.session.delete(decision)
    db.session.flush()


def circulate(minutes: Minutes, *, actor: User, comment_by: date | None = None) -> None:
    """Circulate the draft for comment: the body's members are mailed the link and the date to
    comment by (``MINUTES_COMMENT_DAYS`` from today unless given)."""
    if minutes.status != MinutesStatus.DRAFT:
        raise ConflictError(_l("Only draft minutes can be circulated."))
    today = local_today()
    comment_by = comment_by or today + timedelta(days=current_app.config["MINUTES_COMMENT_DAYS"])
    if comment_by <= today:
        raise ValidationError({"comment_by": _l("The date to comment by must be after today.")})
    minutes.status = MinutesStatus.CIRCULATED
    db.session.flush()
    audit.record(minutes, "circulate", {"comment_by": comment_by.isoformat()}, actor)
    from coordination.notifications import minutes_mail

    minutes_mail.circulated(minutes, comment_by)


def comment(minutes: Minutes, text: str, *, actor: User) -> MinutesComment:
    if minutes.status != MinutesStatus.CIRCULATED:
        raise ConflictError(_l("Comments are taken while the minutes are circulated."))
    if not text.strip():
        raise ValidationError({"text": _l("Write a comment first.")})
    entry = MinutesComment(minutes=minutes, author_id=actor.id, text=text.strip())
    db.session.add(entry)
    db.session.flush()
    return entry


def approve(minutes: Minutes, at_meeting: Meeting | None, *, actor: User, document: Document = None) -> None:
    """Record approval at a later meeting of the same body; the version is then locked."""
    if minutes.status != MinutesStatus.CIRCULATED:
        raise ConflictError(_l("Minutes are approved after they have been circulated."))
    meeting = minutes.meeting
    if at_meeting is None or at_meeting.body_id != meeting.body_id or at_meeting.start <= meeting.start:
        raise ValidationError({"approved_at_meeting_id": _l("Choose a later meeting of the same body.")})
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at_meeting = at_meeting
    minutes.approved_by_id = actor.id
    minutes.approved_on = utcnow()
    db.session.flush()
    audit.record(minutes, "approve", {"at_meeting": str(at_meeting)}, actor)
    from coordination.notifications import minutes_mail

    minutes_mail.settled(minutes, "approved", document() if document else None)


def publish(minutes: Minutes, *, actor: User, document: Document = None) -> None:
    """Publish approved minutes; the body's members are mailed the link (and the Word file if given)."""
    if minutes.status != MinutesStatus.APPROVED:
        raise ConflictError(_l("Only approved minutes can be published."))
    minutes.status = MinutesStatus.PUBLISHED
    db.session.flush()
    audit.record(minutes, "publish", {}, actor)
    from coordination.notifications import minutes_mail

    minutes_mail.settled(minutes, "published", document() if document else None)


def correct(minutes: Minutes, reason: str, *, actor: User) -> Minutes:
    """Start a corrected version of approved minutes; the approved one stays readable."""
    if not minutes.locked:
        raise ConflictError(_l("Only approved minutes are corrected by a new version; edit the draft instead."))
    if not reason.strip():
        raise ValidationError({"reason": _l("Say what the correction is about.")})
    latest = max(m.number for m in minutes.meeting.minutes)
    if latest != minutes.number:
        raise ConflictError(_l("A newer version of these minutes exists."))
    new = Minutes(meeting=minutes.meeting, number=latest + 1, summary=minutes.summary, correction_reason=reason.strip())
    new.sections = [MinutesSection(position=s.position, title=s.title, summary=s.summary) for s in minutes.sections]
    new.decisions = [
        Decision(body_id=d.body_id, year=d.year, number=d.number, reference=d.reference, text=d.text,
                 votes_for=d.votes_for, votes_against=d.votes_against, abstentions=d.abstentions)
        for d in minutes.decisions
    ]
    db.session.add(new)
    db.session.flush()
    audit.record(new, "correct", {"reason": reason, "from_version": minutes.number}, actor)
    return new


def action_from_decision(decision: Decision, data: dict[str, Any], *, actor: User):
    """Create an action item arising from a decision, linked back to the meeting and decision."""
    from coordination.plans import services as plans
    from coordination.plans.models import Origin

    meeting = decision.minutes.meeting
    item = plans.create_item(
        {**data, "origin": Origin.MEETING_DECISION, "origin_note": decision.reference, "scope_national": True},
        plan=None, parent=None, body_id=meeting.body_id, actor=actor,
    )
    item.meeting_id = meeting.id
    item.decision_reference = decision.reference
    db.session.flush()
    return item
