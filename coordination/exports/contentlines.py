"""iCalendar components written straight to content lines, byte for byte as ``icalendar`` writes them.

A feed holds hundreds of events. Building ``icalendar``'s object tree for each one (an
``Event``, a ``vText`` or ``vDDDTypes`` and a ``Parameters`` per property) and serialising it
was almost all of a feed's cost, so the exports write each property's line directly, with
the same rules as ``icalendar``'s ``Component.to_ical()``: properties in the component's
canonical order then alphabetically, TEXT escaping (RFC 5545 3.3.11), parameter values
escaped (RFC 6868) and quoted as it quotes them, TZID and ``Z`` as it derives them from a
datetime's zone, and lines folded after 74 octets without splitting a UTF-8 character or
a backslash or caret escape. ``tests/exports/test_contentlines.py`` holds this module to
``icalendar``'s own output.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar.timezone import tzid_from_tzinfo

# The order icalendar writes a component's leading properties in (Event.canonical_order,
# Calendar.canonical_order); the others follow alphabetically.
EVENT_ORDER = ("SUMMARY", "DTSTART", "DTEND", "DURATION", "DTSTAMP", "UID", "RECURRENCE-ID", "SEQUENCE",
               "RRULE", "RDATE", "EXDATE")
CALENDAR_ORDER = ("VERSION", "PRODID", "CALSCALE", "METHOD", "DESCRIPTION", "X-WR-CALDESC", "NAME", "X-WR-CALNAME")

# Parameter values: RFC 6868 escapes, then double quotes around a value holding , ; : or U+2019
# (icalendar's QUOTABLE), or a space or apostrophe in a CN.
_RFC6868 = re.compile(r'\^|\r\n|\r|\n|"')
_RFC6868_BY = {"^": "^^", "\n": "^n", "\r": "^n", "\r\n": "^n", '"': "^'"}
_QUOTABLE = re.compile("[,;:\u2019]")
_QUOTE_ALSO = {"CN": " '"}

FOLD_AT = 75  # octets: a line holds at most 74, a continuation a space and 74
_ESCAPES = (0x5C, 0x5E)  # backslash, caret: never left last on a folded line


def text(value: str) -> str:
    """A TEXT value escaped as icalendar's ``vText`` escapes it (in the same order: a literal
    ``\\N`` is read as a line break first; ``\\ ; ,`` are escaped; every line break is ``\\n``)."""
    return (value.replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


@lru_cache(maxsize=1024)
def parameter(name: str, value: str) -> str:
    """``NAME=value`` as icalendar writes a parameter holding the text ``value`` (the same few
    values, a body's name as CN, come back in every event: they are remembered)."""
    quote = any(c in value for c in _QUOTE_ALSO.get(name, ""))
    value = _RFC6868.sub(lambda m: _RFC6868_BY[m.group(0)], value)
    if quote or _QUOTABLE.search(value):
        return f'{name}="{value}"'
    return f"{name}={value}"


@lru_cache(maxsize=256)
def _zone_id(key: str) -> str | None:
    return tzid_from_tzinfo(ZoneInfo(key))


def _tzid(moment: datetime) -> str | None:
    """The TZID icalendar gives ``moment`` ("UTC" for a time written with ``Z``, None if naive).
    A zone icalendar cannot name is named by its abbreviation at that moment, as icalendar does."""
    zone = moment.tzinfo
    if zone is None:
        return None
    # An IANA zone's TZID depends on its key alone (looked up once); other tzinfos are asked
    # each time (fixed offsets compare equal whatever their names, so they cannot be cache keys).
    key = getattr(zone, "key", None) if isinstance(zone, ZoneInfo) else None
    return (_zone_id(key) if key else tzid_from_tzinfo(zone)) or moment.tzname()


def _digits(moment: datetime) -> str:
    """``YYYYMMDDTHHMMSS``, the year on four digits (strftime may not pad it). %-formatting is
    twice as fast as an f-string here, and this runs several times per event."""
    return "%04d%02d%02dT%02d%02d%02d" % (  # noqa: UP031
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _day_digits(day: date) -> str:
    """A DATE value."""
    return f"{day.year:04}{day.month:02}{day.day:02}"


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded as icalendar folds it (RFC 5545 3.1): a fold before any
    character that would take the line to 75 octets, never inside a character, and a backslash
    or caret that would end a folded line moves to the next one with what it escapes."""
    data = line.encode()
    if len(data) < FOLD_AT:
        return data
    pieces = []
    start, size = 0, len(data)
    while size - start >= FOLD_AT:
        end = start + FOLD_AT - 1
        while data[end] & 0xC0 == 0x80:  # inside a character: fold before it
            end -= 1
        if data[end - 1] in _ESCAPES and end - 1 > start:
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


class Component:
    """One component (VEVENT, VCALENDAR) as content lines, written as ``icalendar`` would write it.

    Each ``add_*`` method writes one property's line at once. The component remembers what the
    calendar around it needs: the TZIDs its times use and the day its DTSTART falls on.
    """

    __slots__ = ("_lines", "name", "order", "start", "tzids")

    def __init__(self, name: str, order: tuple[str, ...] = EVENT_ORDER) -> None:
        self.name = name
        self.order = order  # the leading properties; the others follow in alphabetical order
        self._lines: dict[str, list[str]] = {}
        self.tzids: set[str] = set()
        self.start: date | None = None

    def add(self, name: str, value: str, params: tuple[str, ...] = ()) -> None:
        """A property (``name`` in capitals) whose ``value`` is already in iCalendar form;
        ``params`` are ``NAME=value``. A line break in ``value`` would end the line early: it is
        refused (``ValueError``, as icalendar refuses one in an address)."""
        if "\n" in value or "\r" in value:
            raise ValueError(f"{name} value may not contain CR or LF characters: {value[:40]!r}")
        self._put(name, f"{';'.join((name, *params))}:{value}" if params else f"{name}:{value}")

    def _put(self, name: str, line: str) -> None:
        lines = self._lines.get(name)
        if lines is None:
            self._lines[name] = [line]
        else:
            lines.append(line)

    def remove(self, name: str) -> None:
        """Drop every line of property ``name``."""
        self._lines.pop(name, None)

    def add_text(self, name: str, value: str) -> None:
        """A TEXT property (escaped: no line break is left in it)."""
        self._put(name, f"{name}:{text(value)}")

    def add_address(self, name: str, address: str, **params: str) -> None:
        """A CAL-ADDRESS property (ORGANIZER, ATTENDEE) with its parameters, sorted as icalendar sorts them."""
        self.add(name, address, tuple(parameter(k, v) for k, v in sorted(
            (k.upper(), v) for k, v in params.items())))

    def add_time(self, name: str, moment: datetime) -> None:
        """A DATE-TIME property: local time with its TZID, or UTC with ``Z``."""
        tzid = _tzid(moment)
        if tzid == "UTC":
            self._put(name, f"{name}:{_digits(moment)}Z")
        elif tzid:
            self.tzids.add(tzid)
            self._put(name, f"{name};{parameter('TZID', tzid)}:{_digits(moment)}")
        else:
            self._put(name, f"{name}:{_digits(moment)}")
        if name == "DTSTART":
            self.start = moment.date()

    def add_times(self, name: str, moments: list[datetime]) -> None:
        """A DATE-TIME property with several values (EXDATE), all in the zone of the last one."""
        if not moments:
            return
        tzid = None
        values = []
        for moment in moments:
            zone = _tzid(moment)
            if zone == "UTC":
                values.append(_digits(moment) + "Z")
            else:
                values.append(_digits(moment))
                tzid = zone or tzid
        if tzid:
            self.tzids.add(tzid)
        self.add(name, ",".join(values), (parameter("TZID", tzid),) if tzid else ())
        if name == "DTSTART":
            self.start = moments[0].date()

    def add_utc(self, name: str, moment: datetime) -> None:
        """DTSTAMP, LAST-MODIFIED: always in UTC (a naive time is taken as UTC)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        elif moment.tzinfo is not UTC:
            moment = moment.astimezone(UTC)
        self._put(name, f"{name}:{_digits(moment)}Z")

    def add_day(self, name: str, day: date) -> None:
        """A DATE property."""
        self.add(name, _day_digits(day), ("VALUE=DATE",))
        if name == "DTSTART":
            self.start = day

    def lines(self) -> list[str]:
        """The content lines, unfolded, from BEGIN to END."""
        by_name = self._lines
        out = [f"BEGIN:{self.name}"]
        for name in self.order:
            if name in by_name:
                out += by_name[name]
        for name in sorted(by_name.keys() - set(self.order)):
            out += by_name[name]
        out.append(f"END:{self.name}")
        return out

    def to_ical(self) -> bytes:
        """The component as CRLF-terminated, folded lines."""
        # Most lines are short ASCII: those are taken as they are, and the whole encoded once.
        out = [line if len(line) < FOLD_AT and line.isascii() else fold(line).decode() for line in self.lines()]
        out.append("")
        return "\r\n".join(out).encode()
