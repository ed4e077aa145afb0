"""Unit tests of the as-of and roll-up logic, with hand-computed expectations."""
from datetime import date

import pytest

from coordination.plans import progress
from coordination.plans.models import ActionItem, ItemStatus, ProgressUpdate

IP, DONE, CANCELLED, DELAYED, NS = (ItemStatus.IN_PROGRESS, ItemStatus.COMPLETED, ItemStatus.CANCELLED,
                                    ItemStatus.DELAYED, ItemStatus.NOT_STARTED)


def test_weighted_progress_leaves_out_cancelled_children():
    # (1×50 + 3×100) / (1 + 3) = 87.5; the cancelled child (weight 2) does not count.
    assert progress.weighted_progress([(1, 50, IP), (3, 100, DONE), (2, 0, CANCELLED)]) == 87.5
    assert progress.weighted_progress([(1, 40, IP), (1, 60, IP)]) == 50
    assert progress.weighted_progress([(2, 10, CANCELLED)]) is None
    assert progress.weighted_progress([]) is None


def _update(uid, when, status, pct):
    return ProgressUpdate(id=uid, update_date=when, status=status, progress=pct)


def test_state_on_a_date_is_the_latest_update_on_or_before_it():
    updates = [_update(1, date(2023, 1, 10), IP, 20), _update(2, date(2023, 6, 1), DELAYED, 35),
               _update(3, date(2023, 6, 1), IP, 40), _update(4, date(2024, 2, 1), DONE, 100)]
    assert progress.state_from_updates(updates, date(2022, 12, 31)) == progress.NOT_STARTED
    assert progress.state_from_updates(updates, date(2023, 1, 10)).progress == 20
    # Two reports on the same day: the one recorded last wins.
    assert progress.state_from_updates(updates, date(2023, 6, 1)) == progress.State(IP, 40, date(2023, 6, 1))
    assert progress.state_from_updates(updates, date(2024, 1, 31)).progress == 40
    assert progress.state_from_updates(updates, date(2030, 1, 1)).status == DONE


@pytest.mark.parametrize("deadline,status,as_of,overdue", [
    (date(2024, 1, 1), IP, date(2024, 1, 2), True),
    (date(2024, 1, 1), IP, date(2024, 1, 1), False),  # due today is not overdue yet
    (date(2024, 1, 1), DONE, date(2025, 1, 1), False),
    (date(2024, 1, 1), CANCELLED, date(2025, 1, 1), False),
    (None, IP, date(2025, 1, 1), False),
])
def test_overdue(deadline, status, as_of, overdue):
    assert progress.is_overdue(deadline, status, as_of) is overdue


def _tree():
    """Axis 1 ─ objective 1.1 ─ a (w1), b (w3)
              └ objective 1.2 ─ c (w1, cancelled later), d (w1)"""
    axis = ActionItem(id=1, parent_id=None, weight=1, sort_key="1")
    o1 = ActionItem(id=2, parent_id=1, weight=1, sort_key="1.1")
    o2 = ActionItem(id=3, parent_id=1, weight=1, sort_key="1.2")
    a = ActionItem(id=4, parent_id=2, weight=1, sort_key="1.1.1", deadline=date(2023, 12, 31))
    b = ActionItem(id=5, parent_id=2, weight=3, sort_key="1.1.2", deadline=date(2025, 12, 31))
    c = ActionItem(id=6, parent_id=3, weight=1, sort_key="1.2.1")
    d = ActionItem(id=7, parent_id=3, weight=1, sort_key="1.2.2")
    return [axis, o1, o2, a, b, c, d]


HISTORY = {
    4: [_update(1, date(2023, 3, 1), IP, 40), _update(2, date(2024, 3, 1), DONE, 100)],
    5: [_update(3, date(2023, 6, 1), IP, 20), _update(4, date(2024, 6, 1), IP, 60)],
    6: [_update(5, date(2023, 3, 1), IP, 30), _update(6, date(2024, 1, 15), CANCELLED, 30)],
    7: [_update(7, date(2023, 9, 1), IP, 50), _update(8, date(2024, 9, 1), IP, 70)],
}


def _nodes(as_of):
    items = _tree()
    states = {i: progress.state_from_updates(u, as_of) for i, u in HISTORY.items()}
    return progress.roll_up(items, states, as_of)


def test_roll_up_on_several_dates():
    # 2023-12-31: a=40, b=20 → 1.1 = (1×40 + 3×20)/4 = 25; c=30, d=50 → 1.2 = 40; axis = (25+40)/2 = 32.5
    n = _nodes(date(2023, 12, 31))
    assert n[2].progress == 25 and n[3].progress == 40 and n[1].progress == 32.5
    # 2024-01-31: a overdue since 2024-01-01 (still 40 %); c cancelled → 1.2 = d = 50; axis = (25+50)/2 = 37.5
    n = _nodes(date(2024, 1, 31))
    assert n[4].overdue is True and n[1].overdue_leaves == 1
    assert n[3].progress == 50 and n[1].progress == 37.5
    assert n[2].status == DELAYED  # an overdue child makes the objective delayed
    # 2024-12-31: a=100, b=60 → 1.1 = (100+180)/4 = 70; 1.2 = d = 70; axis = 70
    n = _nodes(date(2024, 12, 31))
    assert n[2].progress == 70 and n[3].progress == 70 and n[1].progress == 70
    assert n[1].leaf_counts == {DONE: 1, IP: 2, CANCELLED: 1}
    # Before anything was reported everything is not started at 0 %.
    n = _nodes(date(2022, 1, 1))
    assert n[1].progress == 0 and n[1].status == NS


def test_all_children_cancelled_gives_no_progress_and_cancelled_status():
    parent = ActionItem(id=1, parent_id=None, weight=1, sort_key="1")
    kids = [ActionItem(id=2, parent_id=1, weight=1, sort_key="1.1"), ActionItem(id=3, parent_id=1, weight=2, sort_key="1.2")]
    states = {2: progress.State(CANCELLED, 10), 3: progress.State(CANCELLED, 0)}
    n = progress.roll_up([parent, *kids], states, date(2024, 1, 1))
    assert n[1].progress is None and n[1].status == CANCELLED


def test_plan_summary_weights_axes():
    axis1 = ActionItem(id=1, parent_id=None, weight=1, sort_key="1")
    axis2 = ActionItem(id=2, parent_id=None, weight=3, sort_key="2")
    states = {1: progress.State(IP, 20), 2: progress.State(IP, 60)}
    summary = progress.summarise(progress.roll_up([axis1, axis2], states, date(2024, 1, 1)))
    assert summary.overall == (20 + 180) / 4
    assert [a.item.id for a in summary.axes] == [1, 2]


def test_states_as_of_in_the_database_matches_the_pure_logic(app, make, db_read):
    body = make.body()
    plan = make.plan(body)
    first = make.item(plan=plan)
    second = make.item(plan=plan)
    make.update(first, date(2023, 1, 1), "in_progress", 10)
    make.update(first, date(2023, 5, 1), "in_progress", 30)
    make.update(first, date(2023, 5, 1), "delayed", 25)  # same day, recorded later
    make.update(second, date(2024, 1, 1), "completed", 100)
    with db_read():
        from coordination.plans.models import ActionItem as Item

        states = progress.states_as_of(Item.plan_id == plan.id, date(2023, 6, 1))
        assert states[first.id] == progress.State(DELAYED, 25, date(2023, 5, 1))
        assert second.id not in states
        states = progress.states_as_of(Item.plan_id == plan.id, date(2024, 1, 1))
        assert states[second.id].status == DONE
        assert progress.states_as_of(Item.plan_id == plan.id, date(2022, 1, 1)) == {}
