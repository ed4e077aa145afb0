"""Flask commands for mail: `flask mail send` (cron) and `flask notifications remind` (daily)."""
from __future__ import annotations

from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from coordination import tasks
from coordination.notifications.reminders import send_reminders
from coordination.notifications.sender import send_due


def register(app: Flask) -> None:
    mail = AppGroup("mail", help="The outbox.")

    @mail.command("send")
    @click.option("--limit", default=500, show_default=True, help="Messages to send at most in this run.")
    def send(limit: int) -> None:
        """Send the queued messages that are due (run every few minutes from cron)."""
        report = send_due(limit=limit)
        click.echo(f"{report.sent} sent, {report.retrying} to retry later, {report.failed} failed.")

    notifications = AppGroup("notifications", help="Reminders.")

    @notifications.command("remind")
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Pretend today is this date (YYYY-MM-DD).")
    def remind(today) -> None:
        """Queue one reminder digest per person (run once a day from cron), then send."""
        day: date | None = today.date() if today else None
        count = tasks.run(send_reminders, day)
        report = send_due()
        click.echo(f"{count} reminder digests queued; {report.sent} messages sent.")

    app.cli.add_command(mail)
    app.cli.add_command(notifications)
