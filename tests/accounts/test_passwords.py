"""Password rules (ASVS 6.2): the validator, and the password change through HTTP."""
import pytest

from coordination.accounts.models import User
from coordination.accounts.passwords import (
    COMMON_PASSWORDS_FILE,
    check_password_rules,
    common_passwords,
    password_strength,
)
from coordination.extensions import db
from tests.factories import PASSWORD


def test_the_common_password_list_ships_with_the_package():
    assert len(common_passwords()) >= 10_000
    assert COMMON_PASSWORDS_FILE.with_name("common_passwords.LICENSE.txt").exists()
    assert {"123456", "password", "qwertyuiop", "1qaz2wsx3edc"} <= common_passwords()


@pytest.mark.parametrize("password", [
    "123qweasdzxc", "1Qaz2Wsx3Edc", "1qaz 2wsx 3edc", "leavemealone",   # listed as such
    "password1234", "Qwertyuiop123!", "dragon!!dragon!!", "abababababab",  # padded or repeated
])
def test_common_passwords_are_refused_whatever_the_case_and_blanks(password):
    assert "among the most common" in check_password_rules(password)


@pytest.mark.parametrize("password,email,name", [
    ("marie.dupont@example.net!", "marie.dupont@example.net", ""),
    ("my dupont garden 2026", "marie.dupont@example.net", ""),
    ("my passphrase is Jean-Baptiste", "jb@example.net", "Jean-Baptiste Louis"),
    ("hello LOUIS and friends", "jb@example.net", "Jean-Baptiste Louis"),
])
def test_passwords_with_the_persons_name_or_email_are_refused(password, email, name):
    assert "name or e-mail" in check_password_rules(password, email, name)


@pytest.mark.parametrize("password", [
    "eleven char",                               # too short
    "x" * 257,                                   # too long
])
def test_length_limits(password):
    assert check_password_rules(password) is not None


@pytest.mark.parametrize("password", [
    "correct horse battery staple",
    " leading and trailing spaces ",
    "ünïcödé パスワード 🐘 keys",
    "a" * 30 + "Z" * 98,                         # 128 characters
    "no composition rules at all",               # lower case letters and spaces only
])
def test_long_passphrases_and_any_unicode_are_accepted(password):
    assert check_password_rules(password, "someone@example.net", "Ana Li") is None


def test_strength_hint():
    assert password_strength("")[0] == 0
    assert password_strength("short")[0] == 0
    assert password_strength("password1234")[0] == 0  # common
    assert password_strength("plain words here")[0] >= 3
    assert password_strength("four unrelated plain words")[0] == 4


def _change(c, new, confirm=None):
    return c.submit("/accounts/password", {"current_password": PASSWORD, "new_password": new,
                                           "confirm": new if confirm is None else confirm})


def _hash(db_read, user_id):
    with db_read() as s:
        return s.get(User, user_id).password_hash


def test_common_password_is_refused_beside_the_field(login_as, db_read):
    c = login_as("member")
    before = _hash(db_read, c.user.id)
    response = _change(c, "qwertyuiop123")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="new_password-error"' in html and "among the most common" in html
    assert _hash(db_read, c.user.id) == before


def test_password_with_own_name_is_refused(login_as, db_read):
    c = login_as("member", full_name="Roseline Baptiste")
    before = _hash(db_read, c.user.id)
    response = _change(c, "roseline loves mangoes")
    assert response.status_code == 422
    assert "must not contain your name" in response.get_data(as_text=True)
    assert _hash(db_read, c.user.id) == before


@pytest.mark.parametrize("new", ["  spaced passphrase kept  ", "mot de passe élevé à Pétion-Ville ☀", "p" * 60 + " " + "q" * 80])
def test_passwords_are_verified_exactly_as_typed(login_as, client_factory, new):
    c = login_as("member")
    assert _change(c, new).status_code == 303
    assert client_factory().login(c.user.email, new).status_code == 303
    assert client_factory().login(c.user.email, new.strip()[:-1]).status_code == 401
    if new != new.strip():
        assert client_factory().login(c.user.email, new.strip()).status_code == 401


def test_strength_hint_without_javascript_on_submit(login_as):
    c = login_as("member")
    response = _change(c, "four unrelated plain words", confirm="not the same")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Strength of the new password you typed: Strong." in html
    ok = _change(c, "four unrelated plain words")
    assert ok.status_code == 303
    assert "strength: Strong" in c.get("/accounts/profile").get_data(as_text=True)


def test_admin_initial_password_follows_the_same_rules(login_as, db_read):
    admin = login_as("admin")
    form = {"email": "rules@example.net", "full_name": "Rules Person", "organisation_id": "", "position": "",
            "phone": "", "language": "en", "role": "member", "password": "1qaz2wsx3edc"}
    response = admin.submit("/accounts/users/new", form)
    assert response.status_code == 422 and "among the most common" in response.get_data(as_text=True)
    with db_read() as s:
        assert s.execute(db.select(User).where(User.email == "rules@example.net")).scalar() is None
