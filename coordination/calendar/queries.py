"""Read-side queries of the calendar feeds: the feed's user, what a feed holds, and cheap
aggregates over it for the validators (never building the file)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordination.accounts.models import User
from coordination.accounts.sessions import token_hash
from coordination.bodies.models import Body
from coordination.db import within
from coordination.extensions import db
from coordination.meetings.models import Invitation, Meeting, MeetingSeries
from coordination.meetings.queries import meetings_of

CHUNK = 500


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


def _feed_options():
    # The series' occurrences tell whether a feed holds a whole series (one query for all series).
    return (joinedload(Meeting.body), joinedload(Meeting.series).selectinload(MeetingSeries.meetings))


def body_feed(body_id: int) -> list[Meeting]:
    """Every meeting of a body, for its calendar feed (a fixed number of queries)."""
    return list(db.session.execute(
        db.select(Meeting).where(Meeting.body_id == body_id).options(*_feed_options()).order_by(Meeting.start)
    ).scalars())


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


def personal_stamp(user: User, visible: set[int] | None, sat_on: set[int]) -> tuple:
    """What the personal feed's meetings are made of, without reading them all (one query).

    The meetings of the bodies the user sits on are stood for by those bodies' calendar
    stamps (moved by a trigger on every write to their meetings and series: count, sums of
    their counters and versions, latest changes); the meetings the user is a guest at, in
    other bodies too, by an aggregate over their invitations. Counters only grow, so a sum
    over a fixed set of bodies (the set is part of the key) changes with any of them.
    """
    bodies = [b for b in sat_on if visible is None or b in visible]
    stamp = (sa.select(sa.func.count(Body.id), sa.func.coalesce(sa.func.sum(Body.calendar_version), 0),
                       sa.func.coalesce(sa.func.sum(Body.version), 0), sa.func.max(Body.calendar_changed_at),
                       sa.func.max(Body.updated_at))
             .where(Body.id.in_(bodies)).subquery())
    # Meetings of the stamped bodies are covered by their stamps, invited or not; the others are
    # found from the user's invitations (an index on user_id: the cost follows their invitations).
    guest = (_aggregate_statement(Meeting.body_id.not_in(bodies), within(Meeting.body_id, visible))
             .join(Invitation, sa.and_(Invitation.meeting_id == Meeting.id, Invitation.user_id == user.id))
             .subquery())
    # Two one-row aggregates side by side.
    return tuple(db.session.execute(sa.select(guest, stamp).select_from(guest).join(stamp, sa.true())).one())


def feed_rows(where: Sequence[Any]) -> list[Any]:
    """What each matched meeting's cached event is keyed by, in order of start: id, version,
    changes of the meeting, its body and series, and how many occurrences its series has in all."""
    sibling = sa.orm.aliased(Meeting)
    occurrences = (sa.select(sa.func.count(sibling.id)).where(sibling.series_id == Meeting.series_id)
                   .correlate(Meeting).scalar_subquery())
    return list(db.session.execute(
        sa.select(Meeting.id, Meeting.version, Meeting.updated_at, Meeting.series_id,
                  Body.updated_at.label("body_changed"), MeetingSeries.updated_at.label("series_changed"),
                  occurrences.label("occurrences"))
        .select_from(Meeting)
        .join(Body, Body.id == Meeting.body_id)
        .outerjoin(MeetingSeries, MeetingSeries.id == Meeting.series_id)
        .where(*where).order_by(Meeting.start)
    ).all())


def meetings_by_id(ids: Sequence[int]) -> dict[int, Meeting]:
    """The meetings named, loaded for serialisation (in chunks: long feeds stay under bind limits)."""
    found: dict[int, Meeting] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        found.update((m.id, m) for m in db.session.execute(
            db.select(Meeting).where(Meeting.id.in_(chunk)).options(*_feed_options())).scalars())
    return found
