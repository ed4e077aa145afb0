"""Accounts by e-mail, through HTTP: password reset, invitation link, address change."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from coordination.accounts.models import User, UserSession
from coordination.accounts.recovery import AccountToken
from coordination.db import utcnow
from coordination.notifications.models import OutboxMessage
from tests.factories import PASSWORD
from tests.notifications.conftest import parts

NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture(autouse=True)
def _quick(app):
    saved = app.config["RESET_RESPONSE_SECONDS"]
    app.config["RESET_RESPONSE_SECONDS"] = 0.3
    yield
    app.config["RESET_RESPONSE_SECONDS"] = saved


def _link(message, path: str) -> str:
    text = parts(message)["text/plain"][0].get_content()
    match = re.search(rf"https://portal\.example\.gov(/accounts/{path}/[A-Za-z0-9_\-]+)", text)
    assert match, text
    return match.group(1)


def _ask(client, email: str):
    token = client.csrf_token("/accounts/password/forgot")
    started = time.monotonic()
    response = client.post("/accounts/password/forgot", data={"email": email, "csrf_token": token})
    return response, time.monotonic() - started


def test_reset_answers_the_same_for_known_and_unknown_addresses(make, client_factory, smtp, app):
    user = make.user(email="known@example.net")
    app.config["MAIL_DISPATCH"] = "off"  # as in production, delivery happens apart from the response
    _ask(client_factory(), "warm-up@example.net")
    known, known_time = _ask(client_factory(), user.email)
    unknown, unknown_time = _ask(client_factory(), "nobody@example.net")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'value="[^"]+"', "", r.get_data(as_text=True))  # noqa: E731 - CSRF differs
    assert strip(known) == strip(unknown)
    assert known_time >= 0.3 and unknown_time >= 0.3 and abs(known_time - unknown_time) < 0.1
    with app.app_context():
        from coordination.notifications.sender import send_due

        assert send_due().sent == 1
    assert [m["To"].addresses[0].addr_spec for m in smtp.inbox.messages] == ["known@example.net"]


def test_bad_input_on_the_request_form_is_refused(client, smtp):
    response = client.submit("/accounts/password/forgot", {"email": "not an address"}, token_url="/accounts/password/forgot")
    assert response.status_code == 422 and "Enter a valid e-mail address." in response.get_data(as_text=True)
    assert smtp.inbox.messages == []


def test_a_reset_link_works_once_ends_every_session_and_is_stored_hashed(make, login_as, client_factory, smtp, db_read):
    user = make.user(email="reset@example.net")
    logged_in = login_as(user)
    _ask(client_factory(), user.email)
    path = _link(smtp.inbox.messages[0], "password/reset")
    token = path.rsplit("/", 1)[1]
    with db_read() as session:
        (row,) = session.query(AccountToken).all()
        assert row.token_hash != token and len(row.token_hash) == 64
        assert row.expires_at - utcnow() <= timedelta(hours=1)
    c = client_factory()
    assert c.get(path).status_code == 200
    short = c.submit(path, {"new_password": "short", "confirm": "short"}, token_url=path)
    assert short.status_code == 422 and "at least 12 characters" in short.get_data(as_text=True)
    done = c.submit(path, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, token_url=path)
    assert done.status_code == 303 and done.headers["Location"].endswith("/accounts/login")
    # The old session is over, the new password works, the old one does not, the link is spent.
    assert logged_in.get("/accounts/profile").status_code == 302
    assert client_factory().login(user.email, NEW_PASSWORD).status_code == 303
    assert client_factory().login(user.email, PASSWORD).status_code == 401
    assert client_factory().get(path).status_code == 400


def test_a_reset_link_expires_after_an_hour(make, client_factory, smtp, db_read, app):
    user = make.user(email="late@example.net")
    _ask(client_factory(), user.email)
    path = _link(smtp.inbox.messages[0], "password/reset")
    with app.app_context():
        from coordination.extensions import db

        row = db.session.query(AccountToken).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client_factory().get(path).status_code == 400
    response = client_factory().post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code in (400, 422)
    assert client_factory().login(user.email, PASSWORD).status_code == 303


def test_a_newer_request_or_a_password_change_voids_a_link(make, client_factory, login_as, smtp):
    user = make.user(email="twice@example.net")
    _ask(client_factory(), user.email)
    _ask(client_factory(), user.email)
    first, second = (_link(m, "password/reset") for m in smtp.inbox.messages)
    assert client_factory().get(first).status_code == 400
    assert client_factory().get(second).status_code == 200
    c = login_as(user)
    assert c.submit("/accounts/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                           "confirm": NEW_PASSWORD}).status_code == 303
    assert client_factory().get(second).status_code == 400


def test_requests_are_throttled_per_account_silently(make, client_factory, smtp, db_read):
    user = make.user(email="many@example.net")
    for _ in range(5):
        response, _t = _ask(client_factory(), user.email)
        assert response.status_code == 200
    assert len(smtp.inbox.messages) == 3  # RESET_REQUESTS_PER_ACCOUNT = 3 per hour


def test_an_admin_invites_a_new_person_who_sets_their_password_once(login_as, client_factory, smtp, db_read):
    admin = login_as("admin")
    response = admin.submit("/accounts/users/new", {
        "email": "newcomer@example.net", "full_name": "New Comer", "organisation_id": "", "position": "",
        "phone": "", "language": "en", "role": "member", "password": "", "send_invitation": "y"})
    assert response.status_code == 303
    (message,) = smtp.inbox.messages
    assert message["To"].addresses[0].addr_spec == "newcomer@example.net"
    path = _link(message, "welcome")
    assert client_factory().login("newcomer@example.net", NEW_PASSWORD).status_code == 401
    c = client_factory()
    assert c.submit(path, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, token_url=path).status_code == 303
    assert client_factory().login("newcomer@example.net", NEW_PASSWORD).status_code == 303
    assert client_factory().get(path).status_code == 400  # single use
    # Both a password and an invitation: refused beside the field, nothing created.
    both = admin.submit("/accounts/users/new", {
        "email": "both@example.net", "full_name": "Both", "organisation_id": "", "position": "", "phone": "",
        "language": "en", "role": "member", "password": "a long enough password", "send_invitation": "y"})
    assert both.status_code == 422 and "not both" in both.get_data(as_text=True)
    with db_read() as session:
        assert session.query(User).filter_by(email="both@example.net").first() is None


def test_only_admins_send_invitation_links(make, login_as, smtp, db_read):
    person = make.user(email="target@example.net")
    # Members may not even see the account (404); secretariat and evaluators see it, may not act (403).
    for role, status in (("member", 404), ("secretariat", 403), ("evaluator", 403)):
        assert login_as(role).submit(f"/accounts/users/{person.id}/invite").status_code == status
    assert smtp.inbox.messages == []
    with db_read() as session:
        assert session.query(AccountToken).count() == 0
    assert login_as("admin").submit(f"/accounts/users/{person.id}/invite").status_code == 303
    assert len(smtp.inbox.messages) == 1


def test_changing_the_address_needs_the_password_a_confirmation_and_tells_the_old_address(make, login_as, client_factory, smtp, db_read):
    user = make.user(email="old@example.net")
    c = login_as(user)
    wrong = c.submit("/accounts/email", {"new_email": "new@example.net", "current_password": "wrong password!"})
    assert wrong.status_code == 422 and "The current password is not correct." in wrong.get_data(as_text=True)
    taken = make.user(email="taken@example.net")
    clash = c.submit("/accounts/email", {"new_email": taken.email, "current_password": PASSWORD})
    assert clash.status_code == 422 and "Another account already uses" in clash.get_data(as_text=True)
    assert smtp.inbox.messages == []
    assert c.submit("/accounts/email", {"new_email": "new@example.net", "current_password": PASSWORD}).status_code == 303
    (confirmation,) = smtp.inbox.messages
    assert confirmation["To"].addresses[0].addr_spec == "new@example.net"
    with db_read() as session:
        assert session.get(User, user.id).email == "old@example.net"  # not before the confirmation
    path = _link(confirmation, "email/confirm")
    visitor = client_factory()
    assert visitor.get(path).status_code == 200  # GET changes nothing
    with db_read() as session:
        assert session.get(User, user.id).email == "old@example.net"
    smtp.inbox.clear()
    assert visitor.submit(path, {}, token_url=path).status_code == 303
    with db_read() as session:
        assert session.get(User, user.id).email == "new@example.net"
    (notice,) = smtp.inbox.messages
    assert notice["To"].addresses[0].addr_spec == "old@example.net"
    assert "new@example.net" in parts(notice)["text/plain"][0].get_content()
    assert client_factory().get(path).status_code == 400


def test_the_profile_turns_reminders_off_and_on(make, login_as, db_read):
    user = make.user()
    c = login_as(user)
    assert "Turn reminders off" in c.get("/accounts/profile").get_data(as_text=True)
    assert c.submit("/mail/preferences", {"reminders": "maybe"}).status_code == 303
    assert c.submit("/mail/preferences", {"reminders": "off"}).status_code == 303
    assert "Turn reminders on" in c.get("/accounts/profile").get_data(as_text=True)
    from coordination.notifications.models import NotificationPreference

    with db_read() as session:
        assert session.get(NotificationPreference, user.id).reminders is False
        assert session.query(OutboxMessage).count() == 0
    assert UserSession  # imported for the session checks above
