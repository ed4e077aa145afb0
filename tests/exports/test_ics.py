"""iCalendar exports parsed back: icalendar, and vobject resolving times from the file's VTIMEZONE."""
import re
from datetime import UTC, date, datetime

import pytest
import vobject
from icalendar import Calendar

from coordination.bodies.models import Visibility

ZONE = "America/Port-au-Prince"


@pytest.fixture
def body(make):
    body = make.body(name="National Committee", acronym="CN", timezone=ZONE)
    org = make.organisation(acronym="MSPP")
    make.seat(body, org)
    return body


def _feed_token(client) -> str:
    html = client.submit("/accounts/calendar-feed", follow_redirects=True).get_data(as_text=True)
    return re.search(r'/calendar/([^/"]+)/mine.ics', html).group(1)


def _events(data: bytes):
    cal = Calendar.from_ical(data)
    return cal, list(cal.walk("VEVENT"))


def test_meeting_ics_has_the_rfc5545_essentials_and_sequence_grows(login_as, make, body):
    meeting = make.meeting(body, datetime(2026, 1, 6, 15, tzinfo=UTC), title="January meeting", location="Room 2")
    c = login_as("secretariat")
    first = c.get(f"/meetings/{meeting.id}.ics")
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    cal, (event,) = _events(first.data)
    assert cal["METHOD"] == "PUBLISH" and cal["VERSION"] == "2.0"
    assert str(event["UID"]) == meeting.uid and event["SEQUENCE"] == 0
    assert event["DTSTAMP"] is not None and str(event["STATUS"]) == "TENTATIVE"
    assert str(event["LOCATION"]) == "Room 2" and str(event["URL"]).endswith(f"/meetings/{meeting.id}")
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert event["DTSTART"].params["TZID"] == ZONE
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 1, 6, 10, 0)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [ZONE]
    c.submit(f"/meetings/{meeting.id}/edit", {
        "title": "January meeting", "kind": "ordinary", "start_local": "2026-01-06T11:00", "end_local": "2026-01-06T13:00",
        "timezone": ZONE, "location": "Room 3", "online_link": "", "status": "confirmed", "status_reason": "", "version": "1"})
    _cal, (changed,) = _events(c.get(f"/meetings/{meeting.id}.ics").data)
    assert str(changed["UID"]) == meeting.uid and changed["SEQUENCE"] == 1 and str(changed["STATUS"]) == "CONFIRMED"


def test_winter_and_summer_meetings_keep_their_local_hour_in_an_independent_parser(login_as, make, body):
    """vobject builds its time zones from the file's VTIMEZONE; both meetings must come back at 10:00."""
    winter = make.meeting(body, datetime(2026, 1, 6, 15, tzinfo=UTC), title="Winter")
    summer = make.meeting(body, datetime(2026, 7, 7, 14, tzinfo=UTC), title="Summer")
    c = login_as("secretariat")
    token = _feed_token(c)
    data = c.get(f"/calendar/{token}/bodies/{body.id}.ics").data.decode()
    parsed = vobject.readOne(data)
    starts = {e.summary.value: e.dtstart.value for e in parsed.vevent_list}
    assert starts["Winter"].hour == 10 and starts["Summer"].hour == 10
    assert starts["Winter"].utcoffset().total_seconds() == -5 * 3600
    assert starts["Summer"].utcoffset().total_seconds() == -4 * 3600
    assert starts["Winter"].astimezone(UTC) == winter.start and starts["Summer"].astimezone(UTC) == summer.start
    # The offsets come from the file: its VTIMEZONE has both standard and daylight rules.
    assert "BEGIN:STANDARD" in data and "BEGIN:DAYLIGHT" in data and "TZOFFSETTO:-0400" in data


@pytest.mark.parametrize("year", [9997, 9998, 9999])
def test_a_meeting_in_the_last_years_keeps_its_time_zone_rules(login_as, make, body, year):
    """The VTIMEZONE is widened two years past the events, but never past what a date can hold."""
    meeting = make.meeting(body, datetime(year, 1, 6, 15, tzinfo=UTC), title="Far meeting")
    data = login_as("secretariat").get(f"/meetings/{meeting.id}.ics").data
    cal, (event,) = _events(data)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [ZONE]
    parsed = vobject.readOne(data.decode())
    assert parsed.vevent.dtstart.value.astimezone(UTC) == meeting.start  # resolved from the file's rules


def test_series_with_rrule_exdate_and_moved_occurrence(login_as, body):
    c = login_as("secretariat")
    c.submit(f"/meetings/series/new?body={body.id}", {
        "title": "Monthly meeting", "kind": "ordinary", "start_local": "2026-01-06T10:00", "end_local": "2026-01-06T12:00",
        "timezone": ZONE, "pattern": "monthly_weekday", "interval": "1", "count": "6", "location": "Room 1", "online_link": ""})
    listing = c.get(f"/bodies/{body.id}").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'href="/meetings/(\d+)"', listing)]
    ids.sort()
    february, march = ids[1], ids[2]
    c.submit(f"/meetings/{february}/edit", {"title": "Monthly meeting", "kind": "ordinary", "start_local": "2026-02-04T10:00",
                                            "end_local": "2026-02-04T12:00", "timezone": ZONE, "location": "Room 1",
                                            "online_link": "", "status": "planned", "status_reason": "", "version": "1"})
    c.submit(f"/meetings/{march}/edit", {"title": "Monthly meeting", "kind": "ordinary", "start_local": "2026-03-03T10:00",
                                         "end_local": "2026-03-03T12:00", "timezone": ZONE, "location": "Room 1",
                                         "online_link": "", "status": "cancelled", "status_reason": "Holiday", "version": "1"})
    cal, events = _events(c.get(f"/meetings/{ids[0]}.ics").data)
    master = next(e for e in events if "RRULE" in e)
    assert dict(master["RRULE"]) == {"FREQ": ["MONTHLY"], "INTERVAL": [1], "BYDAY": ["1TU"], "COUNT": [6]}
    assert [d.dt.replace(tzinfo=None) for d in master["EXDATE"].dts] == [datetime(2026, 3, 3, 10, 0)]
    moved = [e for e in events if "RECURRENCE-ID" in e]
    assert len(moved) == 1 and str(moved[0]["UID"]) == str(master["UID"])
    assert moved[0].decoded("RECURRENCE-ID").replace(tzinfo=None) == datetime(2026, 2, 3, 10, 0)
    assert moved[0].decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 2, 4, 10, 0)
    assert master["SEQUENCE"] >= 2  # the series changed twice
    # The independent parser expands the rule the same way, skipping the cancelled date.
    parsed = vobject.readOne(c.get(f"/meetings/{ids[0]}.ics").data.decode())
    master_v = next(e for e in parsed.vevent_list if hasattr(e, "rrule"))
    dates = [d.date() for d in master_v.getrruleset()]
    assert date(2026, 3, 3) not in dates and date(2026, 6, 2) in dates and len(dates) == 5
    assert {d.hour for d in master_v.getrruleset()} == {10}


def test_personal_feed_has_meetings_and_deadlines_and_revoked_token_is_404(login_as, make, body, client):
    org = make.organisation(acronym="MJSP")
    member = make.user(organisation=org)
    make.person_seat(body, member)
    meeting = make.meeting(body, title="My meeting")
    make.item(body=body, title="Send the report", lead_organisation_id=org.id, deadline=date(2026, 6, 30), origin="meeting_decision")
    c = login_as(member)
    token = _feed_token(c)
    feed = client.get(f"/calendar/{token}/mine.ics")  # no session: the token is the credential
    assert feed.status_code == 200
    _cal, events = _events(feed.data)
    summaries = {str(e["SUMMARY"]): e for e in events}
    assert "My meeting" in summaries and str(summaries["My meeting"]["UID"]) == meeting.uid
    deadline = next(e for s, e in summaries.items() if "Send the report" in s)
    assert deadline.decoded("DTSTART") == date(2026, 6, 30)
    # The address stays visible on the profile and the body page until it is replaced.
    profile = c.get("/accounts/profile").get_data(as_text=True)
    assert f"/calendar/{token}/mine.ics" in profile
    assert f"/calendar/{token}/bodies/{body.id}.ics" in c.get(f"/bodies/{body.id}").get_data(as_text=True)
    new_token = _feed_token(c)
    assert new_token != token
    assert client.get(f"/calendar/{token}/mine.ics").status_code == 404
    assert client.get(f"/calendar/{new_token}/mine.ics").status_code == 200
    assert client.get("/calendar/not-a-token/mine.ics").status_code == 404


def test_revoked_address_stops_working_and_is_no_longer_shown(login_as, make, body, client, db_read):
    c = login_as(make.user())
    token = _feed_token(c)
    assert c.submit("/accounts/calendar-feed", {"revoke": "1"}).status_code == 303
    assert client.get(f"/calendar/{token}/mine.ics").status_code == 404
    assert "/calendar/" not in c.get("/accounts/profile").get_data(as_text=True)
    with db_read() as s:
        from coordination.accounts.models import User

        user = s.get(User, c.user.id)
        assert user.feed_nonce is None and user.feed_token_hash is None


def test_restricted_body_feed_is_hidden_from_non_members(login_as, make, client):
    closed = make.body(visibility=Visibility.RESTRICTED, timezone=ZONE)
    make.meeting(closed, title="Closed")
    outsider = login_as("member")
    token = _feed_token(outsider)
    assert client.get(f"/calendar/{token}/bodies/{closed.id}.ics").status_code == 404
    assert b"Closed" not in client.get(f"/calendar/{token}/mine.ics").data


def test_feed_tokens_are_masked_in_logs(caplog):
    import logging

    from coordination.logs import mask_secrets

    mask_secrets()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('"GET %s HTTP/1.1" 200', "/calendar/s3cr3t-token/mine.ics")
    assert "s3cr3t" not in caplog.text and "/calendar/***/mine.ics" in caplog.text
