"""A small plan with a hand-computable history, for the evaluation tests."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from coordination.extensions import db
from tests import factories


def backdate(item, day: date) -> None:
    """Pretend the item was created on ``day`` (items created after an as-of date are left out)."""
    item.created_at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@pytest.fixture
def small_plan(app, committee):
    """Two axes; actions a (health), b (justice, indicator), c (social); d created in June 2022.

    As of 2021-12-31: a completed 100 %, b in progress 50 %, c not started and 92 days late;
    axis 1 = 75 %, axis 2 = 0 %, overall 37.5 %.
    """
    health, justice, social, _un = committee["orgs"]
    with app.app_context():
        body = db.session.merge(committee["body"])
        plan = factories.plan(body, title="Test plan 2020–2026", period_start=date(2020, 1, 1),
                              period_end=date(2026, 12, 31))
        ax1 = factories.item(plan, title="Axis one")
        ax2 = factories.item(plan, title="Axis two")
        a = factories.item(plan, ax1, title="Action a", lead_organisation_id=health.id, deadline=date(2021, 6, 30))
        b = factories.item(plan, ax1, title="Action b", lead_organisation_id=justice.id, deadline=date(2023, 12, 31))
        c = factories.item(plan, ax2, title="Action c", lead_organisation_id=social.id, deadline=date(2021, 9, 30))
        d = factories.item(plan, ax2, title="Action d", lead_organisation_id=social.id, deadline=date(2024, 1, 1))
        for item in (ax1, ax2, a, b, c):
            backdate(item, date(2020, 1, 15))
        backdate(d, date(2022, 6, 1))
        from coordination.plans.models import Indicator, IndicatorValue

        indicator = Indicator(item=b, name="Judges trained", unit="people", baseline=10, target=30)
        db.session.add(indicator)
        db.session.flush()
        factories.update(a, date(2021, 1, 10), "in_progress", 40, narrative="Started.")
        factories.update(a, date(2021, 7, 1), "completed", 100, narrative="Done on time.")
        ub = factories.update(b, date(2021, 3, 1), "in_progress", 50, narrative="Half the judges.")
        db.session.add(IndicatorValue(update=ub, indicator_id=indicator.id, value=20))
        factories.update(b, date(2022, 1, 1), "delayed", 60, narrative="Funds late.")
        factories.update(d, date(2022, 7, 1), "in_progress", 10)
        db.session.commit()
        return {"plan": plan, "ax1": ax1, "ax2": ax2, "a": a, "b": b, "c": c, "d": d, "indicator": indicator,
                "body": body}
