"""Action plans through HTTP: the tree and its codes, items, progress, evidence, lists and exports."""
import csv
import io
import re
from datetime import date, timedelta

import pytest

from coordination.accounts.models import Role
from coordination.bodies.models import Visibility
from coordination.extensions import db
from coordination.plans.models import ActionItem, ActionPlan, ItemComment, ProgressUpdate
from tests import today

TODAY = today()


def _count(db_read, model, *where):
    with db_read() as s:
        return s.execute(db.select(db.func.count()).select_from(model).where(*where)).scalar()


def _code_of(db_read, item_id):
    with db_read() as s:
        return s.get(ActionItem, item_id).code


def _item_form(**overrides):
    data = {"title": "An action", "description": "", "lead_organisation_id": "", "focal_person_id": "",
            "start_date": "", "deadline": "", "priority": "medium", "weight": "1", "scope_national": "y",
            "budget_amount": "", "budget_currency": "", "funding_source": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def setting(make):
    body = make.body(name="National Committee", acronym="CN")
    health = make.organisation(name="Ministry of Health", acronym="MSPP")
    justice = make.organisation(name="Ministry of Justice", acronym="MJSP")
    plan = make.plan(body, title="National Plan 2022-2026")
    return {"body": body, "health": health, "justice": justice, "plan": plan}


# --- plans and the tree ------------------------------------------------------------------------


def test_create_plan_and_bad_input(login_as, make, db_read):
    body = make.body()
    c = login_as("secretariat")
    bad = c.submit("/plans/new", {"title": "Plan", "body_id": body.id, "period_start": "2026-01-01", "period_end": "2025-01-01"})
    assert bad.status_code == 422 and "The end of the period cannot be before its start." in bad.get_data(as_text=True)
    missing = c.submit("/plans/new", {"title": "", "body_id": "", "period_start": "x", "period_end": ""})
    assert missing.status_code == 422
    assert _count(db_read, ActionPlan) == 0
    ok = c.submit("/plans/new", {"title": "Plan A", "body_id": body.id, "period_start": "2022-01-01", "period_end": "2026-12-31"})
    assert ok.status_code == 303
    dup = c.submit("/plans/new", {"title": "plan a", "body_id": body.id, "period_start": "2022-01-01", "period_end": "2026-12-31"})
    assert dup.status_code == 422 and "A plan with this title already exists." in dup.get_data(as_text=True)


def test_codes_are_assigned_and_stay_stable(login_as, setting, db_read):
    c = login_as("secretariat")
    plan = setting["plan"]

    def add(parent=None, title="Item"):
        url = f"/plans/{plan.id}/items/new" + (f"?parent={parent}" if parent else "")
        response = c.submit(url, _item_form(title=title))
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        item_id = int(re.search(r"#item-(\d+)", response.headers["Location"]).group(1))
        return item_id

    axis1, axis2 = add(title="Axis one"), add(title="Axis two")
    objective = add(axis1, "Objective")
    first, second = add(objective), add(objective)
    assert [_code_of(db_read, i) for i in (axis1, axis2, objective, first, second)] == ["1", "2", "1.1", "1.1.1", "1.1.2"]
    # Deleting 1.1.1 does not renumber 1.1.2, and the next one is 1.1.3 (numbers are never reused).
    assert c.submit(f"/plans/items/{first}/delete").status_code == 303
    third = add(objective)
    assert _code_of(db_read, second) == "1.1.2" and _code_of(db_read, third) == "1.1.3"
    # Move the objective (with its actions) under axis 2: the subtree follows.
    assert c.submit(f"/plans/items/{objective}/move", {"parent_id": axis2}).status_code == 303
    assert [_code_of(db_read, i) for i in (objective, second, third)] == ["2.1", "2.1.2", "2.1.3"]
    # An item cannot move under itself or one of its own sub-items.
    cycle = c.submit(f"/plans/items/{objective}/move", {"parent_id": second})
    assert cycle.status_code == 422
    assert _code_of(db_read, objective) == "2.1"
    outline = c.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert ">2.1<" in outline and ">2.1.2<" not in outline  # actions unfold on demand
    assert f"open={objective}" in outline and "Show its 2 items" in outline
    page = c.get(f"/plans/{plan.id}?open={objective}").get_data(as_text=True)
    assert page.index(">2.1.2<") < page.index(">2.1.3<")


@pytest.mark.parametrize("overrides,field,message", [
    ({"title": ""}, "title", "This field is required."),
    ({"start_date": "2024-05-01", "deadline": "2024-04-01"}, "deadline", "The deadline cannot be before the start date."),
    ({"deadline": "2024-02-30"}, "deadline", "Not a valid date value"),
    ({"weight": "0"}, "weight", "Use a whole number from 1 to 100."),
    ({"budget_amount": "-5", "budget_currency": "USD"}, "budget_amount", "The budget cannot be negative."),
    ({"budget_amount": "1000", "budget_currency": "XYZ"}, "budget_currency", "three-letter ISO currency code"),
    ({"budget_amount": "1000"}, "budget_currency", "Give the currency of the budget"),
    ({"scope_national": None}, "areas", "Name at least one area, or mark the item as national."),
    ({"scope_national": None, "areas": ["Atlantis"]}, "areas", "is not a valid choice"),
    ({"priority": "urgentissimo"}, "priority", "Not a valid choice"),
])
def test_item_bad_input(login_as, setting, db_read, overrides, field, message):
    c = login_as("secretariat")
    response = c.submit(f"/plans/{setting['plan'].id}/items/new", _item_form(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert _count(db_read, ActionItem) == 0


def test_focal_person_must_belong_to_lead_unless_guest(login_as, setting, make, db_read):
    outsider = make.user(organisation=setting["justice"])
    c = login_as("secretariat")
    url = f"/plans/{setting['plan'].id}/items/new"
    refused = c.submit(url, _item_form(lead_organisation_id=setting["health"].id, focal_person_id=outsider.id))
    assert refused.status_code == 422 and "must belong to the lead organisation" in refused.get_data(as_text=True)
    ok = c.submit(url, _item_form(lead_organisation_id=setting["health"].id, focal_person_id=outsider.id, focal_is_guest="y",
                                  supporter_ids=[setting["justice"].id], scope_national=None, areas=["South-East", "North"]))
    assert ok.status_code == 303
    with db_read() as s:
        item = s.execute(db.select(ActionItem)).scalar_one()
        assert item.focal_is_guest and item.area_names == ["North", "South-East"]
        assert [o.acronym for o in item.supporters] == ["MJSP"]


# --- progress --------------------------------------------------------------------------------


@pytest.fixture
def action(make, setting):
    objective = make.item(plan=setting["plan"], title="Objective")
    return make.item(plan=setting["plan"], parent=objective, title="Train health staff",
                     lead_organisation_id=setting["health"].id, supporter_ids=[setting["justice"].id],
                     start_date=date(2023, 1, 1), deadline=TODAY - timedelta(days=10))


def _progress(**overrides):
    data = {"update_date": TODAY.isoformat(), "status": "in_progress", "progress": "40", "narrative": "Two trainings held."}
    data.update(overrides)
    return data


def test_owner_member_records_progress_append_only(login_as, make, setting, action, db_read):
    member = login_as(make.user(organisation=setting["health"]))
    url = f"/plans/items/{action.id}/progress"
    assert member.submit(url, _progress(update_date=(TODAY - timedelta(days=30)).isoformat(), progress="20")).status_code == 303
    assert member.submit(url, _progress()).status_code == 303
    earlier = member.submit(url, _progress(update_date=(TODAY - timedelta(days=40)).isoformat()))
    assert earlier.status_code == 422 and "cannot be dated earlier" in earlier.get_data(as_text=True)
    page = member.get(f"/plans/items/{action.id}").get_data(as_text=True)
    assert "Two trainings held." in page and 'value="40"' in page
    assert "Overdue" in page  # deadline passed, not completed
    with db_read() as s:
        updates = s.execute(db.select(ProgressUpdate).order_by(ProgressUpdate.id)).scalars().all()
        assert [u.progress for u in updates] == [20, 40]
        first_id = updates[0].id
    # A correction is a new report that says which one it corrects.
    no_reason = member.submit(url, _progress(corrects_id=first_id, narrative="", progress="45"))
    assert no_reason.status_code == 422 and "Say what the correction is about." in no_reason.get_data(as_text=True)
    fixed = member.submit(url, _progress(corrects_id=first_id, narrative="The first report counted a cancelled session.", progress="45"))
    assert fixed.status_code == 303
    page = member.get(f"/plans/items/{action.id}").get_data(as_text=True)
    assert "Corrected by the report of" in page and "Corrects the report of" in page
    assert _count(db_read, ProgressUpdate) == 3


@pytest.mark.parametrize("overrides,field,message", [
    ({"progress": "150"}, "progress", "Progress is a percentage from 0 to 100."),
    ({"progress": "-1"}, "progress", "Progress is a percentage from 0 to 100."),
    ({"progress": "abc"}, "progress", "Not a valid integer value"),
    ({"status": "completed", "progress": "80"}, "progress", "A completed item is at 100 %."),
    ({"status": "in_progress", "progress": "100"}, "status", "At 100 % the item is completed"),
    ({"status": "not_started", "progress": "10"}, "progress", "An item that has not started is at 0 %."),
    ({"update_date": (TODAY + timedelta(days=1)).isoformat()}, "update_date", "cannot be in the future"),
    ({"update_date": "yesterday"}, "update_date", "Not a valid date value"),
    ({"status": "finished"}, "status", "Not a valid choice"),
    ({"evidence_url": "ftp:/broken"}, "evidence_url", "Enter a full address"),
])
def test_progress_bad_input(login_as, setting, action, db_read, overrides, field, message):
    c = login_as("secretariat")
    response = c.submit(f"/plans/items/{action.id}/progress", _progress(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert _count(db_read, ProgressUpdate) == 0


def test_who_may_report_and_comment(login_as, make, setting, action, db_read):
    owner = login_as(make.user(organisation=setting["health"]))
    supporter = login_as(make.user(organisation=setting["justice"]))
    stranger = login_as(make.user(organisation=make.organisation(name="Other Ministry")))
    evaluator = login_as("evaluator")
    url = f"/plans/items/{action.id}/progress"
    for client in (supporter, stranger, evaluator):
        assert client.submit(url, _progress()).status_code == 403
    assert _count(db_read, ProgressUpdate) == 0
    assert supporter.submit(f"/plans/items/{action.id}/comments", {"text": "We can host the next training."}).status_code == 303
    assert stranger.submit(f"/plans/items/{action.id}/comments", {"text": "Hello"}).status_code == 403
    assert evaluator.submit(f"/plans/items/{action.id}/comments", {"text": "Hello"}).status_code == 403
    assert _count(db_read, ItemComment) == 1
    # Tampering: the supporting member cannot edit the item definition either.
    assert supporter.submit(f"/plans/items/{action.id}/edit", _item_form(title="Hijacked", version="1")).status_code == 403
    assert _code_of(db_read, action.id) and owner.get(f"/plans/items/{action.id}").status_code == 200
    page = supporter.get(f"/plans/items/{action.id}").get_data(as_text=True)
    assert "Report progress" not in page and "We can host the next training." in page


def test_parents_progress_is_never_typed(login_as, setting, action, db_read):
    c = login_as("secretariat")
    with db_read() as s:
        parent_id = s.get(ActionItem, action.id).parent_id
    assert c.submit(f"/plans/items/{parent_id}/progress", _progress()).status_code == 409
    assert _count(db_read, ProgressUpdate) == 0


def test_two_simultaneous_progress_reports_are_both_kept(login_as, make, setting, action, db_read):
    first, second = login_as(make.user(organisation=setting["health"])), login_as(make.user(organisation=setting["health"]))
    token_a, token_b = first.csrf_token(f"/plans/items/{action.id}"), second.csrf_token(f"/plans/items/{action.id}")
    url = f"/plans/items/{action.id}/progress"
    assert first.post(url, data={**_progress(progress="30"), "csrf_token": token_a}).status_code == 303
    assert second.post(url, data={**_progress(progress="35"), "csrf_token": token_b}).status_code == 303
    assert _count(db_read, ProgressUpdate) == 2


def test_stale_item_edit_is_refused_with_link_to_fresh_version(login_as, setting, action, db_read):
    alice, bob = login_as("secretariat"), login_as("secretariat")
    url = f"/plans/items/{action.id}/edit"
    assert alice.submit(url, _item_form(title="Alice's title", version="1", lead_organisation_id=setting["health"].id)).status_code == 303
    late = bob.submit(url, _item_form(title="Bob's title", version="1", lead_organisation_id=setting["health"].id))
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "Someone else changed this record" in html and f'href="{url}"' in html
    with db_read() as s:
        assert s.get(ActionItem, action.id).title == "Alice's title"


# --- evidence ------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_upload_and_download(app, login_as, make, setting, action, db_read):
    member = login_as(make.user(organisation=setting["health"]))
    url = f"/plans/items/{action.id}/progress"
    bad_type = member.submit(url, {**_progress(), "evidence_file": (io.BytesIO(b"MZ\x90\x00"), "tool.exe")}, content_type="multipart/form-data")
    assert bad_type.status_code == 422 and "This type of file is not accepted." in bad_type.get_data(as_text=True)
    fake = member.submit(url, {**_progress(), "evidence_file": (io.BytesIO(b"<html>hi</html>"), "report.pdf")}, content_type="multipart/form-data")
    assert fake.status_code == 422 and "does not match its name" in fake.get_data(as_text=True)
    app.config["UPLOAD_MAX_BYTES"] = 20
    try:
        big = member.submit(url, {**_progress(), "evidence_file": (io.BytesIO(PDF), "report.pdf")}, content_type="multipart/form-data")
        assert big.status_code == 422 and "larger than" in big.get_data(as_text=True)
    finally:
        app.config["UPLOAD_MAX_BYTES"] = 10 * 1024 * 1024
    assert _count(db_read, ProgressUpdate) == 0
    ok = member.submit(url, {**_progress(), "evidence_file": (io.BytesIO(PDF), "training report.pdf")}, content_type="multipart/form-data")
    assert ok.status_code == 303
    with db_read() as s:
        update = s.execute(db.select(ProgressUpdate)).scalar_one()
        assert update.evidence_name == "training report.pdf" and update.evidence_path != "training report.pdf"
    download = member.get(f"/plans/items/{action.id}/updates/{update.id}/evidence")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    evaluator_copy = login_as("evaluator").get(f"/plans/items/{action.id}/updates/{update.id}/evidence")
    assert evaluator_copy.status_code == 200
    evaluator_copy.close()


def test_evidence_of_a_restricted_body_is_hidden(login_as, make):
    closed = make.body(visibility=Visibility.RESTRICTED)
    item = make.item(body=closed, title="Closed item", origin="meeting_decision")
    update = make.update(item, date(2024, 1, 1), "in_progress", 10, evidence_path="x.pdf", evidence_name="x.pdf", evidence_type="application/pdf")
    outsider = login_as("member")
    assert outsider.get(f"/plans/items/{item.id}").status_code == 404
    assert outsider.get(f"/plans/items/{item.id}/updates/{update.id}/evidence").status_code == 404


# --- as of a date ---------------------------------------------------------------------------------


def test_plan_page_as_of_a_date(login_as, make, setting):
    plan = setting["plan"]
    axis = make.item(plan=plan, title="Axis")
    a = make.item(plan=plan, parent=axis, weight=1, deadline=date(2023, 12, 31))
    b = make.item(plan=plan, parent=axis, weight=3)
    make.update(a, date(2023, 3, 1), "in_progress", 40)
    make.update(a, date(2024, 3, 1), "completed", 100)
    make.update(b, date(2023, 6, 1), "in_progress", 20)
    c = login_as("evaluator")

    def overall(as_of):
        html = c.get(f"/plans/{plan.id}?as_of={as_of}").get_data(as_text=True)
        return re.search(r'aria-label="Overall progress">(\d+)%', html).group(1)

    assert overall("2023-12-31") == "25"  # (1×40 + 3×20) / 4
    assert overall("2024-06-30") == "40"  # (1×100 + 3×20) / 4
    # On 2022-01-01 none of these actions existed yet (entered later, no report by then): they are
    # left out rather than counted as 0 %, so there is no figure at all.
    early = c.get(f"/plans/{plan.id}?as_of=2022-01-01").get_data(as_text=True)
    assert 'aria-label="Overall progress"' not in early and f"item-{axis.id}" not in early
    june = c.get(f"/plans/{plan.id}?as_of=2024-01-15").get_data(as_text=True)
    assert "Overdue" in june  # a was due at the end of 2023 and not finished on that date
    bad = c.get(f"/plans/{plan.id}?as_of=2024-13-01")
    assert bad.status_code == 400 and "Enter the date as YYYY-MM-DD." in bad.get_data(as_text=True)
    future = c.get(f"/plans/{plan.id}?as_of={(TODAY + timedelta(days=5)).isoformat()}")
    assert future.status_code == 400


# --- the action list and its CSV ----------------------------------------------------------------


@pytest.fixture
def listed(make, setting):
    plan = setting["plan"]
    axis1, axis2 = make.item(plan=plan, title="Axis 1"), make.item(plan=plan, title="Axis 2")
    items = {
        "late": make.item(plan=plan, parent=axis1, title="Late action", lead_organisation_id=setting["health"].id,
                          deadline=TODAY - timedelta(days=5), priority="high"),
        "soon": make.item(plan=plan, parent=axis1, title="Soon action", lead_organisation_id=setting["health"].id,
                          deadline=TODAY + timedelta(days=10)),
        "done": make.item(plan=plan, parent=axis2, title="Done action", lead_organisation_id=setting["justice"].id,
                          deadline=TODAY - timedelta(days=50), scope_national=False, areas=["North"]),
        "later": make.item(plan=plan, parent=axis2, title="Later action", lead_organisation_id=setting["health"].id,
                           deadline=TODAY + timedelta(days=300), priority="low"),
    }
    make.update(items["late"], TODAY - timedelta(days=20), "in_progress", 60)
    make.update(items["done"], TODAY - timedelta(days=60), "completed", 100)
    make.update(items["soon"], TODAY - timedelta(days=3), "delayed", 10)
    return {"axis1": axis1, "axis2": axis2, **items}


def _titles(client, query):
    html = client.get(f"/plans/items?{query}").get_data(as_text=True)
    return re.findall(r'<a href="/plans/items/\d+">([^<]+ action)</a>', html)


def test_action_list_filters_and_sorting(login_as, setting, listed):
    c = login_as("evaluator")
    assert set(_titles(c, "")) == {"Late action", "Soon action", "Done action", "Later action"}
    assert _titles(c, "overdue=1") == ["Late action"]
    assert _titles(c, "due_within=30") == ["Soon action"]
    assert set(_titles(c, f"owner={setting['justice'].id}")) == {"Done action"}
    assert _titles(c, "status=completed") == ["Done action"]
    assert set(_titles(c, "status=not_started")) == {"Later action"}
    assert _titles(c, "scope=North") == ["Done action"]
    assert _titles(c, "priority=high") == ["Late action"]
    assert set(_titles(c, f"axis={listed['axis1'].id}")) == {"Late action", "Soon action"}
    assert _titles(c, "sort=deadline") == ["Done action", "Late action", "Soon action", "Later action"]
    assert _titles(c, "sort=-progress")[0] == "Done action"
    assert _titles(c, "q=soon") == ["Soon action"]
    assert c.get("/plans/items?status=bogus&owner=x&sort=evil").status_code == 200


def test_csv_export_is_exactly_the_filtered_list(login_as, setting, listed):
    c = login_as("secretariat")
    response = c.get(f"/plans/items.csv?owner={setting['health'].id}&sort=deadline")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == ["Late action", "Soon action", "Later action"]
    late = rows[0]
    assert late["overdue"] == "yes" and late["progress %"] == "60"
    # Readable labels, the machine codes beside them, and the axis.
    assert late["status"] == "In progress" and late["status code"] == "in_progress"
    assert late["priority code"] in {"high", "medium", "low"} and late["priority"] in {"High", "Medium", "Low"}
    assert late["axis"].startswith("1. ")
    assert late["lead organisation"] == "Ministry of Health" and late["code"] == "1.1"


def test_action_list_paginates(login_as, make, setting):
    axis = make.item(plan=setting["plan"], title="Axis")
    for n in range(30):
        make.item(plan=setting["plan"], parent=axis, title=f"Bulk {n:02d}")
    c = login_as("member")
    first, second = c.get("/plans/items").get_data(as_text=True), c.get("/plans/items?page=2").get_data(as_text=True)
    assert "Bulk 00" in first and "Bulk 29" not in first and "Bulk 29" in second
    assert "30 actions match" in first


# --- dashboards ------------------------------------------------------------------------------------


def test_member_dashboard_shows_own_items_overdue_first(login_as, make, setting, listed):
    member = login_as(make.user(organisation=setting["health"], role=Role.MEMBER))
    html = member.get("/dashboard").get_data(as_text=True)
    section = html[html.index("Actions of MSPP"):html.index("Plan progress today")]
    order = re.findall(r">(\w+) action</a>", section)
    assert order == ["Late", "Soon", "Later"]  # overdue, due soon, the rest; the other ministry's item is absent


def test_secretariat_dashboard_groups_overdue_by_owner(login_as, setting, listed):
    html = login_as("secretariat").get("/dashboard").get_data(as_text=True)
    section = html[html.index("Overdue actions by owner"):]
    assert "Ministry of Health" in section and "Late action" in section
    assert "Done action" not in section


# --- query counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["tree", "list", "dashboard"])
def test_pages_make_the_same_number_of_queries_for_10_and_500_items(app, login_as, make, count_queries, page):
    org = make.organisation()
    member = login_as(make.user(organisation=org))

    def measure(actions):
        body = make.body()
        plan = make.big_plan(body, org, actions, TODAY)
        url = {"tree": f"/plans/{plan.id}", "list": f"/plans/items?plan={plan.id}&overdue=1&sort=deadline",
               "dashboard": "/dashboard"}[page]
        with count_queries() as n:
            assert member.get(url).status_code == 200
        return n()

    assert measure(10) == measure(500)


def test_item_outside_a_plan_with_its_origin(login_as, setting, db_read):
    c = login_as("secretariat")
    missing_body = c.submit("/plans/items/new", _item_form(title="Follow up decision", origin="meeting_decision"))
    assert missing_body.status_code == 422 and "Choose the body that follows this item." in missing_body.get_data(as_text=True)
    response = c.submit("/plans/items/new", _item_form(title="Follow up decision", origin="meeting_decision",
                                                       origin_note="Decision CN-2026-014", body_id=setting["body"].id,
                                                       lead_organisation_id=setting["justice"].id))
    assert response.status_code == 303
    with db_read() as s:
        item = s.execute(db.select(ActionItem).where(ActionItem.plan_id.is_(None))).scalar_one()
        assert item.code == "CN-1" and item.origin.value == "meeting_decision"
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Meeting decision" in page and "Decision CN-2026-014" in page
    assert "Follow up decision" in c.get(f"/plans/items?owner={setting['justice'].id}").get_data(as_text=True)
