"""Minutes through HTTP: drafting, decisions, actions arising, circulation, approval, corrections, register."""
import re
from datetime import UTC, datetime

from coordination.extensions import db
from coordination.minutes.models import Decision, DecisionText, Minutes, MinutesStatus
from coordination.plans.models import ActionItem


def test_minutes_workflow(login_as, make, committee, db_read):
    body = committee["body"]
    meeting = make.meeting(body, datetime(2026, 2, 3, 15, tzinfo=UTC))
    later = make.meeting(body, datetime(2026, 3, 3, 15, tzinfo=UTC), title="March meeting")
    c = login_as("secretariat")
    c.submit(f"/meetings/{meeting.id}/agenda", {"title": "Plan progress", "duration_minutes": "30"})
    start = c.submit(f"/minutes/new/{meeting.id}")
    assert start.status_code == 303
    with db_read() as s:
        minutes = s.execute(db.select(Minutes)).scalar_one()
        section_id = minutes.sections[0].id
    base = f"/minutes/{minutes.id}"
    assert c.submit(f"{base}/edit", {"summary": "Good meeting.", f"section-{section_id}": "Progress reported.", "version": "1"}).status_code == 303
    stale = c.submit(f"{base}/edit", {"summary": "Overwrite!", "version": "1"})
    assert stale.status_code == 409
    fresh_link = re.search(r'href="([^"]+)">Open the current version', stale.get_data(as_text=True)).group(1)
    assert c.get(fresh_link, follow_redirects=True).status_code == 200
    for text in ("First decision.", "Second decision."):
        assert c.submit(f"{base}/decisions", {"text": text}).status_code == 303
    with db_read() as s:
        refs = [d.reference for d in s.execute(db.select(Decision).order_by(Decision.id)).scalars()]
        assert refs == ["CN-2026-001", "CN-2026-002"]
        # The routes name a decision by its text in these minutes (DecisionText), not by the
        # decision itself: on PostgreSQL the two sequences differ.
        decision_id = s.execute(db.select(DecisionText.id).join(Decision, Decision.id == DecisionText.decision_id)
                                .where(Decision.reference == "CN-2026-002")).scalar()
    # Members do not see drafts, and cannot edit minutes.
    member = login_as(committee["people"]["justice"])
    assert member.get(base).status_code == 404
    assert member.submit(f"{base}/decisions", {"text": "Sneaky"}).status_code == 404
    # An action item arising, linked back to the meeting and decision.
    action = c.submit(f"{base}/decisions/{decision_id}/actions", {"title": "Draft the protocol",
                                                                   "lead_organisation_id": committee["orgs"][1].id,
                                                                   "focal_person_id": committee["people"]["justice"].id,
                                                                   "deadline": "2026-05-31"})
    assert action.status_code == 303
    with db_read() as s:
        item = s.execute(db.select(ActionItem)).scalar_one()
        assert item.meeting_id == meeting.id and item.decision_reference == "CN-2026-002" and item.code == "CN-1"
    assert c.submit(f"{base}/circulate").status_code == 303
    assert member.get(base).status_code == 200
    assert member.submit(f"{base}/comments", {"text": "Please add the health figures."}).status_code == 303
    assert login_as("evaluator").submit(f"{base}/comments", {"text": "x"}).status_code == 403
    wrong = c.submit(f"{base}/approve", {"approved_at_meeting_id": meeting.id})
    assert wrong.status_code == 422
    assert c.submit(f"{base}/approve", {"approved_at_meeting_id": later.id}).status_code == 303
    with db_read() as s:
        approved = s.get(Minutes, minutes.id)
        assert approved.status == MinutesStatus.APPROVED and approved.approved_at_meeting_id == later.id
        assert approved.approved_by_id == c.user.id
    locked = c.submit(f"{base}/decisions", {"text": "Late addition."})
    assert locked.status_code == 409
    no_reason = c.submit(f"{base}/correct", {"reason": ""})
    assert no_reason.status_code == 422
    corrected = c.submit(f"{base}/correct", {"reason": "Decision 2 misquoted."})
    assert corrected.status_code == 303
    with db_read() as s:
        versions = s.execute(db.select(Minutes).order_by(Minutes.number)).scalars().all()
        assert [v.number for v in versions] == [1, 2] and versions[1].status == MinutesStatus.DRAFT
        assert [d.reference for d in versions[1].decisions] == ["CN-2026-001", "CN-2026-002"]
    old = c.get(base).get_data(as_text=True)
    assert "Progress reported." in old and "Approved minutes are locked" in old
    assert c.submit(f"{base}/publish").status_code == 303


def test_decision_register_shows_progress_of_actions_arising(login_as, make, committee):
    body = committee["body"]
    meeting = make.meeting(body, datetime(2025, 11, 4, 15, tzinfo=UTC))
    later = make.meeting(body, datetime(2025, 12, 2, 15, tzinfo=UTC))
    c = login_as("secretariat")
    c.submit(f"/minutes/new/{meeting.id}")
    base = c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    minutes_url = re.search(r'href="(/minutes/\d+)"', base).group(1)
    c.submit(f"{minutes_url}/decisions", {"text": "Adopt the referral protocol."})
    page = c.get(minutes_url).get_data(as_text=True)
    decision_url = re.search(r'action="(/minutes/\d+/decisions/\d+)/actions"', page).group(1)
    c.submit(f"{decision_url}/actions", {"title": "Circulate the protocol", "lead_organisation_id": committee["orgs"][0].id,
                                         "deadline": "2026-01-31"})
    c.submit(f"{minutes_url}/circulate")
    c.submit(f"{minutes_url}/approve", {"approved_at_meeting_id": later.id})
    register = login_as("evaluator").get(f"/bodies/{body.id}/decisions").get_data(as_text=True)
    assert "CN-2025-001" in register and "Circulate the protocol" in register
    assert "CN-2025-001" in login_as("evaluator").get(f"/bodies/{body.id}/decisions?year=2025&q=referral").get_data(as_text=True)
    assert "No decision." in login_as("evaluator").get(f"/bodies/{body.id}/decisions?year=2024").get_data(as_text=True)


def test_minutes_page_query_count_does_not_grow(login_as, make, committee, count_queries):
    meeting = make.meeting(committee["body"], datetime(2026, 2, 3, 15, tzinfo=UTC))
    minutes = make.minutes(meeting, status="circulated")
    c = login_as("secretariat")
    state = {"n": 0}

    def measure(total):
        make.minutes_content(minutes, committee["people"]["justice"], state["n"] + 1, total)
        state["n"] = total
        with count_queries() as queries:
            page = c.get(f"/minutes/{minutes.id}")
            assert page.status_code == 200 and f"CN-2026-{total:03d}" in page.get_data(as_text=True)
        return queries()

    assert measure(3) == measure(9)
