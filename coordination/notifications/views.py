"""The outbox page for admins (queued, sent, failed; retry) and each person's reminder choice."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.accounts import recovery
from coordination.accounts.views import add_to_profile
from coordination.notifications import account_mail, queries, services
from coordination.notifications.models import OutboxStatus
from coordination.permissions import ability, login_only
from coordination.urls import page_arg

bp = Blueprint("notifications", __name__, url_prefix="/mail")

# accounts sits below notifications: it sends its mail and shows the reminders choice on the
# profile page through these registrations, never by importing notifications.
recovery.register_mail(account_mail)
add_to_profile(lambda user: {"reminders": services.wants_reminders(user)})


@bp.route("/outbox")
@ability("manage_mail")
def outbox():
    raw = request.args.get("status", "")
    status = OutboxStatus(raw) if raw in {s.value for s in OutboxStatus} else None
    page = queries.outbox_page(status, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("notifications/outbox.html", page=page, status=status,
                           counts=queries.outbox_counts(), statuses=list(OutboxStatus))


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@ability("manage_mail")
def retry(message_id: int):
    message = queries.get_message(message_id)
    if message is None:
        abort(404)
    services.retry(message, actor=current_user)
    flash(_("The message to %(to)s is queued again.", to=message.recipient), "success")
    return redirect(url_for("notifications.outbox", status="failed"), 303)


@bp.route("/preferences", methods=["POST"])
@login_only
def preferences():
    """Reminder digests on or off (from the profile page); invitations always go."""
    value = request.form.get("reminders")
    if value not in {"on", "off"}:
        flash(_("Choose whether you want reminders."), "danger")
        return redirect(url_for("accounts.profile") + "#mail-title", 303)
    services.set_reminders(current_user._get_current_object(), value == "on", actor=current_user)
    flash(_("Reminders are on.") if value == "on" else _("Reminders are off."), "success")
    return redirect(url_for("accounts.profile") + "#mail-title", 303)
