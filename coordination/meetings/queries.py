"""Read-side queries for meetings and attachments."""
from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordination.db import utcnow, within
from coordination.extensions import db
from coordination.meetings.models import (
    AgendaItem,
    Attachment,
    Invitation,
    Meeting,
    MeetingStatus,
    Rsvp,
)


def get_meeting(meeting_id: int) -> Meeting | None:
    return db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.body)])


def meeting_page(meeting_id: int) -> Meeting | None:
    return db.session.execute(_meeting_page_statement(), {"meeting_id": meeting_id}).unique().scalar_one_or_none()


@functools.cache
def _meeting_page_statement() -> Any:
    # Built once (the meeting page is a hot read): SQLAlchemy then reuses its cache key
    # instead of rebuilding every loader option per request.
    return (
        db.select(Meeting).where(Meeting.id == sa.bindparam("meeting_id")).options(
            joinedload(Meeting.body),
            joinedload(Meeting.series),
            # Few rows each: the versions of the minutes join the meeting's row, the items'
            # attachments their item's (one round trip less each).
            joinedload(Meeting.minutes),
            selectinload(Meeting.agenda).options(
                joinedload(AgendaItem.presenter), joinedload(AgendaItem.presenter_organisation),
                joinedload(AgendaItem.attachments),
            ),
            selectinload(Meeting.attachments),
            selectinload(Meeting.invitations).options(joinedload(Invitation.person), joinedload(Invitation.organisation)),
        )
    )


def minutes_meeting(meeting_id: int) -> Meeting | None:
    """A meeting with what its minutes' page shows: its body, its versions of the minutes, the
    invitees with their organisations (not the agenda or attachments of the meeting page)."""
    return db.session.execute(_minutes_meeting_statement(), {"meeting_id": meeting_id}).unique().scalar_one_or_none()


@functools.cache
def _minutes_meeting_statement() -> Any:
    # Built once, like _meeting_page_statement.
    return db.select(Meeting).where(Meeting.id == sa.bindparam("meeting_id")).options(
        joinedload(Meeting.body), joinedload(Meeting.minutes),
        selectinload(Meeting.invitations).options(joinedload(Invitation.person), joinedload(Invitation.organisation)),
    )


def body_meetings(body_id: int, limit: int = 10) -> tuple[list[Any], list[Any]]:
    """A body's next and latest ``limit`` meetings (id, title, status, start, end, time zone), in one query."""
    rows = db.session.execute(_body_meetings_statement(limit), {"body_id": body_id, "now": utcnow()}).all()
    upcoming = sorted((r for r in rows if r.upcoming), key=lambda r: r.start)
    past = sorted((r for r in rows if not r.upcoming), key=lambda r: r.start, reverse=True)
    return upcoming, past


@functools.cache
def _body_meetings_statement(limit: int) -> Any:
    # Built once: every body page runs it, and SQLAlchemy then reuses its cache key.
    columns = (Meeting.id, Meeting.title, Meeting.status, Meeting.start.label("start"),
               Meeting.end.label("end"), Meeting.timezone)
    now = sa.bindparam("now", type_=Meeting.end.type)
    mine = Meeting.body_id == sa.bindparam("body_id")
    upcoming = sa.select(*columns).where(mine, Meeting.end >= now).order_by(Meeting.start).limit(limit).subquery()
    past = sa.select(*columns).where(mine, Meeting.end < now).order_by(Meeting.start.desc()).limit(limit).subquery()
    return sa.union_all(
        sa.select(upcoming, sa.true().label("upcoming")),
        sa.select(past, sa.false().label("upcoming")),
    )


def meetings_list(visible: set[int] | None, upcoming: bool, page: int, per_page: int):
    now = utcnow()
    stmt = db.select(Meeting).options(joinedload(Meeting.body)).where(within(Meeting.body_id, visible))
    stmt = stmt.where(Meeting.end >= now).order_by(Meeting.start) if upcoming else \
        stmt.where(Meeting.end < now).order_by(Meeting.start.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def meetings_of(user, sat_on: set[int]):
    """A meeting is the user's when they are invited to it or sit on its body."""
    invited = db.select(Invitation.meeting_id).where(Invitation.user_id == user.id)
    return sa.or_(Meeting.id.in_(invited), Meeting.body_id.in_(sat_on))


def next_meetings(user, visible: set[int] | None, sat_on: set[int] | None, limit: int) -> list[tuple[Meeting, Rsvp | None]]:
    """The next meetings with the user's answer (``None`` when not invited).

    ``sat_on`` given: only meetings the user is invited to or whose body they sit on (members);
    ``None``: every meeting of the visible bodies (staff and evaluators).
    """
    stmt = (
        db.select(Meeting, Invitation.rsvp)
        .outerjoin(Invitation, sa.and_(Invitation.meeting_id == Meeting.id, Invitation.user_id == user.id))
        .where(Meeting.end >= utcnow(), within(Meeting.body_id, visible))
        .options(joinedload(Meeting.body))
        .order_by(Meeting.start)
        .limit(limit)
    )
    if sat_on is not None:
        stmt = stmt.where(meetings_of(user, sat_on))
    return [(meeting, rsvp) for meeting, rsvp in db.session.execute(stmt).all()]


def later_meetings(meeting: Meeting) -> list[Meeting]:
    """Later meetings of the body that have taken place: where its minutes can be approved."""
    return list(db.session.execute(
        db.select(Meeting).where(Meeting.body_id == meeting.body_id, Meeting.start > meeting.start,
                                 Meeting.start <= utcnow(),
                                 Meeting.status.not_in([MeetingStatus.CANCELLED, MeetingStatus.POSTPONED]))
        .order_by(Meeting.start).limit(24)
    ).scalars())


def agenda_item(meeting: Meeting, item_id: int, **_url: Any) -> AgendaItem | None:
    """The meeting's agenda item ``item_id`` (None: no such item in this meeting)."""
    return next((a for a in meeting.agenda if a.id == item_id), None)


def invitation(meeting: Meeting, invitation_id: int, **_url: Any) -> Invitation | None:
    """The meeting's invitation ``invitation_id`` (None: no such invitation in this meeting)."""
    return next((i for i in meeting.invitations if i.id == invitation_id), None)


def attachment(meeting: Meeting, attachment_id: int, **_url: Any) -> Attachment | None:
    """The document ``attachment_id`` attached to the meeting (None: not one of its documents)."""
    return next((a for a in meeting.attachments if a.id == attachment_id), None)
