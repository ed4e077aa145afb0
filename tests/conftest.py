"""Fixtures: one migrated database per run, one rolled-back transaction per test.

Flask reuses an app context that is already pushed for test-client requests (and with it
``g`` and Flask-Login's cached user), so tests never hold an app context across requests:
set-up and assertions run in short ``app.app_context()`` blocks (the ``make`` and
``db_read`` fixtures). Every session of the test is bound to one connection whose outer
transaction is rolled back at the end; a request's commit only releases a SAVEPOINT.
"""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id

from coordination import create_app
from coordination.charters.models import CharterStatus, QuorumRule
from coordination.extensions import cache, db, limiter, page_store
from coordination.memberships.models import MembershipKind, SeatRole
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class NotATestDatabase(RuntimeError):
    """The suite was pointed at a database whose name does not say it is for tests."""


def check_test_database(url: str) -> str:
    """Return ``url`` if its database name marks it as a test database, else refuse.

    The suite drops the schema it runs on, so it must never reach a real database: it reads
    ``TEST_DATABASE_URL`` only (never the application's ``DATABASE_URL``) and the database
    name (a SQLite file's name) must contain "test".
    """
    name = sa.engine.make_url(url).database or ""
    if "test" not in Path(name).name.lower():
        raise NotATestDatabase(
            f"refusing to run the tests on database {name!r}: its name must contain 'test' "
            "(the suite drops its schema). Set TEST_DATABASE_URL to a test database."
        )
    return url


def _database_url(tmp: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return check_test_database(url) if url else f"sqlite:///{tmp / 'test.db'}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse the whole run, before any fixture, when TEST_DATABASE_URL names a real database."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        try:
            check_test_database(url)
        except NotATestDatabase as error:
            pytest.exit(str(error), returncode=4)


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (CI=true) a skipped test fails the run: CI must provide what every test needs."""
    if _skipped and os.environ.get("CI", "").lower() in ("1", "true", "yes") and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\nCI: {len(_skipped)} test(s) skipped, which fails the run: " + ", ".join(_skipped[:20]))


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("concertation")
    from coordination.config import database_url

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url(_database_url(tmp)),
            "RATELIMIT_STORAGE_URI": "memory://",
            "UPLOAD_FOLDER": str(tmp / "uploads"),
            "SERVER_NAME": "localhost",
            # "Today" in tests is the UTC date (tests.today), whatever the machine's zone.
            "DEFAULT_TIMEZONE": "UTC",
            # Mail goes to files unless a test starts an SMTP server (tests/notifications).
            "MAIL_BACKEND": "file",
            "MAIL_FOLDER": str(tmp / "mail"),
            "MAIL_DISPATCH": "off",
            "BASE_URL": "https://portal.example.gov",
            # Plain http://localhost, and the password-only login helper: the production
            # cookie and the required second factor are tested in tests/accounts/test_security.py.
            "SESSION_COOKIE_SECURE": False,
            "MFA_REQUIRED_ROLES": (),
        }
    )
    with app.app_context():
        _reset_schema()
        from flask_migrate import upgrade

        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _reset_schema() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


@pytest.fixture(autouse=True)
def _transaction(app: Flask) -> Iterator[None]:
    """Run the test inside one outer transaction that is rolled back afterwards."""
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = sa.orm.scoped_session(
        sa.orm.sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
        scopefunc=_app_ctx_id,
    )
    limiter.reset()
    try:
        yield
    finally:
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def empty_cache(app: Flask) -> Iterator[None]:
    """Start and end with an empty cache: feeds, plan roll-ups and pages are kept there, in
    one cache for the whole suite's app."""
    with app.app_context():
        cache.clear()
        page_store.clear()
    yield
    with app.app_context():
        cache.clear()
        page_store.clear()


@pytest.fixture
def own_session(monkeypatch):
    """For tests that run a second app on a database of its own: ``db.session`` is then a
    plain Flask-SQLAlchemy session again, not one bound to the suite's test connection."""
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))


@pytest.fixture
def make(app: Flask) -> Any:
    """``make.organisation(...)``: run a factory in its own app context and commit it."""

    class Maker:
        def __getattr__(self, name: str) -> Callable[..., Any]:
            factory = getattr(factories, name)

            def run(*args: Any, **kwargs: Any) -> Any:
                with app.app_context():
                    obj = factory(*args, **kwargs)
                    db.session.commit()
                    return obj

            return run

    return Maker()


@pytest.fixture
def db_read(app: Flask):
    """A context manager giving a fresh session to check what the database holds."""

    @contextmanager
    def reader() -> Iterator[Any]:
        with app.app_context():
            yield db.session

    return reader


class Client(FlaskClient):
    """A test client that fetches and posts CSRF tokens like a browser would."""

    def csrf_token(self, url: str | None = None) -> str:
        page = self.get(url or "/accounts/login", follow_redirects=True)
        match = CSRF_RE.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {url}"
        return match.group(1) or match.group(2)

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(kwargs.pop("token_url", None) or self._token_page()))
        return self.post(url, data=data, **kwargs)

    def _token_page(self) -> str:
        return "/accounts/profile" if self._logged_in else "/accounts/login"

    _logged_in = False

    def login(self, email: str, password: str = factories.PASSWORD):
        response = self.submit("/accounts/login", {"email": email, "password": password})
        self._logged_in = response.status_code == 303
        return response


@pytest.fixture
def client(app: Flask) -> Client:
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def client_factory(app: Flask) -> Callable[[], Client]:
    def build() -> Client:
        app.test_client_class = Client
        return app.test_client()

    return build


@pytest.fixture
def login_as(client_factory, make):
    """``login_as(role_or_user)`` → a logged-in client (a new user is made for a role)."""
    from coordination.accounts.models import Role, User

    def login(who: Any, **user_kwargs: Any) -> Client:
        user = who if isinstance(who, User) else make.user(role=Role(who), **user_kwargs)
        c = client_factory()
        response = c.login(user.email)
        assert response.status_code == 303, response.get_data(as_text=True)
        c.user = user
        return c

    return login


@pytest.fixture
def count_queries(app: Flask):
    """``with count_queries() as n: ...`` then ``n()`` is the number of SQL statements run.

    Only the statements of the thread that counts: the outbox sender's thread, started by a
    commit that queued mail, may be reading the database at the same moment."""

    @contextmanager
    def counter() -> Iterator[Callable[[], int]]:
        statements: list[str] = []
        thread = threading.get_ident()

        def before(conn, cursor, statement, *args):
            if threading.get_ident() != thread:
                return
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
                statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield lambda: len(statements)
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counter


@pytest.fixture
def committee(make):
    """A committee with 3 member organisations (one with an alternate), an observer and an adopted charter."""
    body = make.body(name="National Committee", acronym="CN")
    health, justice, social, un = (make.organisation(acronym=a) for a in ("MSPP", "MJSP", "MAST", "UNW"))
    for org in (health, justice, social):
        make.seat(body, org)
    make.seat(body, un, MembershipKind.OBSERVER)
    people = {
        "health": make.user(organisation=health, full_name="Health Principal"),
        "health_alt": make.user(organisation=health, full_name="Health Alternate"),
        "justice": make.user(organisation=justice, full_name="Justice Member"),
        "social": make.user(organisation=social, full_name="Social Member"),
        "observer": make.user(organisation=un, full_name="UN Observer"),
    }
    principal = make.person_seat(body, people["health"])
    make.person_seat(body, people["health_alt"], SeatRole.ALTERNATE, alternate_for_id=principal.id)
    make.person_seat(body, people["justice"])
    make.person_seat(body, people["social"])
    make.person_seat(body, people["observer"], SeatRole.OBSERVER)
    make.charter(body, status=CharterStatus.ADOPTED, adopted_on=date(2020, 1, 1), quorum_rule=QuorumRule.MAJORITY)
    return {"body": body, "people": people, "orgs": (health, justice, social, un)}
