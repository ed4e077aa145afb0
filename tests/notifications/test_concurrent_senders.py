"""Two senders at once (two app processes, or one and cron): every message still goes out once.

This test commits for real (outside the per-test rollback) so that the two senders see each
other's claims through the database: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock
on SQLite (in a database file of its own there). It removes its rows afterwards.
"""
from __future__ import annotations

import asyncio
import threading
from collections import Counter

import sqlalchemy as sa
from flask_sqlalchemy.session import _app_ctx_id

from coordination.extensions import db
from coordination.notifications import sender, services
from coordination.notifications.message import Mail
from coordination.notifications.models import OutboxMessage

N = 24


def test_two_senders_at_once_send_each_message_once(app, smtp, tmp_path):
    slow = smtp.inbox.handle_DATA

    async def handle_slowly(server, session, envelope):
        await asyncio.sleep(0.02)  # keep both senders busy at the same time
        return await slow(server, session, envelope)

    smtp.inbox.handle_DATA = handle_slowly
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        # The per-test transaction holds SQLite's write lock: race in a database file of their own.
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
        db.metadata.create_all(engine, tables=[db.metadata.tables["organisations"], db.metadata.tables["users"],
                                               OutboxMessage.__table__])
    real = sa.orm.scoped_session(sa.orm.sessionmaker(bind=engine, expire_on_commit=False), scopefunc=_app_ctx_id)
    saved, db.session = db.session, real
    ids: list[int] = []
    try:
        with app.app_context():
            for n in range(N):
                ids.append(services.queue(Mail(kind="test", to_address=f"p{n}@example.net", to_name=f"P {n}",
                                               subject=f"Message {n}", text="t", html="<p>h</p>")).id)
            db.session.commit()
        start = threading.Barrier(2)
        reports = []

        def run() -> None:
            with app.app_context():
                start.wait()
                while True:
                    report = sender.send_due(limit=3)
                    reports.append(report)
                    if report.total == 0:
                        break
                db.session.remove()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sum(r.sent for r in reports) == N
        received = Counter(m["Message-ID"] for m in smtp.inbox.messages)
        assert len(received) == N and set(received.values()) == {1}
        # Both senders did part of the work (the claims interleaved).
        assert sum(1 for r in reports if r.sent) >= 2
    finally:
        with app.app_context():
            db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
            db.session.commit()
            db.session.remove()
        db.session = saved
        if engine.dialect.name == "sqlite":
            engine.dispose()
