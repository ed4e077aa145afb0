"""What people noticed: navigation highlights, meeting titles on the body page, buttons that look usable, tables and menu for phones, make run PORT."""
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _current_nav(html: str) -> list[str]:
    return re.findall(r'<a class="nav-link active"\s+aria-current="page" href="[^"]*">([^<]+)</a>', html)


def test_governance_page_highlights_governance_not_bodies(login_as):
    c = login_as("secretariat")
    assert _current_nav(c.get("/bodies/governance").get_data(as_text=True)) == ["Governance"]
    assert _current_nav(c.get("/bodies/").get_data(as_text=True)) == ["Bodies"]
    assert _current_nav(c.get("/plans/items").get_data(as_text=True)) == ["Actions"]
    assert _current_nav(c.get("/plans/").get_data(as_text=True)) == ["Action plans"]


def test_body_page_lists_meetings_with_their_titles(login_as, make):
    body = make.body()
    make.meeting(body, datetime(2026, 3, 3, 15, tzinfo=UTC), title="Session on the national plan")
    html = login_as("secretariat").get(f"/bodies/{body.id}").get_data(as_text=True)
    assert "Session on the national plan</a>" in html
    assert "Tue, Mar 3, 2026" in html.replace("\u202f", " ")


def test_calendar_word_and_register_buttons_do_not_look_disabled(login_as, make):
    body = make.body()
    meeting = make.meeting(body)
    c = login_as("secretariat")
    meeting_page = c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    for label in ("Add to my calendar (.ics)", "Agenda (Word)"):
        assert re.search(r'class="btn btn-outline-primary btn-sm" href="[^"]+">' + re.escape(label), meeting_page)
    assert re.search(r'class="btn btn-outline-primary btn-sm" href="[^"]+">Decision register',
                     c.get(f"/bodies/{body.id}").get_data(as_text=True))


def test_navigation_folds_into_a_menu_that_needs_no_javascript(login_as):
    html = login_as("member").get("/dashboard").get_data(as_text=True)
    assert re.search(r'<details class="nav-menu" id="nav-menu">\s*<summary[^>]*>Menu</summary>', html)
    assert 'data-bs-toggle' not in html  # nothing depends on Bootstrap's JavaScript


def test_every_table_scrolls_inside_its_own_region():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        # Data tables only: a layout table of an e-mail (role="presentation") holds no data to scroll.
        tables = text.count("<table") - text.count('<table role="presentation"')
        regions = len(re.findall(r'<div class="table-responsive" role="region" tabindex="0"', text))
        assert tables == regions, f"{template}: {tables} tables, {regions} scrolling regions"


def test_readme_links_stay_inside_the_repository():
    assert "../shared" not in (ROOT / "README.md").read_text()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_on_the_port_asked_for():
    out = subprocess.run(["make", "-n", "run", "PORT=8000", "STAMP=Makefile"], cwd=ROOT, capture_output=True,  # noqa: S607
                         text=True, check=True).stdout
    assert "--port 8000" in out and "http://127.0.0.1:8000/accounts/login" in out
    assert "--url http://127.0.0.1:8000" in out
