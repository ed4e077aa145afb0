"""Bad input through HTTP gets a 4xx with a message (nothing written) or succeeds — never a 500.

Each case is handled once in the shared mechanism: the ``int`` URL converter (ids the database
can hold), ``page_arg`` (clamped pages), the request's parameter storage (NUL and characters XML
forbids stripped from every query string and form), ``BaseForm`` (single-line fields refuse line
breaks; dates within DATE_MIN_YEAR..DATE_MAX_YEAR; numbers within the columns' range) and the
exports (text made XML-safe, one bad row never breaks a feed).
"""
from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from docx import Document
from icalendar import Calendar

from coordination.extensions import db
from coordination.meetings.models import Meeting
from coordination.minutes.models import Minutes
from coordination.organisations.models import Organisation
from coordination.plans.models import ActionItem, ProgressUpdate
from tests import today

HUGE = ["2147483648", "99999999999999999999", "9223372036854775808"]


def _count(db_read, model) -> int:
    with db_read() as s:
        return s.execute(db.select(db.func.count()).select_from(model)).scalar_one()


@pytest.fixture
def world(make):
    body = make.body(name="National Committee", acronym="CN")
    health = make.organisation(name="Ministry of Health", acronym="MSPP")
    plan = make.plan(body)
    axis = make.item(plan=plan, title="Axis")
    action = make.item(plan=plan, parent=axis, title="Train staff", lead_organisation_id=health.id)
    meeting = make.meeting(body, datetime(2026, 3, 3, 15, tzinfo=UTC), title="Plenary")
    minutes = make.minutes(meeting)
    return {"body": body, "health": health, "plan": plan, "action": action, "meeting": meeting, "minutes": minutes}


# --- ids and page numbers -----------------------------------------------------------------


@pytest.mark.parametrize("huge", HUGE)
@pytest.mark.parametrize("template", [
    "/meetings/{}", "/meetings/{}.ics", "/meetings/{}/agenda.docx", "/bodies/{}", "/bodies/{}/members",
    "/bodies/1/charters/{}", "/organisations/{}", "/accounts/users/{}", "/plans/{}", "/plans/items/{}",
    "/minutes/{}", "/minutes/{}.docx", "/plans/items/1/updates/{}/evidence",
])
def test_ids_too_large_for_the_database_are_404(login_as, template, huge):
    assert login_as("admin").get(template.format(huge)).status_code == 404


@pytest.mark.parametrize("huge", HUGE)
def test_posts_to_ids_too_large_are_404(login_as, huge):
    c = login_as("admin")
    assert c.submit(f"/organisations/{huge}/delete", {}).status_code == 404
    assert c.submit(f"/meetings/{huge}/rsvp", {"rsvp": "accepted"}).status_code == 404


@pytest.mark.parametrize("huge", HUGE)
@pytest.mark.parametrize("url", ["/organisations/", "/accounts/users", "/plans/items", "/meetings/", "/audit/",
                                 "/bodies/{body}/decisions", "/search/?q=plenary"])
def test_page_numbers_too_large_show_a_page(login_as, url, huge, world):
    response = login_as("admin").get(url.format(body=world["body"].id) + ("&" if "?" in url else "?") + f"page={huge}")
    assert response.status_code == 200


@pytest.mark.parametrize("huge", HUGE)
@pytest.mark.parametrize("query", ["/meetings/new?body={}", "/plans/items?owner={}", "/plans/items?plan={}", "/plans/items?due_within={}",
                                   "/plans/{plan}/items/new?parent={}", "/bodies/new?parent={}",
                                   "/audit/?object={}", "/audit/?actor={}",
                                   "/bodies/{body}/charters/compare?from={}&to=1"])
def test_query_ids_too_large_are_not_500(login_as, world, query, huge):
    url = query.format(huge, plan=world["plan"].id, body=world["body"].id)
    assert login_as("admin").get(url).status_code in (200, 400, 404)


# --- NUL bytes and characters XML forbids --------------------------------------------------


@pytest.mark.parametrize("url", ["/search/?q=a%00b", "/organisations/?q=%00", "/plans/items?q=x%00",
                                 "/accounts/users?q=%00", "/bodies/{body}/decisions?q=%00", "/audit/?type=%00",
                                 "/meetings/?past=%00", "/plans/?as_of=2026%00-01-01"])
def test_nul_in_query_strings_is_harmless(login_as, world, url):
    assert login_as("admin").get(url.format(body=world["body"].id)).status_code in (200, 400)


def test_nul_and_xml_forbidden_characters_are_never_stored(login_as, db_read):
    c = login_as("secretariat")
    response = c.submit("/organisations/new", {"name": "Health\x00 Net\ufffework\uffff\x0b", "acronym": "H\x00N",
                                              "kind": "civil_society", "level": "national", "sectors": ["gender"],
                                              "notes": "line one\x00\r\nline two\x1f"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with db_read() as s:
        org = s.execute(db.select(Organisation).where(Organisation.acronym == "HN")).scalar_one()
        assert org.name == "Health Network"


def test_minutes_with_forbidden_characters_export_to_word(login_as, world, db_read):
    c = login_as("secretariat")
    minutes_id = world["minutes"].id
    saved = c.submit(f"/minutes/{minutes_id}/edit", {"summary": "Agreed\ufffe\uffff\x00\x08 on the plan.", "version": "1"})
    assert saved.status_code == 303
    with db_read() as s:
        assert s.get(Minutes, minutes_id).summary == "Agreed on the plan."
    word = c.get(f"/minutes/{minutes_id}.docx")
    assert word.status_code == 200
    assert "Agreed on the plan." in "\n".join(p.text for p in Document(io.BytesIO(word.data)).paragraphs)


def test_exports_tolerate_bad_text_already_stored(login_as, world, app, make):
    """Rows written before these checks (or by other tools) must not break any export."""
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting"].id)
        meeting.title = "Plenary\r\nBEGIN:VEVENT\x0b\ufffe"
        meeting.location = "Room 1\nFloor 2\x01"  # (PostgreSQL cannot even store NUL)
        minutes = db.session.get(Minutes, world["minutes"].id)
        minutes.summary = "Bad \x0c text \ufffe"
        item = db.session.get(ActionItem, world["action"].id)
        item.title = "Train\x0b staff\r\nnow\x02"
        item.deadline = date(2026, 5, 1)
        db.session.commit()
    admin = login_as("admin")
    for url in (f"/minutes/{world['minutes'].id}.docx", f"/meetings/{world['meeting'].id}/agenda.docx"):
        response = admin.get(url)
        assert response.status_code == 200, url
        Document(io.BytesIO(response.data))
    ics = admin.get(f"/meetings/{world['meeting'].id}.ics")
    assert ics.status_code == 200
    event = next(iter(Calendar.from_ical(ics.data).walk("VEVENT")))
    assert "\n" not in str(event["SUMMARY"]) and "BEGIN:VEVENT" in str(event["SUMMARY"])
    assert ics.data.count(b"\r\nBEGIN:VEVENT\r\n") == 1  # the title's text did not open a second event
    rows = list(csv.reader(io.StringIO(admin.get("/plans/items.csv").get_data(as_text=True))))
    assert any("Train staff now" in " ".join(r) for r in rows)


def test_one_bad_row_never_breaks_a_feed(login_as, world, app, make):
    """A meeting stored with year 1 (accepted before the date window) leaves the others in the feed."""
    from coordination.calendar import services as calendar_services

    make.meeting(world["body"], datetime(2026, 4, 7, 15, tzinfo=UTC), title="Good meeting")
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting"].id)
        meeting.start = datetime(1, 1, 1, 12, tzinfo=UTC)
        meeting.end = datetime(1, 1, 1, 14, tzinfo=UTC)
        meeting.title = "Broken\r\nmeeting"
        db.session.commit()
    c = login_as("admin")
    c.submit("/accounts/calendar-feed", {})
    with app.app_context():
        from coordination.accounts.models import User

        token = calendar_services.feed_token(db.session.get(User, c.user.id))
    response = c.get(f"/calendar/{token}/bodies/{world['body'].id}.ics")
    assert response.status_code == 200
    titles = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.data).walk("VEVENT")]
    assert "Good meeting" in titles


# --- single-line fields --------------------------------------------------------------------


def _meeting_form(**overrides):
    data = {"title": "Plenary", "kind": "ordinary", "start_local": "2026-05-05T10:00", "end_local": "2026-05-05T12:00",
            "timezone": "America/Port-au-Prince", "status": "planned", "status_reason": "", "location": "",
            "online_link": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("field", ["title", "location"])
@pytest.mark.parametrize("value", ["Plenary\r\nBEGIN:VEVENT", "Plenary\nsecond line", "Room\rB"])
def test_single_line_fields_refuse_line_breaks(login_as, world, db_read, field, value):
    before = _count(db_read, Meeting)
    response = login_as("secretariat").submit(f"/meetings/new?body={world['body'].id}", _meeting_form(**{field: value}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and "one line" in html
    assert _count(db_read, Meeting) == before


def test_single_line_rule_holds_for_other_forms(login_as, db_read):
    response = login_as("secretariat").submit("/organisations/new", {"name": "Two\nlines", "kind": "civil_society",
                                                                     "level": "national", "sectors": ["gender"]})
    assert response.status_code == 422 and 'id="name-error"' in response.get_data(as_text=True)


# --- dates out of range --------------------------------------------------------------------


@pytest.mark.parametrize("start", ["0001-01-01T10:00", "1899-12-31T10:00", "9999-12-31T23:30", "2101-01-01T10:00"])
def test_meeting_dates_outside_the_window_are_refused(login_as, world, db_read, start):
    before = _count(db_read, Meeting)
    response = login_as("secretariat").submit(f"/meetings/new?body={world['body'].id}",
                                              _meeting_form(start_local=start, end_local=start))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="start_local-error"' in html and "between 1990 and 2100" in html
    assert _count(db_read, Meeting) == before


@pytest.mark.parametrize("deadline", ["0001-01-01", "9999-12-31", "1989-12-31"])
def test_deadlines_outside_the_window_are_refused(login_as, world, db_read, deadline):
    before = _count(db_read, ActionItem)
    response = login_as("secretariat").submit(f"/plans/{world['plan'].id}/items/new", {
        "title": "An action", "priority": "medium", "weight": "1", "scope_national": "y", "deadline": deadline})
    assert response.status_code == 422
    assert 'id="deadline-error"' in response.get_data(as_text=True)
    assert _count(db_read, ActionItem) == before


def test_report_dates_outside_the_window_are_refused(login_as, world, db_read):
    c = login_as("secretariat")
    response = c.submit(f"/plans/items/{world['action'].id}/progress", {
        "update_date": "0001-01-01", "status": "in_progress", "progress": "10", "narrative": "Old"})
    assert response.status_code == 422 and 'id="update_date-error"' in response.get_data(as_text=True)
    assert _count(db_read, ProgressUpdate) == 0


def test_the_window_is_configurable(login_as, world, app, db_read):
    app.config["DATE_MIN_YEAR"] = 2026
    try:
        response = login_as("secretariat").submit(f"/meetings/new?body={world['body'].id}",
                                                  _meeting_form(start_local="2025-05-05T10:00", end_local="2025-05-05T12:00"))
    finally:
        app.config["DATE_MIN_YEAR"] = 1990
    assert response.status_code == 422 and "between 2026 and 2100" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["99999999999999999999", "-99999999999999999999"])
def test_numbers_too_large_for_their_columns_are_refused(login_as, world, db_read, value):
    c = login_as("secretariat")
    response = c.submit(f"/plans/{world['plan'].id}/items/new", {
        "title": "An action", "priority": "medium", "weight": value, "scope_national": "y",
        "budget_amount": value, "budget_currency": "USD"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="weight-error"' in html and 'id="budget_amount-error"' in html


# --- a rejected evidence file ---------------------------------------------------------------


@pytest.mark.parametrize("upload", [(b"MZ\x90\x00", "tool.exe"), (b"<html>hi</html>", "report.pdf"),
                                    (b"\x00\x01binary", "notes.txt"), (b"", "empty.pdf")])
def test_a_rejected_evidence_file_keeps_what_was_typed(login_as, world, make, db_read, upload):
    member = login_as(make.user(organisation=world["health"]))
    content, name = upload
    response = member.submit(f"/plans/items/{world['action'].id}/progress", {
        "update_date": today().isoformat(), "status": "in_progress", "progress": "35",
        "narrative": "Three trainings held in the South-East.", "evidence_url": "https://example.org/report",
        "evidence_file": (io.BytesIO(content), name)}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:3000]
    assert 'id="evidence_file-error"' in html
    assert "Three trainings held in the South-East." in html and 'value="35"' in html
    assert "https://example.org/report" in html
    assert "No progress reported yet" in html or "35 %" not in html  # the refused report is not shown as recorded
    assert _count(db_read, ProgressUpdate) == 0


def test_an_evidence_file_name_with_nul_is_cleaned(login_as, world, make, db_read):
    member = login_as(make.user(organisation=world["health"]))
    response = member.submit(f"/plans/items/{world['action'].id}/progress", {
        "update_date": today().isoformat(), "status": "in_progress", "progress": "35", "narrative": "Report",
        "evidence_file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "na\x00me\ufffe.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303
    with db_read() as s:
        assert s.execute(db.select(ProgressUpdate.evidence_name)).scalar_one() == "name.pdf"
