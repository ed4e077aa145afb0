"""Feed addresses: the secret token in a user's calendar feed URLs, made, renewed and revoked."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app

from coordination import audit
from coordination.accounts.models import User
from coordination.accounts.sessions import token_hash
from coordination.extensions import db


def feed_token(user: User) -> str | None:
    """The secret in the user's calendar feed addresses, or None if they have none.

    Derived from a random nonce with the application's secret key: a copy of the database
    alone gives no working address. (Changing SECRET_KEY therefore changes every address.)
    """
    if not user.feed_nonce:
        return None
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"calendar-feed:{user.feed_nonce}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


def regenerate_feed_token(user: User, *, actor: User) -> str:
    """New calendar feed addresses for the user; the previous ones stop working at once."""
    user.feed_nonce = secrets.token_hex(16)
    token = feed_token(user)
    user.feed_token_hash = token_hash(token)
    db.session.flush()
    audit.record(user, "feed_token", {}, actor)
    return token


def revoke_feed_token(user: User, *, actor: User) -> None:
    """The user's feed addresses stop working; they have none until they make a new one."""
    user.feed_nonce = None
    user.feed_token_hash = None
    db.session.flush()
    audit.record(user, "feed_token_revoked", {}, actor)
