"""Account mail: invitation link, password reset link, address change confirmation and notice."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from coordination.accounts.models import User
from coordination.notifications.message import Mail, link, render
from coordination.notifications.services import queue


def _hours(seconds: int) -> int:
    return max(1, round(seconds / 3600))


def _send(user: User, kind: str, subject_text, to_address: str | None = None, **context) -> None:
    language = user.language if user.language in current_app.config["LANGUAGES"] else "en"
    with force_locale(language):
        subject = str(subject_text())
    text, html = render("account", user.language, kind=kind, person=user, **context)
    queue(Mail(kind=f"account_{kind}", to_address=to_address or user.email, to_name=user.full_name,
               subject=subject, text=text, html=html, user_id=user.id))


def password_reset(user: User, token: str) -> None:
    _send(user, "reset", lambda: _("Reset your Concertation password"),
          url=link("accounts.reset_password", token=token),
          hours=_hours(current_app.config["RESET_TOKEN_SECONDS"]))


def account_invitation(user: User, token: str, actor: User) -> None:
    _send(user, "invitation", lambda: _("Your Concertation account"),
          url=link("accounts.accept_invitation", token=token), actor=actor,
          days=max(1, current_app.config["INVITATION_TOKEN_SECONDS"] // 86400))


def email_change_confirmation(user: User, new_email: str, token: str) -> None:
    _send(user, "email_confirm", lambda: _("Confirm your new e-mail address"), to_address=new_email,
          url=link("accounts.confirm_email", token=token), new_email=new_email,
          hours=_hours(current_app.config["EMAIL_TOKEN_SECONDS"]))


def email_changed_notice(user: User, old_email: str) -> None:
    _send(user, "email_changed", lambda: _("Your Concertation e-mail address was changed"), to_address=old_email,
          new_email=user.email, old_email=old_email, url=link("accounts.forgot_password"))
