"""Delivering the outbox: claim due rows, send them over SMTP (or to files in development), record the outcome.

Several senders may run at once (every app process after its commits, and ``flask mail send``
from cron): a row is claimed in a short transaction — ``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
SQLite's write lock elsewhere — so each message goes out once. A failure is retried later with a
growing delay; after ``MAIL_MAX_ATTEMPTS`` the message is marked failed for an admin to retry.
"""
from __future__ import annotations

import logging
import re
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from coordination import tasks
from coordination.db import utcnow
from coordination.extensions import db
from coordination.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# A sender owns the rows it claimed this long; a crashed sender's rows are then taken up again.
CLAIM_SECONDS = 600


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed


def retry_delay(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: doubling, from MAIL_RETRY_SECONDS, capped at a day."""
    base = current_app.config["MAIL_RETRY_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86400))


def claim(limit: int, now: datetime | None = None) -> list[int]:
    """Take up to ``limit`` due messages for this sender and commit the claim; return their ids."""
    return tasks.run(_claim, limit, now or utcnow())


def _claim(limit: int, now: datetime) -> list[int]:
    due = db.or_(
        db.and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        db.and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now),
    )
    rows = db.session.execute(
        db.select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(limit)
        .with_for_update(skip_locked=True)
    ).scalars().all()
    for row in rows:
        row.status = OutboxStatus.SENDING
        row.claimed_until = now + timedelta(seconds=CLAIM_SECONDS)
        row.attempts += 1
    return [row.id for row in rows]


class Transport:
    """One SMTP connection for a batch, opened on first use; or files under instance/mail/."""

    def __init__(self) -> None:
        self.config = current_app.config
        self.smtp: smtplib.SMTP | None = None

    def send(self, row: OutboxMessage) -> None:
        if self.config["MAIL_BACKEND"] == "file":
            folder = Path(self.config["MAIL_FOLDER"])
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{row.created_at:%Y%m%d-%H%M%S}-{row.id:06d}-{row.kind}.eml"
            (folder / name).write_text(row.content, encoding="utf-8")
            return
        if self.smtp is None:
            self.smtp = self._connect()
        # Stored with LF line ends; SMTP wants CRLF (bytes are sent as they are).
        data = re.sub(r"\r?\n", "\r\n", row.content).encode("utf-8")
        self.smtp.sendmail(self.config["MAIL_DEFAULT_SENDER"], [row.recipient], data)

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        timeout = cfg["MAIL_TIMEOUT"]
        if cfg["MAIL_USE_SSL"]:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout)
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def _permanent(error: Exception) -> bool:
    """A refusal the server will repeat (5xx for the recipient): retrying would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500 and not isinstance(
        error, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused)


def send_due(limit: int = 100, now: datetime | None = None) -> SendReport:
    """Send what is due now, each message in a transaction of its own; return what happened."""
    report = SendReport()
    ids = claim(limit, now)
    if not ids:
        return report
    transport = Transport()
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    try:
        for message_id in ids:
            outcome = tasks.run(_deliver, transport, message_id, max_attempts)
            if outcome is not None:
                setattr(report, outcome, getattr(report, outcome) + 1)
    finally:
        transport.close()
    return report


def _deliver(transport: Transport, message_id: int, max_attempts: int) -> str | None:
    """Send one claimed message and record the outcome: "sent", "retrying", "failed" (the
    :class:`SendReport` counter), or None when another sender took it up meanwhile."""
    row = db.session.get(OutboxMessage, message_id)
    if row is None or row.status != OutboxStatus.SENDING:
        return None
    try:
        transport.send(row)
    except (smtplib.SMTPException, OSError) as error:
        transport.close()
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        row.claimed_until = None
        if _permanent(error) or row.attempts >= max_attempts:
            row.status = OutboxStatus.FAILED
            log.warning("mail %s to user %s failed for good: %s", row.id, row.user_id, row.last_error)
            return "failed"
        row.status = OutboxStatus.QUEUED
        row.next_attempt_at = utcnow() + retry_delay(row.attempts)
        log.info("mail %s not sent (attempt %s), retried later: %s", row.id, row.attempts, row.last_error)
        return "retrying"
    row.status = OutboxStatus.SENT
    row.sent_at = utcnow()
    row.claimed_until = None
    row.last_error = ""
    return "sent"


def dispatch_after_commit(app: Flask) -> None:
    """Send what a request just committed: in a thread (default), inline, or not at all (cron only)."""
    mode = app.config["MAIL_DISPATCH"]
    if mode == "inline":
        _send_quietly()
    elif mode == "thread":
        threading.Thread(target=_send_in_thread, args=(app,), name="outbox-sender", daemon=True).start()


def _send_in_thread(app: Flask) -> None:
    with app.app_context():
        _send_quietly()
        db.session.remove()


def _send_quietly() -> Any:
    """The request already succeeded: a delivery problem is logged, never shown to the user."""
    try:
        return send_due()
    except Exception:  # noqa: BLE001 - the outbox keeps the message; cron tries again
        # tasks.run rolled back the unit that failed; what the earlier units sent is committed.
        log.exception("sending the outbox after a commit failed; the messages wait for the next run")
        return None
