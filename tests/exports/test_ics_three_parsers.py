"""Every calendar the portal writes gives the same UTC instants in icalendar, vobject and ical.js.

ical.js (Thunderbird) and Outlook take DST rules from the file's VTIMEZONE; meetings in winter
and summer over two years must come back at their instant in all three, in the meeting file,
the body feed and the personal feed (invitations, updates and cancellations: tests/notifications).
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

from icalendar import Calendar

from coordination.meetings.models import Meeting
from tests.ical_parsers import agree, icaljs

ZONE = "America/Port-au-Prince"
# 10:00 local: EST (UTC-5) in winter, EDT (UTC-4) in summer.
MOMENTS = [datetime(2026, 1, 6, 15, tzinfo=UTC), datetime(2026, 7, 7, 14, tzinfo=UTC),
           datetime(2027, 1, 5, 15, tzinfo=UTC), datetime(2027, 7, 6, 14, tzinfo=UTC),
           datetime(2026, 11, 3, 15, tzinfo=UTC), datetime(2027, 3, 16, 14, tzinfo=UTC)]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _token(client) -> str:
    html = client.submit("/accounts/calendar-feed", follow_redirects=True).get_data(as_text=True)
    return re.search(r'/calendar/([^/"]+)/mine.ics', html).group(1)


def test_meeting_file_body_feed_and_personal_feed_agree_in_three_parsers(committee, make, login_as):
    body = committee["body"]
    meetings = [make.meeting(body, moment, title=f"Meeting {n}") for n, moment in enumerate(MOMENTS)]
    expected = {m.uid: [_iso(m.start)] for m in meetings}
    member = login_as(committee["people"]["justice"])
    for meeting in meetings:
        data = member.get(f"/meetings/{meeting.id}.ics").data
        assert agree(data) == {meeting.uid: [_iso(meeting.start)]}
    token = _token(member)
    assert agree(member.get(f"/calendar/{token}/bodies/{body.id}.ics").data) == expected
    assert agree(member.get(f"/calendar/{token}/mine.ics").data) == expected
    # ical.js resolved every time with the file's own zone, not a fallback.
    parsed = icaljs(member.get(f"/calendar/{token}/mine.ics").data)
    assert {e["zone"] for e in parsed["events"]} == {ZONE}


def test_a_series_across_dst_agrees_and_a_guest_sees_only_their_occurrences(committee, make, login_as, db_read):
    body = committee["body"]
    secretariat = login_as("secretariat")
    secretariat.submit(f"/meetings/series/new?body={body.id}", {
        "title": "Monthly meeting", "kind": "ordinary", "start_local": "2026-01-06T10:00",
        "end_local": "2026-01-06T12:00", "timezone": ZONE, "pattern": "monthly_weekday", "interval": "1",
        "count": "24", "location": "Room 1", "online_link": ""})
    with db_read() as session:
        occurrences = list(session.execute(
            Meeting.__table__.select().where(Meeting.body_id == body.id).order_by(Meeting.__table__.c.start_at)).all())
    assert len(occurrences) == 24
    member = login_as(committee["people"]["justice"])
    token = _token(member)
    (starts,) = agree(member.get(f"/calendar/{token}/bodies/{body.id}.ics").data).values()
    assert starts == [_iso(o.start_at.replace(tzinfo=UTC)) for o in occurrences]
    assert "2026-07-07T14:00:00Z" in starts and "2027-01-05T15:00:00Z" in starts
    # A guest invited to two occurrences (one in summer, one in winter) sees exactly those.
    guest = make.user(full_name="Guest Expert")
    for index in (6, 12):
        assert secretariat.submit(f"/meetings/{occurrences[index].id}/guests", {"user_id": guest.id}).status_code == 303
    guest_client = login_as(guest)
    feed = agree(guest_client.get(f"/calendar/{_token(guest_client)}/mine.ics").data)
    assert feed == {occurrences[i].uid: [_iso(occurrences[i].start_at.replace(tzinfo=UTC))] for i in (6, 12)}


def test_completed_and_cancelled_deadlines_are_marked_in_the_personal_feed(committee, make, login_as):
    body = committee["body"]
    health = committee["orgs"][0]
    plan = make.plan(body)
    open_item = make.item(plan=plan, title="Open action", lead_organisation_id=health.id, deadline=date(2027, 3, 1))
    done = make.item(plan=plan, title="Done action", lead_organisation_id=health.id, deadline=date(2027, 3, 2))
    dropped = make.item(plan=plan, title="Dropped action", lead_organisation_id=health.id, deadline=date(2027, 3, 3))
    make.update(done, date(2026, 1, 1), "completed", 100)
    make.update(dropped, date(2026, 1, 1), "cancelled", 0)
    member = login_as(committee["people"]["health"])
    data = member.get(f"/calendar/{_token(member)}/mine.ics").data
    events = {str(e["SUMMARY"]).split(" ", 1)[-1] if not str(e["SUMMARY"]).startswith("[") else str(e["SUMMARY"]): e
              for e in Calendar.from_ical(data).walk("VEVENT")}
    summaries = sorted(str(e["SUMMARY"]) for e in events.values())
    assert any(s.endswith("Open action") and not s.startswith("[") for s in summaries)
    assert any(s.startswith("[Completed]") and s.endswith("Done action") for s in summaries)
    assert any(s.startswith("[Cancelled]") and s.endswith("Dropped action") for s in summaries)
    statuses = {str(e["SUMMARY"]): str(e.get("STATUS", "")) for e in events.values()}
    assert all(v == "CANCELLED" for k, v in statuses.items() if k.startswith("["))
    assert all(v == "" for k, v in statuses.items() if not k.startswith("["))
    assert agree(data)[f"deadline-{open_item.id}@concertation"] == ["2027-03-01"]


def test_a_line_break_in_a_title_or_place_never_breaks_the_file(committee, make, login_as):
    body = committee["body"]
    meeting = make.meeting(body, MOMENTS[0], title="Bad\r\ntitle", location="Room\n2")
    member = login_as(committee["people"]["justice"])
    data = member.get(f"/meetings/{meeting.id}.ics").data
    (event,) = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Bad title" and str(event["LOCATION"]) == "Room 2"
    assert agree(data) == {meeting.uid: [_iso(meeting.start)]}
    assert agree(member.get(f"/calendar/{_token(member)}/mine.ics").data)[meeting.uid] == [_iso(meeting.start)]
