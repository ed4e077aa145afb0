"""What the body's members are mailed about minutes (circulated, approved, published): minutes
decide, the notifications domain (above this one) writes and queues the mail. The app factory
registers its mailer."""
from __future__ import annotations

from datetime import date
from typing import Protocol

from coordination.minutes.models import Minutes


class Mailer(Protocol):
    """The minutes mail (``coordination.notifications.minutes_mail``)."""

    def circulated(self, minutes: Minutes, comment_by: date) -> int:
        """The draft is circulated for comment until ``comment_by``."""

    def settled(self, minutes: Minutes, kind: str, document: tuple[str, bytes] | None) -> int:
        """Approved or published (``kind``): the link, and the Word file if given."""


_mailer: Mailer | None = None


def set_mailer(mailer: Mailer) -> None:
    """Register the mailer (once, by the app factory)."""
    global _mailer
    _mailer = mailer


def mailer() -> Mailer:
    """The registered mailer; without one, mail would be lost silently, so this refuses."""
    if _mailer is None:
        raise RuntimeError("No minutes mailer registered: build the application with create_app().")
    return _mailer
