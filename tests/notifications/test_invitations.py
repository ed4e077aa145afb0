"""Meeting invitations, updates and cancellations by e-mail, read back as a calendar program would."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from icalendar import Calendar

from coordination.meetings.models import Invitation, Meeting
from coordination.notifications.models import OutboxMessage
from tests.ical_parsers import agree
from tests.notifications.conftest import parts

ZONE = "America/Port-au-Prince"


def _version(client, meeting_id: int) -> str:
    html = client.get(f"/meetings/{meeting_id}/edit").get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)


def _edit(client, meeting_id: int, **changes):
    data = {"title": "January meeting", "kind": "ordinary", "start_local": "2027-01-05T10:00",
            "end_local": "2027-01-05T12:00", "timezone": ZONE, "location": "Room 1", "online_link": "",
            "status": "confirmed", "status_reason": "", **changes}
    data["version"] = _version(client, meeting_id)
    return client.submit(f"/meetings/{meeting_id}/edit", data)


def _calendar(message) -> tuple[Calendar, bytes]:
    (part,) = parts(message)["text/calendar"]
    data = part.get_content().encode()
    return Calendar.from_ical(data), data


def _event(message):
    cal, _data = _calendar(message)
    (event,) = cal.walk("VEVENT")
    return cal, event


def test_invitations_go_when_the_secretariat_sends_them_with_an_itip_request(committee, make, login_as, smtp):
    body = committee["body"]
    meeting = make.meeting(body, datetime(2027, 1, 5, 15, tzinfo=UTC), title="January meeting", status="confirmed")
    assert smtp.inbox.messages == []  # scheduling mails nobody
    secretariat = login_as("secretariat")
    member = login_as(committee["people"]["justice"])
    assert member.submit(f"/meetings/{meeting.id}/invitations/send").status_code == 403
    assert smtp.inbox.messages == []
    page = secretariat.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Send the invitations" in page
    response = secretariat.submit(f"/meetings/{meeting.id}/invitations/send")
    assert response.status_code == 303
    messages = smtp.inbox.messages
    people = committee["people"]
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == sorted(p.email for p in people.values())
    message = smtp.inbox.to(people["health"].email)[0]
    assert message["Subject"].startswith("Invitation: January meeting")
    assert message["From"].addresses[0].display_name == "National Committee"
    found = parts(message)
    assert "January meeting" in found["text/plain"][0].get_content()
    assert f"https://portal.example.gov/meetings/{meeting.id}#invitees" in found["text/html"][0].get_content()
    assert found["text/calendar"][0].get_param("method") == "REQUEST"
    assert found["application/ics"][0].get_filename() == "invite.ics"
    cal, event = _event(message)
    assert cal["METHOD"] == "REQUEST" and str(event["UID"]) == meeting.uid and event["SEQUENCE"] == 0
    assert str(event["ORGANIZER"]) == "mailto:concertation@localhost"
    assert event["ORGANIZER"].params["CN"] == "National Committee"
    attendees = event["ATTENDEE"]
    assert len(attendees) == 5
    by_mail = {str(a).removeprefix("mailto:"): a.params for a in attendees}
    assert by_mail[people["health"].email]["ROLE"] == "REQ-PARTICIPANT"
    assert by_mail[people["health_alt"].email]["ROLE"] == "OPT-PARTICIPANT"
    assert all(p["RSVP"] == "TRUE" and p["PARTSTAT"] == "NEEDS-ACTION" and p["CN"] for p in by_mail.values())
    _cal, data = _calendar(message)
    assert agree(data) == {meeting.uid: ["2027-01-05T15:00:00Z"]}
    # Sending again mails nobody twice.
    smtp.inbox.clear()
    assert secretariat.submit(f"/meetings/{meeting.id}/invitations/send").status_code == 303
    assert smtp.inbox.messages == []


def test_updates_grow_the_sequence_text_changes_wait_and_cancellation_is_itip_cancel(committee, make, login_as, smtp, db_read):
    body = committee["body"]
    meeting = make.meeting(body, datetime(2027, 1, 5, 15, tzinfo=UTC), title="January meeting", status="confirmed")
    secretariat = login_as("secretariat")
    secretariat.submit(f"/meetings/{meeting.id}/invitations/send")
    smtp.inbox.clear()
    # A change of title only: nothing is mailed, the page offers to send it.
    assert _edit(secretariat, meeting.id, title="January meeting (plenary)").status_code == 303
    assert smtp.inbox.messages == []
    assert "Send the update now" in secretariat.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert secretariat.submit(f"/meetings/{meeting.id}/update/send").status_code == 303
    first = smtp.inbox.messages
    assert len(first) == 5
    _cal, event = _event(first[0])
    assert str(event["SUMMARY"]) == "January meeting (plenary)" and event["SEQUENCE"] == 1
    smtp.inbox.clear()
    # A new time: an update at once, same UID, higher SEQUENCE, in summer (another offset).
    assert _edit(secretariat, meeting.id, title="January meeting (plenary)", start_local="2027-07-06T10:00",
                 end_local="2027-07-06T12:00").status_code == 303
    second = smtp.inbox.messages
    assert len(second) == 5 and second[0]["Subject"].startswith("Updated:")
    cal, event = _event(second[0])
    assert cal["METHOD"] == "REQUEST" and str(event["UID"]) == meeting.uid and event["SEQUENCE"] == 2
    assert agree(_calendar(second[0])[1]) == {meeting.uid: ["2027-07-06T14:00:00Z"]}
    smtp.inbox.clear()
    # Cancelled: METHOD:CANCEL with STATUS:CANCELLED to everyone.
    assert _edit(secretariat, meeting.id, title="January meeting (plenary)", start_local="2027-07-06T10:00",
                 end_local="2027-07-06T12:00", status="cancelled", status_reason="No quorum expected").status_code == 303
    third = smtp.inbox.messages
    assert len(third) == 5 and third[0]["Subject"].startswith("Cancelled:")
    cal, event = _event(third[0])
    assert cal["METHOD"] == "CANCEL" and str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 3
    assert str(event["UID"]) == meeting.uid
    assert agree(_calendar(third[0])[1]) == {meeting.uid: ["2027-07-06T14:00:00Z"]}
    assert parts(third[0])["application/ics"][0].get_filename() == "cancel.ics"


def test_a_new_guest_gets_the_invitation_and_a_removed_one_a_cancellation(committee, make, login_as, smtp, db_read):
    body = committee["body"]
    guest = make.user(full_name="Guest Expert")
    meeting = make.meeting(body, datetime(2027, 1, 5, 15, tzinfo=UTC), title="January meeting")
    secretariat = login_as("secretariat")
    # Before the invitations go out, adding a guest mails nobody.
    other_guest = make.user(full_name="Early Guest")
    secretariat.submit(f"/meetings/{meeting.id}/guests", {"user_id": other_guest.id})
    assert smtp.inbox.messages == []
    secretariat.submit(f"/meetings/{meeting.id}/invitations/send")
    smtp.inbox.clear()
    assert secretariat.submit(f"/meetings/{meeting.id}/guests", {"user_id": guest.id}).status_code == 303
    (invited,) = smtp.inbox.messages
    assert invited["To"].addresses[0].addr_spec == guest.email
    assert _event(invited)[0]["METHOD"] == "REQUEST"
    smtp.inbox.clear()
    with db_read() as session:
        invitation_id = session.execute(
            Invitation.__table__.select().where(Invitation.meeting_id == meeting.id, Invitation.user_id == guest.id)
        ).first().id
    member = login_as(committee["people"]["justice"])
    assert member.submit(f"/meetings/{meeting.id}/invitees/{invitation_id}/remove").status_code == 403
    assert smtp.inbox.messages == []
    assert secretariat.submit(f"/meetings/{meeting.id}/invitees/{invitation_id}/remove").status_code == 303
    (cancelled,) = smtp.inbox.messages
    cal, event = _event(cancelled)
    assert cancelled["To"].addresses[0].addr_spec == guest.email
    assert cal["METHOD"] == "CANCEL" and str(event["STATUS"]) == "CANCELLED" and str(event["UID"]) == meeting.uid
    assert [str(a) for a in ([event["ATTENDEE"]] if not isinstance(event["ATTENDEE"], list) else event["ATTENDEE"])] == [f"mailto:{guest.email}"]
    with db_read() as session:
        assert session.get(Invitation, invitation_id) is None
    # An invitation of another meeting cannot be removed through this one.
    other = make.meeting(body, datetime(2027, 2, 2, 15, tzinfo=UTC))
    with db_read() as session:
        foreign = session.execute(Invitation.__table__.select().where(Invitation.meeting_id == other.id)).first().id
    assert secretariat.submit(f"/meetings/{meeting.id}/invitees/{foreign}/remove").status_code == 404


def test_a_line_break_in_a_title_is_refused_and_nothing_is_queued(committee, make, login_as, smtp, db_read):
    meeting = make.meeting(committee["body"], datetime(2027, 1, 5, 15, tzinfo=UTC), title="Bad\r\nBcc: spy@example.net")
    secretariat = login_as("secretariat")
    response = secretariat.submit(f"/meetings/{meeting.id}/invitations/send")
    assert response.status_code == 422
    with db_read() as session:
        assert session.execute(OutboxMessage.__table__.select()).first() is None
        assert session.get(Meeting, meeting.id).invitations_sent_at is None
    assert smtp.inbox.messages == []


def test_a_series_is_invited_once_with_its_rule_and_a_guest_of_one_occurrence_gets_that_one(committee, make, login_as, smtp, db_read):
    body = committee["body"]
    secretariat = login_as("secretariat")
    secretariat.submit(f"/meetings/series/new?body={body.id}", {
        "title": "Monthly meeting", "kind": "ordinary", "start_local": "2027-01-05T10:00",
        "end_local": "2027-01-05T12:00", "timezone": ZONE, "pattern": "monthly_weekday", "interval": "1",
        "count": "8", "location": "Room 1", "online_link": ""})
    with db_read() as session:
        meetings = session.execute(Meeting.__table__.select().where(Meeting.body_id == body.id).order_by(Meeting.__table__.c.start_at)).all()
        series_uid = session.execute(Meeting.__table__.select()).first()  # noqa: F841
    ids = [m.id for m in meetings]
    guest = make.user(full_name="Guest Expert")
    secretariat.submit(f"/meetings/{ids[3]}/guests", {"user_id": guest.id})
    assert secretariat.submit(f"/meetings/{ids[0]}/invitations/send").status_code == 303
    principal = smtp.inbox.to(committee["people"]["health"].email)
    assert len(principal) == 1 and principal[0]["Subject"].startswith("Invitation to a series")
    cal, data = _calendar(principal[0])
    (master,) = cal.walk("VEVENT")
    assert "RRULE" in master
    instants = agree(data)
    (starts,) = instants.values()
    assert len(starts) == 8 and starts[0] == "2027-01-05T15:00:00Z"
    assert "2027-04-06T14:00:00Z" in starts  # first Tuesday of April, summer time
    (guest_mail,) = smtp.inbox.to(guest.email)
    with db_read() as session:
        fourth = session.get(Meeting, ids[3])
        assert agree(_calendar(guest_mail)[1]) == {fourth.uid: [fourth.start.strftime("%Y-%m-%dT%H:%M:%SZ")]}
    smtp.inbox.clear()
    # Cancelling one occurrence: a CANCEL of that instance (RECURRENCE-ID) for the series' holders.
    _edit_data = {"title": "Monthly meeting", "kind": "ordinary", "start_local": "2027-03-02T10:00",
                  "end_local": "2027-03-02T12:00", "timezone": ZONE, "location": "Room 1", "online_link": "",
                  "status": "cancelled", "status_reason": "Holiday"}
    _edit_data["version"] = _version(secretariat, ids[2])
    assert secretariat.submit(f"/meetings/{ids[2]}/edit", _edit_data).status_code == 303
    (cancel,) = smtp.inbox.to(committee["people"]["health"].email)
    cal, event = _event(cancel)
    assert cal["METHOD"] == "CANCEL" and "RECURRENCE-ID" in event and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(master["UID"])
    assert smtp.inbox.to(guest.email) == []  # the guest is not invited to that occurrence


def test_each_invitee_is_written_to_in_their_language(committee, make, login_as, smtp, app):
    body = committee["body"]
    with app.app_context():
        from coordination.accounts.models import User
        from coordination.extensions import db

        db.session.get(User, committee["people"]["justice"].id).language = "fr"
        db.session.commit()
    meeting = make.meeting(body, datetime(2027, 1, 5, 15, tzinfo=UTC), title="January meeting")
    login_as("secretariat").submit(f"/meetings/{meeting.id}/invitations/send")
    (french,) = smtp.inbox.to(committee["people"]["justice"].email)
    (english,) = smtp.inbox.to(committee["people"]["social"].email)
    # Dates come from Babel's locale data (the message catalogues are still to be translated).
    assert "mardi 5 janvier 2027" in french["Subject"]
    assert "Tuesday, January 5, 2027" in english["Subject"]
