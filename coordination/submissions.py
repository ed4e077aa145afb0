"""One-time tokens on create forms: a double click, back + resubmit or two parallel posts create one object.

Every form built on :class:`coordination.forms.CreateForm` carries a random ``form_token``
in a hidden field. When the form validates, the token is *claimed*: a row is inserted in
``form_submissions`` in the request's own transaction. The primary key makes the claim
atomic — on PostgreSQL a parallel post of the same token waits for the first transaction and
then fails to insert; on SQLite the write lock serialises the two. A token already claimed
raises :class:`DuplicateSubmission`, which answers with a redirect to what the first post
created (its ``Location`` is stored with the claim by :func:`remember_result`) and a message.

A submission that fails (4xx, 5xx) rolls back, claim included, so the same form can be
corrected and sent again.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from coordination.db import UTCDateTime, utcnow
from coordination.errors import DuplicateSubmission
from coordination.extensions import db

# Tokens are kept long enough for "back + resubmit" days later, then pruned.
KEEP_FOR = timedelta(days=30)


class FormSubmission(db.Model):
    """A claimed one-time form token and where its submission led."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    location: Mapped[str] = mapped_column(sa.String(500), default="")


def new_token() -> str:
    """A fresh one-time token, noted for the request: a page kept by the page cache has each
    replaced by a new one whenever it is served again (coordination/page_cache.py)."""
    token = secrets.token_urlsafe(24)
    if has_request_context():
        g.setdefault("issued_tokens", []).append(token)
    return token


def issued_tokens() -> list[str]:
    """The one-time tokens made for this request's page."""
    return g.get("issued_tokens", [])


def claim(token: str, user_id: int | None) -> None:
    """Claim ``token`` for this request, or raise :class:`DuplicateSubmission` if it was used."""
    table = FormSubmission.__table__
    try:
        with db.session.begin_nested():
            db.session.execute(sa.insert(table).values(token=token, user_id=user_id, created_at=utcnow(),
                                                       location=""))
    except IntegrityError:
        location = db.session.execute(sa.select(table.c.location).where(table.c.token == token)).scalar()
        raise DuplicateSubmission(location or "") from None
    g.form_token = token


def remember_result(location: str | None) -> None:
    """Store where the claiming request led (its redirect), for a later duplicate to follow."""
    token = g.pop("form_token", None)
    if token is None:
        return
    table = FormSubmission.__table__
    db.session.execute(sa.update(table).where(table.c.token == token).values(location=(location or "")[:500]))
    db.session.execute(sa.delete(table).where(table.c.created_at < utcnow() - KEEP_FOR))
