"""What the body's members are mailed about minutes (circulated, approved, published): minutes
decide, the notifications domain (above this one) writes and queues the mail. The app factory
fills the slot."""
from __future__ import annotations

from datetime import date
from typing import Protocol

from coordination.minutes.models import Minutes
from coordination.slots import Slot


class Mailer(Protocol):
    """The minutes mail (``coordination.notifications.minutes_mail``)."""

    def circulated(self, minutes: Minutes, comment_by: date) -> int:
        """The draft is circulated for comment until ``comment_by``."""

    def settled(self, minutes: Minutes, kind: str, document: tuple[str, bytes] | None) -> int:
        """Approved or published (``kind``): the link, and the Word file if given."""


mailer: Slot[Mailer] = Slot("minutes mailer")
