"""The plan page does not grow with the plan: axes and objectives with their roll-up, the rest
unfolded on demand with plain links (no JavaScript), page by page, "as of" kept."""
import re
from datetime import date, timedelta

from coordination.bodies.models import Visibility
from coordination.plans import queries
from tests import today

TODAY = today()
# As of a date on which the actions (entered today) exist: an earlier one would leave them out.
AS_OF = TODAY.isoformat()


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="item-\d+"[^>]*>\s*<td class="tree-depth-\d">([^<]+)</td>', html)


def test_plan_page_size_and_queries_do_not_follow_the_plan(login_as, make, count_queries):
    """50 and 500 actions (the benchmark checks 5,000; building them here would be slow)."""
    org = make.organisation()
    member = login_as(make.user(organisation=org))

    def measure(actions):
        plan = make.big_plan(make.body(), org, actions, TODAY)
        with count_queries() as n:
            response = member.get(f"/plans/{plan.id}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert len(_rows(html)) == 12  # 2 axes + 10 objectives, no action
        return n(), len(response.data), html

    small_queries, small_size, small = measure(50)
    large_queries, large_size, large = measure(500)
    assert small_queries == large_queries
    assert abs(large_size - small_size) < 0.01 * small_size
    # The figures still cover every action: the status counts add up to the whole plan.
    assert "Show its 5 items" in small and "Show its 50 items" in large
    row = re.search(r"<caption>Actions by status</caption>.*?<tbody><tr>(.*?)</tr>", large, re.S).group(1)
    cells = [int(n) for n in re.findall(r">(\d+)</td>", row)]
    assert sum(cells[:-1]) == 500 and cells[-1] > 0  # every status, then the overdue ones


def test_unfolding_pages_through_the_items_and_keeps_the_date(login_as, make, monkeypatch):
    monkeypatch.setattr(queries, "UNFOLDED_PAGE", 3)
    org = make.organisation()
    plan = make.big_plan(make.body(), org, 70, TODAY)  # 7 actions under each objective
    c = login_as("evaluator")
    outline = c.get(f"/plans/{plan.id}?as_of={AS_OF}").get_data(as_text=True)
    link = re.search(rf'href="(/plans/\d+\?open=(\d+)&amp;as_of={AS_OF})#item-\d+">Show its 7 items', outline)
    assert link, "each objective links to its items, keeping the date"
    objective = link.group(2)
    first = c.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    codes = _rows(first)
    assert [code for code in codes if code.count(".") == 2] == ["1.1.1", "1.1.2", "1.1.3"]
    assert "Page 1 of 3" in first and "Fold them back" in first and f'value="{AS_OF}"' in first
    following = re.search(r'href="([^"]+page=2[^"]*)#tree-title">Next', first).group(1).replace("&amp;", "&")
    assert f"open={objective}" in following and f"as_of={AS_OF}" in following
    second = c.get(following).get_data(as_text=True)
    assert [code for code in _rows(second) if code.count(".") == 2] == ["1.1.4", "1.1.5", "1.1.6"]
    last = c.get(f"/plans/{plan.id}?open={objective}&page=99").get_data(as_text=True)
    assert [code for code in _rows(last) if code.count(".") == 2] == ["1.1.7"] and "Page 3 of 3" in last


def test_bad_or_foreign_open_arguments_show_the_outline(login_as, make):
    org = make.organisation()
    plan = make.big_plan(make.body(), org, 20, TODAY)
    other = make.big_plan(make.body(), org, 20, TODAY)
    c = login_as("evaluator")
    for arg in ("abc", "-1", "999999", "1.5"):
        response = c.get(f"/plans/{plan.id}?open={arg}")
        assert response.status_code == 200 and len(_rows(response.get_data(as_text=True))) == 12
    foreign = re.search(r'open=(\d+)', c.get(f"/plans/{other.id}").get_data(as_text=True)).group(1)
    response = c.get(f"/plans/{plan.id}?open={foreign}&page=x")
    assert response.status_code == 200 and len(_rows(response.get_data(as_text=True))) == 12
    bad_date = c.get(f"/plans/{plan.id}?open=1&as_of=2024-02-30")
    assert bad_date.status_code == 400 and "Enter the date as YYYY-MM-DD." in bad_date.get_data(as_text=True)


def test_a_restricted_plan_stays_hidden_when_unfolded(login_as, make):
    closed = make.body(visibility=Visibility.RESTRICTED)
    org = make.organisation()
    plan = make.big_plan(closed, org, 10, TODAY)
    outsider = login_as("member")
    assert outsider.get(f"/plans/{plan.id}?open=1").status_code == 404
    assert outsider.get(f"/plans/{plan.id}?open=1&page=2").status_code == 404


def test_a_new_action_lands_on_its_unfolded_parent(login_as, make, db_read):
    org = make.organisation()
    plan = make.big_plan(make.body(), org, 10, TODAY)
    c = login_as("secretariat")
    html = c.get(f"/plans/{plan.id}").get_data(as_text=True)
    objective = re.search(r'open=(\d+)[^"]*#item-\d+">Show its', html).group(1)
    url = f"/plans/{plan.id}/items/new?parent={objective}"
    response = c.submit(url, {"title": "New action", "priority": "medium", "weight": "1", "scope_national": "y",
                              "start_date": "2022-01-01", "deadline": "2026-12-31"}, token_url=url)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert f"open={objective}" in location and "page=1" in location
    item_id = re.search(r"#item-(\d+)", location).group(1)
    assert f'id="item-{item_id}"' in c.get(location.split("#")[0]).get_data(as_text=True)


def test_the_summary_still_covers_the_whole_plan_as_of_a_date(login_as, make):
    body = make.body()
    plan = make.plan(body)
    axis = make.item(plan=plan, title="Axis")
    objective = make.item(plan=plan, parent=axis, title="Objective")
    a = make.item(plan=plan, parent=objective, weight=1)
    b = make.item(plan=plan, parent=objective, weight=3)
    make.update(a, date(2023, 3, 1), "in_progress", 40)
    make.update(b, date(2023, 6, 1), "in_progress", 20)
    c = login_as("evaluator")
    html = c.get(f"/plans/{plan.id}?as_of=2023-12-31").get_data(as_text=True)
    assert re.search(r'aria-label="Overall progress">25\s?%', html)
    assert len(_rows(html)) == 2  # the axis and its objective; the actions unfold on demand


def _overall(html: str) -> str:
    return re.search(r"Overall progress: .*?(\d+(?:\.\d+)?) ?%", html, re.S).group(1)


def test_the_cached_roll_up_follows_every_write_to_the_plan(app, login_as, make, count_queries):
    """The roll-up is cached under the plan's items stamp: a warm page runs fewer queries,
    and a report, a bulk change of an item or a deleted action shows at once."""
    import sqlalchemy as sa

    from coordination.extensions import db
    from coordination.plans.models import ActionItem, ItemStatus, ProgressUpdate

    org = make.organisation()
    plan = make.big_plan(make.body(), org, 20, TODAY)
    member = login_as(make.user(organisation=org))
    url = f"/plans/{plan.id}"
    with count_queries() as cold:
        first = member.get(url).get_data(as_text=True)
    with count_queries() as warm:
        assert member.get(url).get_data(as_text=True) == first
    assert warm() < cold()

    def action(number: int) -> int:
        with app.app_context():
            return db.session.execute(sa.select(ActionItem.id).where(
                ActionItem.plan_id == plan.id, ActionItem.title == f"Action {number}")).scalar_one()

    pages = [first]

    def changed_after(write) -> None:
        with app.app_context():
            write(db.session)
            db.session.commit()
        page = member.get(url).get_data(as_text=True)
        assert page != pages[-1]
        pages.append(page)

    changed_after(lambda s: s.add(ProgressUpdate(item_id=action(1), update_date=TODAY, status=ItemStatus.COMPLETED,
                                                 progress=100)))
    changed_after(lambda s: s.execute(sa.update(ActionItem).where(ActionItem.id == action(2)).values(weight=50)))
    changed_after(lambda s: s.execute(sa.update(ActionItem).where(ActionItem.id == action(3))
                                      .values(deadline=TODAY + timedelta(days=400))))
    assert _overall(pages[0]) != _overall(pages[1])  # the report moved the overall figure


def test_an_axis_page_reads_its_subtree_in_the_same_queries_for_50_or_500_actions(app, login_as, make, count_queries):
    """Its roll-up needs every item under it: one recursive query, not one per item."""
    import sqlalchemy as sa

    from coordination.extensions import db
    from coordination.plans.models import ActionItem

    org = make.organisation()
    member = login_as(make.user(organisation=org))
    counts = []
    for actions in (50, 500):
        plan = make.big_plan(make.body(), org, actions, TODAY)
        with app.app_context():
            axis = db.session.execute(sa.select(ActionItem.id).where(
                ActionItem.plan_id == plan.id, ActionItem.title == "Axis 1")).scalar_one()
        with count_queries() as n:
            page = member.get(f"/plans/items/{axis}")
        assert page.status_code == 200 and "Computed from its 5 sub-items." in page.get_data(as_text=True)
        counts.append(n())
    assert counts[0] == counts[1]
