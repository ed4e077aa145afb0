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


def test_plan_progress_is_cached_under_the_plan_stamp_and_follows_every_write(app, login_as, make, count_queries):
    """The plans' progress is cached under each plan's items stamp: a warm dashboard runs fewer
    queries, and a new report or a bulk change of an item shows at once."""
    import re

    import sqlalchemy as sa

    from coordination.extensions import db
    from coordination.plans.models import ActionItem, ItemStatus, ProgressUpdate
    from tests import today

    org = make.organisation()
    plan = make.big_plan(make.body(), org, 12, today())
    secretariat = login_as("secretariat")

    def progress_of_plan() -> tuple[str, str]:
        html = secretariat.get("/dashboard").get_data(as_text=True)
        line = re.search(rf'href="/plans/{plan.id}">.*?</li>', html, re.S).group(0)
        value = re.search(r'<progress [^>]*value="(\d+)"', line)
        overdue = re.search(r"(\d+) overdue", line)
        return (value.group(1) if value else "none", overdue.group(1) if overdue else "0")

    with count_queries() as cold:
        first = progress_of_plan()
    with count_queries() as warm:
        assert progress_of_plan() == first
    assert warm() < cold()

    def action(number: int) -> int:
        return db.session.execute(sa.select(ActionItem.id).where(
            ActionItem.plan_id == plan.id, ActionItem.title == f"Action {number}")).scalar_one()

    with app.app_context():
        db.session.add(ProgressUpdate(item_id=action(1), update_date=today(), status=ItemStatus.COMPLETED, progress=100))
        db.session.commit()
    second = progress_of_plan()
    assert second[0] != first[0]  # the report moved the overall figure at once
    with app.app_context():  # a bulk statement, not the ORM: the trigger still moves the stamp
        db.session.execute(sa.update(ActionItem).where(ActionItem.id == action(3)).values(deadline=today() + timedelta(days=9)))
        db.session.commit()
    assert progress_of_plan()[1] == str(int(second[1]) - 1)  # action 3 was overdue; it no longer is
