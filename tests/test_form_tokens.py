"""A create form sent twice (double click, back + resubmit) creates one object (one-time form tokens)."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from coordination.extensions import db
from coordination.meetings.models import AgendaItem, Meeting
from coordination.minutes.models import DecisionText
from coordination.organisations.models import Organisation
from coordination.plans.models import ProgressUpdate
from coordination.submissions import FormSubmission
from tests.test_no_lost_update import _FormReader


def _count(db_read, model):
    with db_read() as s:
        return s.execute(db.select(db.func.count()).select_from(model)).scalar()


def form_on(client, url: str, action: str) -> dict:
    """The fields of the form on ``url`` that posts to ``action``, as a browser would send them."""
    reader = _FormReader(None)
    reader.feed(client.get(url).get_data(as_text=True))
    found = [f for f in reader.forms if f["action"] == action or (not f["action"] and action == url)]
    assert found, f"no form posting to {action} on {url}"
    return dict(found[0]["fields"])


def test_every_rendered_form_carries_a_one_time_token(login_as, make, committee):
    meeting = make.meeting(committee["body"], datetime(2026, 2, 3, 15, tzinfo=UTC))
    c = login_as("admin")
    pages = ["/organisations/new", "/bodies/new", f"/meetings/new?body={committee['body'].id}",
             f"/meetings/{meeting.id}", "/plans/new", "/accounts/users/new", "/accounts/profile"]
    for url in pages:
        html = c.get(url).get_data(as_text=True)
        assert re.search(r'name="form_token" type="hidden" value="[\w-]{20,}"', html), url
    # Log-in is not one-time: a second log-in must still open a session.
    assert 'name="form_token"' not in login_as("member").get("/accounts/login", follow_redirects=True).get_data(as_text=True)


def test_double_submit_creates_one_organisation_and_leads_to_it(login_as, db_read):
    c = login_as("admin")
    data = {**form_on(c, "/organisations/new", ""), "name": "Ministry of Women", "acronym": "MCFDF",
            "kind": "civil_society", "level": "national", "sectors": ["gender"]}
    first = c.post("/organisations/new", data=data)
    assert first.status_code == 303
    again = c.post("/organisations/new", data=data)  # double click, or back + resubmit
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert _count(db_read, Organisation) == 1
    page = c.get(again.headers["Location"]).get_data(as_text=True)
    assert "This form was already sent" in page and "Ministry of Women" in page


def test_a_rejected_form_can_be_corrected_and_sent_with_the_same_token(login_as, db_read):
    c = login_as("admin")
    data = {**form_on(c, "/organisations/new", ""), "name": "", "acronym": "X", "kind": "civil_society",
            "level": "national", "sectors": ["gender"]}
    assert c.post("/organisations/new", data=data).status_code == 422
    assert _count(db_read, FormSubmission) == 0  # the refused submission claimed nothing
    assert c.post("/organisations/new", data={**data, "name": "Fixed"}).status_code == 303
    assert _count(db_read, Organisation) == 1


def test_double_submits_on_the_meeting_page_add_one_agenda_item_one_decision_one_report(login_as, make, committee,
                                                                                         db_read):
    meeting = make.meeting(committee["body"], datetime(2026, 2, 3, 15, tzinfo=UTC))
    c = login_as("secretariat")
    page = f"/meetings/{meeting.id}"
    agenda = {**form_on(c, page, f"/meetings/{meeting.id}/agenda"), "title": "Plan progress", "duration_minutes": "20"}
    for _ in range(2):
        assert c.post(f"/meetings/{meeting.id}/agenda", data=agenda).status_code == 303
    assert _count(db_read, AgendaItem) == 1
    c.submit(f"/minutes/new/{meeting.id}")
    with db_read() as s:
        minutes_id = s.execute(db.select(Meeting).where(Meeting.id == meeting.id)).scalar_one().minutes[0].id
    decision = {**form_on(c, f"/minutes/{minutes_id}", f"/minutes/{minutes_id}/decisions"), "text": "Adopt it."}
    for _ in range(2):
        assert c.post(f"/minutes/{minutes_id}/decisions", data=decision).status_code == 303
    assert _count(db_read, DecisionText) == 1
    plan = make.plan(committee["body"])
    item = make.item(plan=plan, title="Action")
    report_url = f"/plans/items/{item.id}/progress"
    report = {**form_on(c, f"/plans/items/{item.id}", report_url), "update_date": "2026-02-10",
              "status": "in_progress", "progress": "30", "narrative": "Started."}
    for _ in range(2):
        assert c.post(report_url, data=report).status_code == 303
    assert _count(db_read, ProgressUpdate) == 1


def test_a_token_belongs_to_one_submission_not_to_another_form(login_as, db_read):
    c = login_as("admin")
    data = {**form_on(c, "/organisations/new", ""), "name": "First", "acronym": "F1", "kind": "civil_society",
            "level": "national", "sectors": ["gender"]}
    assert c.post("/organisations/new", data=data).status_code == 303
    fresh = {**form_on(c, "/organisations/new", ""), "name": "Second", "acronym": "F2", "kind": "civil_society",
             "level": "national", "sectors": ["gender"]}
    assert fresh["form_token"] != data["form_token"]
    assert c.post("/organisations/new", data=fresh).status_code == 303
    assert _count(db_read, Organisation) == 2
