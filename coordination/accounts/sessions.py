"""Server-side log-in sessions: their lifetimes, re-authentication age, and forms kept across
an expired session."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.orm import contains_eager

from coordination import audit, page_cache
from coordination.accounts.models import SavedForm, User, UserSession
from coordination.db import bookkeeping, utcnow
from coordination.extensions import db


def token_hash(token: str) -> str:
    """What is stored of a secret token (a session, an account link, a calendar feed address):
    its SHA-256, so a copy of the database holds no working token."""
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    """The current time for session bookkeeping (tests freeze it through ``utcnow``)."""
    return utcnow()


def _session_limits() -> tuple[timedelta, timedelta]:
    cfg = current_app.config
    return (timedelta(minutes=int(cfg["SESSION_IDLE_MINUTES"])),
            timedelta(minutes=int(cfg["SESSION_ABSOLUTE_MINUTES"])))


def session_expired(row: UserSession, at: datetime | None = None) -> bool:
    """Whether the session has been idle too long or reached its absolute lifetime."""
    at = at or now()
    idle, absolute = _session_limits()
    return at - row.last_seen_at >= idle or at - row.created_at >= absolute


def start_session(user: User, ip_address: str = "", user_agent: str = "") -> str:
    """Open a server-side session for ``user`` and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    at = now()
    # Sessions that ran out are removed when their owner logs in again.
    for old in list(user.sessions):
        if session_expired(old, at):
            db.session.delete(old)
    db.session.add(
        UserSession(
            user=user,
            token_hash=token_hash(token),
            created_at=at,
            last_seen_at=at,
            authenticated_at=at,
            ip_address=ip_address[:64],
            user_agent=user_agent[:300],
        )
    )
    db.session.flush()
    # Bookkeeping: never a conflict with an edit of the account, nor between two log-ins.
    bookkeeping(user, silent=True, last_login_at=at)
    return token


# last_seen_at is written at most this often, not on every request.
_TOUCH_EVERY = timedelta(seconds=60)


def load_session(token: str | None) -> tuple[UserSession | None, int | None]:
    """The live session ``token`` names (its last activity noted), and None; or None and the
    id of the user whose session just expired (it is ended), or (None, None) if unknown."""
    if not token:
        return None, None
    # The content stamp comes with the session: a cached page then costs this one query.
    found = db.session.execute(
        db.select(UserSession, page_cache.STAMP).join(User).options(contains_eager(UserSession.user))
        .where(UserSession.token_hash == token_hash(token), User.active.is_(True))
    ).one_or_none()
    if found is None:
        return None, None
    row, version = found
    page_cache.remember_version(version)
    at = now()
    if session_expired(row, at):
        user_id = row.user_id
        db.session.delete(row)
        db.session.flush()
        return None, user_id
    if at - row.last_seen_at >= _TOUCH_EVERY:
        row.last_seen_at = at
    return row, None


def user_for_session(token: str | None) -> User | None:
    """The active user whose live session ``token`` names, or None if it was ended or expired."""
    row, _expired = load_session(token)
    return row.user if row is not None else None


def active_sessions(user: User) -> list[UserSession]:
    """The user's sessions that have not expired, most recently used first."""
    rows = db.session.execute(
        db.select(UserSession).where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).scalars()
    at = now()
    return [row for row in rows if not session_expired(row, at)]


def end_session_of(row: UserSession, *, actor: User) -> None:
    """End one session of its user (from their profile, or an admin's view of the account)."""
    user = row.user
    db.session.delete(row)
    db.session.flush()
    audit.record(user, "end_session", {"session": (row.created_at.isoformat(), None),
                                       "address": (row.ip_address, None)}, actor)


def needs_reauthentication(row: UserSession | None) -> bool:
    """Whether the last password entry in this session is older than REAUTH_MINUTES."""
    if row is None:
        return True
    limit = timedelta(minutes=int(current_app.config["REAUTH_MINUTES"]))
    return now() - row.authenticated_at > limit

# --- forms posted after the session expired ----------------------------------------------------

SAVED_FORM_MAX_CHARS = 1_000_000


def save_form(user_id: int, path: str, data: dict[str, list[str]]) -> SavedForm | None:
    """Keep what the person posted (text only) for SAVED_FORM_MINUTES so it can be restored."""
    if sum(len(v) for values in data.values() for v in values) > SAVED_FORM_MAX_CHARS or not data:
        return None
    _purge_saved_forms(user_id)
    row = SavedForm(user_id=user_id, path=path[:500], data=data, created_at=now())
    db.session.add(row)
    db.session.flush()
    return row


def _purge_saved_forms(user_id: int) -> None:
    limit = now() - timedelta(minutes=int(current_app.config["SAVED_FORM_MINUTES"]))
    db.session.execute(db.delete(SavedForm).where(
        (SavedForm.user_id == user_id) & (SavedForm.created_at < limit)))


def saved_form_path(user: User) -> str | None:
    """The page of the person's latest saved form still kept, or None."""
    _purge_saved_forms(user.id)
    return db.session.execute(
        db.select(SavedForm.path).where(SavedForm.user_id == user.id)
        .order_by(SavedForm.id.desc()).limit(1)
    ).scalar()


def take_saved_form(user: User, path: str) -> dict[str, list[str]] | None:
    """The person's saved form for ``path`` (then forgotten), or None."""
    _purge_saved_forms(user.id)
    row = db.session.execute(
        db.select(SavedForm).where(SavedForm.user_id == user.id, SavedForm.path == path)
        .order_by(SavedForm.id.desc()).limit(1)
    ).scalar_one_or_none()
    if row is None:
        return None
    data = dict(row.data)
    db.session.execute(db.delete(SavedForm).where(
        SavedForm.user_id == user.id, SavedForm.path == path))
    return data


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            db.delete(UserSession).where(UserSession.token_hash == token_hash(token))
        )


def end_all_sessions(user: User) -> None:
    db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id))
