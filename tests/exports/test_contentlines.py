"""The direct content-line writer gives the bytes icalendar's own serialisers give, and files
that icalendar, vobject and ical.js read back to what was written."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil.tz import tzoffset
from icalendar import Calendar, Event, Parameters, vCalAddress, vText
from icalendar.parser import Contentline

from coordination.exports import contentlines, ics
from coordination.exports.contentlines import Component, fold

# Pieces that exercise escaping, quoting and folding: TEXT specials, RFC 6868 specials, quotes
# icalendar quotes for (',' ';' ':' U+2019, and space or apostrophe in a CN), multi-byte text.
PIECES = ["a", "Réunion", ",", ";", "\\", "\\N", ":", '"', "'", "^", "\u2019", " ", "日本語", "😀", "ü" * 9,
          "x" * 25, "https://example.org/a?b=c&d=e;f"]


def _random_texts(count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 14))) for _ in range(count)]


def _physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


# --- folding ------------------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "A" * 74, "A" * 75, "A" * 149, "A" * 150,
    "A" * 73 + "é" + "B" * 10,          # a two-octet character would take the line to 75 octets
    "A" * 72 + "😀" + "B" * 80,          # a four-octet character straddles the fold point
    "A" * 71 + "日本語" * 30,
    "A" * 73 + "\\," + "B" * 10,         # a backslash escape is never split across the fold
    "A" * 73 + "^'" + "B" * 10,          # nor an RFC 6868 escape
    "\\" * 200, "^" * 200, "😀" * 60, "é" * 80,
])
def test_folding_matches_icalendar_and_never_splits_a_character(line):
    folded = fold(line)
    assert folded == Contentline(line).to_ical()
    parts = folded.split(b"\r\n")
    assert all(len(p) <= 75 for p in parts)
    assert all(p.startswith(b" ") for p in parts[1:])
    for part in parts:
        part.decode()  # each physical line is whole UTF-8: no character was cut
    assert b"".join([parts[0], *(p[1:] for p in parts[1:])]).decode() == line


def test_folding_matches_icalendar_on_random_lines():
    for text in _random_texts(400, seed=5):
        line = f"SUMMARY:{contentlines.text(text)}"
        assert fold(line) == Contentline(line).to_ical(), line


# --- values and parameters ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["a,b;c\\d", "one\ntwo", "one\r\ntwo", "one\rtwo", "C:\\New folder", "",
                                   "Réunion, salle 2; étage 3"])
def test_text_is_escaped_as_vtext_escapes_it(value):
    assert contentlines.text(value).encode() == vText(value).to_ical()


def test_text_escaping_reads_back_in_icalendar_and_vobject():
    value = "Budget, review; part 1\\2 – with a line\nbreak"
    event = Component("VEVENT")
    event.add_text("UID", "x@example.org")
    event.add_text("SUMMARY", value)
    data = event.to_ical()
    assert b"SUMMARY:Budget\\, review\\; part 1\\\\2 \xe2\x80\x93 with a line\\nbreak" in data
    assert str(Event.from_ical(data)["SUMMARY"]) == value
    assert vobject.readOne(data.decode()).summary.value == value


@pytest.mark.parametrize("name", ['Comité "Santé": suivi', "Ministry of Health; Nutrition", "L'Office, Haïti",
                                  "Plain", "Caret ^ name", "Quote\u2019s", "Health: 2026"])
def test_a_cn_is_quoted_and_escaped_as_icalendar_quotes_it(name):
    mine = contentlines.parameter("CN", name)
    theirs = Parameters({"CN": vText(name)}).to_ical().decode()
    assert mine == theirs


def test_parameters_of_an_attendee_are_sorted_and_read_back():
    event = Component("VEVENT")
    event.add_address("ATTENDEE", "mailto:a@example.org", role="REQ-PARTICIPANT", cn='Dr "A": B; C', rsvp="TRUE")
    expected = vCalAddress("mailto:a@example.org")
    expected.params["cn"], expected.params["role"], expected.params["rsvp"] = vText('Dr "A": B; C'), "REQ-PARTICIPANT", "TRUE"
    reference = Event()
    reference.add("attendee", expected)
    assert event.to_ical() == reference.to_ical()
    assert b'CN="Dr ^\'A^\': B; C"' in event.to_ical()  # RFC 6868: a double quote is ^'
    parsed = Event.from_ical(event.to_ical())["ATTENDEE"]
    assert parsed.params["CN"] == 'Dr "A": B; C' and parsed.params["ROLE"] == "REQ-PARTICIPANT"


def test_a_line_break_in_a_raw_value_is_refused():
    event = Component("VEVENT")
    with pytest.raises(ValueError, match="CR or LF"):
        event.add("URL", "https://example.org/\r\nBEGIN:VEVENT")
    with pytest.raises(ValueError):
        event.add_address("ORGANIZER", "mailto:a@example.org\n", cn="x")


# --- times -------------------------------------------------------------------------------


@pytest.mark.parametrize("moment", [
    datetime(2026, 1, 6, 10, 0, 5, 123456, tzinfo=ZoneInfo("America/Port-au-Prince")),
    datetime(2026, 7, 7, 10, tzinfo=ZoneInfo("Europe/Paris")),
    datetime(2026, 7, 7, 10, tzinfo=UTC),
    datetime(2026, 7, 7, 10, tzinfo=ZoneInfo("UTC")),
    datetime(2026, 7, 7, 10, tzinfo=ZoneInfo("Etc/UTC")),
    datetime(2026, 7, 7, 10, tzinfo=timezone(timedelta(hours=3), "EAT")),
    datetime(2026, 7, 7, 10, tzinfo=timezone(timedelta(hours=3))),  # TZID="UTC+03:00", quoted for its colon
    datetime(2026, 7, 7, 10, tzinfo=tzoffset("X", 3600)),  # a zone icalendar cannot name: its abbreviation
    datetime(1, 1, 1, 12, tzinfo=UTC),
    datetime(1, 1, 1, 12, tzinfo=ZoneInfo("Asia/Kolkata")),
])
def test_times_have_the_tzid_and_digits_icalendar_gives_them(moment):
    mine = Component("VEVENT")
    mine.add_time("DTSTART", moment)
    mine.add_utc("DTSTAMP", moment)
    reference = Event()
    reference.add("dtstart", moment)
    reference.add("dtstamp", moment)
    assert mine.to_ical() == reference.to_ical()
    assert mine.start == moment.date()
    assert mine.tzids == {p["TZID"] for p in [reference["DTSTART"].params] if "TZID" in p}


def test_year_one_is_written_on_four_digits():
    event = Component("VEVENT")
    event.add_time("DTSTART", datetime(1, 1, 1, 12, tzinfo=UTC))
    event.add_day("DTEND", date(1, 1, 2))
    assert b"DTSTART:00010101T120000Z\r\n" in event.to_ical() and b"DTEND;VALUE=DATE:00010102\r\n" in event.to_ical()
    parsed = Event.from_ical(event.to_ical())
    assert parsed.decoded("DTSTART") == datetime(1, 1, 1, 12, tzinfo=ZoneInfo("UTC"))


def test_exdates_share_one_tzid():
    zone = ZoneInfo("Europe/Paris")
    days = [datetime(2026, 3, 3, 10, tzinfo=zone), datetime(2026, 4, 7, 10, tzinfo=zone)]
    mine = Component("VEVENT")
    mine.add_times("EXDATE", days)
    reference = Event()
    reference.add("exdate", days)
    assert mine.to_ical() == reference.to_ical() and mine.tzids == {"Europe/Paris"}


# --- whole events ----------------------------------------------------------------------------


class _Body:
    def __init__(self, name: str):
        self.name = name


class _Meeting:
    """The fields an event is written from (ics.MeetingFacts)."""

    def __init__(self, **kw):
        defaults = {"id": 7, "uid": "abc-cnb@concertation", "sequence": 3, "timezone": "America/Port-au-Prince",
                    "start": datetime(2026, 1, 6, 15, tzinfo=UTC), "end": datetime(2026, 1, 6, 17, tzinfo=UTC),
                    "title": "Plenary", "location": "Room 1", "online_link": "", "status": ics.MeetingStatus.CONFIRMED,
                    "status_reason": "", "updated_at": datetime(2026, 1, 2, 9, 30, 12, 5000, tzinfo=UTC),
                    "original_start_local": None, "moved": False, "body": _Body("National Committee")}
        defaults.update(kw)
        self.__dict__.update(defaults)


def _reference_event(meeting: _Meeting, url: str, organizer: str) -> Event:
    """The event as icalendar's object tree writes it (what the exports built before)."""
    zone = ZoneInfo(meeting.timezone)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.start.astimezone(zone))
    event.add("dtend", meeting.end.astimezone(zone))
    event.add("summary", ics._line(meeting.title))
    event.add("dtstamp", meeting.updated_at)
    event.add("last-modified", meeting.updated_at)
    event.add("status", ics.STATUS[meeting.status])
    event.add("url", url)
    if meeting.location or meeting.online_link:
        event.add("location", ics._line(meeting.location or meeting.online_link))
    description = [meeting.body.name] + [v for v in (meeting.online_link, meeting.status_reason) if v]
    event.add("description", ics._lines("\n".join(description)))
    address = vCalAddress(f"mailto:{organizer}")
    address.params["cn"] = vText(ics._param(meeting.body.name))
    event.add("organizer", address)
    return event


def test_meeting_events_are_the_bytes_icalendar_writes():
    texts = _random_texts(300, seed=11)
    for n, (title, place, body) in enumerate(zip(texts[::3], texts[1::3], texts[2::3], strict=True)):
        meeting = _Meeting(title=title, location=place, body=_Body(body or "Body"), sequence=n,
                           online_link="https://meet.example.org/x" if n % 3 == 0 else "",
                           status_reason="Moved, sorry" if n % 4 == 0 else "",
                           timezone=["America/Port-au-Prince", "Europe/Paris", "UTC", "Asia/Kolkata"][n % 4])
        url = f"https://portal.example.org/meetings/{n}"
        written = ics.meeting_event(meeting, url, "concertation@example.org").to_ical()
        assert written == _reference_event(meeting, url, "concertation@example.org").to_ical(), (title, place, body)


def test_a_title_with_line_breaks_and_nul_stays_one_line_in_three_parsers():
    from tests.ical_parsers import agree, icaljs

    title = "Budget\r\nreview\x00 – part\n2\rend, with; specials \\ and a long tail " + "é" * 40 + " 😀" * 8
    meeting = _Meeting(title=title, body=_Body('Comité "Santé": suivi; 2026'), location="Salle 3,\nétage 2")
    data = ics.calendar_bytes("Feed", [ics.meeting_event(meeting, "https://portal.example.org/m/7", "c@example.org")])
    expected = ("Budget review – part 2 end, with; specials \\ and a long tail " + "é" * 40 + " 😀" * 8)
    assert all(len(line) <= 75 for line in _physical_lines(data))
    (event,) = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == expected and str(event["LOCATION"]) == "Salle 3, étage 2"
    assert event["ORGANIZER"].params["CN"] == "Comité 'Santé': suivi; 2026"
    parsed = vobject.readOne(data.decode()).vevent
    assert parsed.summary.value == expected and parsed.organizer.params["CN"] == ["Comité 'Santé': suivi; 2026"]
    assert icaljs(data)["events"][0]["summary"] == expected
    assert agree(data) == {meeting.uid: ["2026-01-06T15:00:00Z"]}


def test_calendar_head_and_timezones():
    meeting = _Meeting()
    data = ics.calendar_bytes("Health, Nutrition", [ics.meeting_event(meeting, "u", "c@example.org")], "PUBLISH")
    assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Concertation//Coordination portal//EN\r\n"
                           b"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Health, Nutrition\r\n"
                           b"BEGIN:VTIMEZONE\r\nTZID:America/Port-au-Prince\r\n")
    assert data.endswith(b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    cal = Calendar.from_ical(data)
    assert [c.name for c in cal.subcomponents] == ["VTIMEZONE", "VEVENT"]


def test_a_meeting_that_cannot_be_written_is_skipped_and_logged(caplog):
    """Year 1 west of Greenwich has no local time (OverflowError): that meeting is left out and
    logged; east of Greenwich it is written, its year on four digits."""
    west = _Meeting(id=41, start=datetime(1, 1, 1, 2, tzinfo=UTC), end=datetime(1, 1, 1, 4, tzinfo=UTC))
    east = _Meeting(id=42, timezone="Asia/Kolkata", start=datetime(1, 1, 1, 2, tzinfo=UTC),
                    end=datetime(1, 1, 1, 4, tzinfo=UTC))
    with caplog.at_level("WARNING", logger="coordination.exports.ics"):
        skipped = ics.tolerant(west, lambda: [ics.meeting_event(west, "u", "c@example.org")])
        kept = ics.tolerant(east, lambda: [ics.meeting_event(east, "u", "c@example.org")])
    assert skipped == [] and "calendar export skipped _Meeting 41" in caplog.text
    assert len(kept) == 1 and "42" not in caplog.text
    data = ics.calendar_bytes("Feed", kept)
    local = east.start.astimezone(ZoneInfo("Asia/Kolkata"))  # local mean time then: +05:53:28
    assert f"DTSTART;TZID=Asia/Kolkata:0001{local:%m%dT%H%M%S}\r\n".encode() in data
    (event,) = Calendar.from_ical(data).walk("VEVENT")
    assert event.decoded("DTSTART").year == 1
