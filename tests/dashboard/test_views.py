"""The dashboard per role: next meetings and minutes waiting, within what each user may see."""
from datetime import UTC, datetime, timedelta

from coordination.bodies.models import Visibility


def _soon(days: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)


def test_member_sees_own_meetings_and_minutes_open_for_comment(login_as, make, committee):
    body = committee["body"]
    member = committee["people"]["justice"]
    make.meeting(body, _soon(5), title="Committee in five days")
    other = make.body(name="Statistics table", acronym="TS")
    make.meeting(other, _soon(6), title="A table I do not sit on")
    closed = make.body(name="Closed cell", acronym="CC", visibility=Visibility.RESTRICTED)
    make.meeting(closed, _soon(7), title="Closed meeting")
    held = make.meeting(body, datetime(2026, 2, 3, 15, tzinfo=UTC), title="February committee")
    make.minutes(held, status="circulated")
    draft_of = make.meeting(body, datetime(2026, 1, 6, 15, tzinfo=UTC), title="January committee")
    make.minutes(draft_of, status="draft")

    page = login_as(member).get("/dashboard").get_data(as_text=True)
    assert "My next meetings" in page and "Committee in five days" in page and "Answer the invitation" in page
    assert "A table I do not sit on" not in page and "Closed meeting" not in page
    assert "Minutes open for my comments" in page and "February committee" in page
    assert "January committee" not in page  # drafts are the secretariat's


def test_secretariat_sees_all_next_meetings_and_unapproved_minutes(login_as, make, committee):
    body = committee["body"]
    make.meeting(body, _soon(5), title="Committee in five days")
    other = make.body(name="Statistics table", acronym="TS")
    make.meeting(other, _soon(6), title="Statistics table meeting")
    make.minutes(make.meeting(body, datetime(2026, 2, 3, 15, tzinfo=UTC), title="February committee"), status="circulated")
    make.minutes(make.meeting(body, datetime(2026, 1, 6, 15, tzinfo=UTC), title="January committee"), status="draft")
    make.minutes(make.meeting(body, datetime(2025, 12, 2, 15, tzinfo=UTC), title="December committee"), status="approved")

    page = login_as("secretariat").get("/dashboard").get_data(as_text=True)
    assert "Committee in five days" in page and "Statistics table meeting" in page and "Not invited" in page
    assert "Minutes not yet approved" in page
    assert "February committee" in page and "January committee" in page and "December committee" not in page

    evaluator = login_as("evaluator").get("/dashboard").get_data(as_text=True)
    assert "Statistics table meeting" in evaluator and "Minutes not yet approved" not in evaluator


def test_dashboard_query_count_does_not_grow_with_meetings_and_minutes(login_as, make, committee, count_queries):
    body = committee["body"]
    member = committee["people"]["justice"]
    state = {"n": 0}

    def measure(total):
        for i in range(state["n"], total):
            make.meeting(body, _soon(3 + i), title=f"Upcoming {i}")
            make.minutes(make.meeting(body, datetime(2025, 1, 7, 15, tzinfo=UTC) + timedelta(weeks=i)), status="circulated")
        state["n"] = total
        counts = []
        for who in (login_as("secretariat"), login_as(member)):
            with count_queries() as n:
                assert who.get("/dashboard").status_code == 200
            counts.append(n())
        return counts

    assert measure(3) == measure(12)
