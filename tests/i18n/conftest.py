"""An application whose only catalogue is a small French fixture (Spanish has none), whatever coordination/translations holds."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

FRENCH = {
    "Log in": "Se connecter", "Dashboard": "Tableau de bord", "Agenda": "Ordre du jour", "When": "Quand",
    "Items": "Points", "Item": "Point", "Presenter": "Présentateur", "Duration": "Durée",
    "Total planned time": "Durée prévue", "Language": "Langue", "Minutes": "Procès-verbal",
    "Attendance": "Présences", "Quorum": "Quorum", "Decisions": "Décisions", "min": "min",
}


def write_catalogue(folder: Path, code: str, messages: dict[str, str]) -> None:
    catalog = Catalog(locale=code)
    for source, target in messages.items():
        catalog.add(source, target)
    target_dir = folder / code / "LC_MESSAGES"
    target_dir.mkdir(parents=True, exist_ok=True)
    with open(target_dir / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)


@pytest.fixture(scope="session")
def fixture_translations(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("translations")
    write_catalogue(folder, "fr", FRENCH)
    return folder


@pytest.fixture(scope="session")
def i18n_app(app, fixture_translations):
    """A second application over the same test database, reading only the fixture catalogue."""
    from coordination import create_app

    other = create_app({**{k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "RATELIMIT_STORAGE_URI", "UPLOAD_FOLDER",
        "SERVER_NAME", "DEFAULT_TIMEZONE", "MFA_REQUIRED_ROLES", "SESSION_COOKIE_SECURE", "MAIL_BACKEND",
        "MAIL_FOLDER", "MAIL_DISPATCH", "BASE_URL")}, "BABEL_TRANSLATION_DIRECTORIES": str(fixture_translations)})
    return other


@pytest.fixture
def i18n_client(i18n_app):
    from tests.conftest import Client

    i18n_app.test_client_class = Client
    return i18n_app.test_client()


@pytest.fixture
def i18n_login(i18n_app, make):
    from coordination.accounts.models import Role
    from tests.conftest import Client

    def login(role: str = "member", **kwargs):
        user = make.user(role=Role(role), **kwargs)
        i18n_app.test_client_class = Client
        c = i18n_app.test_client()
        assert c.login(user.email).status_code == 303
        c.user = user
        return c

    return login
