"""Queueing mail in the outbox, in the caller's transaction; admins retry failed messages."""
from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l

from coordination import audit
from coordination.accounts.models import User
from coordination.db import transition, utcnow
from coordination.errors import ValidationError
from coordination.extensions import db
from coordination.notifications.message import HeaderInjectionError, Mail, to_email
from coordination.notifications.models import NotificationPreference, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# An admin may put back in the queue only a message that failed for good.
RETRY_STEPS = {OutboxStatus.FAILED: {OutboxStatus.QUEUED}}
# Set on the session when a message is queued; the after-commit hook then wakes a sender.
PENDING = "outbox_pending"


def queue(mail: Mail) -> OutboxMessage:
    """Write ``mail`` to the outbox (flushed, not committed): it goes only if the change commits.

    A line break in a title or name that would reach a header is refused (422), and then
    nothing of the change is written.
    """
    try:
        message = to_email(mail)
    except HeaderInjectionError:
        raise ValidationError(_l("A title or name holds a line break, which cannot go into an e-mail; "
                                 "correct it and try again.")) from None
    row = OutboxMessage(kind=mail.kind, recipient=mail.to_address, user_id=mail.user_id,
                        subject=mail.subject[:300], message_id=mail.message_id, content=message.as_string(),
                        next_attempt_at=utcnow())
    db.session.add(row)
    db.session.flush()
    db.session.info[PENDING] = True
    log.info("queued %s mail %s to user %s", mail.kind, row.id, mail.user_id)
    return row


def retry(message: OutboxMessage, *, actor: User) -> None:
    """Put a failed message back in the queue, due now, with a fresh count of attempts."""
    transition(message, OutboxStatus.QUEUED, RETRY_STEPS, message=_l("Only failed messages can be retried."))
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_until = None
    db.session.flush()
    db.session.info[PENDING] = True
    audit.record(actor, "mail_retry", {"message": message.id, "to": message.recipient}, actor)


def wants_reminders(user: User) -> bool:
    pref = db.session.get(NotificationPreference, user.id)
    return pref is None or pref.reminders


def set_reminders(user: User, enabled: bool, *, actor: User) -> None:
    """Turn a person's reminder digests on or off (invitations and account mail still go)."""
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id, reminders=True)
        db.session.add(pref)
    if pref.reminders != enabled:
        audit.record(user, "reminders", {"reminders": (pref.reminders, enabled)}, actor)
    pref.reminders = enabled
    db.session.flush()
