"""'As of' means as it was: the plan page, the action list and its CSV on a past date."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from coordination.plans import progress


@pytest.fixture
def created(app):
    """``created(item, when)``: back-date when an item was entered in the portal."""
    from coordination.extensions import db
    from coordination.plans.models import ActionItem

    def set_created(item, when: datetime):
        with app.app_context():
            db.session.execute(sa.update(ActionItem).where(ActionItem.id == item.id).values(created_at=when))
            db.session.commit()
        return item

    return set_created


@pytest.fixture
def history(make, created):
    body = make.body(acronym="CN")
    health = make.organisation(name="Ministry of Health", acronym="MSPP")
    plan = make.plan(body, title="National Plan 2022-2026", period_start=date(2022, 1, 1),
                     period_end=date(2026, 12, 31))
    axis = created(make.item(plan=plan, title="Prevention"), datetime(2022, 1, 10, tzinfo=UTC))
    old = created(make.item(plan=plan, parent=axis, title="Old action", lead_organisation_id=health.id),
                  datetime(2022, 1, 10, tzinfo=UTC))
    make.update(old, date(2023, 3, 1), "in_progress", 60)
    # Entered in 2022 and never reported on: it existed, at 0 %.
    created(make.item(plan=plan, parent=axis, title="Quiet action", lead_organisation_id=health.id),
            datetime(2022, 2, 1, tzinfo=UTC))
    # Added in 2025, after the date looked at: it must not count as 0 % on 2024-01-01.
    created(make.item(plan=plan, parent=axis, title="New action", lead_organisation_id=health.id, weight=3),
            datetime(2025, 5, 1, tzinfo=UTC))
    return {"plan": plan, "axis": axis, "old": old}


def _overall(html: str) -> str:
    return re.search(r'aria-label="Overall progress">(\d+)\s?%', html).group(1)


def test_items_created_after_the_date_are_left_out_of_the_roll_up(login_as, history):
    c = login_as("evaluator")
    then = c.get(f"/plans/{history['plan'].id}?as_of=2024-01-01").get_data(as_text=True)
    assert _overall(then) == "30" and "Quiet action" in then and "New action" not in then  # (60 + 0) / 2
    now = c.get(f"/plans/{history['plan'].id}").get_data(as_text=True)
    assert _overall(now) == "12" and "New action" in now  # (1×60 + 1×0 + 3×0) / 5


def test_an_item_typed_in_later_still_shows_the_reports_dated_before(login_as, make, created, history):
    late = created(make.item(plan=history["plan"], parent=history["axis"], title="Entered late"),
                   datetime(2025, 6, 1, tzinfo=UTC))
    make.update(late, date(2023, 6, 1), "in_progress", 20)  # its report predates its entry
    then = login_as("evaluator").get(f"/plans/{history['plan'].id}?as_of=2024-01-01").get_data(as_text=True)
    assert "Entered late" in then and _overall(then) == "27"  # (60 + 0 + 20) / 3


def test_a_date_before_the_plan_period_says_so(login_as, history):
    c = login_as("evaluator")
    page = c.get(f"/plans/{history['plan'].id}?as_of=2021-06-30").get_data(as_text=True)
    assert "is before the period of this plan" in page
    overview = c.get("/plans/?as_of=2021-06-30").get_data(as_text=True)
    assert "Not started on" in overview
    assert "is before the period" not in c.get(f"/plans/{history['plan'].id}?as_of=2024-01-01").get_data(as_text=True)


def test_the_action_list_and_its_csv_honour_as_of(login_as, history):
    c = login_as("evaluator")
    listing = c.get("/plans/items?as_of=2024-01-01").get_data(as_text=True)
    assert "Old action" in listing and "New action" not in listing and "2 actions match" in listing
    assert 'name="as_of"' in listing and "as they stood on" in listing
    assert "as_of=2024-01-01" in listing  # the CSV link keeps the date
    response = c.get("/plans/items.csv?as_of=2024-01-01")
    assert response.status_code == 200 and "action-items-2024-01-01.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == ["Old action", "Quiet action"]
    assert rows[0]["status"] == "In progress" and rows[0]["status code"] == "in_progress"
    assert rows[0]["progress %"] == "60" and rows[0]["axis"] == "1. Prevention"
    today_rows = list(csv.DictReader(io.StringIO(c.get("/plans/items.csv").data.decode("utf-8-sig"))))
    assert {r["title"] for r in today_rows} == {"Old action", "Quiet action", "New action"}
    assert {r["status"] for r in today_rows} == {"In progress", "Not started"}


def test_bad_as_of_on_the_list_and_csv(login_as, history):
    c = login_as("evaluator")
    bad = c.get("/plans/items?as_of=2024-13-01")
    assert bad.status_code == 400 and "Enter the date as YYYY-MM-DD." in bad.get_data(as_text=True)
    assert 'id="f-as_of-error"' in bad.get_data(as_text=True)
    assert c.get("/plans/items.csv?as_of=someday").status_code == 400


def test_day_end_follows_the_portal_zone():
    # The end of 31 March in Port-au-Prince (UTC-4 then) is 04:00 UTC on 1 April.
    assert progress.day_end_utc(date(2026, 3, 31), "America/Port-au-Prince") == datetime(2026, 4, 1, 4, tzinfo=UTC)
