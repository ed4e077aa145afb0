"""`flask notifications remind`: a fixed "today" gives exactly the expected digests; a second run sends nothing."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from coordination.meetings.models import Meeting
from coordination.notifications.models import OutboxMessage
from tests.notifications.conftest import parts

TODAY = date(2027, 3, 1)


def _run(app, day: date = TODAY):
    result = app.test_cli_runner().invoke(args=["notifications", "remind", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def _text(message) -> str:
    return parts(message)["text/plain"][0].get_content()


def test_digests_go_to_the_right_people_once(app, committee, make, smtp, db_read):
    body = committee["body"]
    people = committee["people"]
    health, justice, _social, _un = committee["orgs"]
    outsider = make.user(organisation=justice, full_name="Justice Clerk")  # same ministry, no seat on the body
    plan = make.plan(body)
    soon = make.item(plan=plan, title="Due in three days", lead_organisation_id=health.id, deadline=TODAY + timedelta(days=3))
    later = make.item(plan=plan, title="Due in two weeks", lead_organisation_id=health.id, deadline=TODAY + timedelta(days=14))
    make.item(plan=plan, title="Far away", lead_organisation_id=health.id, deadline=TODAY + timedelta(days=40))
    late = make.item(plan=plan, title="Overdue justice", lead_organisation_id=justice.id, deadline=TODAY - timedelta(days=5),
                     focal_person_id=outsider.id)
    done = make.item(plan=plan, title="Overdue but done", lead_organisation_id=justice.id, deadline=TODAY - timedelta(days=5))
    make.update(done, TODAY - timedelta(days=10), "completed", 100)
    secretary = make.user(role="secretariat", full_name="Secretary")
    old_meeting = make.meeting(body, datetime(2027, 1, 5, 15, tzinfo=UTC), title="January meeting", status="held")
    upcoming = make.meeting(body, datetime(2027, 3, 4, 15, tzinfo=UTC), title="March meeting", status="confirmed")
    secretariat = make.user(role="secretariat", full_name="Sender")
    from tests.conftest import Client  # noqa: F401 - the login_as fixture is not needed here

    with app.app_context():
        from coordination.extensions import db
        from coordination.meetings import services

        meeting = db.session.get(Meeting, upcoming.id)
        services.send_invitations(meeting, actor=db.session.get(type(secretariat), secretariat.id))
        for invitation in meeting.invitations:
            if invitation.user_id == people["social"].id:
                from coordination.meetings.models import Rsvp

                invitation.rsvp = Rsvp.ACCEPTED
        db.session.commit()
        from coordination.notifications.sender import send_due

        send_due()
    smtp.inbox.clear()
    output = _run(app)
    by_person = {m["To"].addresses[0].addr_spec: m for m in smtp.inbox.messages}
    # Health's seated people: two items due (14 and 3 days), and the March meeting unanswered.
    for key in ("health", "health_alt"):
        text = _text(by_person[people[key].email])
        assert "Due in three days" in text and "Due in two weeks" in text and "Far away" not in text
        assert "March meeting" in text
    # Justice: the overdue item (not the completed one) and the meeting; the focal person outside the body too.
    justice_text = _text(by_person[people["justice"].email])
    assert "Overdue justice" in justice_text and "Overdue but done" not in justice_text
    assert "Overdue justice" in _text(by_person[outsider.email])
    # Social answered the meeting and owns nothing due: no digest.
    assert people["social"].email not in by_person
    # The secretariat: the January minutes are not approved 30 days after the meeting.
    assert "January meeting" in _text(by_person[secretary.email])
    assert old_meeting and late and soon and later
    assert len(smtp.inbox.messages) == len(by_person)  # one digest per person
    assert "reminder digests queued" in output
    # A second run the same day, and the next day, sends nothing more.
    smtp.inbox.clear()
    _run(app)
    _run(app, TODAY + timedelta(days=1))
    assert smtp.inbox.messages == []
    # A week later overdue items come back (weekly): the justice one, and the one due on the 4th,
    # now overdue; the item due on the 15th was already reminded at 14 days and is not yet at 3.
    _run(app, TODAY + timedelta(days=7))
    again = {m["To"].addresses[0].addr_spec: _text(m) for m in smtp.inbox.messages}
    assert "Overdue justice" in again[people["justice"].email]
    health_again = again[people["health"].email]
    assert "Overdue action items:\n- 1 Due in three days" in health_again.replace("\r\n", "\n")
    assert "Due in two weeks" not in health_again


def test_people_who_turned_reminders_off_get_none(app, committee, make, smtp, login_as):
    health = committee["orgs"][0]
    plan = make.plan(committee["body"])
    make.item(plan=plan, title="Due soon", lead_organisation_id=health.id, deadline=TODAY + timedelta(days=2))
    c = login_as(committee["people"]["health"])
    assert c.submit("/mail/preferences", {"reminders": "off"}).status_code == 303
    _run(app)
    recipients = {m["To"].addresses[0].addr_spec for m in smtp.inbox.messages}
    assert committee["people"]["health"].email not in recipients
    assert committee["people"]["health_alt"].email in recipients


def test_nothing_to_remind_sends_nothing(app, smtp, db_read):
    _run(app)
    assert smtp.inbox.messages == []
    with db_read() as session:
        assert session.query(OutboxMessage).count() == 0
