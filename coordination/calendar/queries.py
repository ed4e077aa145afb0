"""Read-side queries of the calendar feeds: the feed's user, what a feed holds, and cheap
aggregates over it for the validators (never building the file)."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from coordination.accounts.models import User
from coordination.accounts.sessions import token_hash
from coordination.bodies.models import Body
from coordination.db import within
from coordination.extensions import db
from coordination.meetings.models import Invitation, Meeting, MeetingSeries, MeetingStatus
from coordination.meetings.queries import meetings_of


def read_without_transaction() -> None:
    """Run the rest of this request's queries in autocommit mode (PostgreSQL).

    For the token feeds only, which read and never write: calendar programs poll them every
    few minutes for every subscriber, and a transaction would add a BEGIN and a COMMIT round
    trip to their few queries. Each statement still sees committed data, as it would inside a
    READ COMMITTED transaction. SQLite is left alone: its round trips cost nothing and its
    transactions are begun by ``coordination.db``. A request that already began a transaction
    keeps it.
    """
    session = db.session()
    bind = session.get_bind()
    # (A session bound to a connection, as in the test suite, keeps that connection's transaction.)
    if session.in_transaction() or isinstance(bind, sa.Connection) or bind.dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def user_for_feed_token(token: str) -> User | None:
    """The active user whose feed addresses carry ``token``, or None (unknown, revoked, deactivated)."""
    if not token or len(token) > 100:
        return None
    return db.session.execute(
        db.select(User).where(User.feed_token_hash == token_hash(token), User.active.is_(True))
    ).scalar_one_or_none()


def personal_meetings_filter(user: User, visible: set[int] | None, sat_on: set[int]) -> tuple:
    """The conditions of the personal feed's meetings: the user's, of the bodies they may see."""
    return (meetings_of(user, sat_on), within(Meeting.body_id, visible))


def meeting_aggregate(*where: Any) -> tuple:
    """Count, ids, versions and latest changes of the meetings matched (one query)."""
    return tuple(db.session.execute(_aggregate_statement(*where)).one())


def _aggregate_statement(*where: Any) -> Any:
    return (
        sa.select(
            sa.func.count(Meeting.id).label("n"), sa.func.coalesce(sa.func.sum(Meeting.id), 0).label("ids"),
            sa.func.coalesce(sa.func.sum(Meeting.version), 0).label("versions"),
            sa.func.max(Meeting.updated_at).label("changed"), sa.func.max(MeetingSeries.updated_at).label("series"),
            sa.func.max(Body.updated_at).label("bodies"),
        )
        .select_from(Meeting)
        .join(Body, Body.id == Meeting.body_id)
        .outerjoin(MeetingSeries, MeetingSeries.id == Meeting.series_id)
        .where(*where)
    )


def personal_stamp(user: User, visible: set[int] | None, sat_on: set[int]) -> sa.Row:
    """What the personal feed's meetings are made of, without reading them all (one query).

    The meetings of the bodies the user sits on are stood for by those bodies' calendar
    stamps (moved by a trigger on every write to their meetings and series: count, sums of
    their counters and versions, latest changes); the meetings the user is a guest at, in
    other bodies too, by an aggregate over their invitations. Counters only grow, so a sum
    over a fixed set of bodies (the set is part of the key) changes with any of them.
    """
    bodies = [b for b in sat_on if visible is None or b in visible]
    stamp = (sa.select(sa.func.count(Body.id).label("stamped"),
                       sa.func.coalesce(sa.func.sum(Body.calendar_version), 0).label("calendar_versions"),
                       sa.func.coalesce(sa.func.sum(Body.version), 0).label("body_versions"),
                       sa.func.max(Body.calendar_changed_at).label("calendar_changed"),
                       sa.func.max(Body.updated_at).label("stamped_changed"))
             .where(Body.id.in_(bodies)).subquery())
    # Meetings of the stamped bodies are covered by their stamps, invited or not; the others are
    # found from the user's invitations (an index on user_id: the cost follows their invitations).
    guest = (_aggregate_statement(Meeting.body_id.not_in(bodies), within(Meeting.body_id, visible))
             .join(Invitation, sa.and_(Invitation.meeting_id == Meeting.id, Invitation.user_id == user.id))
             .subquery())
    # Two one-row aggregates side by side; the times of change are named (see feeds.personal_validator).
    return db.session.execute(sa.select(guest, stamp).select_from(guest).join(stamp, sa.true())).one()


@dataclass(frozen=True, slots=True)
class FeedBody:
    """The body of a feed's meeting, as far as its event shows it."""

    name: str


@dataclass(frozen=True, slots=True)
class FeedMeeting:
    """One meeting of a feed: what its cached event is keyed by (id, version, changes of the
    meeting, its body and series, how many occurrences its series has in all) and what the event
    is written from (the fields :func:`coordination.exports.ics.meeting_event` reads)."""

    id: int
    version: int
    updated_at: datetime
    series_id: int | None
    body_changed: datetime
    series_changed: datetime | None
    occurrences: int
    uid: str
    title: str
    start: datetime
    end: datetime
    timezone: str
    location: str
    online_link: str
    status: MeetingStatus
    status_reason: str
    sequence: int
    original_start_local: datetime | None
    body: FeedBody

    moved = Meeting.moved  # the same rule as the model's, from the same fields


# Another occurrence of the same series (a table alias: aliasing the model here would configure
# the mappers at import time).
_SIBLING = Meeting.__table__.alias("sibling")


def feed_meetings(where: Sequence[Any]) -> list[FeedMeeting]:
    """The meetings matched, in order of start, with all their feed needs (one query, no ORM
    objects: a feed holds hundreds of meetings, and loading them as models cost more than
    writing their events)."""
    # Counted for the occurrences of a series only (most meetings of a feed are single ones).
    occurrences = sa.case((Meeting.series_id.is_(None), 0), else_=(
        sa.select(sa.func.count(_SIBLING.c.id)).where(_SIBLING.c.series_id == Meeting.series_id)
        .correlate(Meeting).scalar_subquery()))
    rows = db.session.execute(
        sa.select(Meeting.id, Meeting.version, Meeting.updated_at, Meeting.series_id,
                  Body.updated_at.label("body_changed"), MeetingSeries.updated_at.label("series_changed"),
                  occurrences.label("occurrences"), Meeting.uid, Meeting.title, Meeting.start, Meeting.end,
                  Meeting.timezone, Meeting.location, Meeting.online_link, Meeting.status, Meeting.status_reason,
                  Meeting.sequence, Meeting.original_start_local, Meeting.body_id, Body.name.label("body_name"))
        .select_from(Meeting)
        .join(Body, Body.id == Meeting.body_id)
        .outerjoin(MeetingSeries, MeetingSeries.id == Meeting.series_id)
        .where(*where).order_by(Meeting.start)
    ).all()
    bodies: dict[int, FeedBody] = {}
    found = []
    for row in rows:
        *fields, body_id, body_name = row
        body = bodies.get(body_id)
        if body is None:
            body = bodies[body_id] = FeedBody(body_name)
        found.append(FeedMeeting(*fields, body))
    return found


def series_by_id(ids: Collection[int]) -> dict[int, MeetingSeries]:
    """The series named (a feed writes each whole series with its rule)."""
    if not ids:
        return {}
    return {s.id: s for s in db.session.execute(db.select(MeetingSeries).where(MeetingSeries.id.in_(ids))).scalars()}
