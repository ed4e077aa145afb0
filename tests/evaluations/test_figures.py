"""Figures of a plan as of a date, against hand-computed numbers."""
from datetime import date

from coordination.evaluations import queries
from coordination.evaluations.figures import percent_of_target, plan_figures
from coordination.extensions import db
from coordination.plans.models import ActionPlan


def test_figures_as_of_a_date_match_hand_computed_numbers(small_plan, app):
    with app.app_context():
        plan = db.session.get(ActionPlan, small_plan["plan"].id)
        f = plan_figures(plan, date(2021, 12, 31))
    assert f["summary"]["overall"] == 37.5
    assert f["summary"]["actions"] == 3  # d was created in 2022: left out
    assert f["summary"]["counts"] == {"not_started": 1, "in_progress": 1, "completed": 1, "delayed": 0, "cancelled": 0}
    assert (f["summary"]["completed"], f["summary"]["overdue"], f["summary"]["not_started"]) == (1, 1, 1)
    assert [(a["title"], a["progress"], a["completed"], a["overdue"]) for a in f["axes"]] == [
        ("Axis one", 75.0, 1, 0), ("Axis two", 0.0, 0, 1)]
    assert [(o["name"], o["items"], o["completed"], o["overdue"], o["mean_progress"]) for o in f["owners"]] == [
        ("MAST", 1, 0, 1, 0.0), ("MJSP", 1, 0, 0, 50.0), ("MSPP", 1, 1, 0, 100.0)]
    assert [(o["title"], o["days_late"]) for o in f["overdue"]] == [("Action c", 92)]
    by_title = {r["title"]: r for r in f["items"]}
    assert "Action d" not in by_title
    assert by_title["Action b"]["status"] == "in_progress" and by_title["Action b"]["update_date"] == "2021-03-01"
    assert by_title["Action b"]["narrative"] == "Half the judges."  # the 2022 report is later
    assert by_title["Action a"]["narrative"] == "Done on time."
    [indicator] = f["indicators"]
    assert (indicator["baseline"], indicator["target"], indicator["value"], indicator["percent_of_target"]) == (
        10.0, 30.0, 20.0, 50.0)


def test_later_date_takes_in_the_new_item_and_later_reports(small_plan, app):
    with app.app_context():
        plan = db.session.get(ActionPlan, small_plan["plan"].id)
        f = plan_figures(plan, date(2022, 12, 31))
    by_title = {r["title"]: r for r in f["items"]}
    assert by_title["Action d"]["progress"] == 10.0
    assert by_title["Action b"]["status"] == "delayed"
    # axis two: c 0 % and d 10 % → 5 %; axis one: (100 + 60) / 2 = 80 %; overall 42.5 %
    assert [a["progress"] for a in f["axes"]] == [80.0, 5.0]
    assert f["summary"]["overall"] == 42.5


def test_percent_of_target():
    assert percent_of_target(0, 10, 5) == 50.0
    assert percent_of_target(10, 30, 20) == 50.0
    assert percent_of_target(None, 10, 12) == 120.0
    assert percent_of_target(5, 5, 5) is None
    assert percent_of_target(0, 10, None) is None


def test_governance_health_from_records(small_plan, committee, app, make):
    """The committee's charter (majority quorum), meetings, attendance and minutes give its health."""
    from datetime import UTC, datetime

    from coordination.evaluations.health import governance_health
    from coordination.meetings.models import MeetingStatus, Presence

    body = committee["body"]
    held = make.meeting(body, start=datetime(2021, 3, 3, 15, tzinfo=UTC), status="held")
    second = make.meeting(body, start=datetime(2021, 9, 3, 15, tzinfo=UTC), status="held")
    with app.app_context():
        from coordination.meetings.models import Meeting
        from coordination.minutes.models import Minutes, MinutesStatus

        first = db.session.get(Meeting, held.id)
        for inv in first.invitations:  # health and justice present: 2 of 3 members → quorum
            if inv.person.full_name in ("Health Principal", "Justice Member"):
                inv.presence = Presence.PRESENT
        later = db.session.get(Meeting, second.id)
        later.status = MeetingStatus.HELD  # nobody present: no quorum; its minutes never approved
        db.session.add(Minutes(meeting=first, number=1, status=MinutesStatus.APPROVED,
                               approved_at_meeting=later, approved_on=datetime(2026, 1, 1, tzinfo=UTC)))
        db.session.commit()
        g = governance_health([body.id], date(2021, 1, 1), date(2021, 12, 31))
    [row] = g["bodies"]
    assert row["charter"] is not None and row["legal_status"] == "informal" and not row["can_sign"]
    assert row["unsigned"] == ["MAST", "MJSP", "MSPP"]
    assert (row["meetings_held"], row["meetings_expected"]) == (2, 12)  # monthly charter
    assert (row["quorum_judged"], row["quorum_met"], row["quorum_share"]) == (2, 1, 50.0)
    assert row["median_days_to_approval"] == 184.0  # 3 March → 3 September
    assert [m["date"] for m in row["minutes_late"]] == ["2021-09-03"]  # 119 days > 60
    assert (row["member_items"], row["member_items_overdue"]) == (3, 1)  # c is late
    assert row["flags"] == ["cannot_sign", "unsigned", "frequency", "quorum", "minutes", "overdue"]
    assert {c["area"] for c in g["coverage"]} == set(app.config["GEOGRAPHIC_AREAS"])


def test_no_charter_is_a_finding_by_itself(app, make):
    body = make.body(name="Task force without charter", acronym="TF")
    with app.app_context():
        from coordination.evaluations.health import governance_health

        g = governance_health([body.id], date(2025, 1, 1), date(2025, 12, 31))
    assert g["bodies"][0]["flags"] == ["no_charter"]
    assert g["bodies"][0]["charter"] is None


def test_live_figures_of_a_draft(small_plan, app, make):
    ev = make.evaluation(small_plan["plan"], as_of=date(2021, 12, 31), period_start=date(2020, 1, 1),
                         period_end=date(2021, 12, 31))
    with app.app_context():
        loaded = queries.get_evaluation(ev.id)
        f = queries.figures_of(loaded)
    assert f["summary"]["overall"] == 37.5
    assert f["governance"]["bodies"][0]["name"] == "National Committee"
