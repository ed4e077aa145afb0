"""iCalendar (RFC 5545) exports: single meetings, series, body and personal feeds."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from coordination.meetings.models import Meeting, MeetingSeries, MeetingStatus

STATUS = {
    MeetingStatus.PLANNED: "TENTATIVE",
    MeetingStatus.POSTPONED: "TENTATIVE",
    MeetingStatus.CONFIRMED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def _calendar(name: str, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Concertation//Coordination portal//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    if method:
        cal.add("method", method)
    return cal


def _describe(event: Event, meeting: Meeting, url: str, organizer: str, *, title: str | None = None,
              status: MeetingStatus | None = None, stamp: datetime | None = None) -> None:
    stamp = stamp or meeting.updated_at
    event.add("summary", title or meeting.title)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("status", STATUS[status or meeting.status])
    event.add("url", url)
    place = meeting.location or meeting.online_link
    if place:
        event.add("location", place)
    description = [meeting.body.name]
    if meeting.online_link:
        description.append(meeting.online_link)
    if meeting.status_reason and status is None:
        description.append(meeting.status_reason)
    event.add("description", "\n".join(description))
    organizer_address = vCalAddress(f"mailto:{organizer}")
    organizer_address.params["cn"] = vText(meeting.body.name)
    event.add("organizer", organizer_address)


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def meeting_event(meeting: Meeting, url: str, organizer: str) -> Event:
    """A stand-alone meeting as one VEVENT with TZID times."""
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstart", _local(meeting.start, meeting.timezone))
    event.add("dtend", _local(meeting.end, meeting.timezone))
    _describe(event, meeting, url, organizer)
    return event


def series_events(series: MeetingSeries, meetings: Sequence[Meeting], url_for_meeting: Callable[[Meeting], str],
                  organizer: str) -> list[Event]:
    """A series as a master VEVENT with RRULE and EXDATE, plus one VEVENT per changed occurrence.

    Cancelled occurrences are EXDATEs; moved or otherwise changed ones are instances with the
    same UID and a RECURRENCE-ID naming the occurrence's original local start.
    """
    occurrences = sorted(meetings, key=lambda m: m.original_start_local or m.start.replace(tzinfo=None))
    if not occurrences:
        return []
    zone = ZoneInfo(series.timezone)
    first = occurrences[0]
    master = Event()
    master.add("uid", series.uid)
    master.add("sequence", series.sequence)
    master.add("dtstart", series.first_start_local.replace(tzinfo=zone))
    master.add("dtend", (series.first_start_local + timedelta(minutes=series.duration_minutes)).replace(tzinfo=zone))
    rule = {k: v for k, v in (part.split("=", 1) for part in series.rrule.split(";")) if k != "UNTIL"}
    rule["COUNT"] = str(len(occurrences))  # exactly the stored occurrences (UNTIL would need UTC)
    master.add("rrule", {k.lower(): v.split(",") if k == "BYDAY" else v for k, v in rule.items()})
    live = [m for m in occurrences if m.status != MeetingStatus.CANCELLED] or occurrences
    # The master carries the most common status; occurrences that differ become instances.
    usual = Counter(m.status for m in live).most_common(1)[0][0]
    _describe(master, first, url_for_meeting(first), organizer, title=series.title,
              status=usual, stamp=max(m.updated_at for m in occurrences))
    cancelled = [m for m in occurrences if m.status == MeetingStatus.CANCELLED]
    if cancelled:
        master.add("exdate", [m.original_start_local.replace(tzinfo=zone) for m in cancelled])
    events = [master]
    for meeting in occurrences:
        if meeting.status == MeetingStatus.CANCELLED:
            continue
        changed = (meeting.moved or meeting.title != series.title or meeting.location != first.location
                   or STATUS[meeting.status] != STATUS[usual])
        if not changed:
            continue
        instance = Event()
        instance.add("uid", series.uid)
        instance.add("recurrence-id", meeting.original_start_local.replace(tzinfo=zone))
        instance.add("sequence", series.sequence)
        instance.add("dtstart", _local(meeting.start, meeting.timezone))
        instance.add("dtend", _local(meeting.end, meeting.timezone))
        _describe(instance, meeting, url_for_meeting(meeting), organizer)
        events.append(instance)
    return events


def deadline_event(uid: str, title: str, deadline: date, url: str, stamp: datetime) -> Event:
    """An action item's deadline as an all-day event."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", title)
    event.add("dtstart", deadline)
    event.add("dtend", deadline + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("url", url)
    return event


def calendar_bytes(name: str, events: Iterable[Event], method: str | None = None) -> bytes:
    """A VCALENDAR with a VTIMEZONE for every TZID its events use."""
    cal = _calendar(name, method)
    starts = []
    for event in events:
        cal.add_component(event)
        start = event.get("dtstart")
        if start is not None:
            value = start.dt
            starts.append(value.date() if isinstance(value, datetime) else value)
    if starts:
        cal.add_missing_timezones(first_date=min(starts) - timedelta(days=366), last_date=max(starts) + timedelta(days=366))
    return cal.to_ical()


def meetings_calendar(name: str, meetings: Sequence[Meeting], url_for_meeting: Callable[[Meeting], str],
                      organizer: str, extra: Iterable[Event] = (), method: str | None = None) -> bytes:
    """Meetings as a calendar: single meetings as events, each series once with its rule."""
    events: list[Event] = []
    by_series: dict[int, list[Meeting]] = {}
    series: dict[int, MeetingSeries] = {}
    for meeting in meetings:
        if meeting.series_id is None:
            events.append(meeting_event(meeting, url_for_meeting(meeting), organizer))
        else:
            by_series.setdefault(meeting.series_id, []).append(meeting)
            series[meeting.series_id] = meeting.series
    for series_id, members in by_series.items():
        events.extend(series_events(series[series_id], members, url_for_meeting, organizer))
    events.extend(extra)
    return calendar_bytes(name, events, method)


# --- pre-serialised events (the feeds cache each event's bytes; see meetings/feeds.py) --------


@dataclass(frozen=True)
class Fragment:
    """One or more VEVENTs already serialised, with what the calendar around them needs."""

    data: bytes
    tzids: frozenset[str]
    first: date | None
    last: date | None


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def fragment(events: Sequence[Event]) -> Fragment:
    """Serialise ``events`` once (a meeting, a whole series, or a deadline)."""
    tzids: set[str] = set()
    days: list[date] = []
    for event in events:
        for _name, value in event.property_items(sorted=False):
            params = getattr(value, "params", None)
            if params and params.get("TZID"):
                tzids.add(params["TZID"])
        start = event.get("dtstart")
        if start is not None:
            days.append(_day(start.dt))
    return Fragment(b"".join(e.to_ical() for e in events), frozenset(tzids),
                    min(days) if days else None, max(days) if days else None)


_END = b"END:VCALENDAR\r\n"


def calendar_from_fragments(name: str, fragments: Sequence[Fragment], method: str | None = None,
                            timezone_bytes: Callable[[str, date, date], bytes] | None = None) -> bytes:
    """The same VCALENDAR as :func:`calendar_bytes`, spliced from pre-serialised events.

    VTIMEZONEs cover the same span (a year either side of the events' first days);
    ``timezone_bytes(tzid, first, last)`` may return a cached serialisation of one.
    """
    head = _calendar(name, method).to_ical()
    firsts = [f.first for f in fragments if f.first is not None]
    lasts = [f.last for f in fragments if f.last is not None]
    zones = b""
    if firsts:
        first, last = min(firsts) - timedelta(days=366), max(lasts) + timedelta(days=366)
        build = timezone_bytes or vtimezone_bytes
        zones = b"".join(build(tzid, first, last) for tzid in sorted(set().union(*(f.tzids for f in fragments))))
    return head[:-len(_END)] + zones + b"".join(f.data for f in fragments) + _END


def vtimezone_bytes(tzid: str, first: date, last: date) -> bytes:
    """One VTIMEZONE with the transitions between ``first`` and ``last`` (empty if unknown)."""
    try:
        return Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical()
    except ValueError:
        return b""
