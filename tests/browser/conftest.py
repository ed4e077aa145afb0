"""Browser tests: the portal served by a real server in a thread, driven by Debian's Chromium through Playwright.

The server runs its own application over its own SQLite file loaded with the demo data
(whatever ``DATABASE_URL`` the rest of the suite uses): these tests look at pages, not at
the database. They are marked ``browser`` so ``-m "not browser"`` leaves them out locally;
in CI (``CI=true``) a missing Chromium or Playwright fails the run instead of skipping.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))


def chromium_path() -> str | None:
    """Debian's Chromium (``CHROMIUM`` overrides)."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """The browser's server has its own database: no per-test transaction here."""
    yield


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The portal with the demo data, served on a free local port; yields its base URL."""
    from werkzeug.serving import make_server

    from coordination import create_app
    from coordination.extensions import db

    tmp = tmp_path_factory.mktemp("browser")
    app = create_app({
        "SECRET_KEY": "browser-test-secret-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'browser.db'}",
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_FOLDER": str(tmp / "uploads"),
        # As `make run`: demo log-ins with a password alone, plain http, mail to files.
        "MFA_REQUIRED_ROLES": (),
        "SESSION_COOKIE_SECURE": False,
        "MAIL_BACKEND": "file",
        "MAIL_FOLDER": str(tmp / "mail"),
        "MAIL_DISPATCH": "off",
    })
    with app.app_context():
        from flask_migrate import upgrade

        from coordination import demo

        upgrade()
        demo.load()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        _unavailable("the playwright package is not installed")
    path = chromium_path()
    if path is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def without_scripts(context: Any) -> None:
    """JavaScript off, as far as the portal goes: none of its scripts load (the CSP forbids inline ones).

    The browser's own JavaScript engine stays on, because axe-core runs in the page: with
    ``java_script_enabled=False`` its promises never settle.
    """
    context.route("**/*.js", lambda route: route.abort())


def login(context: Any, base_url: str, email: str, password: str) -> None:
    """Log in through the form, as a person would; the context then carries the session cookie."""
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    page.close()


@pytest.fixture
def new_context(browser, live_server, request):
    """``new_context(role=None, js=True, viewport=DESKTOP)`` → a browser context (logged in as a demo role)."""
    from coordination.demo import LOGINS

    contexts: list[Any] = []

    def make(role: str | None = None, js: bool = True, viewport: dict[str, int] = DESKTOP, **kwargs: Any):
        context = browser.new_context(viewport=viewport, base_url=live_server, **kwargs)
        if not js:
            without_scripts(context)
        contexts.append(context)
        if role:
            _, email, password = next(entry for entry in LOGINS if entry[0] == role)
            login(context, live_server, email, password)
        return context

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for i, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for j, page in enumerate(context.pages):
                name = f"{request.node.name}-{i}-{j}".replace("/", "_").replace("[", "-").replace("]", "")
                try:
                    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
                except Exception:  # noqa: BLE001, S110 - a screenshot must not hide the real failure
                    pass
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item so fixtures know whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
