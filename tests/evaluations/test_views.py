"""Evaluations through HTTP: create and edit, workflow and the frozen snapshot, narrative,
recommendations becoming action items, files, comparison, governance health, permissions."""
import io
import re
from datetime import date, timedelta

import pytest

from coordination.evaluations.models import (
    Evaluation,
    EvaluationNote,
    EvaluationStatus,
    Recommendation,
)
from coordination.extensions import db
from coordination.plans.models import ActionItem, Origin
from tests import today

TODAY = today()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _count(db_read, model, *where):
    with db_read() as s:
        return s.execute(db.select(db.func.count()).select_from(model).where(*where)).scalar()


def _form(plan=None, **overrides):
    data = {"plan_id": plan, "title": "Mid-term evaluation", "kind": "mid_term", "period_start": "2020-01-01",
            "period_end": "2021-12-31", "as_of": "2021-12-31", "external_organisation": "Consultants Ltd",
            "summary": "Progress is uneven."}
    data.update(overrides)
    return data


def _figures_block(html: str) -> str:
    """The page's figures, from the summary to the governance section."""
    start = html.index('id="summary-title"')
    return html[start:html.index('id="narrative-title"')]


@pytest.fixture
def evaluator(login_as):
    return login_as("evaluator", full_name="Eva Luator")


@pytest.fixture
def draft(small_plan, evaluator, make):
    ev = make.evaluation(small_plan["plan"], evaluator.user, title="Mid-term 2021", as_of=date(2021, 12, 31),
                         period_start=date(2020, 1, 1), period_end=date(2021, 12, 31))
    return ev


# --- create and edit --------------------------------------------------------------------------------


def test_evaluator_creates_an_evaluation(small_plan, evaluator, db_read):
    response = evaluator.submit("/evaluations/new", _form(small_plan["plan"].id, evaluator_ids=evaluator.user.id))
    assert response.status_code == 303
    with db_read() as s:
        ev = s.execute(db.select(Evaluation)).scalar_one()
        assert ev.status == EvaluationStatus.DRAFT and ev.created_by_id == evaluator.user.id
        assert [u.id for u in ev.evaluators] == [evaluator.user.id]
    page = evaluator.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Mid-term evaluation" in html
    assert 'data-figure="overall">37.5 %' in html


@pytest.mark.parametrize("overrides, field, message", [
    ({"as_of": (TODAY + timedelta(days=1)).isoformat()}, "as_of", "The as-of date cannot be in the future."),
    ({"period_end": "2019-01-01"}, "period_end", "The period cannot end before it starts."),
    ({"as_of": "2019-06-30", "period_start": "2019-01-01"}, "as_of", "within or after the plan"),
    ({"title": ""}, "title", "This field is required."),
    ({"plan_id": ""}, "plan_id", "Choose a plan."),
    ({"as_of": "31/12/2021"}, "as_of", "Not a valid date value."),
])
def test_bad_input_is_refused_beside_the_field(small_plan, evaluator, db_read, overrides, field, message):
    overrides.setdefault("plan_id", small_plan["plan"].id)
    response = evaluator.submit("/evaluations/new", _form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert _count(db_read, Evaluation) == 0


def test_members_may_not_create_and_anonymous_is_sent_to_log_in(small_plan, login_as, client, db_read):
    member = login_as("member")
    assert member.get("/evaluations/new").status_code == 403
    assert member.submit("/evaluations/new", _form(small_plan["plan"].id)).status_code == 403
    assert client.get("/evaluations/").status_code == 302
    assert _count(db_read, Evaluation) == 0


def test_author_edits_a_draft_others_may_not(draft, evaluator, login_as, db_read):
    page = evaluator.get(f"/evaluations/{draft.id}/edit")
    assert page.status_code == 200
    ok = evaluator.submit(f"/evaluations/{draft.id}/edit", _form("", title="Renamed", version=1))
    assert ok.status_code == 303
    other = login_as("evaluator")
    assert other.get(f"/evaluations/{draft.id}").status_code == 404  # drafts: authors and staff only
    assert other.submit(f"/evaluations/{draft.id}/edit", _form("", title="Hijacked")).status_code == 404
    member = login_as("member")
    assert member.get(f"/evaluations/{draft.id}").status_code == 404
    secretariat = login_as("secretariat")
    assert secretariat.get(f"/evaluations/{draft.id}").status_code == 200
    with db_read() as s:
        assert s.get(Evaluation, draft.id).title == "Renamed"
    assert "Mid-term" not in other.get("/evaluations/").get_data(as_text=True)


# --- workflow and the frozen snapshot ---------------------------------------------------------------


def _finalise(client, ev_id):
    assert client.submit(f"/evaluations/{ev_id}/finalise").status_code == 409  # draft: submit first
    assert client.submit(f"/evaluations/{ev_id}/submit").status_code == 303
    assert client.submit(f"/evaluations/{ev_id}/finalise").status_code == 303


def _sheet_values(data: bytes) -> dict:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return {name: [[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames}


def _docx_text(data: bytes) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode()


def test_final_evaluation_never_changes(draft, evaluator, small_plan, login_as, make, app, db_read):
    _finalise(evaluator, draft.id)
    url = f"/evaluations/{draft.id}"
    before = _figures_block(evaluator.get(url).get_data(as_text=True))
    docx_before = _docx_text(evaluator.get(f"{url}/report.docx").data)
    xlsx_before = _sheet_values(evaluator.get(f"{url}/tables.xlsx").data)
    # Edit the plan every way: report, re-weight, re-parent, add an item dated back, rename.
    with app.app_context():
        from coordination.plans import services
        from tests.evaluations.conftest import backdate

        a = db.session.get(ActionItem, small_plan["a"].id)
        c = db.session.get(ActionItem, small_plan["c"].id)
        ax1 = db.session.get(ActionItem, small_plan["ax1"].id)
        from tests import factories

        factories.update(c, TODAY, "in_progress", 70, narrative="Caught up.")
        a.weight = 5
        a.title = "Renamed action"
        services.move_item(c, ax1, actor=None)
        new = services.create_item({"title": "Late addition", "priority": "medium", "weight": 1,
                                    "scope_national": True}, plan=a.plan, parent=ax1, actor=None)
        backdate(new, date(2020, 2, 1))
        db.session.commit()
    after = _figures_block(evaluator.get(url).get_data(as_text=True))
    assert after == before
    assert _docx_text(evaluator.get(f"{url}/report.docx").data) == docx_before
    assert _sheet_values(evaluator.get(f"{url}/tables.xlsx").data) == xlsx_before
    # Editing a final evaluation is refused and changes nothing.
    assert evaluator.get(f"{url}/edit").status_code == 403
    assert evaluator.submit(f"{url}/edit", _form("", title="Changed")).status_code == 403
    assert evaluator.submit(f"{url}/notes", {"kind": "finding", "text": "Late"}).status_code == 403
    assert evaluator.submit(f"{url}/delete").status_code == 403
    with db_read() as s:
        ev = s.get(Evaluation, draft.id)
        assert ev.title == "Mid-term 2021" and ev.status == EvaluationStatus.FINAL and not ev.notes
    # A draft of the same plan shows the live figures, which did change.
    live = make.evaluation(small_plan["plan"], evaluator.user, as_of=date(2021, 12, 31),
                           period_start=date(2020, 1, 1), period_end=date(2021, 12, 31))
    assert _figures_block(evaluator.get(f"/evaluations/{live.id}").get_data(as_text=True)) != before


def test_members_read_final_evaluations_of_plans_they_see(draft, evaluator, login_as):
    member = login_as("member")
    assert member.get(f"/evaluations/{draft.id}").status_code == 404
    _finalise(evaluator, draft.id)
    assert member.get(f"/evaluations/{draft.id}").status_code == 200
    assert member.get(f"/evaluations/{draft.id}/report.docx").status_code == 200
    assert member.submit(f"/evaluations/{draft.id}/reopen").status_code == 403
    assert "Mid-term 2021" in member.get("/evaluations/").get_data(as_text=True)


def test_restricted_body_hides_its_evaluations_from_members(small_plan, evaluator, login_as, make, app):
    from coordination.bodies.models import Body, Visibility

    ev = make.evaluation(small_plan["plan"], evaluator.user, status=EvaluationStatus.FINAL, figures={"x": 1})
    with app.app_context():
        db.session.get(Body, small_plan["body"].id).visibility = Visibility.RESTRICTED
        db.session.commit()
    outsider = login_as("member")
    assert outsider.get(f"/evaluations/{ev.id}").status_code == 404


def test_return_to_draft_and_delete_a_draft(draft, evaluator, db_read):
    url = f"/evaluations/{draft.id}"
    assert evaluator.submit(f"{url}/submit").status_code == 303
    assert evaluator.submit(f"{url}/submit").status_code == 409
    assert evaluator.submit(f"{url}/delete").status_code == 409
    assert evaluator.submit(f"{url}/reopen").status_code == 303
    assert evaluator.submit(f"{url}/delete").status_code == 303
    assert _count(db_read, Evaluation) == 0


# --- narrative, recommendations and follow-up ------------------------------------------------------


def test_narrative_and_recommendation_become_an_action_item(draft, evaluator, small_plan, login_as, committee, db_read):
    url = f"/evaluations/{draft.id}"
    assert evaluator.get(f"{url}/narrative").status_code == 200
    empty = evaluator.submit(f"{url}/notes", {"kind": "lesson", "axis_id": "", "text": ""})
    assert empty.status_code == 422 and 'id="text-error"' in empty.get_data(as_text=True)
    wrong_axis = evaluator.submit(f"{url}/notes", {"kind": "lesson", "axis_id": small_plan["a"].id, "text": "x"})
    assert wrong_axis.status_code == 422
    assert _count(db_read, EvaluationNote) == 0
    assert evaluator.submit(f"{url}/notes", {"kind": "lesson", "axis_id": "",
                                             "text": "No charter and no legal status."}).status_code == 303
    assert evaluator.submit(f"{url}/notes", {"kind": "progress", "axis_id": small_plan["ax1"].id,
                                             "text": "Training of police begun."}).status_code == 303
    health = committee["orgs"][0]
    assert evaluator.submit(f"{url}/recommendations", {"text": "Adopt a charter.", "priority": "high",
                                                       "addressee_id": health.id, "axis_id": ""}).status_code == 303
    with db_read() as s:
        rec = s.execute(db.select(Recommendation)).scalar_one()
    html = evaluator.get(url).get_data(as_text=True)
    assert "No charter and no legal status." in html and "Training of police begun." in html
    assert "Not yet turned into an action" in html
    # Evaluators write recommendations; only the secretariat and admins turn them into items.
    assert evaluator.get(f"{url}/recommendations/{rec.id}/follow-up").status_code == 403
    secretariat = login_as("secretariat")
    follow = f"{url}/recommendations/{rec.id}/follow-up"
    assert secretariat.get(follow).status_code == 200
    bad = secretariat.submit(follow, {"title": "Adopt the charter", "parent_id": "", "lead_organisation_id": "",
                                      "deadline": "", "priority": "high"})
    assert bad.status_code == 422 and "Choose the owner." in bad.get_data(as_text=True)
    ok = secretariat.submit(follow, {"title": "Adopt the charter", "parent_id": small_plan["ax1"].id,
                                     "lead_organisation_id": health.id, "deadline": "2027-06-30", "priority": "high"})
    assert ok.status_code == 303
    with db_read() as s:
        rec = s.get(Recommendation, rec.id)
        item = s.get(ActionItem, rec.action_item_id)
        assert item.origin == Origin.EVALUATION and item.plan_id == small_plan["plan"].id
        assert item.parent_id == small_plan["ax1"].id and "R1" in item.origin_note
    again = secretariat.submit(follow, {"title": "Twice", "parent_id": "", "lead_organisation_id": health.id,
                                        "deadline": "2027-06-30", "priority": "high"})
    assert again.status_code == 409
    page = secretariat.get(url).get_data(as_text=True)
    assert f'href="/plans/items/{item.id}"' in page
    item_page = secretariat.get(f"/plans/items/{item.id}").get_data(as_text=True)
    assert "Mid-term 2021" in item_page  # linked both ways
    assert secretariat.submit(f"{url}/recommendations/{rec.id}/delete").status_code == 409


def test_outside_the_plan_follow_up(draft, evaluator, login_as, committee, db_read, small_plan):
    url = f"/evaluations/{draft.id}"
    evaluator.submit(f"{url}/recommendations", {"text": "Tables in every department.", "priority": "medium",
                                                "addressee_id": "", "axis_id": ""})
    with db_read() as s:
        rec = s.execute(db.select(Recommendation)).scalar_one()
    admin = login_as("admin")
    ok = admin.submit(f"{url}/recommendations/{rec.id}/follow-up", {
        "title": "Set up departmental tables", "parent_id": "", "lead_organisation_id": committee["orgs"][1].id,
        "deadline": "2027-01-31", "priority": "medium"})
    assert ok.status_code == 303
    with db_read() as s:
        item = s.get(ActionItem, s.get(Recommendation, rec.id).action_item_id)
        assert item.plan_id is None and item.body_id == small_plan["body"].id and item.code.startswith("CN-")


# --- files -------------------------------------------------------------------------------------------


def test_attach_the_report_and_download_it(draft, evaluator, login_as, db_read):
    from coordination.evaluations.models import EvaluationAttachment

    url = f"/evaluations/{draft.id}"
    token = evaluator.csrf_token(url)
    bad = evaluator.post(f"{url}/attachments", data={"csrf_token": token, "kind": "report",
                                                    "file": (io.BytesIO(b"MZ\x90\x00"), "report.pdf")},
                         content_type="multipart/form-data")
    assert bad.status_code == 422 and "does not match its name" in bad.get_data(as_text=True)
    none = evaluator.post(f"{url}/attachments", data={"csrf_token": token, "kind": "report"},
                          content_type="multipart/form-data")
    assert none.status_code == 422 and "Choose a file." in none.get_data(as_text=True)
    assert _count(db_read, EvaluationAttachment) == 0
    ok = evaluator.post(f"{url}/attachments", data={"csrf_token": token, "kind": "terms_of_reference",
                                                   "file": (io.BytesIO(PDF), "tor.pdf")},
                        content_type="multipart/form-data")
    assert ok.status_code == 303
    with db_read() as s:
        att = s.execute(db.select(EvaluationAttachment)).scalar_one()
    download = evaluator.get(f"{url}/attachments/{att.id}")
    assert download.status_code == 200 and download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    download.close()
    assert login_as("member").get(f"{url}/attachments/{att.id}").status_code == 404
    assert evaluator.get(f"{url}/attachments/999999").status_code == 404


# --- comparison -------------------------------------------------------------------------------------


def test_compare_two_evaluations(small_plan, evaluator, make, committee):
    early = make.evaluation(small_plan["plan"], evaluator.user, title="Mid-term", as_of=date(2021, 12, 31))
    late = make.evaluation(small_plan["plan"], evaluator.user, title="Final", as_of=date(2022, 12, 31))
    response = evaluator.get(f"/evaluations/{late.id}/compare?with={early.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "From 2021-12-31 to 2022-12-31" in html
    moved = html[html.index('id="moved"'):html.index('id="stalled"')]
    assert "Action b" in moved  # 50 % → 60 %, delayed
    stalled = html[html.index('id="stalled"'):html.index('id="cancelled"')]
    assert "Action c" in stalled  # never reported
    added = html[html.index('id="added"'):html.index('id="recs"')]
    assert "Action d" in added
    by_date = evaluator.get(f"/evaluations/{early.id}/compare?date=2022-12-31")
    assert by_date.status_code == 200 and "Action d" in by_date.get_data(as_text=True)


def test_compare_refuses_bad_input(small_plan, evaluator, make, committee):
    ev = make.evaluation(small_plan["plan"], evaluator.user, as_of=date(2021, 12, 31))
    other_plan = make.plan(committee["body"], title="Another plan")
    foreign = make.evaluation(other_plan, evaluator.user, as_of=date(2022, 6, 30))
    wrong = evaluator.get(f"/evaluations/{ev.id}/compare?with={foreign.id}")
    assert wrong.status_code == 400 and "Only evaluations of the same plan can be compared." in wrong.get_data(as_text=True)
    assert evaluator.get(f"/evaluations/{ev.id}/report.docx?with={foreign.id}").status_code == 400
    future = evaluator.get(f"/evaluations/{ev.id}/compare?date={(TODAY + timedelta(days=3)).isoformat()}")
    assert future.status_code == 400 and "The date cannot be in the future." in future.get_data(as_text=True)
    assert evaluator.get(f"/evaluations/{ev.id}/compare?date=garbage").status_code == 400
    assert evaluator.get(f"/evaluations/{ev.id}/compare?with=999999").status_code == 404
    assert evaluator.get(f"/evaluations/{ev.id}/compare?with={ev.id}").status_code == 400


# --- governance health -----------------------------------------------------------------------------


def test_governance_health_page(committee, login_as):
    evaluator = login_as("evaluator")
    page = evaluator.get("/evaluations/governance")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "National Committee" in html
    assert "Its legal status does not allow it to sign agreements or receive funds" in html
    assert "Some member organisations have not signed the charter" in html
    assert login_as("secretariat").get("/evaluations/governance").status_code == 200
    assert login_as("member").get("/evaluations/governance").status_code == 403
    bad = evaluator.get("/evaluations/governance?start=2025-06-01&end=2025-01-01")
    assert bad.status_code == 400 and "The period cannot end before it starts." in bad.get_data(as_text=True)
    assert evaluator.get("/evaluations/governance?end=not-a-date").status_code == 400


def test_body_page_shows_governance_health_in_short(committee, login_as):
    html = login_as("member").get(f"/bodies/{committee['body'].id}").get_data(as_text=True)
    assert "Governance health" in html and "Some member organisations have not signed the charter" in html


def test_evaluation_page_carries_charts_with_text_alternatives(draft, evaluator):
    html = evaluator.get(f"/evaluations/{draft.id}").get_data(as_text=True)
    svgs = re.findall(r"<svg[^>]*role=\"img\"[^>]*>.*?</svg>", html, re.S)
    assert len(svgs) == 2
    assert "<desc id=\"chart-axes-desc\">Progress by strategic axis. 1. Axis one: 75 %; 2. Axis two: 0 %.</desc>" in html
    assert "Not started: 1; In progress: 1; Completed: 1; Delayed: 0; Cancelled: 0." in html
    assert 'id="axes-table"' in html and 'id="status-table"' in html
    assert "National Committee" in html[html.index('id="governance-title"'):]


# --- query counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["evaluation", "compare", "governance"])
def test_pages_make_the_same_number_of_queries_for_50_and_500_items(login_as, make, count_queries, page):
    org = make.organisation()
    evaluator = login_as("evaluator")

    def measure(actions):
        body = make.body()
        make.seat(body, org)
        make.charter(body, status="adopted", adopted_on=date(2020, 1, 1))
        plan = make.big_plan(body, org, actions, TODAY)
        first = make.evaluation(plan, evaluator.user, as_of=TODAY - timedelta(days=30))
        second = make.evaluation(plan, evaluator.user, as_of=TODAY)
        make.recommendation(first, "Do more.")
        url = {"evaluation": f"/evaluations/{second.id}",
               "compare": f"/evaluations/{second.id}/compare?with={first.id}",
               "governance": "/evaluations/governance"}[page]
        with count_queries() as n:
            assert evaluator.get(url).status_code == 200
        return n()

    assert measure(50) == measure(500)
