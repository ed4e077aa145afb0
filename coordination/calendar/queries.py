"""Read-side queries of the calendar feeds: the feed's user, what a feed holds, and cheap
aggregates over it for the validators (never building the file)."""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm

from coordination.accounts.models import User
from coordination.accounts.sessions import token_hash
from coordination.bodies.models import Body
from coordination.db import within
from coordination.extensions import db
from coordination.meetings.models import Invitation, Meeting, MeetingSeries, MeetingStatus
from coordination.meetings.queries import meetings_of
from coordination.memberships.queries import sat_on_select
from coordination.slots import Slot


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


@dataclass(frozen=True)
class FeedViewer:
    """Whom a feed token stands for, found in one query: the user; every body's ``id``,
    ``parent_id``, ``visibility`` and ``sat`` (whether the user sits on it) — for the personal
    feed also its stamps (``calendar_version``, ``body_version``, ``calendar_changed_at``,
    ``body_changed``); the body the feed asks for (None when it asks for none, or for one that
    does not exist); and, for the personal feed, the organisation's deadline stamp
    (``deadline_version``, ``deadline_changed``, None without organisation)."""

    user: User
    bodies: list[sa.Row]
    body: Body | None
    deadline: tuple[int | None, datetime | None] = (None, None)


# The organisation's deadline stamp as two columns (labelled ``deadline_version`` and
# ``deadline_changed``) for an organisation id or column; the plans domain provides it.
deadline_stamp: Slot[Callable[[Any], tuple[Any, Any]]] = Slot("deadline stamp")


def feed_viewer(token: str, on: date, body_id: int | None = None) -> FeedViewer | None:
    """The active user whose feed addresses carry ``token``, with the bodies and their seats at
    ``on``, and the body ``body_id`` (a body's feed) or else the stamps of the personal feed; or
    None (unknown, revoked or deactivated token). The policy decides from the rows what the user
    may see (``permissions.feed_guard``)."""
    if not token or len(token) > 100:
        return None
    asks_for_body = body_id is not None
    rows = db.session.execute(_viewer_select(asks_for_body),
                              {"token": token_hash(token), "sat_on": on, "body_id": body_id}).all()
    if not rows:
        return None
    first = rows[0]
    bodies = [row for row in rows if row.id is not None]
    if asks_for_body:
        return FeedViewer(first[0], bodies, first[1])
    return FeedViewer(first[0], bodies, None, (first.deadline_version, first.deadline_changed))


@lru_cache(maxsize=2)
def _viewer_select(asks_for_body: bool) -> Any:
    # Built once per kind of feed (bound parameters): a calendar program's poll is mostly this
    # query. One row per body (one of NULLs when there is no body yet), the user's seats
    # correlated with their row; the body asked for loaded beside them, or the personal feed's stamps.
    sat_on = sat_on_select(User.id, User.organisation_id, sa.bindparam("sat_on"))
    columns: list[Any] = [Body.id, Body.parent_id, Body.visibility, Body.id.in_(sat_on).label("sat")]
    if asks_for_body:
        asked = sa.orm.aliased(Body, name="asked")  # (here, not at import: aliasing configures the mappers)
        statement = (sa.select(User, asked, *columns).select_from(User).outerjoin(Body, sa.true())
                     .outerjoin(asked, asked.id == sa.bindparam("body_id")))
    else:
        columns += [Body.calendar_version, Body.version.label("body_version"), Body.calendar_changed_at,
                    Body.updated_at.label("body_changed"), *deadline_stamp.get()(User.organisation_id)]
        statement = sa.select(User, *columns).select_from(User).outerjoin(Body, sa.true())
    return statement.where(User.feed_token_hash == sa.bindparam("token"), User.active.is_(True))


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


def guest_stamp(user_id: int, bodies: Sequence[int]) -> sa.Row | None:
    """Count, ids, versions and latest changes of the meetings of ``bodies`` the user is invited
    to (one query, from the user's invitations); None, without a query, when there is no body.

    The personal feed asks it for the bodies the user may see but does not sit on (the others
    are stood for by their calendar stamps)."""
    if not bodies:
        return None
    return db.session.connection().execute(_guest_select(), {"user_id": user_id, "bodies": list(bodies)}).one()


@lru_cache(maxsize=1)
def _guest_select() -> Any:
    # Built once (bound parameters); found from the user's invitations (an index on user_id).
    return (_aggregate_statement(Meeting.body_id.in_(sa.bindparam("bodies", expanding=True)))
            .join(Invitation, sa.and_(Invitation.meeting_id == Meeting.id,
                                      Invitation.user_id == sa.bindparam("user_id"))))


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
