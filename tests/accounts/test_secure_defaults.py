"""Secure defaults: the production session cookie, HSTS, Retry-After, and no-store on pages,
downloads and exports (calendar feeds: private, no-cache)."""
import re

import pytest

from coordination import create_app
from coordination.config import Config


@pytest.fixture
def production_app(tmp_path):
    """The application as production starts it: no development mode, no overrides."""
    return create_app({"SECRET_KEY": "production-like", "SERVER_NAME": "localhost",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}"})


def test_production_cookie_is_secure_and_host_prefixed(production_app):
    assert Config.ENV == "production"  # the suite runs with the production defaults
    response = production_app.test_client().get("/accounts/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "; Path=/" in cookie
    assert "SameSite=Lax" in cookie and "Domain=" not in cookie
    assert production_app.config["MFA_REQUIRED_ROLES"] == ("admin", "secretariat")


def test_hsts_over_https(production_app):
    response = production_app.test_client().get("/accounts/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_development_mode_and_explicit_override(tmp_path):
    base = {"SECRET_KEY": "dev", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.db'}",
            "SERVER_NAME": "localhost"}
    dev = create_app({**base, "ENV": "development"})
    cookie = dev.test_client().get("/accounts/login").headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Secure" not in cookie
    assert dev.config["MFA_REQUIRED_ROLES"] == ()
    plain = create_app({**base, "SESSION_COOKIE_SECURE": False})
    assert plain.test_client().get("/accounts/login").headers["Set-Cookie"].startswith("session=")
    roles = create_app({**base, "ENV": "development", "MFA_REQUIRED_ROLES": "admin, evaluator"})
    assert roles.config["MFA_REQUIRED_ROLES"] == ("admin", "evaluator")


def test_too_many_log_ins_say_when_to_retry(client, make):
    user = make.user()
    for _ in range(5):
        client.login(user.email, "wrong password!!")
    blocked = client.login(user.email)
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60


def test_a_generic_429_carries_retry_after(production_app):
    from werkzeug.exceptions import TooManyRequests

    def limited():
        raise TooManyRequests()

    production_app.add_url_rule("/limited", "limited", limited)
    response = production_app.test_client().get("/limited", base_url="https://localhost")
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    assert "Too many" in response.get_data(as_text=True)


def test_pages_downloads_and_exports_are_no_store(login_as, make, committee):
    meeting = make.meeting(committee["body"])
    c = login_as("secretariat")
    for url in ("/dashboard", f"/meetings/{meeting.id}", f"/meetings/{meeting.id}.ics",
                f"/meetings/{meeting.id}/agenda.docx", "/accounts/profile"):
        response = c.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    assert c.get("/accounts/login").headers["Cache-Control"] == "no-store"


def test_calendar_feeds_are_private_no_cache(login_as, committee):
    c = login_as(committee["people"]["justice"])
    html = c.submit("/accounts/calendar-feed", follow_redirects=True).get_data(as_text=True)
    token = re.search(r'/calendar/([^/"]+)/mine.ics', html).group(1)
    feed = c.get(f"/calendar/{token}/mine.ics")
    assert feed.status_code == 200
    assert feed.headers["Cache-Control"] == "private, no-cache"
    body_feed = c.get(f"/calendar/{token}/bodies/{committee['body'].id}.ics")
    assert body_feed.headers["Cache-Control"] == "private, no-cache"
