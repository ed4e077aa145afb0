"""Accounts by e-mail: invitation links, password reset and e-mail address change.

Tokens come from a CSPRNG and only their SHA-256 is stored. Each is single-use, expires, and
is bound to the password the account had when it was issued: any password change voids it,
and so does a newer token of the same purpose.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination import audit
from coordination.accounts.models import User
from coordination.accounts.passwords import check_password_rules
from coordination.accounts.services import (
    authenticate,
    create_user,
    ensure_unique_email,
    hash_password,
    normalise_email,
)
from coordination.accounts.sessions import end_all_sessions, token_hash
from coordination.db import UTCDateTime, utcnow
from coordination.errors import ValidationError
from coordination.extensions import db, limiter

RESET, INVITE, EMAIL = "reset", "invite", "email"


class AccountMail(Protocol):
    """The mail these steps send; written by notifications (``notifications.account_mail``)."""

    def password_reset(self, user: User, token: str) -> None: ...
    def account_invitation(self, user: User, token: str, actor: User) -> None: ...
    def email_change_confirmation(self, user: User, new_email: str, token: str) -> None: ...
    def email_changed_notice(self, user: User, old_email: str) -> None: ...


# Notifications sits above accounts: it registers its account mail here when the application
# is built, so accounts never imports it.
_account_mail: list[AccountMail] = []


def register_mail(mail: AccountMail) -> None:
    """Send the account mail through ``mail`` (called once, by the notifications domain)."""
    _account_mail[:] = [mail]


def _mail() -> AccountMail:
    if not _account_mail:
        raise RuntimeError("No account mail registered: coordination.notifications.views registers it.")
    return _account_mail[0]


class AccountToken(db.Model):
    """A single-use secret sent by e-mail: set a password (invitation, reset) or confirm a new address."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_email: Mapped[str] = mapped_column(sa.String(254), default="")
    # Fingerprint of the password hash at issue time: a password change voids the token.
    password_fingerprint: Mapped[str] = mapped_column(sa.String(64), default="")

    user: Mapped[User] = relationship()


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()


def _issue(user: User, purpose: str, seconds: int, new_email: str = "") -> str:
    """A new token for ``user``; older unused tokens of the same purpose stop working."""
    now = utcnow()
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=token_hash(token), created_at=now,
                                expires_at=now + timedelta(seconds=seconds), new_email=new_email,
                                password_fingerprint=_fingerprint(user)))
    db.session.flush()
    return token


def find_token(token: str, purpose: str) -> AccountToken | None:
    """The live token: unused, unexpired, of this purpose, for an active account whose password
    has not changed since it was issued. Anything else is None (the same for every reason)."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(
        db.select(AccountToken).where(AccountToken.token_hash == token_hash(token), AccountToken.purpose == purpose)
    ).scalar_one_or_none()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.active or row.password_fingerprint != _fingerprint(row.user):
        return None
    return row


# --- throttling of reset requests ----------------------------------------------------------------


def _limits() -> list[tuple[Any, str]]:
    cfg = current_app.config
    return [(parse(cfg["RESET_REQUESTS_PER_ACCOUNT"]), "account"), (parse(cfg["RESET_REQUESTS_PER_ADDRESS"]), "address")]


def _allowed(email: str, address: str) -> bool:
    """Count this request against the account and the client address; False when over a limit."""
    keys = {"account": email, "address": address}
    namespace = current_app.config.get("RATELIMIT_KEY_PREFIX") or "concertation"
    allowed = True
    for item, scope in _limits():
        if not limiter.limiter.hit(item, namespace, "password-reset", scope, keys[scope]):
            allowed = False
    return allowed


# --- services ----------------------------------------------------------------------------------


def request_password_reset(email: str, address: str) -> None:
    """Mail a reset link if an active account uses ``email``; say nothing either way.

    The caller answers the same for known and unknown addresses (and pads the time); requests
    are throttled per account and per client address, silently.
    """
    email = normalise_email(email)
    if not _allowed(email, address):
        return
    user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None or not user.active:
        return
    token = _issue(user, RESET, current_app.config["RESET_TOKEN_SECONDS"])
    _mail().password_reset(user, token)
    audit.record(user, "password_reset_requested", {}, None)


def pad_response_time(started: float) -> None:
    """Sleep until ``RESET_RESPONSE_SECONDS`` have passed since ``started`` (``time.monotonic()``),
    so a known address does not answer slower than an unknown one."""
    remaining = current_app.config["RESET_RESPONSE_SECONDS"] - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def set_password_with_token(row: AccountToken, new_password: str) -> User:
    """Set the password from a reset or invitation link: the link is spent, every session ends.

    The password rules are the account services' (``check_password_rules``), in one place.
    """
    user = row.user
    problem = check_password_rules(new_password, user.email, user.full_name)
    if problem:
        raise ValidationError({"new_password": problem})
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    row.used_at = utcnow()
    end_all_sessions(user)
    db.session.flush()
    audit.record(user, "password_reset" if row.purpose == RESET else "invitation_accepted", {}, user)
    return user


def send_account_invitation(user: User, *, actor: User) -> None:
    """Mail a single-use link with which the person sets their password (valid for days)."""
    if not user.active:
        raise ValidationError(_l("This account is deactivated."))
    token = _issue(user, INVITE, current_app.config["INVITATION_TOKEN_SECONDS"])
    _mail().account_invitation(user, token, actor)
    audit.record(user, "invitation_sent", {}, actor)


def create_user_with_invitation(data: dict[str, Any], *, actor: User) -> User:
    """Create an account without a password and mail its owner the link to choose one."""
    user = create_user({**data, "password": ""}, actor=actor)
    send_account_invitation(user, actor=actor)
    return user


def request_email_change(user: User, new_email: str, password: str, *, actor: User) -> None:
    """Check the password, then mail a confirmation link to the new address (nothing changes yet)."""
    new_email = normalise_email(new_email)
    if authenticate(user.email, password) is None:
        raise ValidationError({"current_password": _l("The current password is not correct.")})
    if new_email == user.email:
        raise ValidationError({"new_email": _l("This is already your address.")})
    ensure_unique_email(new_email, user)
    token = _issue(user, EMAIL, current_app.config["EMAIL_TOKEN_SECONDS"], new_email=new_email)
    _mail().email_change_confirmation(user, new_email, token)
    audit.record(user, "email_change_requested", {"new_email": new_email}, actor)


def confirm_email_change(row: AccountToken) -> User:
    """Apply a confirmed address change and tell the old address."""
    user = row.user
    ensure_unique_email(row.new_email, user)
    old = user.email
    user.email = row.new_email
    row.used_at = utcnow()
    db.session.flush()
    _mail().email_changed_notice(user, old)
    audit.record(user, "email_change", {"email": (old, user.email)}, user)
    return user
