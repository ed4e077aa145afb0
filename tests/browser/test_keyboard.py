"""Core tasks done with the keyboard alone: every control reached by Tab, focus always visible, a skip link, DOM order."""
from __future__ import annotations

import re

import pytest

# What the focused element is, and whether its focus can be seen (an outline or a ring).
FOCUS_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== 'none';
  return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim().slice(0, 80),
          name: el.getAttribute('name') || '', id: el.id || '', visible: outline || ring,
          href: el.getAttribute('href') || ''};
}"""


def tab_to(page, matches, limit: int = 250) -> dict:
    """Press Tab until the focused element satisfies ``matches``; every stop on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        if focused["tag"] != "body":
            assert focused["visible"], f"focus not visible on {focused}"
        if matches(focused):
            return focused
    raise AssertionError(f"not reachable with Tab on {page.url}")


def text(pattern: str):
    rx = re.compile(pattern, re.I)
    return lambda f: bool(rx.search(f["text"]))


def named(name: str):
    return lambda f: f["name"] == name or f["id"] == name


def no_positive_tabindex(page) -> None:
    """Tab order follows the page's reading order: nothing forces its way ahead with tabindex > 0."""
    assert page.evaluate("document.querySelectorAll('[tabindex]:not([tabindex=\"0\"]):not([tabindex^=\"-\"])').length") == 0


@pytest.fixture
def keyboard_page(new_context):
    def make(role: str):
        page = new_context(role).new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # a confirmation answered with Enter
        return page

    return make


def test_skip_link_is_the_first_stop_and_moves_to_the_content(keyboard_page):
    page = keyboard_page("member")
    page.goto("/dashboard")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_JS)
    assert first["href"] == "#main" and first["visible"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, past the navigation
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_schedule_a_meeting_by_keyboard(keyboard_page):
    page = keyboard_page("secretariat")
    page.goto("/bodies/1")
    no_positive_tabindex(page)
    tab_to(page, text(r"^Schedule a meeting$"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/meetings/new"))
    no_positive_tabindex(page)
    tab_to(page, named("title"))
    page.keyboard.type("Keyboard-only meeting")
    tab_to(page, named("start_local"))
    page.keyboard.type("12152026")
    page.keyboard.press("Tab")
    page.keyboard.type("1000AM")
    tab_to(page, named("end_local"))
    page.keyboard.type("12152026")
    page.keyboard.press("Tab")
    page.keyboard.type("1130AM")
    tab_to(page, named("location"))
    page.keyboard.type("Salle du conseil")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] in {"Save", "Schedule", "Schedule the meeting", "Create"})
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    assert page.locator("h1").inner_text() == "Keyboard-only meeting"
    assert "10:00" in page.locator("p.lead").inner_text()


def test_record_attendance_by_keyboard(keyboard_page):
    page = keyboard_page("secretariat")
    page.goto("/bodies/1")
    # Attendance is recorded once a meeting has started: the first meeting the body page lists as past.
    held = page.evaluate("""() => [...document.querySelectorAll('h3')].find(h => h.textContent.trim() === 'Past')
                                   .nextElementSibling.querySelector('a').getAttribute('href')""")
    tab_to(page, lambda f: f["href"] == held)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    tab_to(page, text(r"attendance"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/attendance$"))
    select = tab_to(page, lambda f: f["tag"] == "select")
    before = page.evaluate("document.activeElement.value")
    page.keyboard.press("ArrowDown" if before != "excused" else "ArrowUp")
    after = page.evaluate("document.activeElement.value")
    assert after != before
    tab_to(page, text(r"^Save the register$"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/meetings/\d+(#attendance)?$"))
    assert "Attendance recorded." in page.inner_text("main")
    page.goto(page.url.split("#")[0] + "/attendance")
    assert page.eval_on_selector(f"#{select['id']}", "el => el.value") == after


def test_write_and_circulate_minutes_by_keyboard(keyboard_page, live_server):
    page = keyboard_page("secretariat")
    # A meeting without minutes yet: schedule one (by keyboard too, through the form) and start them.
    page.goto("/meetings/new?body=1")
    page.fill("input[name=title]", "Minutes by keyboard")
    page.fill("input[name=start_local]", "2026-01-20T10:00")
    page.fill("input[name=end_local]", "2026-01-20T12:00")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    tab_to(page, text(r"^Start the minutes$"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/minutes/\d+"))
    tab_to(page, named("summary"))
    page.keyboard.type("The committee reviewed the plan.")
    tab_to(page, text(r"^Save the minutes$"))
    # Enter submits the form: wait for the page that answers it (the current page is already loaded, so
    # wait_for_load_state alone returns at once and reads the page before the submission).
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Minutes saved." in page.inner_text("main")
    assert "The committee reviewed the plan." in page.locator("textarea[name=summary]").input_value()
    # Circulating asks for the date members comment by (prefilled); Tab passes through it to the button.
    tab_to(page, named("comment_by"))
    assert page.evaluate("document.activeElement.value"), "the comment-by date is prefilled"
    tab_to(page, text(r"^Circulate"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Circulated" in page.inner_text("main")


def test_report_progress_by_keyboard(keyboard_page):
    page = keyboard_page("member")
    page.goto("/dashboard")
    # The member's own open actions are listed on the dashboard: open one that takes reports.
    links = page.eval_on_selector_all("main a[href*='/plans/items/']", "els => els.map(e => e.getAttribute('href'))")
    target = None
    for href in links:
        page.goto(href)
        if page.locator("#report-title").count():
            target = href
            break
    assert target, "the demo member has an action to report on"
    page.goto("/dashboard")
    tab_to(page, lambda f: f["href"] == target)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(target) + "$"))
    no_positive_tabindex(page)
    tab_to(page, named("status"))
    page.keyboard.type("In progress")
    tab_to(page, named("progress"))
    page.keyboard.press("Control+A")
    page.keyboard.type("55")
    tab_to(page, named("narrative"))
    page.keyboard.type("Reported with the keyboard alone.")
    tab_to(page, text(r"^Record progress$"))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Reported with the keyboard alone." in page.inner_text("main")


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_phone_menu_opens_from_the_keyboard(new_context, js):
    from tests.browser.conftest import PHONE

    page = new_context("member", js=js, viewport=PHONE).new_page()
    page.goto("/dashboard")
    assert not page.is_visible("#nav-main a[href='/meetings/']")  # folded on a phone
    tab_to(page, text(r"^Menu$"))
    page.keyboard.press("Enter")
    assert page.is_visible("#nav-main a[href='/meetings/']")
    tab_to(page, lambda f: f["href"] == "/meetings/")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/meetings/$"))
