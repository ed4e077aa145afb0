"""Two-factor authentication through HTTP: enrolment, log-in codes, replay, recovery codes,
throttling, required enrolment, disabling and the administrator's reset."""
import re
from datetime import timedelta

import pyotp

from coordination.accounts.models import RecoveryCode, User, UserSession
from coordination.audit import AuditEntry
from coordination.extensions import db
from tests.factories import PASSWORD


def _user(db_read, user_id) -> User:
    with db_read() as s:
        user = s.get(User, user_id)
        s.expunge(user)
        return user


def _count(db_read, model, **where):
    with db_read() as s:
        stmt = db.select(db.func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return s.execute(stmt).scalar()


def _secret_on(page: str) -> str:
    match = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page)
    assert match, "no secret on the set-up page"
    return match.group(1).replace(" ", "")


def enrol(c, clock) -> tuple[str, list[str]]:
    """Set up the second factor for client ``c``; return the secret and the recovery codes."""
    page = c.get("/accounts/two-factor/setup").get_data(as_text=True)
    secret = _secret_on(page)
    code = pyotp.TOTP(secret).at(clock.now)
    response = c.submit("/accounts/two-factor/setup", {"code": code},
                        token_url="/accounts/two-factor")
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    codes = re.findall(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>", html)
    return secret, codes


def password_step(client, email):
    response = client.login(email)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/accounts/login/code")
    return response


def code_step(client, code):
    return client.submit("/accounts/login/code", {"code": code}, token_url="/accounts/login/code")


def test_enrolment_shows_a_local_qr_code_and_needs_a_first_code(login_as, db_read, clock):
    c = login_as("member")
    page = c.get("/accounts/two-factor/setup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html  # drawn here, no outside service
    assert "http" not in re.search(r'<img src="([^"]+)"', html).group(1)[:30]
    secret = _secret_on(html)
    wrong = c.submit("/accounts/two-factor/setup", {"code": "000000" if pyotp.TOTP(secret).at(clock.now) != "000000" else "111111"},
                     token_url="/accounts/two-factor")
    assert wrong.status_code == 422
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    assert not _user(db_read, c.user.id).has_two_factor
    bad_input = c.submit("/accounts/two-factor/setup", {"code": ""}, token_url="/accounts/two-factor")
    assert bad_input.status_code == 422
    # The same secret stays in this browser until confirmed.
    ok = c.submit("/accounts/two-factor/setup", {"code": pyotp.TOTP(secret).at(clock.now)},
                  token_url="/accounts/two-factor")
    assert ok.status_code == 200
    codes = re.findall(r"<li>([a-z2-9-]{19})</li>", ok.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    user = _user(db_read, c.user.id)
    assert user.has_two_factor and user.totp_secret == secret
    with db_read() as s:
        hashes = s.execute(db.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).scalars().all()
    assert len(hashes) == 10 and not set(hashes) & {code.replace("-", "") for code in codes}
    with db_read() as s:
        actions = s.execute(db.select(AuditEntry.action).where(AuditEntry.object_id == user.id,
                                                               AuditEntry.object_type == "user")).scalars().all()
    assert "two_factor_enabled" in actions


def test_enrolment_ends_the_sessions_begun_before(login_as, client_factory, db_read, clock):
    c = login_as("member")
    other = client_factory()
    assert other.login(c.user.email).status_code == 303
    enrol(c, clock)
    assert other.get("/dashboard").status_code == 302
    assert c.get("/dashboard").status_code == 200  # this browser goes on in a new session
    assert _count(db_read, UserSession, user_id=c.user.id) == 1


def test_login_asks_for_the_code_and_refuses_wrong_and_replayed_codes(login_as, client_factory, clock):
    c = login_as("member")
    secret, _codes = enrol(c, clock)
    clock.advance(seconds=30)
    browser = client_factory()
    password_step(browser, c.user.email)
    assert browser.get("/dashboard").status_code == 302  # the password alone opens nothing
    current = pyotp.TOTP(secret).at(clock.now)
    wrong = code_step(browser, "000000" if current != "000000" else "111111")
    assert wrong.status_code == 401
    assert "This code is not correct" in wrong.get_data(as_text=True)
    empty = code_step(browser, "")
    assert empty.status_code == 422
    ok = code_step(browser, current)
    assert ok.status_code == 303 and ok.headers["Location"].endswith("/dashboard")
    assert browser.get("/dashboard").status_code == 200
    # The same code, within its window, in another browser: refused.
    thief = client_factory()
    password_step(thief, c.user.email)
    assert code_step(thief, current).status_code == 401
    assert thief.get("/dashboard").status_code == 302
    # The next step's code works.
    clock.advance(seconds=30)
    assert code_step(thief, pyotp.TOTP(secret).at(clock.now)).status_code == 303


def test_code_step_without_a_password_step_goes_back_to_login(client):
    response = client.get("/accounts/login/code")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_recovery_codes_are_single_use(login_as, client_factory, db_read, clock):
    c = login_as("member")
    _secret, codes = enrol(c, clock)
    first = client_factory()
    password_step(first, c.user.email)
    used = code_step(first, codes[0].upper().replace("-", " "))  # typed loosely
    assert used.status_code == 303
    assert used.headers["Location"].endswith("/accounts/two-factor")
    assert _count(db_read, RecoveryCode, user_id=c.user.id) == 9
    again = client_factory()
    password_step(again, c.user.email)
    assert code_step(again, codes[0]).status_code == 401
    assert code_step(again, codes[1]).status_code == 303
    assert _count(db_read, RecoveryCode, user_id=c.user.id) == 8


def test_new_recovery_codes_replace_the_old_ones(login_as, client_factory, db_read, clock):
    c = login_as("member")
    _secret, codes = enrol(c, clock)
    response = c.submit("/accounts/two-factor/recovery-codes", token_url="/accounts/two-factor")
    assert response.status_code == 200
    fresh = re.findall(r"<li>([a-z2-9-]{19})</li>", response.get_data(as_text=True))
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    browser = client_factory()
    password_step(browser, c.user.email)
    assert code_step(browser, codes[0]).status_code == 401
    assert code_step(browser, fresh[0]).status_code == 303


def test_wrong_codes_are_throttled_like_passwords(login_as, client_factory, clock):
    c = login_as("member")
    secret, _codes = enrol(c, clock)
    browser = client_factory()
    password_step(browser, c.user.email)
    current = pyotp.TOTP(secret).at(clock.now + timedelta(seconds=30))
    for n in range(5):
        assert code_step(browser, f"{(int(current) + n + 1) % 1000000:06d}").status_code == 401
    blocked = code_step(browser, current)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert browser.get("/dashboard").status_code == 302


def test_secretariat_must_enrol_at_next_login(app, login_as, make, db_read, clock, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_ROLES", ("admin", "secretariat"))
    staff = login_as("secretariat")
    forced = staff.get("/dashboard")
    assert forced.status_code == 302 and forced.headers["Location"].endswith("/accounts/two-factor/setup")
    assert staff.get("/bodies/").status_code == 302
    page = staff.get("/accounts/two-factor/setup").get_data(as_text=True)
    assert "Your role requires two-factor authentication" in page
    enrol(staff, clock)
    assert staff.get("/dashboard").status_code == 200
    # A member is not forced.
    member = login_as("member")
    assert member.get("/dashboard").status_code == 200
    # Required roles cannot turn it off.
    refused = staff.submit("/accounts/two-factor/disable", {"password": PASSWORD, "code": "123456"},
                           token_url="/accounts/two-factor")
    assert refused.status_code == 409
    assert _user(db_read, staff.user.id).has_two_factor


def test_disabling_needs_the_password_and_a_current_code(login_as, db_read, clock):
    c = login_as("member")
    secret, _codes = enrol(c, clock)
    clock.advance(seconds=30)
    url = "/accounts/two-factor/disable"
    wrong_password = c.submit(url, {"password": "not my password", "code": pyotp.TOTP(secret).at(clock.now)}, token_url=url)
    assert wrong_password.status_code == 422 and 'id="password-error"' in wrong_password.get_data(as_text=True)
    wrong_code = c.submit(url, {"password": PASSWORD, "code": "12345"}, token_url=url)
    assert wrong_code.status_code == 422 and 'id="code-error"' in wrong_code.get_data(as_text=True)
    assert _user(db_read, c.user.id).has_two_factor
    ok = c.submit(url, {"password": PASSWORD, "code": pyotp.TOTP(secret).at(clock.now)}, token_url=url)
    assert ok.status_code == 303
    assert not _user(db_read, c.user.id).has_two_factor
    assert _count(db_read, RecoveryCode, user_id=c.user.id) == 0


def test_admin_resets_a_second_factor_audited_and_sessions_end(login_as, client_factory, db_read, clock):
    c = login_as("member")
    enrol(c, clock)
    staff = login_as("secretariat")
    refused = staff.submit(f"/accounts/users/{c.user.id}/two-factor/reset", token_url="/dashboard")
    assert refused.status_code == 403
    assert _user(db_read, c.user.id).has_two_factor
    admin = login_as("admin")
    detail = admin.get(f"/accounts/users/{c.user.id}").get_data(as_text=True)
    assert "Reset two-factor authentication" in detail
    response = admin.submit(f"/accounts/users/{c.user.id}/two-factor/reset", token_url="/dashboard")
    assert response.status_code == 303
    assert not _user(db_read, c.user.id).has_two_factor
    assert c.get("/dashboard").status_code == 302
    with db_read() as s:
        entry = s.execute(db.select(AuditEntry).where(AuditEntry.action == "two_factor_reset")).scalar_one()
        assert entry.actor_id == admin.user.id and entry.object_id == c.user.id
    # Password alone again (members are not required to use it).
    assert client_factory().login(c.user.email).headers["Location"].endswith("/dashboard")
    # Nothing left to reset.
    assert admin.submit(f"/accounts/users/{c.user.id}/two-factor/reset", token_url="/dashboard").status_code == 409


def test_anonymous_visitors_cannot_reach_the_two_factor_pages(client, make):
    user = make.user()
    for url in ("/accounts/two-factor", "/accounts/two-factor/setup", "/accounts/two-factor/disable"):
        assert client.get(url).status_code == 302
    token = client.csrf_token()
    response = client.post(f"/accounts/users/{user.id}/two-factor/reset", data={"csrf_token": token})
    assert response.status_code == 303 and "/accounts/login" in response.headers["Location"]


def test_demo_account_with_a_second_factor(app, client_factory, clock):
    from coordination import demo

    with app.app_context():
        demo.load()
        db.session.commit()
    email, key = demo.TWO_FACTOR_DEMO
    password = next(p[5] for p in demo.PEOPLE if p[0] == email)
    browser = client_factory()
    response = browser.login(email, password)
    assert response.headers["Location"].endswith("/accounts/login/code")
    assert code_step(browser, pyotp.TOTP(key).at(clock.now)).status_code == 303
    assert browser.get("/dashboard").status_code == 200
