"""Session lifetimes (frozen clock), text kept across an expired session, re-authentication
for sensitive steps, and the lists of active sessions, through HTTP."""
import re

import pytest

from coordination.accounts.models import SavedForm, User, UserSession
from coordination.extensions import db
from tests.factories import PASSWORD

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _count(db_read, model, **where):
    with db_read() as s:
        stmt = db.select(db.func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return s.execute(stmt).scalar()


def _version(page: str) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)


def test_idle_timeout_ends_the_session_on_the_server(login_as, db_read, clock):
    c = login_as("member")
    clock.advance(minutes=29)
    assert c.get("/dashboard").status_code == 200
    clock.advance(minutes=29)  # 58 minutes after log-in, but active 29 minutes ago
    assert c.get("/dashboard").status_code == 200
    clock.advance(minutes=30)
    expired = c.get("/dashboard")
    assert expired.status_code == 302 and "/accounts/login" in expired.headers["Location"]
    assert _count(db_read, UserSession, user_id=c.user.id) == 0  # ended, not just hidden
    login_page = c.get(expired.headers["Location"]).get_data(as_text=True)
    assert "Your session expired" in login_page


def test_idle_timeout_is_a_setting(app, login_as, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    c = login_as("member")
    clock.advance(minutes=6)
    assert c.get("/dashboard").status_code == 302


def test_absolute_lifetime_does_not_slide(login_as, clock):
    c = login_as("member")
    for _ in range(35):  # active every 20 minutes: 11 h 40 min
        clock.advance(minutes=20)
        assert c.get("/dashboard").status_code == 200
    clock.advance(minutes=20)  # 12 h after log-in
    assert c.get("/dashboard").status_code == 302


def test_cookie_expiry_does_not_slide(login_as):
    c = login_as("member")
    c.get("/dashboard")  # the first page adds the CSRF token to the cookie
    response = c.get("/dashboard")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # the cookie is not re-sent with a later expiry


def test_text_typed_when_the_session_expired_comes_back_after_login(login_as, client_factory, db_read, clock):
    c = login_as("member")
    page = c.get("/accounts/profile").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    clock.advance(minutes=45)
    long_text = "A long position title typed over many minutes"
    response = c.post("/accounts/profile", data={
        "csrf_token": token, "full_name": "Name Typed Late", "position": long_text, "phone": "",
        "language": "en", "version": _version(page)},
        headers={"Referer": "http://localhost/accounts/profile"})
    assert response.status_code == 303
    assert "/accounts/login?next=/accounts/profile" in response.headers["Location"]
    with db_read() as s:
        assert s.get(User, c.user.id).position != long_text  # nothing was written
        saved = s.execute(db.select(SavedForm).where(SavedForm.user_id == c.user.id)).scalar_one()
        assert "csrf_token" not in saved.data
    notice = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "what you had typed will be back in the form" in notice
    # Someone else logging in on that browser does not get the text.
    stranger = client_factory()
    login = stranger.login(login_as("member").user.email)
    assert login.headers["Location"].endswith("/dashboard")
    assert long_text not in stranger.get("/accounts/profile").get_data(as_text=True)
    # The author logs in again and finds the form filled in, once.
    again = c.login(c.user.email)
    assert again.status_code == 303 and again.headers["Location"].endswith("/accounts/profile")
    restored = c.get("/accounts/profile").get_data(as_text=True)
    assert long_text in restored and "Name Typed Late" in restored
    assert "is back in the form" in restored
    assert _count(db_read, SavedForm, user_id=c.user.id) == 0
    assert long_text not in c.get("/accounts/profile").get_data(as_text=True)


def test_saved_text_is_forgotten_after_a_few_minutes(login_as, db_read, clock):
    c = login_as("member")
    page = c.get("/accounts/profile").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    clock.advance(minutes=31)
    c.post("/accounts/profile", data={"csrf_token": token, "full_name": "Too Late", "position": "x",
                                      "phone": "", "language": "en", "version": _version(page)})
    clock.advance(minutes=16)
    assert c.login(c.user.email).headers["Location"].endswith("/dashboard")
    assert "Too Late" not in c.get("/accounts/profile").get_data(as_text=True)
    assert _count(db_read, SavedForm, user_id=c.user.id) == 0


def test_passwords_are_never_kept_from_an_expired_post(login_as, db_read, clock):
    c = login_as("member")
    token = c.csrf_token("/accounts/password")
    clock.advance(minutes=31)
    c.post("/accounts/password", data={"csrf_token": token, "current_password": PASSWORD,
                                       "new_password": "secret passphrase here", "confirm": "secret passphrase here"})
    with db_read() as s:
        rows = s.execute(db.select(SavedForm).where(SavedForm.user_id == c.user.id)).scalars().all()
        assert all("secret passphrase here" not in str(row.data) for row in rows)


# --- re-authentication --------------------------------------------------------------------


def test_feed_address_regeneration_asks_for_the_password_when_stale(login_as, db_read, clock):
    c = login_as("member")
    clock.advance(minutes=6)
    response = c.submit("/accounts/calendar-feed", headers={"Referer": "http://localhost/accounts/profile"})
    assert response.status_code == 303
    assert "/accounts/reauthenticate?next=/accounts/profile" in response.headers["Location"]
    with db_read() as s:
        assert s.get(User, c.user.id).feed_nonce is None
    prompt = c.get(response.headers["Location"])
    assert prompt.status_code == 200 and "Confirm your password" in prompt.get_data(as_text=True)
    url = response.headers["Location"]
    wrong = c.submit(url, {"password": "not the password"}, token_url=url)
    assert wrong.status_code == 401 and 'id="password-error"' in wrong.get_data(as_text=True)
    empty = c.submit(url, {"password": ""}, token_url=url)
    assert empty.status_code == 422
    ok = c.submit(url, {"password": PASSWORD}, token_url=url)
    assert ok.status_code == 303 and ok.headers["Location"].endswith("/accounts/profile")
    assert c.submit("/accounts/calendar-feed").status_code == 303
    with db_read() as s:
        assert s.get(User, c.user.id).feed_nonce is not None


def test_reauthentication_setting(app, login_as, clock, monkeypatch):
    monkeypatch.setitem(app.config, "REAUTH_MINUTES", 15)
    c = login_as("member")
    clock.advance(minutes=10)
    assert c.get("/accounts/two-factor/setup").status_code == 200
    clock.advance(minutes=6)
    assert "/accounts/reauthenticate" in c.get("/accounts/two-factor/setup").headers["Location"]


def test_role_change_asks_for_the_password_and_keeps_the_form(login_as, make, db_read, clock):
    target = make.user(full_name="Role Target")
    admin = login_as("admin")
    edit_url = f"/accounts/users/{target.id}/edit"
    page = admin.get(edit_url).get_data(as_text=True)
    form = {"email": target.email, "full_name": "Role Target", "organisation_id": "", "position": "",
            "phone": "", "language": "en", "role": "secretariat", "password": "", "version": _version(page)}
    # Fresh log-in: no prompt for a detail change, nor for a role change.
    clock.advance(minutes=6)
    detail_only = admin.submit(edit_url, {**form, "role": "member", "position": "Advisor"}, token_url=edit_url)
    assert detail_only.status_code == 303 and detail_only.headers["Location"].endswith(f"/accounts/users/{target.id}")
    page = admin.get(edit_url).get_data(as_text=True)
    form["version"] = _version(page)
    prompt = admin.submit(edit_url, form, token_url=edit_url, headers={"Referer": f"http://localhost{edit_url}"})
    assert prompt.status_code == 303 and "/accounts/reauthenticate" in prompt.headers["Location"]
    with db_read() as s:
        assert s.get(User, target.id).role.value == "member"
    back = admin.submit(prompt.headers["Location"], {"password": PASSWORD}, token_url=prompt.headers["Location"])
    assert back.headers["Location"].endswith(edit_url)
    restored = admin.get(edit_url).get_data(as_text=True)
    assert re.search(r'<option selected value="secretariat">|<option value="secretariat" selected>', restored)
    assert admin.submit(edit_url, form, token_url=edit_url).status_code == 303
    with db_read() as s:
        assert s.get(User, target.id).role.value == "secretariat"


def test_admin_reset_and_two_factor_changes_ask_for_the_password(login_as, make, clock):
    admin = login_as("admin")
    clock.advance(minutes=6)
    for url in ("/accounts/two-factor/setup", "/accounts/two-factor/disable"):
        assert "/accounts/reauthenticate" in admin.get(url).headers["Location"]
    target = make.user()
    response = admin.submit(f"/accounts/users/{target.id}/two-factor/reset", token_url="/dashboard")
    assert "/accounts/reauthenticate" in response.headers["Location"]


# --- active sessions ---------------------------------------------------------------------


def test_profile_lists_sessions_and_ends_another_one(login_as, client_factory, db_read):
    c = login_as("member")
    other = client_factory()
    assert other.login(c.user.email).status_code == 303
    other.get("/dashboard", headers={"User-Agent": BROWSER})
    page = c.get("/accounts/profile").get_data(as_text=True)
    assert "Active sessions" in page and "this session" in page
    assert page.count("End this session") == 2
    with db_read() as s:
        ids = s.execute(db.select(UserSession.id).where(UserSession.user_id == c.user.id)
                        .order_by(UserSession.id)).scalars().all()
    response = c.submit(f"/accounts/sessions/{ids[1]}/end")
    assert response.status_code == 303
    assert other.get("/dashboard").status_code == 302
    assert c.get("/dashboard").status_code == 200


def test_browser_and_address_are_shown(app, client_factory, make):
    user = make.user()
    c = client_factory()
    token = c.csrf_token()
    c.post("/accounts/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token},
           headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    page = c.get("/accounts/profile").get_data(as_text=True)
    assert "Firefox on Windows" in page and "192.0.2.7" in page


def test_nobody_ends_another_persons_session_from_their_profile(login_as, db_read):
    victim = login_as("member")
    attacker = login_as("member")
    with db_read() as s:
        victim_session = s.execute(db.select(UserSession.id).where(UserSession.user_id == victim.user.id)).scalar_one()
    assert attacker.submit(f"/accounts/sessions/{victim_session}/end").status_code == 404
    assert attacker.submit(f"/accounts/users/{victim.user.id}/sessions/{victim_session}/end").status_code == 404
    assert victim.get("/dashboard").status_code == 200
    assert _count(db_read, UserSession, user_id=victim.user.id) == 1


@pytest.mark.parametrize("role,status", [("secretariat", 403), ("evaluator", 403)])
def test_only_admins_end_sessions_of_other_accounts(login_as, db_read, role, status):
    member = login_as("member")
    other = login_as(role)
    with db_read() as s:
        sid = s.execute(db.select(UserSession.id).where(UserSession.user_id == member.user.id)).scalar_one()
    assert other.submit(f"/accounts/users/{member.user.id}/sessions/{sid}/end").status_code == status
    assert member.get("/dashboard").status_code == 200


def test_admin_sees_and_ends_a_persons_sessions(login_as, db_read):
    member = login_as("member")
    admin = login_as("admin")
    page = admin.get(f"/accounts/users/{member.user.id}").get_data(as_text=True)
    assert "Active sessions" in page and "End this session" in page
    with db_read() as s:
        sid = s.execute(db.select(UserSession.id).where(UserSession.user_id == member.user.id)).scalar_one()
    # A session id of another account through this account's address is not found.
    with db_read() as s:
        admin_sid = s.execute(db.select(UserSession.id).where(UserSession.user_id == admin.user.id)).scalar_one()
    assert admin.submit(f"/accounts/users/{member.user.id}/sessions/{admin_sid}/end").status_code == 404
    assert admin.submit(f"/accounts/users/{member.user.id}/sessions/{sid}/end").status_code == 303
    assert member.get("/dashboard").status_code == 302
    assert admin.get("/dashboard").status_code == 200
