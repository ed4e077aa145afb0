"""Pages read in French or Spanish show no English interface text (data typed by users aside)."""
from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from coordination.accounts.models import Role

TRANSLATIONS = Path(__file__).resolve().parent.parent / "coordination" / "translations"
ATTRS = {"title", "alt", "placeholder", "aria-label"}


class _Texts(HTMLParser):
    """Every text node and readable attribute of a page, outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.lang: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag in {"script", "style"}:
            self._skip += 1
        self.texts += [v.strip() for k, v in attrs if k in ATTRS and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def page_texts(html: str) -> tuple[str | None, list[str]]:
    parser = _Texts()
    parser.feed(html)
    return parser.lang, parser.texts


def english_sources(lang: str) -> set[str]:
    """Source strings whose translation differs (so seeing one means a string was not translated)."""
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    sources = set()
    for message in catalog:
        if not message.id or message.pluralizable or "%" in message.id:
            continue
        if message.string and message.string != message.id and re.search(r"[A-Za-z]{3}", message.id):
            sources.add(message.id)
    # The language switcher names each language in itself ("English" on a French page).
    from coordination.i18n import LANGUAGE_NAMES

    return sources - set(LANGUAGE_NAMES.values())


@pytest.fixture
def portal(make, committee):
    """A body with a meeting, minutes with a decision, a plan with an axis and an action."""
    body = committee["body"]
    health = committee["orgs"][0]
    meeting = make.meeting(body, title="Session of March")
    minutes = make.minutes(meeting)
    make.decision(minutes, "CN-2026-001", "The committee adopts its work plan.")
    plan = make.plan(body, title="National plan against gender-based violence")
    axis = make.item(plan=plan, title="Prevention")
    action = make.item(plan=plan, parent=axis, title="Train focal points", lead_organisation_id=health.id,
                       deadline=date(2026, 6, 30))
    make.update(action, date(2026, 1, 15), "in_progress", 40, narrative="Two sessions held.")
    return {"body": body, "meeting": meeting, "minutes": minutes, "plan": plan, "action": action}


def _pages(p: dict) -> list[str]:
    body_id = p["body"].id
    return [
        "/dashboard", "/bodies/", f"/bodies/{body_id}", f"/bodies/{body_id}/members",
        f"/bodies/{body_id}/decisions", "/bodies/governance", "/organisations/", "/meetings/",
        f"/meetings/{p['meeting'].id}", f"/meetings/{p['meeting'].id}/attendance",
        f"/minutes/{p['minutes'].id}", "/plans/", f"/plans/{p['plan'].id}", "/plans/items",
        f"/plans/items/{p['action'].id}", "/accounts/profile", "/accounts/users", "/audit/",
        "/search/?q=plan",
    ]


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_key_pages_show_no_english_interface_text(lang, login_as, portal) -> None:
    client = login_as(Role.ADMIN, language=lang)
    sources = english_sources(lang)
    assert len(sources) > 400
    for url in _pages(portal):
        response = client.get(url)
        assert response.status_code == 200, url
        page_lang, texts = page_texts(response.get_data(as_text=True))
        assert page_lang == lang, url
        english = sorted({t for t in texts if t in sources or t.rstrip(":") in sources})
        assert not english, f"{url} in {lang} shows English: {english}"


@pytest.mark.parametrize(("accept", "lang", "expected"), [
    ("fr-FR,fr;q=0.9,en;q=0.5", "fr", "Se connecter"),
    ("es-CR,es;q=0.9", "es", "Iniciar sesión"),
])
def test_log_in_page_follows_the_browser_language(client, accept, lang, expected) -> None:
    response = client.get("/accounts/login", headers={"Accept-Language": accept})
    page_lang, texts = page_texts(response.get_data(as_text=True))
    assert page_lang == lang
    assert expected in texts
    assert not {t for t in texts if t in english_sources(lang)}


def test_english_stays_the_source(login_as, portal) -> None:
    client = login_as(Role.ADMIN, language="en")
    page_lang, texts = page_texts(client.get("/dashboard").get_data(as_text=True))
    assert page_lang == "en"
    assert "Dashboard" in texts
