"""iCalendar (RFC 5545) exports: single meetings, series, body and personal feeds."""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from icalendar import vRecur

from coordination.exports.contentlines import CALENDAR_ORDER, Component
from coordination.exports.vtimezone import LAST_YEAR, vtimezone_ical
from coordination.meetings.models import Meeting, MeetingSeries, MeetingStatus
from coordination.text import xml_safe

log = logging.getLogger(__name__)
# VTIMEZONE rules are generated from here at the earliest, whatever dates a feed holds.
EARLIEST_ZONE_RULES = date(1900, 1, 1)

STATUS = {
    MeetingStatus.PLANNED: "TENTATIVE",
    MeetingStatus.POSTPONED: "TENTATIVE",
    MeetingStatus.CONFIRMED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


class Named(Protocol):
    """Something with a name (a meeting's body)."""

    name: str


class MeetingFacts(Protocol):
    """What a meeting's VEVENT is written from: a :class:`Meeting`, or a feed's row
    (:class:`coordination.calendar.queries.FeedMeeting`, read without loading the model)."""

    id: int
    uid: str
    sequence: int
    title: str
    start: datetime
    end: datetime
    timezone: str
    location: str
    online_link: str
    status: MeetingStatus
    status_reason: str
    updated_at: datetime
    original_start_local: datetime | None
    body: Named

    @property
    def moved(self) -> bool:
        """An occurrence of a series whose time no longer follows the rule."""


def _calendar(name: str, method: str | None = None) -> Component:
    cal = Component("VCALENDAR", CALENDAR_ORDER)
    cal.add_text("PRODID", "-//Concertation//Coordination portal//EN")
    cal.add_text("VERSION", "2.0")
    cal.add_text("CALSCALE", "GREGORIAN")
    # Written as is: icalendar (7) writes an X- property it has no type for verbatim, and the
    # calendar programs that read it take it so.
    cal.add("X-WR-CALNAME", _line(name))
    if method:
        cal.add_text("METHOD", method)
    return cal


def _line(value: str) -> str:
    """A one-line text property: line breaks (and other control characters) become spaces, so
    one bad title can never break the file."""
    value = xml_safe(value)
    if not value.isprintable():
        value = "".join(ch if ch.isprintable() else " " for ch in value)
    return " ".join(value.split())


def _lines(value: str) -> str:
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(_line(part) for part in text.split("\n"))


def _describe(event: Component, meeting: MeetingFacts, url: str, organizer: str, *, title: str | None = None,
              status: MeetingStatus | None = None, stamp: datetime | None = None) -> None:
    stamp = stamp or meeting.updated_at
    event.add_text("SUMMARY", _line(title or meeting.title))
    event.add_utc("DTSTAMP", stamp)
    event.add_utc("LAST-MODIFIED", stamp)
    event.add_text("STATUS", STATUS[status or meeting.status])
    event.add("URL", url)
    place = meeting.location or meeting.online_link
    if place:
        event.add_text("LOCATION", _line(place))
    description = [meeting.body.name]
    if meeting.online_link:
        description.append(meeting.online_link)
    if meeting.status_reason and status is None:
        description.append(meeting.status_reason)
    event.add_text("DESCRIPTION", _lines("\n".join(description)))
    event.add_address("ORGANIZER", f"mailto:{organizer}", cn=_param(meeting.body.name))


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def meeting_event(meeting: MeetingFacts, url: str, organizer: str) -> Component:
    """A stand-alone meeting as one VEVENT with TZID times."""
    event = Component("VEVENT")
    event.add_text("UID", meeting.uid)
    event.add("SEQUENCE", str(meeting.sequence))
    event.add_time("DTSTART", _local(meeting.start, meeting.timezone))
    event.add_time("DTEND", _local(meeting.end, meeting.timezone))
    _describe(event, meeting, url, organizer)
    return event


def series_events(series: MeetingSeries, meetings: Sequence[MeetingFacts], url_for_meeting: Callable[[MeetingFacts], str],
                  organizer: str) -> list[Component]:
    """A series as a master VEVENT with RRULE and EXDATE, plus one VEVENT per changed occurrence.

    Cancelled occurrences are EXDATEs; moved or otherwise changed ones are instances with the
    same UID and a RECURRENCE-ID naming the occurrence's original local start.
    """
    occurrences = sorted(meetings, key=lambda m: m.original_start_local or m.start.replace(tzinfo=None))
    if not occurrences:
        return []
    zone = ZoneInfo(series.timezone)
    first = occurrences[0]
    master = Component("VEVENT")
    master.add_text("UID", series.uid)
    master.add("SEQUENCE", str(series.sequence))
    master.add_time("DTSTART", series.first_start_local.replace(tzinfo=zone))
    master.add_time("DTEND", (series.first_start_local + timedelta(minutes=series.duration_minutes)).replace(tzinfo=zone))
    rule = {k: v for k, v in (part.split("=", 1) for part in series.rrule.split(";")) if k != "UNTIL"}
    rule["COUNT"] = str(len(occurrences))  # exactly the stored occurrences (UNTIL would need UTC)
    rrule = vRecur({k.lower(): v.split(",") if k == "BYDAY" else v for k, v in rule.items()})
    master.add("RRULE", rrule.to_ical().decode())
    live = [m for m in occurrences if m.status != MeetingStatus.CANCELLED] or occurrences
    # The master carries the most common status; occurrences that differ become instances.
    usual = Counter(m.status for m in live).most_common(1)[0][0]
    _describe(master, first, url_for_meeting(first), organizer, title=series.title,
              status=usual, stamp=max(m.updated_at for m in occurrences))
    cancelled = [m for m in occurrences if m.status == MeetingStatus.CANCELLED]
    if cancelled:
        master.add_times("EXDATE", [m.original_start_local.replace(tzinfo=zone) for m in cancelled])
    events = [master]
    for meeting in occurrences:
        if meeting.status == MeetingStatus.CANCELLED:
            continue
        changed = (meeting.moved or meeting.title != series.title or meeting.location != first.location
                   or STATUS[meeting.status] != STATUS[usual])
        if not changed:
            continue
        events.append(occurrence_event(meeting, url_for_meeting(meeting), organizer, series=series))
    return events


def deadline_event(uid: str, title: str, deadline: date, url: str, stamp: datetime, done: str | None = None) -> Component:
    """An action item's deadline as an all-day event.

    ``done`` ("completed" or "cancelled") marks a deadline that no longer binds: its summary
    says so and its STATUS is CANCELLED, so programs grey it out or hide it.
    """
    event = Component("VEVENT")
    event.add_text("UID", uid)
    event.add_utc("DTSTAMP", stamp)
    event.add_text("SUMMARY", _line(f"[{done}] {title}" if done else title))
    if done:
        event.add_text("STATUS", "CANCELLED")
    event.add_day("DTSTART", deadline)
    event.add_day("DTEND", deadline + timedelta(days=1))
    event.add_text("TRANSP", "TRANSPARENT")
    event.add("URL", url)
    return event


def _zone_span(first: date, last: date) -> tuple[date, date]:
    """The span VTIMEZONE rules are written for: the events' own, never before
    EARLIEST_ZONE_RULES nor past the generator's LAST_YEAR, so a stored year 1 cannot break the file."""
    first = max(first, EARLIEST_ZONE_RULES)
    return first, max(min(last, date(LAST_YEAR, 1, 1)), first)


def calendar_bytes(name: str, events: Iterable[Component], method: str | None = None) -> bytes:
    """A VCALENDAR with a VTIMEZONE (yearly rules, see :mod:`vtimezone`) for every TZID its events use."""
    return calendar_from_fragments(name, [fragment(list(events))], method)


def tolerant(row: object, build: Callable[[], Sequence[Component]]) -> Sequence[Component]:
    """The events ``build`` makes for ``row``, or none when the row cannot be exported (a year 1
    stored before dates were checked): one bad row never takes the whole feed down."""
    try:
        return build()
    except (ValueError, OverflowError, TypeError, KeyError) as error:
        log.warning("calendar export skipped %s %s: %s", type(row).__name__, getattr(row, "id", "?"), error)
        return []


def meetings_calendar(name: str, meetings: Sequence[Meeting], url_for_meeting: Callable[[Meeting], str],
                      organizer: str, extra: Iterable[Component] = (), method: str | None = None) -> bytes:
    """Meetings as a calendar: single meetings as events, each series once with its rule.

    A series is written with its rule only when every one of its occurrences is in
    ``meetings``; otherwise (a guest invited to some occurrences, a feed that shows part of a
    series) each occurrence given is its own event, on its own date, with its own UID.
    """
    events: list[Component] = []
    by_series: dict[int, list[Meeting]] = {}
    series: dict[int, MeetingSeries] = {}
    for meeting in meetings:
        if meeting.series_id is None:
            events.extend(tolerant(meeting, lambda m=meeting: [meeting_event(m, url_for_meeting(m), organizer)]))
        else:
            by_series.setdefault(meeting.series_id, []).append(meeting)
            series[meeting.series_id] = meeting.series
    for series_id, members in by_series.items():
        members_of = series[series_id]
        if whole_series(members_of, members):
            events.extend(tolerant(members_of, lambda s=members_of, m=members: series_events(
                s, m, url_for_meeting, organizer)))
        else:
            for m in members:
                events.extend(tolerant(m, lambda m=m: [meeting_event(m, url_for_meeting(m), organizer)]))
    events.extend(extra)
    return calendar_bytes(name, events, method)


def whole_series(series: MeetingSeries, members: Sequence[Meeting]) -> bool:
    """Whether ``members`` are all the occurrences of ``series``."""
    return {m.id for m in members} == {m.id for m in series.meetings}


# --- iTIP (RFC 5546): invitations, updates and cancellations sent by e-mail --------------------


@dataclass(frozen=True)
class Attendee:
    """An invitee as an ATTENDEE: ``role`` REQ-PARTICIPANT, OPT-PARTICIPANT or NON-PARTICIPANT;
    ``partstat`` NEEDS-ACTION, ACCEPTED, DECLINED or TENTATIVE."""

    email: str
    name: str
    role: str = "REQ-PARTICIPANT"
    partstat: str = "NEEDS-ACTION"


def _param(value: str) -> str:
    # Parameter values cannot hold double quotes or line breaks (RFC 5545 3.1).
    return " ".join(value.replace('"', "'").split())


def _people(event: Component, organizer_email: str, organizer_name: str, attendees: Sequence[Attendee]) -> None:
    event.remove("ORGANIZER")
    event.add_address("ORGANIZER", f"mailto:{organizer_email}", cn=_param(organizer_name))
    for person in attendees:
        event.add_address("ATTENDEE", f"mailto:{person.email}", cn=_param(person.name), cutype="INDIVIDUAL",
                          role=person.role, partstat=person.partstat, rsvp="TRUE")


def occurrence_event(meeting: MeetingFacts, url: str, organizer: str, series: Any = None) -> Component:
    """One occurrence of a series as an instance of it (series UID, RECURRENCE-ID, series SEQUENCE).

    ``series`` defaults to the meeting's own (a feed's rows carry no model to ask)."""
    series = series or meeting.series
    zone = ZoneInfo(series.timezone)
    event = Component("VEVENT")
    event.add_text("UID", series.uid)
    event.add_time("RECURRENCE-ID", meeting.original_start_local.replace(tzinfo=zone))
    event.add("SEQUENCE", str(series.sequence))
    event.add_time("DTSTART", _local(meeting.start, meeting.timezone))
    event.add_time("DTEND", _local(meeting.end, meeting.timezone))
    _describe(event, meeting, url, organizer)
    return event


def itip_calendar(method: str, events: Sequence[Component], organizer_email: str, organizer_name: str,
                  attendees: Sequence[Attendee], name: str) -> bytes:
    """An iTIP message: METHOD:REQUEST (invitation or update) or METHOD:CANCEL, with ORGANIZER and
    one ATTENDEE per invitee on every event; a cancellation marks each event STATUS:CANCELLED."""
    for event in events:
        _people(event, organizer_email, organizer_name, attendees)
        if method == "CANCEL":
            event.remove("STATUS")
            event.add_text("STATUS", "CANCELLED")
    return calendar_bytes(name, events, method)


# --- pre-serialised events (the feeds cache each event's bytes; see meetings/feeds.py) --------


@dataclass(frozen=True)
class Fragment:
    """One or more VEVENTs already serialised, with what the calendar around them needs."""

    data: bytes
    tzids: frozenset[str]
    first: date | None
    last: date | None


def fragment(events: Sequence[Component]) -> Fragment:
    """Serialise ``events`` once (a meeting, a whole series, or a deadline)."""
    days = [e.start for e in events if e.start is not None]
    return Fragment(b"".join(e.to_ical() for e in events), frozenset().union(*(e.tzids for e in events)),
                    min(days) if days else None, max(days) if days else None)


_END = b"END:VCALENDAR\r\n"


def calendar_from_fragments(name: str, fragments: Sequence[Fragment], method: str | None = None,
                            timezone_bytes: Callable[[str, date, date], bytes] | None = None) -> bytes:
    """A VCALENDAR spliced from pre-serialised events, time zones first (a few programs read the
    file in one pass): a VTIMEZONE (yearly rules, see :mod:`vtimezone`) for every TZID they use.

    VTIMEZONEs cover the same span (:func:`_zone_span`) and come from the same generator;
    ``timezone_bytes(tzid, first, last)`` may return a cached serialisation of one.
    """
    head = _calendar(name, method).to_ical()
    firsts = [f.first for f in fragments if f.first is not None]
    lasts = [f.last for f in fragments if f.last is not None]
    zones = b""
    if firsts:
        first, last = _zone_span(min(firsts), max(lasts))
        build = timezone_bytes or vtimezone_bytes
        zones = b"".join(build(tzid, first, last) for tzid in sorted(set().union(*(f.tzids for f in fragments))))
    # One join, one allocation: a feed of thousands of meetings is megabytes long.
    return b"".join([head[:-len(_END)], zones, *(f.data for f in fragments), _END])


def vtimezone_bytes(tzid: str, first: date, last: date) -> bytes:
    """One VTIMEZONE with the transitions between ``first`` and ``last`` (empty if unknown)."""
    try:
        return vtimezone_ical(tzid, first, last)
    except (ValueError, KeyError):  # an unknown zone name: the events keep their TZID alone
        return b""
