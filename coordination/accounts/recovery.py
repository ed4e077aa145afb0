"""Accounts by e-mail: invitation links, password reset and e-mail address change.

Tokens come from a CSPRNG and only their SHA-256 is stored. Each is single-use, expires, and
is bound to the password the account had when it was issued: any password change voids it,
and so does a newer token of the same purpose.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.db import UTCDateTime, utcnow
from coordination.extensions import db

RESET, INVITE, EMAIL = "reset", "invite", "email"


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
