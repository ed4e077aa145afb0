"""Search through HTTP: every kind of object, only what the user may see, bad input, fixed query count."""
import re
from datetime import UTC, datetime

import pytest

from coordination.bodies.models import Visibility


@pytest.fixture
def world(make, committee):
    """Matching objects in an open committee and in a restricted cell the member does not sit on."""
    body = committee["body"]
    closed = make.body(name="Referral cell", acronym="RC", visibility=Visibility.RESTRICTED)
    plan = make.plan(body, title="National plan")
    make.item(plan, title="Referral protocol for health services")
    make.item(None, body=closed, title="Referral protocol, confidential annex")
    held = make.meeting(body, datetime(2026, 2, 3, 15, tzinfo=UTC), title="Referral working session")
    later = make.meeting(body, datetime(2026, 3, 3, 15, tzinfo=UTC), title="March committee")
    approved = make.minutes(held, status="approved")
    make.decision(approved, "CN-2026-001", "Adopt the referral protocol.")
    draft = make.minutes(later, status="draft")
    # Section "Item 2", "Discussed."; decision CN-2026-002 (numbers are unique per body and year).
    make.minutes_content(draft, committee["people"]["justice"], 2, 2)
    make.meeting(closed, datetime(2026, 2, 10, 15, tzinfo=UTC), title="Referral cell meeting")
    make.organisation(name="Referral Network of Women's Shelters", acronym="RNWS")
    return committee


def test_staff_find_every_kind(login_as, world):
    page = login_as("secretariat").get("/search/?q=referral")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for expected in ("Referral protocol for health services", "Referral protocol, confidential annex", "CN-2026-001",
                     "Referral working session", "Referral cell meeting", "Referral cell",
                     "Referral Network of Women&#39;s Shelters"):
        assert expected in html, expected
    assert re.search(r'href="/minutes/\d+">CN-2026-001</a>', html)
    drafts = login_as("secretariat").get("/search/?q=discussed").get_data(as_text=True)
    assert "March committee" in drafts  # the secretariat finds words in draft minutes


def test_members_only_find_what_they_may_see(login_as, world):
    member = login_as(world["people"]["justice"])
    html = member.get("/search/?q=referral").get_data(as_text=True)
    assert "Referral protocol for health services" in html and "CN-2026-001" in html
    assert "confidential annex" not in html and "Referral cell meeting" not in html and "Referral cell<" not in html
    assert "March committee" not in member.get("/search/?q=discussed").get_data(as_text=True)


@pytest.mark.parametrize("q", ["a", "x" * 101])
def test_bad_input_is_refused_beside_the_field(login_as, q):
    page = login_as("member").get(f"/search/?q={q}")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'aria-invalid="true"' in html and 'id="q-error"' in html and "Type between 2 and 100 characters." in html


def test_empty_page_and_wildcards_are_literal(login_as, world):
    c = login_as("evaluator")
    first = c.get("/search/")
    assert first.status_code == 200 and 'id="q-error"' not in first.get_data(as_text=True)
    assert "0 results" in c.get("/search/?q=%25%25").get_data(as_text=True)  # "%%" matches no text
    assert c.get("/search/?q=__").status_code == 200
    assert "0 results" in c.get("/search/?q=__").get_data(as_text=True)


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get("/search/?q=referral").status_code == 302


def test_query_count_does_not_grow_with_matches(login_as, make, committee, count_queries):
    body = committee["body"]
    plan = make.plan(body)
    c = login_as(committee["people"]["justice"])
    state = {"n": 0}

    def measure(total):
        for i in range(state["n"], total):
            make.item(plan, title=f"Shelter network {i}")
            meeting = make.meeting(body, datetime(2025, 1, 7, 15, tzinfo=UTC).replace(day=1 + i % 28, month=1 + i // 28),
                                   title=f"Shelter meeting {i}")
            make.decision(make.minutes(meeting, status="approved"), f"CN-2025-{i + 1:03d}", f"Shelter decision {i}.")
            make.organisation(name=f"Shelter {i}")
        state["n"] = total
        with count_queries() as n:
            assert c.get("/search/?q=shelter").status_code == 200
        return n()

    assert measure(3) == measure(15)
