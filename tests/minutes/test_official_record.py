"""The official record through HTTP: stable decision numbers, approval that locks, the meeting's local day."""
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coordination.audit import AuditEntry
from coordination.charters.models import CharterStatus, QuorumRule
from coordination.extensions import db
from coordination.meetings.models import AgendaItem, Meeting
from coordination.minutes.models import (
    Decision,
    DecisionCounter,
    DecisionText,
    Minutes,
    MinutesStatus,
)
from coordination.plans.models import ActionItem


def _count(db_read, model, *where):
    with db_read() as s:
        return s.execute(db.select(db.func.count()).select_from(model).where(*where)).scalar()


def _minutes_id(db_read, meeting_id, number=1):
    with db_read() as s:
        return s.execute(db.select(Minutes.id).where(Minutes.meeting_id == meeting_id, Minutes.number == number)).scalar_one()


def _entry_id(db_read, minutes_id, reference):
    with db_read() as s:
        return s.execute(
            db.select(DecisionText.id).join(Decision).where(DecisionText.minutes_id == minutes_id,
                                                             Decision.reference == reference)
        ).scalar_one()


def _action(c, minutes_id, entry_id, org_id, title="Draft the protocol"):
    return c.submit(f"/minutes/{minutes_id}/decisions/{entry_id}/actions",
                    {"title": title, "lead_organisation_id": org_id, "deadline": "2026-05-31"})


@pytest.fixture
def two_meetings(make, committee):
    body = committee["body"]
    return {
        "first": make.meeting(body, datetime(2026, 2, 3, 15, tzinfo=UTC), title="February meeting"),
        "second": make.meeting(body, datetime(2026, 3, 3, 15, tzinfo=UTC), title="March meeting"),
        "third": make.meeting(body, datetime(2026, 4, 7, 15, tzinfo=UTC), title="April meeting"),
    }


# --- 1. decision numbers are unique and stable --------------------------------------------------


def test_decisions_of_two_meetings_share_one_counter_per_body_and_year(login_as, committee, two_meetings, db_read):
    c = login_as("secretariat")
    for key in ("first", "second"):
        assert c.submit(f"/minutes/new/{two_meetings[key].id}").status_code == 303
    first, second = (_minutes_id(db_read, two_meetings[k].id) for k in ("first", "second"))
    for minutes_id, text in ((first, "A"), (second, "B"), (first, "C")):
        assert c.submit(f"/minutes/{minutes_id}/decisions", {"text": text}).status_code == 303
    with db_read() as s:
        rows = s.execute(db.select(Decision.reference, Decision.meeting_id).order_by(Decision.number)).all()
        assert rows == [("CN-2026-001", two_meetings["first"].id), ("CN-2026-002", two_meetings["second"].id),
                        ("CN-2026-003", two_meetings["first"].id)]
        counter = s.get(DecisionCounter, (committee["body"].id, 2026))
        assert counter.last_number == 3


def test_the_database_refuses_a_second_decision_with_the_same_number(make, committee, two_meetings, app):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db.session.add(Decision(body_id=committee["body"].id, meeting_id=two_meetings["first"].id, year=2026,
                                number=7, reference="CN-2026-007"))
        db.session.flush()
        db.session.add(Decision(body_id=committee["body"].id, meeting_id=two_meetings["second"].id, year=2026,
                                number=7, reference="CN-2026-007"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_removed_decision_leaves_a_gap_and_numbers_are_never_reused(login_as, two_meetings, db_read):
    c = login_as("secretariat")
    c.submit(f"/minutes/new/{two_meetings['first'].id}")
    minutes_id = _minutes_id(db_read, two_meetings["first"].id)
    c.submit(f"/minutes/{minutes_id}/decisions", {"text": "Kept."})
    c.submit(f"/minutes/{minutes_id}/decisions", {"text": "Withdrawn."})
    withdrawn = _entry_id(db_read, minutes_id, "CN-2026-002")
    assert c.submit(f"/minutes/{minutes_id}/decisions/{withdrawn}/delete").status_code == 303
    c.submit(f"/minutes/{minutes_id}/decisions", {"text": "Next."})
    with db_read() as s:
        assert s.execute(db.select(Decision.reference).order_by(Decision.number)).scalars().all() == [
            "CN-2026-001", "CN-2026-003"]


def test_a_decision_with_actions_arising_cannot_be_removed(login_as, committee, two_meetings, db_read):
    c = login_as("secretariat")
    c.submit(f"/minutes/new/{two_meetings['first'].id}")
    minutes_id = _minutes_id(db_read, two_meetings["first"].id)
    c.submit(f"/minutes/{minutes_id}/decisions", {"text": "Adopt the protocol."})
    entry = _entry_id(db_read, minutes_id, "CN-2026-001")
    assert _action(c, minutes_id, entry, committee["orgs"][1].id).status_code == 303
    refused = c.submit(f"/minutes/{minutes_id}/decisions/{entry}/delete")
    assert refused.status_code == 409 and "Action items arise from this decision" in refused.get_data(as_text=True)
    assert _count(db_read, Decision) == 1 and _count(db_read, DecisionText) == 1


def test_a_corrected_version_keeps_the_decisions_and_their_actions(login_as, committee, two_meetings, db_read):
    c = login_as("secretariat")
    meeting = two_meetings["first"]
    c.submit(f"/minutes/new/{meeting.id}")
    v1 = _minutes_id(db_read, meeting.id)
    c.submit(f"/minutes/{v1}/decisions", {"text": "Adopt the protocol.", "votes_for": "5"})
    entry = _entry_id(db_read, v1, "CN-2026-001")
    assert _action(c, v1, entry, committee["orgs"][1].id).status_code == 303
    c.submit(f"/minutes/{v1}/circulate")
    assert c.submit(f"/minutes/{v1}/approve", {"approved_at_meeting_id": two_meetings["second"].id}).status_code == 303
    assert c.submit(f"/minutes/{v1}/correct", {"reason": "Vote tally misquoted."}).status_code == 303
    v2 = _minutes_id(db_read, meeting.id, 2)
    with db_read() as s:
        decision = s.execute(db.select(Decision)).scalar_one()  # one decision, in both versions
        assert sorted(t.minutes_id for t in decision.texts) == sorted([v1, v2])
        item = s.execute(db.select(ActionItem)).scalar_one()
        assert item.decision_id == decision.id and item.decision_reference == "CN-2026-001"
    # The text is versioned: correcting it in v2 leaves v1 as approved.
    v2_entry = _entry_id(db_read, v2, "CN-2026-001")
    assert c.submit(f"/minutes/{v2}/decisions/{v2_entry}/delete").status_code == 303
    c.submit(f"/minutes/{v2}/decisions", {"text": "Adopt the protocol, as amended."})
    with db_read() as s:
        assert s.execute(db.select(Decision.reference).order_by(Decision.number)).scalars().all() == [
            "CN-2026-001", "CN-2026-002"]
        v1_texts = s.execute(db.select(DecisionText.text).where(DecisionText.minutes_id == v1)).scalars().all()
        assert v1_texts == ["Adopt the protocol."]
    # The decision register follows the action to its decision by the foreign key.
    c.submit(f"/minutes/{v2}/circulate")
    c.submit(f"/minutes/{v2}/approve", {"approved_at_meeting_id": two_meetings["third"].id})
    register = login_as("evaluator").get(f"/bodies/{committee['body'].id}/decisions").get_data(as_text=True)
    # (v2, the latest approved version, dropped CN-2026-001's wording and recorded CN-2026-002.)
    assert "CN-2026-002" in register and "CN-2026-001" not in register


# --- 2. approved means locked --------------------------------------------------------------------------


def _circulated(c, db_read, meeting):
    c.submit(f"/minutes/new/{meeting.id}")
    minutes_id = _minutes_id(db_read, meeting.id)
    c.submit(f"/minutes/{minutes_id}/decisions", {"text": "Adopt the protocol."})
    c.submit(f"/minutes/{minutes_id}/circulate")
    return minutes_id


def test_approval_needs_a_later_meeting_of_the_body_that_has_taken_place(login_as, make, committee, two_meetings,
                                                                         db_read):
    c = login_as("secretariat")
    minutes_id = _circulated(c, db_read, two_meetings["second"])
    body = committee["body"]
    future = make.meeting(body, datetime.now(UTC) + timedelta(days=20), title="Future meeting")
    cancelled = make.meeting(body, datetime(2026, 3, 20, 15, tzinfo=UTC), title="Cancelled meeting",
                             status="cancelled", status_reason="Storm.")
    other_body = make.meeting(make.body(), datetime(2026, 4, 1, 15, tzinfo=UTC))
    for meeting in (two_meetings["first"], future, cancelled, other_body):
        refused = c.submit(f"/minutes/{minutes_id}/approve", {"approved_at_meeting_id": meeting.id})
        assert refused.status_code == 422, meeting.title
        assert 'id="approved_at_meeting_id-error"' in refused.get_data(as_text=True)
    with db_read() as s:
        assert s.get(Minutes, minutes_id).status == MinutesStatus.CIRCULATED
    # The form only offers meetings that can approve.
    page = c.get(f"/minutes/{minutes_id}").get_data(as_text=True)
    assert "April meeting" in page and "Future meeting" not in page and "Cancelled meeting" not in page
    assert c.submit(f"/minutes/{minutes_id}/approve", {"approved_at_meeting_id": two_meetings["third"].id}).status_code == 303


def test_approved_minutes_refuse_every_addition_and_change(login_as, committee, two_meetings, db_read):
    c = login_as("secretariat")
    meeting = two_meetings["first"]
    c.submit(f"/meetings/{meeting.id}/agenda", {"title": "Plan progress", "duration_minutes": "30"})
    minutes_id = _circulated(c, db_read, meeting)
    entry = _entry_id(db_read, minutes_id, "CN-2026-001")
    assert _action(c, minutes_id, entry, committee["orgs"][1].id, "Before approval").status_code == 303
    c.submit(f"/minutes/{minutes_id}/approve", {"approved_at_meeting_id": two_meetings["second"].id})
    with db_read() as s:
        item = s.execute(db.select(ActionItem)).scalar_one()
        agenda_item = s.execute(db.select(AgendaItem)).scalar_one()
        audit_before = s.execute(db.select(db.func.count()).select_from(AuditEntry)).scalar()
    attempts = [
        (f"/minutes/{minutes_id}/decisions", {"text": "Late addition."}),
        (f"/minutes/{minutes_id}/decisions/{entry}/delete", {}),
        (f"/minutes/{minutes_id}/decisions/{entry}/actions",
         {"title": "After approval", "lead_organisation_id": committee["orgs"][1].id, "deadline": "2026-06-30"}),
        (f"/minutes/{minutes_id}/edit", {"summary": "Rewritten.", "version": "1"}),
        (f"/meetings/{meeting.id}/agenda", {"title": "Late item", "duration_minutes": "10"}),
        (f"/meetings/{meeting.id}/agenda/{agenda_item.id}/edit", {"title": "Renamed", "duration_minutes": "10"}),
        (f"/meetings/{meeting.id}/agenda/{agenda_item.id}/delete", {}),
        (f"/meetings/{meeting.id}/agenda/order", {"order": str(agenda_item.id)}),
        (f"/plans/items/{item.id}/edit", {"title": "Renamed action", "lead_organisation_id": committee["orgs"][1].id,
                                          "deadline": "2026-05-31", "priority": "medium", "weight": "1",
                                          "scope_national": "y", "version": str(item.version)}),
        (f"/plans/items/{item.id}/delete", {}),
    ]
    for url, data in attempts:
        response = c.submit(url, data)
        assert response.status_code == 409, url
        assert "approved" in response.get_data(as_text=True).lower(), url
    with db_read() as s:
        assert s.execute(db.select(db.func.count()).select_from(AuditEntry)).scalar() == audit_before
        assert [i.title for i in s.execute(db.select(ActionItem)).scalars()] == ["Before approval"]
        assert [a.title for a in s.execute(db.select(AgendaItem)).scalars()] == ["Plan progress"]
        assert s.execute(db.select(DecisionText.text)).scalars().all() == ["Adopt the protocol."]
    meeting_page = c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "its agenda is frozen" in meeting_page and "Add an agenda item" not in meeting_page
    assert "Create an action item arising" not in c.get(f"/minutes/{minutes_id}").get_data(as_text=True)
    # Progress on the action goes on: the plan lives, the record does not move.
    report = c.submit(f"/plans/items/{item.id}/progress", {"update_date": "2026-04-01", "status": "in_progress",
                                                          "progress": "20", "narrative": "Started."})
    assert report.status_code == 303
    # The Word file of the approved version lists exactly the action recorded before approval.
    docx = c.get(f"/minutes/{minutes_id}.docx")
    import io

    from docx import Document

    text = "\n".join(cell.text for t in Document(io.BytesIO(docx.data)).tables for r in t.rows for cell in r.cells)
    assert "Before approval" in text and "After approval" not in text


def test_a_corrected_version_reopens_the_record(login_as, committee, two_meetings, db_read):
    c = login_as("secretariat")
    minutes_id = _circulated(c, db_read, two_meetings["first"])
    c.submit(f"/minutes/{minutes_id}/approve", {"approved_at_meeting_id": two_meetings["second"].id})
    assert c.submit(f"/minutes/{minutes_id}/correct", {"reason": "Missing action."}).status_code == 303
    v2 = _minutes_id(db_read, two_meetings["first"].id, 2)
    entry = _entry_id(db_read, v2, "CN-2026-001")
    assert _action(c, v2, entry, committee["orgs"][1].id, "Added in the correction").status_code == 303


# --- 3. a meeting's day is its local day ------------------------------------------------------------


@pytest.fixture
def evening(make):
    """Port-au-Prince (UTC-4 in summer time): 20:30 on 31 March is 00:30 UTC on 1 April."""
    body = make.body(name="Departmental table", acronym="TD", timezone="America/Port-au-Prince")
    staying, leaving = make.organisation(acronym="STAY"), make.organisation(acronym="LEAVE")
    make.seat(body, staying)
    make.seat(body, leaving, end_date=date(2026, 3, 31))
    people = {"staying": make.user(organisation=staying, full_name="Staying Member"),
              "leaving": make.user(organisation=leaving, full_name="Leaving Member"),
              "starting": make.user(organisation=staying, full_name="Starting Member")}
    make.person_seat(body, people["staying"])
    make.person_seat(body, people["leaving"], end_date=date(2026, 3, 31))
    make.person_seat(body, people["starting"], start_date=date(2026, 4, 1))
    # Adopted on 31 March (local): in force at the evening meeting.
    make.charter(body, status=CharterStatus.ADOPTED, adopted_on=date(2026, 3, 31), quorum_rule=QuorumRule.FIXED,
                 quorum_value=2)
    return {"body": body, "people": people}


def test_an_evening_meeting_invites_and_counts_the_seats_of_its_local_day(login_as, evening, db_read):
    c = login_as("secretariat")
    response = c.submit(f"/meetings/new?body={evening['body'].id}", {
        "title": "Evening session", "kind": "ordinary", "start_local": "2026-03-31T20:30",
        "end_local": "2026-03-31T22:00", "timezone": "America/Port-au-Prince", "location": "", "online_link": "",
        "status": "planned", "status_reason": ""})
    assert response.status_code == 303
    with db_read() as s:
        meeting = s.execute(db.select(Meeting)).scalar_one()
        assert meeting.start == datetime(2026, 4, 1, 0, 30, tzinfo=UTC)
        invited = {i.person.full_name: i for i in meeting.invitations}
    # The seat ending on 31 March is still held that evening; the one starting on 1 April is not yet.
    assert set(invited) == {"Staying Member", "Leaving Member"}
    assert invited["Leaving Member"].voting
    data = {f"presence-{i.id}": "present" for i in invited.values()}
    assert c.submit(f"/meetings/{meeting.id}/attendance", data).status_code == 303
    page = c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    # Charter adopted on 31 March judges it; both organisations were members that day.
    assert "Quorum met" in page and "2 of 2 member organisations present; 2 required" in page
    assert str(meeting) == "Evening session (2026-03-31)"


def test_decision_year_is_the_local_year_of_the_meeting(login_as, make, db_read):
    body = make.body(acronym="TD", timezone="America/Port-au-Prince")
    # 20:30 on 31 December 2025 in Port-au-Prince is already 2026 in UTC.
    meeting = make.meeting(body, datetime(2026, 1, 1, 1, 30, tzinfo=UTC), title="New Year's Eve session")
    c = login_as("secretariat")
    c.submit(f"/minutes/new/{meeting.id}")
    minutes_id = _minutes_id(db_read, meeting.id)
    response = c.submit(f"/minutes/{minutes_id}/decisions", {"text": "Close the year."})
    assert response.status_code == 303
    assert "TD-2025-001" in c.get(response.headers["Location"]).get_data(as_text=True)
    with db_read() as s:
        assert s.execute(db.select(Decision.year)).scalar_one() == 2025


def test_today_is_the_date_in_the_given_zone(app, monkeypatch):
    from coordination import dates

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 4, 1, 0, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(dates, "datetime", Frozen)
    with app.app_context():
        assert dates.local_today("America/Port-au-Prince") == date(2026, 3, 31)
        assert dates.local_today() == date(2026, 4, 1)  # the tests' portal zone is UTC


def test_new_meeting_form_defaults_to_the_body_local_date(login_as, make):
    body = make.body(timezone="Pacific/Kiritimati")  # UTC+14: often already tomorrow
    page = login_as("secretariat").get(f"/meetings/new?body={body.id}").get_data(as_text=True)
    expected = datetime.now(ZoneInfo("Pacific/Kiritimati")).date() + timedelta(days=14)
    assert re.search(rf'name="start_local"[^>]*value="{expected.isoformat()}T10:00"', page)
