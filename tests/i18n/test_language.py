"""Which language a page is shown in: profile, switcher, Accept-Language; lang always the language shown."""
import re

from coordination.accounts.models import User
from coordination.audit import AuditEntry
from coordination.extensions import db


def lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)">', html).group(1)


def test_accept_language_before_log_in(i18n_client):
    page = i18n_client.get("/accounts/login", headers={"Accept-Language": "fr-HT,fr;q=0.9"}).get_data(as_text=True)
    assert lang(page) == "fr" and "Se connecter" in page
    # Spanish has no catalogue: the page is in English and says so.
    page = i18n_client.get("/accounts/login", headers={"Accept-Language": "es-CR"}).get_data(as_text=True)
    assert lang(page) == "en" and "Log in" in page
    # The best language that can be shown wins over one that cannot.
    page = i18n_client.get("/accounts/login", headers={"Accept-Language": "es, fr;q=0.5"}).get_data(as_text=True)
    assert lang(page) == "fr"


def test_switcher_on_the_log_in_page_works_without_javascript(i18n_client):
    page = i18n_client.get("/accounts/login").get_data(as_text=True)
    switcher = re.search(r'<form method="post" action="/accounts/language".*?</form>', page, re.S).group(0)
    # Only the languages that can really be shown, each under its own name and in its own language.
    assert 'value="en" lang="en"' in switcher and 'value="fr" lang="fr"' in switcher and 'value="es"' not in switcher
    assert "Français" in switcher and 'aria-current="true"' in switcher
    response = i18n_client.submit("/accounts/language", {"language": "fr", "next": "/accounts/login"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/accounts/login")
    page = i18n_client.get("/accounts/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert lang(page) == "fr" and "Se connecter" in page  # the choice beats the browser's


def test_switcher_refuses_bad_input(i18n_client):
    for bad in ({"language": "de", "next": "/accounts/login"}, {"language": "", "next": "/accounts/login"}):
        response = i18n_client.submit("/accounts/language", bad)
        assert response.status_code == 303
        page = i18n_client.get("/accounts/login").get_data(as_text=True)
        assert lang(page) == "en" and "Choose one of the languages offered." in page
    # An address elsewhere is never followed.
    response = i18n_client.submit("/accounts/language", {"language": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/accounts/login")
    # Without the CSRF token nothing changes.
    assert i18n_client.post("/accounts/language", data={"language": "fr"}).status_code == 400


def test_log_out_keeps_the_person_s_language_for_the_log_in_page(i18n_client, make):
    user = make.user(language="fr")
    assert i18n_client.login(user.email).status_code == 303
    i18n_client.submit("/accounts/logout", {}, token_url="/dashboard")
    page = i18n_client.get("/accounts/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert lang(page) == "fr"


def test_profile_language_decides_and_lang_is_the_language_shown(i18n_login, db_read):
    french = i18n_login(language="fr")
    page = french.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert lang(page) == "fr" and "Tableau de bord" in page
    spanish = i18n_login(language="es")  # no Spanish catalogue yet: English, declared as English
    page = spanish.get("/dashboard", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert lang(page) == "en" and "Dashboard" in page


def test_switcher_when_logged_in_changes_the_profile(i18n_login, db_read):
    c = i18n_login(language="en")
    response = c.submit("/accounts/language", {"language": "fr", "next": "/dashboard"}, token_url="/dashboard")
    assert response.status_code == 303 and response.headers["Location"].endswith("/dashboard")
    assert lang(c.get("/dashboard").get_data(as_text=True)) == "fr"
    with db_read() as s:
        assert s.get(User, c.user.id).language == "fr"
        entry = s.execute(db.select(AuditEntry).where(AuditEntry.object_id == c.user.id, AuditEntry.action == "update")).scalar_one()
        assert entry.changes == {"language": ["en", "fr"]}


def test_switcher_refused_value_changes_nothing_for_a_logged_in_person(i18n_login, db_read):
    c = i18n_login(language="en")
    c.submit("/accounts/language", {"language": "xx", "next": "/dashboard"}, token_url="/dashboard")
    with db_read() as s:
        assert s.get(User, c.user.id).language == "en"
        assert s.execute(db.select(AuditEntry).where(AuditEntry.object_id == c.user.id)).first() is None


def test_real_app_never_declares_a_language_it_does_not_show(client):
    from coordination.i18n import has_catalogue

    page = client.get("/accounts/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
    with client.application.app_context():
        expected = "es" if has_catalogue("es") else "en"
    assert lang(page) == expected
