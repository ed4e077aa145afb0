"""axe-core (WCAG 2.1 A and AA) on every page each demo role reaches, JavaScript on and off, desktop and phone."""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Downloads and machine-readable addresses are not pages.
NOT_PAGES = re.compile(r"\.(ics|docx|csv|xlsx)$|/evidence$|/attachments/|/feeds?/|/calendar/")
MAX_PAGES = 70


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page (injected through the DevTools protocol, so the CSP allows it)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page.evaluate(axe.axe_script)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return results["violations"]


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def pattern(url: str) -> str:
    """A page's kind: numbers replaced, query left out (one /meetings/N for all meetings)."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


def crawl(page, base_url: str) -> list[str]:
    """Same-site pages reachable by links from the dashboard, one of each kind, breadth first."""
    seen: set[str] = set()
    pages: list[str] = []
    # The dashboard, and the search results (reached through the search form, not a link).
    queue = deque([f"{base_url}/dashboard", f"{base_url}/search/?q=plan"])
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        kind = pattern(url)
        if kind in seen:
            continue
        seen.add(kind)
        response = page.goto(url)
        if response is None or response.status >= 400 or "/accounts/login" in page.url:
            continue
        pages.append(url)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urljoin(url, href).split("#")[0]
            if target.startswith(base_url) and not NOT_PAGES.search(urlsplit(target).path) and pattern(target) not in seen:
                queue.append(target)
    return pages


LISTED = {  # the pages the issue names, by kind
    "dashboard": r"^/dashboard$", "body": r"^/bodies/N$", "meeting": r"^/meetings/N$", "minutes": r"^/minutes/N$",
    "plan tree": r"^/plans/N$", "action list": r"^/plans/items$", "action item": r"^/plans/items/N$",
    "governance": r"^/bodies/governance$", "search": r"^/search/$",
}


ROLES = ("member", "evaluator", "secretariat", "admin")


@pytest.fixture(scope="module")
def role_pages(browser, live_server):
    """Each role's pages, crawled once (JavaScript on, desktop) and reused by every variant."""
    from coordination.demo import LOGINS
    from tests.browser.conftest import login

    found: dict[str, list[str]] = {}
    for role in ROLES:
        context = browser.new_context(viewport=DESKTOP)
        _, email, password = next(e for e in LOGINS if e[0] == role)
        login(context, live_server, email, password)
        found[role] = crawl(context.new_page(), live_server)
        context.close()
    return found


def pages_to_check(role_pages: dict[str, list[str]], role: str) -> list[str]:
    """The role's pages: every listed page, and each other kind of page unless a role before it
    (member, evaluator, secretariat, admin: fewer rights first) already had it checked."""
    earlier = set()
    for other in ROLES[:ROLES.index(role)]:
        earlier |= {pattern(u) for u in role_pages[other]}
    return [u for u in role_pages[role]
            if pattern(u) not in earlier or any(re.match(rx, pattern(u)) for rx in LISTED.values())]


def test_crawl_reaches_the_listed_pages(role_pages):
    for role in ("secretariat", "evaluator"):
        kinds = {pattern(u) for u in role_pages[role]}
        missing = [name for name, rx in LISTED.items() if not any(re.match(rx, k) for k in kinds)]
        assert not missing, f"{role} did not reach {missing}"
    assert "/audit/" in {pattern(u) for u in role_pages["admin"]}
    member_kinds = {pattern(u) for u in role_pages["member"]}
    assert {"/dashboard", "/bodies/N", "/meetings/N", "/plans/items/N"} <= member_kinds


def _describe(violations: list[dict]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}): " + ", ".join(" ".join(n["target"]) for n in v["nodes"][:3]) for v in violations
    )


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("role", ROLES)
def test_pages_have_no_wcag_violations(new_context, role_pages, role, js, viewport):
    """Zero axe violations of any impact; at 390 px nothing scrolls sideways."""
    context = new_context(role, js=js, viewport=viewport)
    page = context.new_page()
    problems = []
    for url in pages_to_check(role_pages, role):
        page.goto(url)
        found = axe_violations(page)
        if found:
            problems.append(f"{url}: {_describe(found)}")
        if viewport is PHONE:
            overflow = horizontal_overflow(page)
            if overflow > 0:
                problems.append(f"{url}: {overflow}px wider than the 390px screen")
        if problems and problems[-1].startswith(url):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"\W+", "_", f"{role}-{'js' if js else 'nojs'}-{viewport['width']}-{pattern(url)}")
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_login_page(new_context, live_server, js, viewport):
    page = new_context(js=js, viewport=viewport).new_page()
    page.goto("/accounts/login")
    assert axe_violations(page) == []
    assert horizontal_overflow(page) <= 0
    page.fill("input[name=email]", "nobody@example.org")
    page.fill("input[name=password]", "wrong")
    page.click("main button[type=submit]")
    assert axe_violations(page) == []  # the page with its error message too
