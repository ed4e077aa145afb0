"""What a meeting's invitees are mailed, and when: meetings decide, the notifications domain
(above this one) writes and queues the mail. The app factory fills the slot."""
from __future__ import annotations

from typing import Protocol

from coordination.meetings.models import Invitation, Meeting
from coordination.slots import Slot


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


mailer: Slot[Mailer] = Slot("meeting mailer")
