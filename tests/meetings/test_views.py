"""Meetings through HTTP: scheduling, series, agenda, RSVP, attendance, quorum."""
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from coordination.accounts.models import Role
from coordination.bodies.models import Visibility
from coordination.extensions import db
from coordination.meetings.models import (
    Invitation,
    Meeting,
    MeetingStatus,
)


def _count(db_read, model, *where):
    with db_read() as s:
        return s.execute(db.select(db.func.count()).select_from(model).where(*where)).scalar()


def _meeting_form(**overrides):
    data = {"title": "Ordinary meeting", "kind": "ordinary", "start_local": "2026-03-03T10:00", "end_local": "2026-03-03T12:00",
            "timezone": "America/Port-au-Prince", "location": "Ministry, room 2", "online_link": "", "status": "planned",
            "status_reason": ""}
    data.update(overrides)
    return data


def test_schedule_meeting_invites_current_members(login_as, committee, db_read):
    c = login_as("secretariat")
    response = c.submit(f"/meetings/new?body={committee['body'].id}", _meeting_form())
    assert response.status_code == 303
    with db_read() as s:
        meeting = s.execute(db.select(Meeting)).scalar_one()
        assert meeting.start == datetime(2026, 3, 3, 15, tzinfo=UTC)  # 10:00 in Port-au-Prince (UTC-5)
        names = {i.person.full_name: i for i in meeting.invitations}
        assert set(names) == {"Health Principal", "Health Alternate", "Justice Member", "Social Member", "UN Observer"}
        assert names["Health Alternate"].alternate and not names["UN Observer"].voting
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "10:00" in page and "EST" in page


@pytest.mark.parametrize("overrides,field,message", [
    ({"end_local": "2026-03-03T09:00"}, "end_local", "The meeting must end after it starts."),
    ({"timezone": "Mars/Olympus"}, "timezone", "Not a valid choice"),
    ({"start_local": "tomorrow"}, "start_local", "Not a valid datetime value"),
    ({"status": "cancelled"}, "status_reason", "Say why the meeting is postponed or cancelled."),
    ({"title": ""}, "title", "This field is required."),
    ({"online_link": "not a link"}, "online_link", "Enter a full address"),
])
def test_meeting_bad_input(login_as, committee, db_read, overrides, field, message):
    c = login_as("secretariat")
    response = c.submit(f"/meetings/new?body={committee['body'].id}", _meeting_form(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert _count(db_read, Meeting) == 0


def test_overlap_is_a_warning_not_a_block(login_as, make, committee, db_read):
    make.meeting(committee["body"], datetime(2026, 3, 3, 16, tzinfo=UTC), title="Existing meeting")
    c = login_as("secretariat")
    response = c.submit(f"/meetings/new?body={committee['body'].id}", _meeting_form(), follow_redirects=True)
    assert response.status_code == 200
    assert "The body already meets at that time: Existing meeting." in response.get_data(as_text=True)
    assert _count(db_read, Meeting) == 2
    other = make.body(name="Other Commission")
    make.person_seat(other, committee["people"]["justice"])
    make.meeting(other, datetime(2026, 4, 7, 14, tzinfo=UTC), title="Commission meeting")
    clash = c.submit(f"/meetings/new?body={committee['body'].id}",
                     _meeting_form(start_local="2026-04-07T10:30", end_local="2026-04-07T11:30"), follow_redirects=True)
    assert "Justice Member also attend Commission meeting at that time." in clash.get_data(as_text=True)


def test_edit_raises_sequence_and_stale_edit_is_refused(login_as, make, committee, db_read):
    meeting = make.meeting(committee["body"])
    alice, bob = login_as("secretariat"), login_as("secretariat")
    url = f"/meetings/{meeting.id}/edit"
    assert alice.submit(url, _meeting_form(start_local="2026-03-04T10:00", end_local="2026-03-04T12:00", version="1")).status_code == 303
    late = bob.submit(url, _meeting_form(location="Elsewhere", version="1"))
    assert late.status_code == 409
    with db_read() as s:
        fresh = s.get(Meeting, meeting.id)
        assert fresh.sequence == 1 and fresh.location == "Ministry, room 2"
    postponed = alice.submit(url, _meeting_form(status="postponed", status_reason="Minister abroad", version="2"))
    assert postponed.status_code == 303
    with db_read() as s:
        assert s.get(Meeting, meeting.id).sequence == 2


def test_series_occurrences_can_be_moved_or_cancelled_alone(login_as, committee, db_read):
    c = login_as("secretariat")
    response = c.submit(f"/meetings/series/new?body={committee['body'].id}", {
        "title": "Monthly meeting", "kind": "ordinary", "start_local": "2026-01-06T10:00", "end_local": "2026-01-06T12:00",
        "timezone": "America/Port-au-Prince", "pattern": "monthly_weekday", "ordinal": "", "interval": "1", "count": "6",
        "until": "", "location": "Room 1", "online_link": ""})
    assert response.status_code == 303
    with db_read() as s:
        meetings = s.execute(db.select(Meeting).order_by(Meeting.start)).scalars().all()
        assert len(meetings) == 6
        assert [m.start.hour for m in meetings] == [15, 15, 15, 14, 14, 14]
        ids = [m.id for m in meetings]
    move = c.submit(f"/meetings/{ids[1]}/edit", _meeting_form(title="Monthly meeting", start_local="2026-02-04T10:00",
                                                               end_local="2026-02-04T12:00", location="Room 1", version="1"))
    assert move.status_code == 303
    cancel = c.submit(f"/meetings/{ids[2]}/edit", _meeting_form(title="Monthly meeting", start_local="2026-03-03T10:00",
                                                                 end_local="2026-03-03T12:00", location="Room 1",
                                                                 status="cancelled", status_reason="Holiday", version="1"))
    assert cancel.status_code == 303
    with db_read() as s:
        moved, cancelled, untouched = (s.get(Meeting, i) for i in ids[1:4])
        assert moved.moved and moved.start.day == 4
        assert cancelled.status == MeetingStatus.CANCELLED
        assert not untouched.moved and untouched.status == MeetingStatus.PLANNED and untouched.sequence == 0
    assert "moved from its usual time" in c.get(f"/meetings/{ids[1]}").get_data(as_text=True)


def test_series_needs_an_end(login_as, committee, db_read):
    c = login_as("secretariat")
    response = c.submit(f"/meetings/series/new?body={committee['body'].id}", {
        "title": "Endless", "kind": "ordinary", "start_local": "2026-01-06T10:00", "end_local": "2026-01-06T12:00",
        "timezone": "America/Port-au-Prince", "pattern": "weekly", "interval": "1", "count": "", "until": ""})
    assert response.status_code == 422 and "Give a number of meetings or a last date." in response.get_data(as_text=True)
    assert _count(db_read, Meeting) == 0


def test_agenda_items_reorder_and_total_time(login_as, make, committee, db_read):
    meeting = make.meeting(committee["body"], hours=1)
    c = login_as("secretariat")
    url = f"/meetings/{meeting.id}/agenda"
    for title, minutes in (("Opening", "10"), ("Plan progress", "45"), ("Any other business", "15")):
        assert c.submit(url, {"title": title, "duration_minutes": minutes, "description": ""}).status_code == 303
    bad = c.submit(url, {"title": "", "duration_minutes": "0"})
    assert bad.status_code == 422
    page = c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Planned time: 70 minutes of 60." in page and "The agenda is longer than the meeting." in page
    with db_read() as s:
        third = s.execute(db.select(Meeting).where(Meeting.id == meeting.id)).scalar_one().agenda[2].id
    assert c.submit(f"/meetings/{meeting.id}/agenda/{third}/up").status_code == 303
    with db_read() as s:
        assert [a.title for a in s.get(Meeting, meeting.id).agenda] == ["Opening", "Any other business", "Plan progress"]


def test_agenda_whole_order_from_drag_and_drop(login_as, make, committee, db_read):
    meeting = make.meeting(committee["body"])
    c = login_as("secretariat")
    for title in ("Opening", "Plan progress", "Any other business"):
        c.submit(f"/meetings/{meeting.id}/agenda", {"title": title, "duration_minutes": "10", "description": ""})
    with db_read() as s:
        ids = [a.id for a in s.get(Meeting, meeting.id).agenda]
    page = c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'data-agenda-order="agenda-order"' in page and f'value="{",".join(map(str, ids))}"' in page
    assert 'aria-label="Move “Plan progress” up"' in page
    url = f"/meetings/{meeting.id}/agenda/order"
    for bad in (f"{ids[0]},{ids[1]}", f"{ids[0]},{ids[0]},{ids[1]}", f"{ids[0]},{ids[1]},{ids[2]},99999", "x,y"):
        refused = c.submit(url, {"order": bad})
        assert refused.status_code == 422 and "The agenda changed meanwhile" in refused.get_data(as_text=True)
    for who in (login_as(committee["people"]["justice"]), login_as("evaluator")):
        assert who.submit(url, {"order": f"{ids[2]},{ids[1]},{ids[0]}"}).status_code == 403
    with db_read() as s:
        assert [a.title for a in s.get(Meeting, meeting.id).agenda] == ["Opening", "Plan progress", "Any other business"]
    assert c.submit(url, {"order": f"{ids[2]},{ids[0]},{ids[1]}"}).status_code == 303
    with db_read() as s:
        agenda = s.get(Meeting, meeting.id).agenda
        assert [(a.position, a.title) for a in agenda] == [(1, "Any other business"), (2, "Opening"), (3, "Plan progress")]
    history = login_as("admin").get("/audit/?action=agenda_order").get_data(as_text=True)
    assert "Opening · Plan progress · Any other business" in history and "Any other business · Opening · Plan progress" in history


def test_attachments_checked_stored_and_served_as_downloads(app, login_as, make, committee, db_read):
    meeting = make.meeting(committee["body"])
    c = login_as("secretariat")
    url = f"/meetings/{meeting.id}/attachments"
    refused = c.submit(url, {"file": (io.BytesIO(b"#!/bin/sh\n"), "run.sh"), "agenda_item_id": ""}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "This type of file is not accepted." in refused.get_data(as_text=True)
    app.config["UPLOAD_MAX_BYTES"] = 10
    try:
        big = c.submit(url, {"file": (io.BytesIO(b"x" * 50), "notes.txt"), "agenda_item_id": ""}, content_type="multipart/form-data")
        assert big.status_code == 422 and "larger than" in big.get_data(as_text=True)
    finally:
        app.config["UPLOAD_MAX_BYTES"] = 10 * 1024 * 1024
    ok = c.submit(url, {"file": (io.BytesIO(b"Agenda notes\n"), "notes.txt"), "agenda_item_id": ""}, content_type="multipart/form-data")
    assert ok.status_code == 303
    with db_read() as s:
        attachment = s.get(Meeting, meeting.id).attachments[0]
    download = login_as(committee["people"]["justice"]).get(f"/meetings/{meeting.id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == b"Agenda notes\n"
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()


def test_rsvp_only_for_invitees(login_as, make, committee, db_read):
    meeting = make.meeting(committee["body"], datetime.now(UTC) + timedelta(days=30))
    over = make.meeting(committee["body"], datetime(2026, 1, 6, 15, tzinfo=UTC))
    invitee = login_as(committee["people"]["justice"])
    assert invitee.submit(f"/meetings/{over.id}/rsvp", {"rsvp": "accepted"}).status_code == 409
    assert invitee.submit(f"/meetings/{meeting.id}/rsvp", {"rsvp": "accepted"}).status_code == 303
    assert invitee.submit(f"/meetings/{meeting.id}/rsvp", {"rsvp": "maybe-later"}).status_code == 422
    outsider = login_as("member")
    assert outsider.submit(f"/meetings/{meeting.id}/rsvp", {"rsvp": "declined"}).status_code == 403
    with db_read() as s:
        answers = {i.person.full_name: i.rsvp.value for i in s.get(Meeting, meeting.id).invitations}
        assert answers["Justice Member"] == "accepted" and answers["Health Principal"] == "none"


def _register(c, meeting_id, db_read, presence):
    with db_read() as s:
        invitations = {i.person.full_name: i.id for i in s.get(Meeting, meeting_id).invitations}
    data = {f"presence-{iid}": presence.get(name, "absent") for name, iid in invitations.items()}
    return c.submit(f"/meetings/{meeting_id}/attendance", data)


def test_quorum_counts_organisations_alternates_and_not_observers(login_as, make, committee, db_read):
    meeting = make.meeting(committee["body"], datetime(2026, 2, 3, 15, tzinfo=UTC))
    c = login_as("secretariat")
    # Health represented by its alternate, the observer present: 1 member organisation of 3 → not met (2 needed).
    assert _register(c, meeting.id, db_read, {"Health Principal": "represented", "Health Alternate": "present",
                                               "UN Observer": "present"}).status_code == 303
    page = c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Quorum not met" in page and "1 of 3 member organisations present; 2 required" in page
    _register(c, meeting.id, db_read, {"Health Alternate": "present", "Justice Member": "present"})
    page = c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Quorum met" in page and "2 of 3 member organisations present" in page
    with db_read() as s:
        assert s.get(Meeting, meeting.id).status == MeetingStatus.HELD
    with db_read() as s:
        first = s.get(Meeting, meeting.id).invitations[0].id
    bad = c.submit(f"/meetings/{meeting.id}/attendance", {f"presence-{first}": "asleep"})
    assert bad.status_code == 422 and f'id="presence-{first}-error"' in bad.get_data(as_text=True)


def test_without_adopted_charter_quorum_cannot_be_judged(login_as, make):
    body = make.body()
    meeting = make.meeting(body)
    page = login_as("secretariat").get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Quorum cannot be judged" in page


def test_members_cannot_schedule_and_evaluators_only_read(login_as, make, committee, db_read):
    meeting = make.meeting(committee["body"])
    for who in (login_as(committee["people"]["justice"]), login_as("evaluator")):
        assert who.submit(f"/meetings/new?body={committee['body'].id}", _meeting_form()).status_code == 403
        assert who.submit(f"/meetings/{meeting.id}/edit", _meeting_form(version="1")).status_code == 403
        assert who.submit(f"/meetings/{meeting.id}/agenda", {"title": "x", "duration_minutes": "5"}).status_code == 403
        assert who.get(f"/meetings/{meeting.id}").status_code == 200
    assert _count(db_read, Meeting) == 1


def test_restricted_body_meetings_are_hidden(login_as, make):
    closed = make.body(visibility=Visibility.RESTRICTED)
    meeting = make.meeting(closed, title="Closed meeting")
    outsider = login_as("member")
    for url in (f"/meetings/{meeting.id}", f"/meetings/{meeting.id}.ics", f"/meetings/{meeting.id}/agenda.docx"):
        assert outsider.get(url).status_code == 404
    assert "Closed meeting" not in outsider.get("/meetings/").get_data(as_text=True)
    assert login_as("evaluator").get(f"/meetings/{meeting.id}").status_code == 200


def test_guest_invitation(login_as, make, committee, db_read):
    meeting = make.meeting(committee["body"])
    guest = make.user(full_name="Invited Expert", role=Role.MEMBER)
    c = login_as("secretariat")
    assert c.submit(f"/meetings/{meeting.id}/guests", {"user_id": guest.id}).status_code == 303
    assert c.submit(f"/meetings/{meeting.id}/guests", {"user_id": guest.id}).status_code == 422
    with db_read() as s:
        invitation = s.execute(db.select(Invitation).where(Invitation.user_id == guest.id)).scalar_one()
        assert invitation.guest and not invitation.voting


@pytest.mark.parametrize("page", ["body", "meeting", "body_feed", "personal_feed"])
def test_query_counts_do_not_grow_with_meetings(login_as, make, committee, count_queries, page):
    body = committee["body"]
    member = committee["people"]["justice"]
    c = login_as(member)
    html = c.submit("/accounts/calendar-feed", follow_redirects=True).get_data(as_text=True)
    token = re.search(r'value="(http[^"]+/calendar/([^/]+)/mine.ics)"', html).group(2)
    target = make.meeting(body)
    state = {"n": 0}

    def measure(total):
        if total > state["n"]:
            make.bulk_meetings(body, total - state["n"], first=datetime(2024, 1, 2, 15, tzinfo=UTC) + timedelta(weeks=state["n"]))
            state["n"] = total
        url = {"body": f"/bodies/{body.id}", "meeting": f"/meetings/{target.id}",
               "body_feed": f"/calendar/{token}/bodies/{body.id}.ics", "personal_feed": f"/calendar/{token}/mine.ics"}[page]
        with count_queries() as n:
            assert c.get(url).status_code == 200
        return n()

    assert measure(3) == measure(300)
