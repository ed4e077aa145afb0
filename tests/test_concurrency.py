"""Races of real requests (threads, one connection each) on SQLite and PostgreSQL: nothing lost, nothing doubled.

These tests commit for real, so the per-test rolled-back transaction is replaced here by a
clean-up that empties every table afterwards.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask

from coordination.extensions import db, limiter
from coordination.meetings.models import AgendaItem
from coordination.minutes.models import Decision, Minutes
from coordination.organisations.models import Organisation

RACERS = 6


@pytest.fixture(autouse=True)
def _transaction(app: Flask) -> Iterator[None]:
    """Overrides conftest's fixture: real commits (one connection per app context), then every table emptied
    (the content stamp's row kept).

    Objects keep their loaded values after a commit, so the factories' return values stay usable.
    """
    from flask_sqlalchemy.session import _app_ctx_id

    limiter.reset()
    original = db.session
    with app.app_context():
        engine = db.engine
    db.session = sa.orm.scoped_session(sa.orm.sessionmaker(bind=engine, expire_on_commit=False),
                                       scopefunc=_app_ctx_id)
    try:
        yield
    finally:
        db.session = original
        with engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                if table.name != "content_stamps":  # the one row the migrations put there
                    conn.execute(table.delete())


def race(calls: list[Callable[[], object]]) -> list[object]:
    """Run ``calls`` at the same moment, one thread each; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _status(response) -> int:
    return response.status_code if hasattr(response, "status_code") else -1


def test_two_allocations_at_once_get_two_numbers(app, make):
    """The counter row is locked by the first allocation: the second waits, then gets the next number."""
    from coordination.minutes.services import allocate_decision_number

    body = make.body(acronym="CN")
    first_done, release = threading.Event(), threading.Event()
    numbers: dict[str, int] = {}

    def first() -> None:
        with app.app_context():
            numbers["first"] = allocate_decision_number(body.id, 2026)
            first_done.set()
            release.wait(10)
            db.session.commit()

    def second() -> None:
        first_done.wait(10)
        with app.app_context():
            numbers["second"] = allocate_decision_number(body.id, 2026)
            db.session.commit()

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    b.start()
    time.sleep(0.5)
    assert "second" not in numbers  # waiting for the first transaction (no MAX + 1 read of stale data)
    release.set()
    a.join(20)
    b.join(20)
    assert numbers == {"first": 1, "second": 2}


def test_secretaries_adding_decisions_to_two_meetings_at_once_get_distinct_numbers(app, make, login_as, committee):
    body = committee["body"]
    meetings = [make.meeting(body, datetime(2026, 2, 3 + 7 * i, 15, tzinfo=UTC)) for i in range(2)]
    minutes = [make.minutes(m) for m in meetings]
    clients = [login_as("secretariat") for _ in range(RACERS)]
    tokens = [c.csrf_token("/accounts/profile") for c in clients]
    results = race([
        (lambda c=c, t=t, m=minutes[i % 2]: c.post(f"/minutes/{m.id}/decisions", data={"csrf_token": t, "text": "Go."}))
        for i, (c, t) in enumerate(zip(clients, tokens, strict=True))
    ])
    assert [_status(r) for r in results] == [303] * RACERS, results
    with app.app_context():
        numbers = db.session.execute(sa.select(Decision.number).order_by(Decision.number)).scalars().all()
        assert numbers == list(range(1, RACERS + 1))
        assert db.session.execute(sa.select(sa.func.count()).select_from(Minutes)).scalar() == 2


def test_agenda_items_added_at_once_get_distinct_positions(app, make, login_as, committee):
    meeting = make.meeting(committee["body"], datetime(2026, 2, 3, 15, tzinfo=UTC))
    clients = [login_as("secretariat") for _ in range(RACERS)]
    tokens = [c.csrf_token("/accounts/profile") for c in clients]
    results = race([
        (lambda c=c, t=t, n=n: c.post(f"/meetings/{meeting.id}/agenda",
                                      data={"csrf_token": t, "title": f"Item {n}", "duration_minutes": "10"}))
        for n, (c, t) in enumerate(zip(clients, tokens, strict=True))
    ])
    assert [_status(r) for r in results] == [303] * RACERS, results
    with app.app_context():
        positions = db.session.execute(
            sa.select(AgendaItem.position).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position)
        ).scalars().all()
        assert positions == list(range(1, RACERS + 1))


def test_logging_in_at_once_with_one_account_never_conflicts(make, client_factory):
    user = make.user(full_name="Shared Account")
    # Three, not six: on SQLite each log-in holds the write lock while argon2 checks the
    # password (about a second on a loaded machine), and the writers queue for 5 s at most.
    clients = [client_factory() for _ in range(3)]
    tokens = [c.csrf_token("/accounts/login") for c in clients]
    results = race([
        (lambda c=c, t=t: c.post("/accounts/login", data={"csrf_token": t, "email": user.email,
                                                          "password": "correct horse battery staple"}))
        for c, t in zip(clients, tokens, strict=True)
    ])
    assert [_status(r) for r in results] == [303] * 3, [getattr(r, "status_code", r) for r in results]


def test_two_parallel_posts_of_one_form_create_one_object(app, login_as):
    from tests.test_form_tokens import form_on

    c = login_as("admin")
    data = {**form_on(c, "/organisations/new", ""), "name": "Ministry of Women", "acronym": "MCFDF",
            "kind": "civil_society", "level": "national", "sectors": ["gender"]}
    twin = login_as(c.user)  # the same person, a second connection (two tabs, a proxy retry)
    twin_data = {**data, "csrf_token": twin.csrf_token("/accounts/profile")}
    results = race([lambda: c.post("/organisations/new", data=data),
                    lambda: twin.post("/organisations/new", data=twin_data)])
    assert sorted(_status(r) for r in results) == [303, 303], results
    assert results[0].headers["Location"] == results[1].headers["Location"]
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Organisation)).scalar() == 1
