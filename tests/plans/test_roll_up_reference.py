"""The roll-up checked against a plain statement of its rules, written here as a slow recursive
reference: weighted progress, derived status, overdue on the date, items that did not exist on
the date neither shown nor counted. Exact figures are compared (floats included), in memory, over
the database (``light_nodes``) and on the plan page, folded and unfolded."""
from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from coordination.plans import progress
from coordination.plans.models import ActionItem, ItemStatus

NS, IP, DONE, DELAYED, CANCELLED = (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.COMPLETED,
                                    ItemStatus.DELAYED, ItemStatus.CANCELLED)


def reference(items, states: dict[int, progress.State], as_of: date) -> dict[int, tuple]:
    """Each node's (progress, status, overdue, is leaf, leaf counts, overdue leaves), by the rules."""
    ids = {i.id for i in items}
    kids_of: dict[int | None, list] = {}
    for i in items:
        kids_of.setdefault(i.parent_id if i.parent_id in ids else None, []).append(i)
    out: dict[int, tuple] = {}

    def visit(item) -> tuple:
        kids = [(k, visit(k)) for k in kids_of.get(item.id, [])]
        if not kids:
            state = states.get(item.id, progress.NOT_STARTED)
            overdue = item.deadline is not None and item.deadline < as_of and state.status not in (DONE, CANCELLED)
            figures = (float(state.progress), state.status, overdue, True, Counter({state.status: 1}), int(overdue))
        else:
            live = [(k, f) for k, f in kids if f[1] != CANCELLED]
            weighed = [(k.weight, f[0]) for k, f in live if f[0] is not None]
            total = sum(w for w, _ in weighed)
            value = sum(w * p for w, p in weighed) / total if total else None
            if not live:
                status = CANCELLED
            elif all(f[1] == DONE for _, f in live):
                status = DONE
            elif any(f[1] == DELAYED or f[2] for _, f in live):
                status = DELAYED
            elif any(f[1] != NS for _, f in live):
                status = IP
            else:
                status = NS
            counts = sum((f[4] for _, f in kids), Counter())
            figures = (value, status, False, False, counts, sum(f[5] for _, f in kids))
        out[item.id] = figures
        return figures

    for root in kids_of.get(None, []):
        visit(root)
    return out


def existing(items, states, cutoff: datetime) -> list:
    """The items that existed at ``cutoff`` (created before, or reported on), and their ancestors."""
    by_id = {i.id: i for i in items}
    kept: set[int] = set()
    for i in items:
        if i.created_at < cutoff or i.id in states:
            node = i
            while node is not None and node.id not in kept:
                kept.add(node.id)
                node = by_id.get(node.parent_id)
    return [i for i in items if i.id in kept]


def _as_tuple(node: progress.NodeProgress) -> tuple:
    return (node.progress, node.status, node.overdue, node.is_leaf, +node.leaf_counts, node.overdue_leaves)


@pytest.mark.parametrize("seed", range(6))
def test_roll_up_matches_the_rules_on_random_trees(seed):
    rng = random.Random(seed)
    as_of = date(2024, 6, 30)
    items, level, next_id = [], [None], 1
    for depth in range(4):
        below = []
        for parent in level:
            for _ in range(rng.randint(1 if depth < 3 else 0, 4 if depth else 3)):
                item = ActionItem(id=next_id, parent_id=parent, weight=rng.choice([1, 1, 2, 3, 7]),
                                  deadline=rng.choice([None, as_of - timedelta(days=1), as_of, as_of + timedelta(days=9)]))
                items.append(item)
                below.append(next_id)
                next_id += 1
        level = below
    rng.shuffle(items)  # the roll-up does not rely on the tree order
    states = {i.id: progress.State(rng.choice(list(ItemStatus)), rng.randint(0, 100))
              for i in items if rng.random() < 0.7}
    nodes = progress.roll_up(items, states, as_of)
    assert {i: _as_tuple(n) for i, n in nodes.items()} == reference(items, states, as_of)
    assert all(nodes[i.id].item is i and nodes[i.id].state == states.get(i.id, progress.NOT_STARTED) for i in items)


@pytest.fixture
def deep_plan(app, make):
    """Two axes, objectives, actions and sub-actions with weights, reports through 2023–2025 of
    every status, deadlines either side of 30 June 2024, and items entered after that date."""
    from coordination.extensions import db

    body = make.body()
    plan = make.plan(body, period_start=date(2022, 1, 1), period_end=date(2027, 12, 31))
    rng = random.Random(7)
    entered = datetime(2022, 1, 5, tzinfo=UTC)
    late = datetime(2025, 3, 1, tzinfo=UTC)
    dates = [date(2023, 2, 1), date(2023, 9, 1), date(2024, 6, 30), date(2024, 7, 1), date(2025, 1, 15)]
    created_late: list[int] = []
    for a in range(2):
        axis = make.item(plan=plan, title=f"Axis {a}", weight=a + 1)
        for o in range(3):
            objective = make.item(plan=plan, parent=axis, title=f"Objective {a}.{o}", weight=rng.choice([1, 2]))
            for n in range(4):
                action = make.item(plan=plan, parent=objective, title=f"Action {a}.{o}.{n}", weight=rng.choice([1, 2, 5]),
                                   deadline=rng.choice([None, date(2024, 1, 31), date(2024, 6, 29), date(2026, 1, 1)]))
                steps = []
                if n == 3:  # sub-actions: the action's own reports no longer count
                    steps = [make.item(plan=plan, parent=action, title=f"Step {a}.{o}.{n}.{s}", weight=s + 1,
                                       deadline=date(2024, 3, 1)) for s in range(3)]
                for reported in [action, *steps]:
                    for when in rng.sample(dates, rng.randint(0, 3)):
                        make.update(reported, when, rng.choice(list(ItemStatus)).value, rng.randint(0, 100))
                if (o + n) % 5 == 4:
                    created_late.append((steps or [action])[-1].id)
    # Entered after the date: not counted then, unless a report dated by then says it existed.
    make.item(plan=plan, title="Axis added later")
    with app.app_context():
        db.session.execute(sa.update(ActionItem).where(ActionItem.plan_id == plan.id).values(created_at=entered))
        db.session.execute(sa.update(ActionItem).where(
            ActionItem.id.in_(created_late) | (ActionItem.title == "Axis added later")).values(created_at=late))
        db.session.commit()
    return plan


def _expected(session, plan_id: int, as_of: date, zone: str):
    items = session.execute(sa.select(ActionItem).where(ActionItem.plan_id == plan_id)
                            .order_by(ActionItem.sort_key)).scalars().all()
    states = progress.states_as_of(ActionItem.plan_id == plan_id, as_of)
    kept = existing(items, states, progress.day_end_utc(as_of, zone))
    return {i.id: i for i in kept}, reference(kept, states, as_of)


@pytest.mark.parametrize("as_of", [date(2024, 6, 30), date(2026, 2, 1)])
def test_light_nodes_match_the_rules(app, deep_plan, db_read, as_of):
    from coordination.plans import queries

    with db_read() as session:
        items, expected = _expected(session, deep_plan.id, as_of, app.config["DEFAULT_TIMEZONE"])
        nodes = queries.light_nodes(ActionItem.plan_id == deep_plan.id, as_of)
        assert {i: _as_tuple(n) for i, n in nodes.items()} == expected
        assert {i: (n.item.code, n.item.sort_key, n.item.weight) for i, n in nodes.items()} == {
            i: (item.code, item.sort_key, item.weight) for i, item in items.items()}
        if as_of < date(2025, 1, 1):
            assert "Axis added later" not in {n.item.title for n in nodes.values()}
            assert len(nodes) < session.execute(sa.select(sa.func.count()).where(
                ActionItem.plan_id == deep_plan.id)).scalar()


ROW = re.compile(r'<tr id="item-(\d+)".*?</tr>', re.S)


def _shown(html: str) -> dict[int, tuple]:
    """Each row's status label, overdue badge, overdue leaves badge and rounded progress."""
    rows = {}
    for match in ROW.finditer(html):
        row = match.group(0)
        status = re.search(r'<span class="badge text-bg-\w+">([^<]+)</span>', row).group(1)
        leaves = re.search(r">(\d+) overdue</span>", row)
        value = re.search(r'<progress [^>]*value="(\d+)"', row)
        rows[int(match.group(1))] = (status, ">Overdue</span>" in row, int(leaves.group(1)) if leaves else 0,
                                     int(value.group(1)) if value else None)
    return rows


def _label(figures: tuple) -> tuple:
    value, status, overdue, is_leaf, _counts, leaves = figures
    return (status.label, overdue, 0 if is_leaf else leaves, round(value) if value is not None else None)


@pytest.mark.parametrize("as_of", [date(2024, 6, 30), date(2026, 2, 1)])
def test_the_plan_page_folded_and_unfolded_shows_the_rules_figures(app, deep_plan, db_read, login_as, as_of):
    with db_read() as session:
        items, expected = _expected(session, deep_plan.id, as_of, app.config["DEFAULT_TIMEZONE"])
    c = login_as("evaluator")
    url = f"/plans/{deep_plan.id}?as_of={as_of}"
    html = c.get(url).get_data(as_text=True)
    shown = _shown(html)
    assert set(shown) == {i for i, item in items.items() if item.depth <= 1}
    assert shown == {i: _label(expected[i]) for i in shown}
    axes = [i for i, item in items.items() if item.parent_id is None]
    counts = sum((expected[a][4] for a in axes), Counter())
    row = re.search(r"<caption>Actions by status</caption>.*?<tbody><tr>(.*?)</tr>", html, re.S).group(1)
    assert [int(n) for n in re.findall(r">(\d+)</td>", row)] == [counts[s] for s in ItemStatus] + [
        sum(expected[a][5] for a in axes)]
    weighed = [(items[a].weight, expected[a][0]) for a in axes if expected[a][1] != CANCELLED and expected[a][0] is not None]
    overall = sum(w * p for w, p in weighed) / sum(w for w, _ in weighed)
    assert re.search(rf'aria-label="Overall progress">{round(overall)}\s?%', html)
    index = c.get(f"/plans/?as_of={as_of}").get_data(as_text=True)  # every plan's summary, from its axes
    listed = re.search(rf">{re.escape(deep_plan.title)}</a>.*?</tr>", index, re.S).group(0)
    assert re.search(rf'aria-label="Overall progress">{round(overall)}\s?%', listed)
    assert re.search(r'<td class="text-end">(\d+)</td></tr>', listed).group(1) == str(sum(expected[a][5] for a in axes))
    # Every node unfolded: its children's figures, the path to it still shown; the date kept.
    for parent in (i for i, item in items.items() if any(k.parent_id == i for k in items.values())):
        unfolded = _shown(c.get(f"{url}&open={parent}").get_data(as_text=True))
        kids = {i for i, item in items.items() if item.parent_id == parent}
        assert kids <= set(unfolded)
        assert unfolded == {i: _label(expected[i]) for i in unfolded}
