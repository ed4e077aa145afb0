"""What a meeting's invitees are mailed, and when: meetings decide, the notifications domain
(above this one) writes and queues the mail. The app factory registers its mailer."""
from __future__ import annotations

from typing import Protocol

from coordination.meetings.models import Invitation, Meeting


class Mailer(Protocol):
    """The invitation mail of a meeting (``coordination.notifications.invitations``)."""

    def send_invitations(self, meeting: Meeting) -> int:
        """Invite by mail everyone not yet invited; the number of mails."""

    def send_update(self, meeting: Meeting) -> int:
        """Send the invitees an update (or cancellation); the number of mails."""

    def invitee_added(self, invitation: Invitation) -> int:
        """Invite a person added after the invitations went out."""

    def invitee_removed(self, invitation: Invitation) -> int:
        """Send a cancellation to a person taken off the list."""


_mailer: Mailer | None = None


def set_mailer(mailer: Mailer) -> None:
    """Register the mailer (once, by the app factory)."""
    global _mailer
    _mailer = mailer


def mailer() -> Mailer:
    """The registered mailer; without one, mail would be lost silently, so this refuses."""
    if _mailer is None:
        raise RuntimeError("No meeting mailer registered: build the application with create_app().")
    return _mailer
