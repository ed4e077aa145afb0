"""When the database is down or busy, pages answer 503 with Retry-After (never 500) and recover by themselves.

Each test runs a second app on a database of its own: the suite's database is held by the
per-test transaction. On a PostgreSQL run the outage is a TCP relay to the real server that is
cut and restored; on SQLite it is a database file whose folder is missing, then created.
"""
from __future__ import annotations

import re
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress

import pytest
import sqlalchemy as sa

from coordination import create_app
from coordination.extensions import db, limiter
from tests import factories
from tests.conftest import Client


class Relay:
    """A TCP relay to ``upstream`` that can be cut (every connection dropped) and restored."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.server: socket.socket | None = None
        self.sockets: list[socket.socket] = []

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with suppress(OSError):
            target.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.server is not None:
            with suppress(OSError):  # wakes the thread blocked in accept(); close() alone does not
                self.server.shutdown(socket.SHUT_RDWR)
            self.server.close()
            self.server = None
        for s in self.sockets:
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.sockets.clear()


def _second_app(uri: str, **config) -> object:
    return create_app({
        "TESTING": True, "SECRET_KEY": "outage-test", "SERVER_NAME": "localhost",
        "SQLALCHEMY_DATABASE_URI": uri, "RATELIMIT_STORAGE_URI": "memory://",
        # Like the suite's app: the password-only log-in helper, plain http, no mail sent.
        "MFA_REQUIRED_ROLES": (), "SESSION_COOKIE_SECURE": False, "MAIL_DISPATCH": "off", **config,
    })


@pytest.fixture
def outage(app, tmp_path, own_session) -> Iterator[tuple[object, callable, callable]]:
    """(app, cut, restore) for an app whose database can be made unreachable and back."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        relay = Relay((url.host or "127.0.0.1", url.port or 5432))
        relay.start()
        other = _second_app(url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False))
        cut, restore = relay.stop, relay.start
    else:
        folder = tmp_path / "moved"
        folder.mkdir()
        other = _second_app(f"sqlite:///{folder / 'outage-test.db'}")
        parked = tmp_path / "parked"

        def cut():
            with other.app_context():
                db.engine.dispose()
            folder.rename(parked)

        def restore():
            parked.rename(folder)

        relay = None
    yield other, cut, restore
    if relay is not None:
        relay.stop()
    with other.app_context():
        db.engine.dispose()
    limiter.init_app(app)  # the limiter is one object: give it back to the suite's app


def test_database_down_answers_503_with_retry_after_and_recovers(outage):
    other, cut, restore = outage
    other.test_client_class = Client
    c = other.test_client()
    healthy = c.get("/health")
    assert healthy.status_code == 200 and healthy.json == {"status": "ok", "database": "ok"}
    token = c.csrf_token("/accounts/login")

    cut()
    health = c.get("/health")
    assert health.status_code == 503
    assert health.json == {"status": "unavailable", "database": "down"}
    assert health.headers["Retry-After"] == "30"
    # A page that needs the database (log-in looks the account up): a friendly 503, no 500.
    page = c.post("/accounts/login", data={"csrf_token": token, "email": "a@example.org", "password": "x" * 12})
    html = page.get_data(as_text=True)
    assert page.status_code == 503, html[:2000]
    assert page.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in html and "Your changes were not saved" in html
    assert page.headers["X-Request-ID"] in html
    assert "Traceback" not in html
    # A calendar program's poll: the feeds' fast path gives way, and the application answers 503.
    feed = c.get("/calendar/some-feed-token/mine.ics", headers={"If-None-Match": '"x"'})
    assert feed.status_code == 503 and feed.headers["Retry-After"] == "30"
    assert "Traceback" not in feed.get_data(as_text=True)

    restore()
    assert c.get("/health").status_code == 200  # recovered without a restart


def test_sqlite_reads_work_while_another_connection_holds_the_write_lock(app, tmp_path, own_session):
    """WAL lets readers run beside a writer: reads must not queue behind BEGIN IMMEDIATE;
    a write that cannot get the lock in time answers 503 with Retry-After."""
    path = tmp_path / "busy-test.db"
    other = _second_app(f"sqlite:///{path}", SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 0.5}})
    try:
        with other.app_context():
            from flask_migrate import upgrade

            upgrade()
            email = factories.user(role=factories.Role.SECRETARIAT).email
            db.session.commit()
        other.test_client_class = Client
        c = other.test_client()
        assert c.login(email).status_code == 303
        token = c.csrf_token("/organisations/new")

        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE users SET full_name = full_name")
        try:
            for url in ("/organisations/", "/dashboard", "/bodies/", "/accounts/profile"):
                # Under BEGIN IMMEDIATE this waited out the 0.5 s busy timeout and failed (503/500):
                # a 200 proves the read never asked for the lock (no timing, so load cannot flake it).
                response = c.get(url)
                assert response.status_code == 200, (url, response.status_code)
            data = {"csrf_token": token, "name": "Busy Network", "acronym": "BN", "kind": "civil_society",
                    "level": "national", "sectors": ["gender"]}
            refused = c.post("/organisations/new", data=data)
            assert refused.status_code == 503
            assert refused.headers["Retry-After"] == "30"
            page = refused.get_data(as_text=True)
            assert "Your changes were not saved" in page
            # What was typed comes back in the page, ready to be sent again (the database could not keep it).
            kept = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
            assert ("name", "Busy Network") in kept and ("csrf_token", token) in kept
            assert ("sectors", "gender") in kept and 'action="/organisations/new"' in page
            # A password is never written back into a page: it is typed again.
            fresh = other.test_client()
            login = fresh.post("/accounts/login", data={"csrf_token": fresh.csrf_token("/accounts/login"),
                                                        "email": email, "password": "Typed-secret-42!"})
            assert login.status_code == 503 and "Typed-secret-42!" not in login.get_data(as_text=True)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        resent: dict[str, list[str]] = {}
        for name, value in kept:
            resent.setdefault(name, []).append(value)
        assert c.post("/organisations/new", data=resent).status_code == 303
        with other.app_context():
            from coordination.organisations.models import Organisation

            names = db.session.execute(db.select(Organisation.name)).scalars().all()
        assert names.count("Busy Network") == 1
    finally:
        with other.app_context():
            db.engine.dispose()
        limiter.init_app(app)


def test_a_pooled_connection_dropped_while_idle_is_replaced_before_use(outage, monkeypatch):
    """No ping before every request, but a connection idle past the threshold is pinged, and a
    dead one is swapped for a new one: the person sees their page, not an error."""
    other, cut, restore = outage
    # The module, not the extension object that ``coordination.db`` also names.
    monkeypatch.setattr(sys.modules["coordination.db"], "PING_AFTER_IDLE_SECONDS", 0.0)
    c = other.test_client()
    assert c.get("/health").status_code == 200  # a connection now waits in the pool
    cut()  # PostgreSQL: the relay drops every open connection; SQLite: the file goes away
    restore()
    assert c.get("/health").status_code == 200


class _FakeCursor:
    def __init__(self, fails: bool):
        self.fails, self.executed = fails, []

    def execute(self, sql):
        if self.fails:
            raise OSError("server closed the connection unexpectedly")
        self.executed.append(sql)

    def close(self):
        pass


class _FakeConnection:
    autocommit = False

    def __init__(self, fails: bool = False):
        self.cursors: list[_FakeCursor] = []
        self.fails, self.rolled_back = fails, False

    def cursor(self):
        self.cursors.append(_FakeCursor(self.fails))
        return self.cursors[-1]

    def rollback(self):
        self.rolled_back = True


class _Record:
    def __init__(self, idle: float):
        self.info = {"checked_in": time.monotonic() - idle}


def test_the_idle_ping_spares_recent_connections_and_refuses_dead_ones():
    from coordination.db import PING_AFTER_IDLE_SECONDS, _ping_if_idle

    recent = _FakeConnection()
    _ping_if_idle(recent, _Record(idle=PING_AFTER_IDLE_SECONDS / 2), None)
    assert recent.cursors == []  # no round trip for a connection used a moment ago

    idle = _FakeConnection()
    _ping_if_idle(idle, _Record(idle=PING_AFTER_IDLE_SECONDS + 1), None)
    assert idle.cursors[0].executed == ["SELECT 1"] and idle.rolled_back

    dead = _FakeConnection(fails=True)
    with pytest.raises(sa.exc.DisconnectionError):
        _ping_if_idle(dead, _Record(idle=PING_AFTER_IDLE_SECONDS + 1), None)
