"""Invitees, RSVP, the attendance register and quorum of a meeting."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from coordination import audit, dates
from coordination.accounts.models import User
from coordination.bodies.models import Body
from coordination.charters.models import Charter, CharterStatus, QuorumRule
from coordination.db import transition, utcnow
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db
from coordination.meetings import notices
from coordination.meetings.models import (
    MEETING_STEPS,
    Invitation,
    Meeting,
    MeetingStatus,
    Presence,
    Rsvp,
)
from coordination.memberships.models import (
    MembershipKind,
    OrganisationMembership,
    PersonMembership,
    SeatRole,
)


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



def invite_guest(meeting: Meeting, user: User, *, actor: User) -> Invitation:
    if any(i.user_id == user.id for i in meeting.invitations):
        raise ValidationError({"user_id": _l("This person is already invited.")})
    invitation = Invitation(meeting=meeting, user_id=user.id, organisation_id=user.organisation_id,
                            voting=False, guest=True)
    db.session.add(invitation)
    db.session.flush()
    audit.record(meeting, "invite", {"guest": user.full_name}, actor)
    notices.mailer.get().invitee_added(invitation)
    db.session.flush()
    return invitation


def remove_invitee(invitation: Invitation, *, actor: User) -> None:
    """Take someone off the list; if they had been sent the invitation, they get a cancellation."""
    meeting = invitation.meeting
    if meeting.end < utcnow():
        raise ConflictError(_l("This meeting is over."))
    notices.mailer.get().invitee_removed(invitation)
    name = invitation.person.full_name
    meeting.invitations.remove(invitation)
    db.session.flush()
    audit.record(meeting, "uninvite", {"person": name}, actor)


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
        transition(meeting, MeetingStatus.HELD, MEETING_STEPS)
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


@functools.cache
def _charter_and_members_statement() -> Any:
    # The charter in force on the day and the member organisations seated then, in one query
    # (the count only matters when there is a charter); built once, as every meeting and
    # minutes page runs it.
    body_id, day = sa.bindparam("body_id"), sa.bindparam("day", type_=sa.Date)
    members = (
        db.select(db.func.count()).select_from(OrganisationMembership).where(
            OrganisationMembership.body_id == body_id,
            OrganisationMembership.kind == MembershipKind.MEMBER,
            OrganisationMembership.start_date <= day,
            db.or_(OrganisationMembership.end_date.is_(None), OrganisationMembership.end_date >= day),
        ).scalar_subquery()
    )
    return db.select(Charter, members.label("members")).where(
        Charter.body_id == body_id,
        Charter.status.in_([CharterStatus.ADOPTED, CharterStatus.SUPERSEDED]),
        Charter.adopted_on <= day,
    ).order_by(Charter.adopted_on.desc(), Charter.number.desc()).limit(1)


def meeting_quorum(meeting: Meeting) -> Quorum:
    """Quorum of a meeting: the charter in force on its day, over the member organisations seated that day."""
    day = dates.local_date(meeting)
    found = db.session.execute(_charter_and_members_statement(), {"body_id": meeting.body_id, "day": day}).first()
    return quorum(meeting, found[0], found[1]) if found else Quorum(judged=False)
