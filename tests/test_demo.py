"""The demo data loads, is idempotent, and every page it produces renders for every role."""
import re

import pytest

from coordination import demo
from coordination.bodies.models import Body
from coordination.charters.models import Charter, CharterStatus
from coordination.extensions import db


@pytest.fixture
def demo_loaded(app):
    with app.app_context():
        demo.load()
        db.session.commit()


def test_demo_builds_the_structure(demo_loaded, db_read):
    with db_read() as s:
        bodies = {b.acronym: b for b in s.execute(db.select(Body)).scalars()}
        assert {"CN", "CT-DATA", "CT-PEC", "SC-MED", "SC-PSY", "SC-JUR", "CT-COM", "TD-SE"} <= set(bodies)
        assert bodies["SC-MED"].parent.acronym == "CT-PEC"
        assert bodies["CT-PEC"].parent.acronym == "CN"
        statuses = {(c.body.acronym, c.number): c.status for c in s.execute(db.select(Charter)).scalars()}
        assert statuses[("CN", 1)] == CharterStatus.SUPERSEDED
        assert statuses[("CN", 2)] == CharterStatus.ADOPTED
        assert statuses[("CT-PEC", 1)] == CharterStatus.DRAFT
        assert demo.is_loaded()


def test_demo_load_command_is_idempotent_and_prints_logins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "load"])
    assert "already present" in second.output
    for role, email, password in demo.LOGINS:
        assert f"{role} {email} {password}" in second.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Body.id))).scalar() == 8
        # The command commits through its own session: undo for the next tests.
        db.session.rollback()


@pytest.mark.parametrize("role", ["admin", "secretariat", "member", "evaluator"])
def test_every_demo_page_renders_for_each_role(demo_loaded, client_factory, role):
    email, password = {r: (e, p) for r, e, p in demo.LOGINS}[role]
    c = client_factory()
    assert c.login(email, password).status_code == 303
    seen, queue, statuses = set(), ["/dashboard"], {}
    while queue:
        url = queue.pop()
        if url in seen or len(seen) > 150:
            continue
        seen.add(url)
        r = c.get(url, follow_redirects=True)
        statuses[url] = r.status_code
        assert r.status_code in (200, 404), (url, r.status_code)
        if r.status_code == 200 and r.mimetype == "text/html":
            html = r.get_data(as_text=True)
            # An attribute rendered from None ("None") breaks ARIA: aria-invalid="None" reads as invalid.
            assert '="None"' not in html, (url, re.findall(r'[\w-]+="None"', html)[:3])
            for link in re.findall(r'href="(/[^"#]*)"', html):
                if not link.startswith(("/static", "/bootstrap")) and "page=" not in link:
                    queue.append(link.replace("&amp;", "&"))
    assert any(u.startswith("/bodies/") for u in seen)
    assert all(code == 200 for code in statuses.values()), [u for u, s in statuses.items() if s != 200]
