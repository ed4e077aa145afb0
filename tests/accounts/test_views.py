"""Log-in, sessions, throttling, passwords and user administration, through HTTP."""
import pytest

from coordination import create_app
from coordination.accounts.models import Role, User, UserSession
from coordination.extensions import db
from tests.factories import PASSWORD


def _count(db_read, model, **where):
    with db_read() as s:
        stmt = db.select(db.func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return s.execute(stmt).scalar()


def test_login_success_goes_to_dashboard(client, make):
    user = make.user()
    response = client.login(user.email)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


@pytest.mark.parametrize("email,password", [("known", "wrong password!!"), ("nobody@example.net", PASSWORD)])
def test_failed_login_does_not_say_which_part_was_wrong(client, make, email, password):
    user = make.user()
    response = client.login(user.email if email == "known" else email, password)
    assert response.status_code == 401
    assert "The e-mail address or password is not correct." in response.get_data(as_text=True)


def test_missing_fields_give_field_errors(client):
    response = client.submit("/accounts/login", {"email": "", "password": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and 'id="email-error"' in html


def test_deactivated_and_passwordless_accounts_cannot_log_in(client, make):
    inactive = make.user(active=False)
    no_password = make.user(password_hash=None)
    assert client.login(inactive.email).status_code == 401
    assert client.login(no_password.email).status_code == 401


def test_failed_logins_are_throttled_per_account_then_lifted(app, client, make):
    user = make.user()
    for _ in range(5):
        assert client.login(user.email, "wrong password!!").status_code == 401
    blocked = client.login(user.email)  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many failed log-in attempts" in blocked.get_data(as_text=True)
    # Another account from the same address is not blocked by this account's failures.
    other = make.user()
    assert client.login(other.email).status_code == 303
    # No permanent lock-out: the window expires (simulated by clearing the limiter storage).
    from coordination.extensions import limiter

    limiter.reset()
    assert client_factory_login(app, user.email).status_code == 303


def client_factory_login(app, email):
    from tests.conftest import Client

    app.test_client_class = Client
    return app.test_client().login(email)


def test_failed_logins_are_throttled_per_address(client, make):
    for n in range(20):
        client.login(f"guess{n}@example.net", "wrong password!!")
    user = make.user()
    assert client.login(user.email).status_code == 429


def test_logout_is_post_only_and_kills_a_copied_cookie(app, login_as):
    c = login_as("member")
    assert c.get("/accounts/logout").status_code == 405
    cookie = c.get_cookie("session")
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/dashboard").status_code == 200
    assert c.submit("/accounts/logout").status_code == 303
    assert thief.get("/dashboard").status_code == 302  # sent to the log-in page
    assert c.get("/dashboard").status_code == 302


def test_password_change_checks_current_and_ends_other_sessions(login_as, client_factory, db_read):
    c = login_as("member")
    other = client_factory()
    assert other.login(c.user.email).status_code == 303
    wrong = c.submit("/accounts/password", {"current_password": "nope", "new_password": "a new long passphrase", "confirm": "a new long passphrase"})
    assert wrong.status_code == 422
    assert "The current password is not correct." in wrong.get_data(as_text=True)
    short = c.submit("/accounts/password", {"current_password": PASSWORD, "new_password": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "at least 12 characters" in short.get_data(as_text=True)
    mismatch = c.submit("/accounts/password", {"current_password": PASSWORD, "new_password": "a new long passphrase", "confirm": "something else"})
    assert mismatch.status_code == 422
    ok = c.submit("/accounts/password", {"current_password": PASSWORD, "new_password": "a new long passphrase", "confirm": "a new long passphrase"})
    assert ok.status_code == 303
    assert c.get("/dashboard").status_code == 200  # this browser stays logged in
    assert other.get("/dashboard").status_code == 302  # the other session ended
    assert _count(db_read, UserSession, user_id=c.user.id) == 1
    fresh = client_factory()
    assert fresh.login(c.user.email, "a new long passphrase").status_code == 303


def test_passwords_are_hashed_with_argon2id(make, db_read):
    user = make.user()
    with db_read() as s:
        assert s.get(User, user.id).password_hash.startswith("$argon2id$")


def test_safe_next_redirects_only(client, make):
    user = make.user()
    token = client.csrf_token()
    evil = client.post("/accounts/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert evil.headers["Location"].endswith("/dashboard")
    client.submit("/accounts/logout", token_url="/dashboard")
    token = client.csrf_token()
    good = client.post("/accounts/login?next=/bodies/", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert good.headers["Location"].endswith("/bodies/")


def test_security_headers_and_cookie_flags(client, make):
    page = client.get("/accounts/login")
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    user = make.user()
    response = client.login(user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_post_without_csrf_token_is_refused(login_as, make, db_read):
    c = login_as("admin")
    response = c.post("/organisations/new", data={"name": "No token", "kind": "civil_society", "level": "national"})
    assert response.status_code == 400
    with db_read() as s:
        assert s.execute(db.select(db.func.count()).select_from(User).where(User.full_name == "No token")).scalar() == 0


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    from coordination import ConfigurationError
    from coordination.config import Config

    monkeypatch.setattr(Config, "SECRET_KEY", None)
    monkeypatch.setattr(Config, "ENV", "production")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_unauthenticated_visitor_is_sent_to_login(client):
    response = client.get("/bodies/")
    assert response.status_code == 302
    assert "/accounts/login?next=" in response.headers["Location"]


# --- user administration ---------------------------------------------------------------


def _user_form(**overrides):
    data = {"email": "new.person@example.net", "full_name": "New Person", "organisation_id": "",
            "position": "Focal person", "phone": "", "language": "en", "role": "member", "password": ""}
    data.update(overrides)
    return data


def test_admin_creates_user_who_must_change_password(login_as, client_factory, db_read):
    admin = login_as("admin")
    response = admin.submit("/accounts/users/new", _user_form(password="initial password 1"))
    assert response.status_code == 303
    newcomer = client_factory()
    assert newcomer.login("new.person@example.net", "initial password 1").status_code == 303
    forced = newcomer.get("/bodies/")
    assert forced.status_code == 302 and forced.headers["Location"].endswith("/accounts/password")
    ok = newcomer.submit("/accounts/password", {"current_password": "initial password 1",
                                                "new_password": "my own passphrase", "confirm": "my own passphrase"})
    assert ok.status_code == 303
    assert newcomer.get("/bodies/").status_code == 200
    with db_read() as s:
        entry = s.execute(db.select(User).where(User.email == "new.person@example.net")).scalar_one()
        assert entry.role == Role.MEMBER


@pytest.mark.parametrize("overrides,field,message", [
    ({"email": "not-an-email"}, "email", "Enter a valid e-mail address."),
    ({"full_name": ""}, "full_name", "This field is required."),
    ({"full_name": "x" * 201}, "full_name", "Use at most 200 characters."),
    ({"password": "short"}, "password", "Use at least 12 characters."),
    ({"role": "superuser"}, "role", "Not a valid choice"),
])
def test_admin_user_form_rejects_bad_input(login_as, db_read, overrides, field, message):
    admin = login_as("admin")
    before = _count(db_read, User)
    response = admin.submit("/accounts/users/new", _user_form(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert _count(db_read, User) == before


def test_duplicate_email_is_refused(login_as, make, db_read):
    existing = make.user(email="taken@example.net")
    admin = login_as("admin")
    response = admin.submit("/accounts/users/new", _user_form(email="TAKEN@example.net"))
    assert response.status_code == 422
    assert "Another account already uses this e-mail address." in response.get_data(as_text=True)
    assert _count(db_read, User, email=existing.email) == 1


def test_admin_deactivates_user_which_ends_their_sessions(login_as, db_read):
    member = login_as("member")
    admin = login_as("admin")
    assert admin.submit(f"/accounts/users/{member.user.id}/deactivate").status_code == 303
    assert member.get("/dashboard").status_code == 302
    with db_read() as s:
        assert s.get(User, member.user.id).active is False
    assert admin.submit(f"/accounts/users/{member.user.id}/reactivate").status_code == 303
    with db_read() as s:
        assert s.get(User, member.user.id).active is True


def test_admin_cannot_deactivate_themselves(login_as, db_read):
    admin = login_as("admin")
    assert admin.submit(f"/accounts/users/{admin.user.id}/deactivate").status_code == 409
    with db_read() as s:
        assert s.get(User, admin.user.id).active is True


def test_stale_user_edit_is_refused(login_as, make, db_read):
    target = make.user(full_name="Original Name")
    admin = login_as("admin")
    first = admin.submit(f"/accounts/users/{target.id}/edit", _user_form(email=target.email, full_name="First Edit", version="1"))
    assert first.status_code == 303
    second = admin.submit(f"/accounts/users/{target.id}/edit", _user_form(email=target.email, full_name="Second Edit", version="1"))
    assert second.status_code == 409
    assert "Someone else changed this record" in second.get_data(as_text=True)
    with db_read() as s:
        assert s.get(User, target.id).full_name == "First Edit"


def test_profile_language_changes_page_language(app, login_as):
    from coordination.i18n import has_catalogue

    c = login_as("member")
    page = c.get("/accounts/profile").get_data(as_text=True)
    import re

    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = c.submit("/accounts/profile", {"full_name": "Marie Test", "position": "", "phone": "", "language": "fr", "version": version})
    assert response.status_code == 303
    # The page declares the language it is shown in: French once its catalogue exists.
    with app.app_context():
        shown = "fr" if has_catalogue("fr") else "en"
    assert f'<html lang="{shown}">' in c.get("/dashboard").get_data(as_text=True)


def test_create_admin_command(app, db_read):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "Root@Example.net", "--name", "Root", "--password", "a long admin passphrase"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == "root@example.net")).scalar_one()
        assert user.role == Role.ADMIN and user.must_change_password is False
        db.session.delete(user)
        db.session.commit()
    bad = app.test_cli_runner().invoke(args=["create-admin", "--email", "x@example.net", "--name", "X", "--password", "short"])
    assert bad.exit_code != 0 and "at least 12" in bad.output


def test_logging_in_does_not_bump_the_account_version(login_as, make, db_read):
    """Recording the last log-in is bookkeeping: concurrent log-ins (found by make load) or an
    admin editing the account meanwhile must not meet a false conflict."""
    from coordination.accounts.models import User

    user = make.user()
    with db_read() as s:
        before = s.get(User, user.id).version
    login_as(user)
    login_as(user)
    with db_read() as s:
        fresh = s.get(User, user.id)
        assert fresh.version == before and fresh.last_login_at is not None
