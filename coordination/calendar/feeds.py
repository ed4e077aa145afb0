"""Calendar feeds at the view layer: cheap validators (ETag, Last-Modified), 304s and caching.

Calendar programs poll every subscriber's feed every few minutes, so a feed answers from
what changed, not by rebuilding the file:

* a **validator** is read from stamps, never by building the file nor by reading every
  meeting: a body's feed from the body's row (its version and its calendar stamp, which a
  database trigger moves on every write to its meetings and series); the personal feed from
  the stamps of the bodies the viewer sits on, an aggregate over the meetings they are a
  guest at, the deadlines, and the viewer's seats and visible bodies;
* a conditional request whose ``If-None-Match``/``If-Modified-Since`` still holds gets
  ``304 Not Modified``;
* the serialised body is cached under its validator, so a change (a new version, a lost
  seat) makes a new key and can never serve the old entry; access is checked before the
  cache is read;
* each event's serialised VEVENT is cached under the meeting's id, version and time of
  change, so a feed whose cache is cold only serialises what changed.

The personal feed also carries the viewer's organisation's action-item deadlines. The plans
domain, above this one, provides them (:class:`DeadlineSource`, in the slot ``deadlines`` the
app factory fills).

The cache is Flask-Caching (``coordination.extensions.cache``): in-process by default,
Redis when ``CACHE_REDIS_URL`` is configured.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from flask import Response, current_app, request, url_for
from flask_babel import get_locale
from werkzeug.http import is_resource_modified

from coordination.bodies.models import Body
from coordination.calendar import queries
from coordination.db import utcnow
from coordination.exports import ics
from coordination.extensions import cache
from coordination.meetings.models import Meeting
from coordination.slots import Slot

# Raised whenever the serialisation changes, so entries kept in a shared Redis by an older
# release are not served by a newer one.
FORMAT = "ics-2"


@dataclass(frozen=True)
class Validator:
    """What a feed's ETag and Last-Modified are made of."""

    etag: str
    last_modified: datetime | None
    feed_id: str


class DeadlineSource(Protocol):
    """The action-item deadlines of the personal feed (provided by the plans domain; their
    stamp, read with the feed's viewer, is ``queries.deadline_stamp``)."""

    def fragments(self, organisation_id: int, visible: set[int] | None) -> list[ics.Fragment]:
        """The deadlines as all-day events, each serialised once per version."""


deadlines: Slot[DeadlineSource] = Slot("deadline source")


def digest(*parts: Any) -> str:
    """A short stable hash of ``parts`` (cache keys and ETags)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def context() -> tuple[str, str]:
    """What every event depends on besides its meeting: the address it links to, the organizer."""
    return request.host_url, current_app.config["MAIL_DEFAULT_SENDER"]


def stamp(value: datetime | None) -> str:
    """A time of change as part of a cache key."""
    return value.isoformat() if value else "-"


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _validator(feed_id: str, aggregate: tuple, changed: datetime | None) -> Validator:
    etag = digest(FORMAT, feed_id, context(), aggregate)
    return Validator(etag, _last_modified(feed_id, etag, changed), feed_id)


def _last_modified(feed_id: str, etag: str, changed: datetime | None) -> datetime:
    """The latest change, moved forward when the content changed without a newer date
    (a meeting deleted, a seat lost), so If-Modified-Since alone never keeps a stale copy."""
    key = f"ics:lm:{digest(feed_id, context())}"
    seen = cache.get(key)
    if seen and seen[0] == etag:
        return seen[1]
    value = (changed or utcnow()).replace(microsecond=0)
    if seen and value <= seen[1]:
        value = max(utcnow().replace(microsecond=0), seen[1] + timedelta(seconds=1))
    cache.set(key, (etag, value))
    return value


def body_validator(body: Body) -> Validator:
    """A body's feed: every meeting of the body (the same for every viewer allowed to see it).

    Read from the body's own row, already loaded: its version and time of change, and its
    calendar stamp, which a database trigger moves on every write to its meetings and series
    (so no query, whatever the number of meetings)."""
    return _validator(f"body:{body.id}", (body.version, stamp(body.updated_at), body.calendar_version),
                      _latest(body.calendar_changed_at, body.updated_at))


def personal_validator(viewer: queries.FeedViewer, visible: set[int] | None, sat_on: set[int]) -> Validator:
    """The personal feed: the user's meetings and their organisation's deadlines, as they may
    see them now (the visible bodies and seats are part of the key).

    The meetings of the bodies the user sits on are stood for by those bodies' calendar stamps
    (moved by a trigger on every write to their meetings and series), read with the viewer;
    counters only grow, so their sums over a fixed set of bodies (the set is in the key) move
    with any of them. The meetings the user is a guest at in the other bodies they may see
    take one query, only when there are such bodies."""
    user = viewer.user
    seen = [r for r in viewer.bodies if visible is None or r.id in visible]
    stamped = [r for r in seen if r.id in sat_on]
    guest = queries.guest_stamp(user.id, sorted(r.id for r in seen if r.id not in sat_on))
    calendar_changed = _latest(*(r.calendar_changed_at for r in stamped))
    bodies_changed = _latest(*(r.body_changed for r in stamped))
    stamps = (len(stamped), sum(r.calendar_version for r in stamped), sum(r.body_version for r in stamped),
              stamp(calendar_changed), stamp(bodies_changed))
    guests = tuple(guest) if guest is not None else None
    seats = (None if visible is None else sorted(visible), sorted(sat_on), user.organisation_id)
    deadline_version, deadline_changed = viewer.deadline
    return _validator(f"user:{user.id}:{get_locale()}", (stamps, guests, (deadline_version, stamp(deadline_changed)),
                                                          seats),
                      _latest(calendar_changed, bodies_changed, deadline_changed,
                              *((guest.changed, guest.series, guest.bodies) if guest is not None else ())))


def meeting_where(meeting: Meeting) -> Any:
    """A meeting's .ics holds the meeting, or its whole series (one UID for all)."""
    return Meeting.series_id == meeting.series_id if meeting.series_id else Meeting.id == meeting.id


def meeting_validator(meeting: Meeting) -> Validator:
    """A meeting's .ics: the meeting, or its whole series."""
    aggregate = queries.meeting_aggregate(meeting_where(meeting))
    # Keyed by the meeting asked for: the file is named after it, even for a series.
    return _validator(f"meeting:{meeting.id}", aggregate, _latest(*aggregate[3:]))


def deadline_fragments(organisation_id: int | None, visible: set[int] | None) -> list[ics.Fragment]:
    """The organisation's action-item deadlines as all-day events."""
    if organisation_id is None:
        return []
    return deadlines.get().fragments(organisation_id, visible)


# --- responses -----------------------------------------------------------------------------


def file_key(etag: str) -> str:
    """Where the serialised file of a validator is cached."""
    return f"ics:feed:{etag}"


def kept_file(etag: str) -> bytes | None:
    """The cached file of a validator, or None."""
    return cache.get(file_key(etag))


def conditional(validator: Validator, name: str, build: Callable[[], bytes]) -> Response:
    """304 when the client's copy is current; else the cached body, else ``build()`` (cached)."""
    etag, modified = validator.etag, validator.last_modified
    headers = {"ETag": f'"{etag}"', "Cache-Control": "private, no-cache",
               "Content-Disposition": f'attachment; filename="{name}.ics"'}
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = Response(status=304, headers=headers)
    else:
        data = kept_file(etag)
        if data is None:
            data = build()
            cache.set(file_key(etag), data)
        response = Response(data, mimetype="text/calendar", headers=headers)
    response.last_modified = modified
    return response


# --- building from cached events -------------------------------------------------------------


def _url(meeting_id: int) -> str:
    return url_for("meetings.detail", meeting_id=meeting_id, _external=True)


def _meeting_url(meeting: Meeting) -> str:
    return _url(meeting.id)


def _timezone(tzid: str, first: date, last: date) -> bytes:
    key = f"ics:tz:{FORMAT}:{tzid}:{first}:{last}"
    data = cache.get(key)
    if data is None:
        data = ics.vtimezone_bytes(tzid, first, last)
        cache.set(key, data)
    return data


def meetings_calendar(name: str, where: Sequence[Any], extra: Sequence[ics.Fragment] = (),
                      method: str | None = None) -> bytes:
    """The meetings matched by ``where`` as a calendar, each event serialised once per version.

    Same content as :func:`coordination.exports.ics.meetings_calendar`: single meetings first
    (by start), then each series once with its rule, then ``extra`` (deadlines).
    """
    organizer = current_app.config["MAIL_DEFAULT_SENDER"]
    ctx = digest(FORMAT, context())
    # How many occurrences each series has in all: a feed holding all of them writes the series
    # once with its rule, otherwise each occurrence it holds is its own event (a guest invited
    # to some occurrences sees exactly those, on their own dates).
    rows = queries.feed_meetings(where)
    # One entry per single meeting and per series (with the occurrences this feed holds).
    entries: dict[str, list[queries.FeedMeeting]] = {}
    for row in rows:
        if row.series_id is None:
            key = f"ics:m:{row.id}:{row.version}:{stamp(row.updated_at)}:{stamp(row.body_changed)}:{ctx}"
            entries[key] = [row]
        else:
            entries.setdefault(f"series:{row.series_id}", []).append(row)
    keyed: dict[str, list[queries.FeedMeeting]] = {}
    for key, members in entries.items():
        if key.startswith("series:"):
            first = members[0]
            parts = tuple((r.id, r.version, stamp(r.updated_at)) for r in members)
            whole = len(members) == first.occurrences
            key = (f"ics:s:{first.series_id}:{int(whole)}:{stamp(first.series_changed)}:{stamp(first.body_changed)}:"
                   f"{digest(parts)}:{ctx}")
        keyed[key] = members
    keys = list(keyed)
    found = dict(zip(keys, cache.get_many(*keys), strict=True)) if keys else {}
    missing = [k for k in keys if found.get(k) is None]
    if missing:
        # The rows carry what the events are written from; only whole series need their series.
        with_rule = {k for k in missing if k.startswith("ics:s:") and k.split(":")[3] == "1"}
        series = queries.series_by_id({keyed[k][0].series_id for k in with_rule})
        built: dict[str, ics.Fragment] = {}
        for key in missing:
            members = keyed[key]
            if key in with_rule:
                events = ics.tolerant(series[members[0].series_id], lambda ms=members: ics.series_events(
                    series[ms[0].series_id], ms, _meeting_url, organizer))
            else:
                events = [event for m in members for event in ics.tolerant(
                    m, lambda m=m: [ics.meeting_event(m, _url(m.id), organizer)])]
            built[key] = ics.fragment(events)
        cache.set_many(built)
        found.update(built)
    fragments = [found[k] for k in keys if found[k].data] + list(extra)
    return ics.calendar_from_fragments(name, fragments, method, timezone_bytes=_timezone)
