"""Wake a sender once a request has committed mail to the outbox."""
from __future__ import annotations

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from coordination.notifications.sender import dispatch_after_commit
from coordination.notifications.services import PENDING


def _after_commit(session: Session) -> None:
    if session.info.pop(PENDING, False) and has_app_context():
        g._outbox_committed = True


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def init_app(app: Flask) -> None:
    """Register the session events (once per process) and the after-request sender."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)

    @app.after_request
    def send_outbox(response):
        # Registered before the commit hook, so it runs after it (Flask calls them in reverse).
        if g.pop("_outbox_committed", False):
            dispatch_after_commit(app)
        return response
