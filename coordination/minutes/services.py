"""Minutes services: drafting, decisions, circulation, comments, approval, publication, corrections."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from coordination import audit, dates
from coordination.accounts.models import User
from coordination.dates import local_today
from coordination.db import apply_changes, check_version, touch, transition, utcnow
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db
from coordination.meetings.models import Meeting, MeetingStatus
from coordination.minutes import actions, notices
from coordination.minutes.models import (
    MINUTES_STEPS,
    Decision,
    DecisionCounter,
    DecisionText,
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
    sections = [MinutesSection(position=a.position, title=a.title) for a in meeting.agenda]
    minutes = Minutes(meeting=meeting, number=1, sections=sections)
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


def allocate_decision_number(body_id: int, year: int) -> int:
    """The next decision number of a body for a year, allocated atomically.

    One counter row per (body, year) is incremented with ``UPDATE … RETURNING``: on
    PostgreSQL the row lock makes a concurrent allocation wait until this transaction ends,
    then read the incremented value; on SQLite the write lock taken at BEGIN serialises
    writers. The first allocation of a year creates the row (``ON CONFLICT DO NOTHING``
    when two transactions create it at once). The unique constraint on
    (body, year, number) is the last guard.
    """
    counter = DecisionCounter.__table__
    bump = (
        sa.update(counter)
        .where(counter.c.body_id == body_id, counter.c.year == year)
        .values(last_number=counter.c.last_number + 1)
        .returning(counter.c.last_number)
    )
    number = db.session.execute(bump).scalar()
    if number is None:
        insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(
            insert(counter).values(body_id=body_id, year=year, last_number=0).on_conflict_do_nothing()
        )
        number = db.session.execute(bump).scalar_one()
    return number


def decision_year(meeting: Meeting) -> int:
    """Decisions are numbered in the year of the meeting's local date."""
    return dates.local_date(meeting).year


def add_decision(minutes: Minutes, data: dict[str, Any], *, actor: User) -> DecisionText:
    """Record a decision, numbered per body and year (e.g. CN-2026-014)."""
    _editable(minutes)
    meeting = minutes.meeting
    body = meeting.body
    year = decision_year(meeting)
    number = allocate_decision_number(body.id, year)
    decision = Decision(body_id=body.id, meeting_id=meeting.id, year=year, number=number,
                        reference=f"{body.acronym or 'D'}-{year}-{number:03d}")
    entry = DecisionText(
        minutes=minutes, decision=decision, text=data["text"].strip(),
        votes_for=data.get("votes_for"), votes_against=data.get("votes_against"), abstentions=data.get("abstentions"),
    )
    db.session.add(entry)
    db.session.flush()
    touch(minutes)
    audit.record(minutes, "decision", {"reference": decision.reference, "text": entry.text}, actor)
    return entry


def remove_decision(entry: DecisionText, *, actor: User) -> None:
    """Take a decision out of a draft; its number is not reused (gaps are visible, not silent)."""
    minutes = entry.minutes
    _editable(minutes)
    decision = entry.decision
    if len(decision.texts) == 1:  # only in this draft: the decision itself goes
        arising = actions.source.get().count_for_decision(decision.id)
        if arising:
            raise ConflictError(_l("Action items arise from this decision: remove them from the action plan first."))
    audit.record(minutes, "decision_removed", {"reference": decision.reference}, actor)
    db.session.delete(entry)
    db.session.flush()
    if not db.session.execute(db.select(DecisionText.id).where(DecisionText.decision_id == decision.id)).first():
        db.session.delete(decision)
        db.session.flush()
    touch(minutes)


def circulate(minutes: Minutes, *, actor: User, comment_by: date | None = None) -> None:
    """Circulate the draft for comment: the body's members are mailed the link and the date to
    comment by (``MINUTES_COMMENT_DAYS`` from today unless given)."""
    today = local_today()
    comment_by = comment_by or today + timedelta(days=current_app.config["MINUTES_COMMENT_DAYS"])
    if comment_by <= today:
        raise ValidationError({"comment_by": _l("The date to comment by must be after today.")})
    transition(minutes, MinutesStatus.CIRCULATED, MINUTES_STEPS, message=_l("Only draft minutes can be circulated."))
    db.session.flush()
    audit.record(minutes, "circulate", {"comment_by": comment_by.isoformat()}, actor)
    notices.mailer.get().circulated(minutes, comment_by)


def comment(minutes: Minutes, text: str, *, actor: User) -> MinutesComment:
    if minutes.status != MinutesStatus.CIRCULATED:
        raise ConflictError(_l("Comments are taken while the minutes are circulated."))
    if not text.strip():
        raise ValidationError({"text": _l("Write a comment first.")})
    entry = MinutesComment(minutes=minutes, author_id=actor.id, text=text.strip())
    db.session.add(entry)
    db.session.flush()
    return entry


def has_taken_place(meeting: Meeting) -> bool:
    """A meeting that has started and was neither postponed nor cancelled (one that can approve minutes)."""
    return meeting.start <= utcnow() and meeting.status not in (MeetingStatus.POSTPONED, MeetingStatus.CANCELLED)


def approve(minutes: Minutes, at_meeting: Meeting | None, *, actor: User, document: Document = None) -> None:
    """Record approval at a later meeting of the same body; the version is then locked."""
    meeting = minutes.meeting
    if at_meeting is None or at_meeting.body_id != meeting.body_id or at_meeting.start <= meeting.start:
        raise ValidationError({"approved_at_meeting_id": _l("Choose a later meeting of the same body.")})
    if not has_taken_place(at_meeting):
        raise ValidationError({"approved_at_meeting_id": _l(
            "Minutes are approved at a meeting that has taken place: this one has not started yet, "
            "or was postponed or cancelled.")})
    transition(minutes, MinutesStatus.APPROVED, MINUTES_STEPS,
               message=_l("Minutes are approved after they have been circulated."))
    minutes.approved_at_meeting = at_meeting
    minutes.approved_by_id = actor.id
    minutes.approved_on = utcnow()
    db.session.flush()
    audit.record(minutes, "approve", {"at_meeting": str(at_meeting)}, actor)
    notices.mailer.get().settled(minutes, "approved", document() if document else None)


def publish(minutes: Minutes, *, actor: User, document: Document = None) -> None:
    """Publish approved minutes; the body's members are mailed the link (and the Word file if given)."""
    transition(minutes, MinutesStatus.PUBLISHED, MINUTES_STEPS, message=_l("Only approved minutes can be published."))
    db.session.flush()
    audit.record(minutes, "publish", {}, actor)
    notices.mailer.get().settled(minutes, "published", document() if document else None)


def correct(minutes: Minutes, reason: str, *, actor: User) -> Minutes:
    """Start a corrected version of approved minutes; the approved one stays readable."""
    if not minutes.locked:
        raise ConflictError(_l("Only approved minutes are corrected by a new version; edit the draft instead."))
    if not reason.strip():
        raise ValidationError({"reason": _l("Say what the correction is about.")})
    latest = max(m.number for m in minutes.meeting.minutes)
    if latest != minutes.number:
        raise ConflictError(_l("A newer version of these minutes exists."))
    sections = [MinutesSection(position=s.position, title=s.title, summary=s.summary) for s in minutes.sections]
    # The same decisions (same identity, number and actions arising); only their text is copied.
    texts = [
        DecisionText(decision_id=d.decision_id, text=d.text, votes_for=d.votes_for, votes_against=d.votes_against,
                     abstentions=d.abstentions)
        for d in minutes.decisions
    ]
    with db.session.no_autoflush:
        new = Minutes(number=latest + 1, summary=minutes.summary, correction_reason=reason.strip(),
                      sections=sections, decisions=texts)
        db.session.add(new)
        new.meeting = minutes.meeting
    db.session.add(new)
    db.session.flush()
    audit.record(new, "correct", {"reason": reason, "from_version": minutes.number}, actor)
    return new


def action_from_decision(entry: DecisionText, data: dict[str, Any], *, actor: User):
    """Create an action item arising from a decision, linked back to the meeting and decision.

    Refused once the minutes are approved: the approved version and its Word file must show
    the same actions arising as on the day of approval.
    """
    _editable(entry.minutes)
    return actions.source.get().create(entry.decision, entry.minutes.meeting, data, actor=actor)
