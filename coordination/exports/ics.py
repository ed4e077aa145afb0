"""iCalendar (RFC 5545) exports: single meetings, series, body and personal feeds."""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from coordination.meetings.models import Meeting, MeetingSeries, MeetingStatus
from coordination.text import one_line, xml_safe

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


def _calendar(name: str, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Concertation//Coordination portal//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", one_line(name))
    if method:
        cal.add("method", method)
    return cal


def _describe(event: Event, meeting: Meeting, url: str, organizer: str, *, title: str | None = None,
              status: MeetingStatus | None = None, stamp: datetime | None = None) -> None:
    stamp = stamp or meeting.updated_at
    event.add("summary", one_line(title or meeting.title))
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("status", STATUS[status or meeting.status])
    event.add("url", url)
    place = meeting.location or meeting.online_link
    if place:
        event.add("location", one_line(place))
    description = [meeting.body.name]
    if meeting.online_link:
        description.append(meeting.online_link)
    if meeting.status_reason and status is None:
        description.append(meeting.status_reason)
    event.add("description", xml_safe("\n".join(description)))
    organizer_address = vCalAddress(f"mailto:{organizer}")
    organizer_address.params["cn"] = vText(one_line(meeting.body.name))
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
    event.add("summary", one_line(title))
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
        first = max(min(starts), EARLIEST_ZONE_RULES + timedelta(days=366)) - timedelta(days=366)
        last = max(max(starts), first) + timedelta(days=366) if max(starts) < date(9998, 1, 1) else date(9999, 1, 1)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def _tolerant(row: object, build: Callable[[], Sequence[Event]]) -> Sequence[Event]:
    """The events ``build`` makes for ``row``, or none when the row cannot be exported (a year 1
    stored before dates were checked): one bad row never takes the whole feed down."""
    try:
        return build()
    except (ValueError, OverflowError, TypeError, KeyError) as error:
        log.warning("calendar export skipped %s %s: %s", type(row).__name__, getattr(row, "id", "?"), error)
        return []


def meetings_calendar(name: str, meetings: Sequence[Meeting], url_for_meeting: Callable[[Meeting], str],
                      organizer: str, extra: Iterable[Event] = (), method: str | None = None) -> bytes:
    """Meetings as a calendar: single meetings as events, each series once with its rule."""
    events: list[Event] = []
    by_series: dict[int, list[Meeting]] = {}
    series: dict[int, MeetingSeries] = {}
    for meeting in meetings:
        if meeting.series_id is None:
            events.extend(_tolerant(meeting, lambda m=meeting: [meeting_event(m, url_for_meeting(m), organizer)]))
        else:
            by_series.setdefault(meeting.series_id, []).append(meeting)
            series[meeting.series_id] = meeting.series
    for series_id, members in by_series.items():
        events.extend(_tolerant(series[series_id],
                                lambda s=series[series_id], m=members: series_events(s, m, url_for_meeting, organizer)))
    events.extend(extra)
    return calendar_bytes(name, events, method)
