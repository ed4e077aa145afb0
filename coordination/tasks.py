"""Units of work outside a request (commands, the outbox sender): each in its own transaction.

A request has one transaction, committed by the hook in the app factory. Work that runs on
its own — a ``flask`` command, the sender after a request or from cron — goes through
:func:`run`, which commits what the unit did or rolls it back and re-raises. Nothing else
outside that hook commits.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from coordination.extensions import db

P = ParamSpec("P")
T = TypeVar("T")


def run(work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``work(*args, **kwargs)`` as one transaction: commit on return, roll back on error."""
    try:
        result = work(*args, **kwargs)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result
