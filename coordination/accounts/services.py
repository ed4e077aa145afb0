"""Account services: passwords, log-in sessions, throttling and user administration."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse
from sqlalchemy.orm import contains_eager

from coordination import audit
from coordination.accounts.models import Role, SavedForm, User, UserSession
from coordination.accounts.passwords import (  # noqa: F401 (re-exported for every password path)
    MIN_PASSWORD_LENGTH,
    check_password_rules,
)
from coordination.db import apply_changes, bookkeeping, check_version, utcnow
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db, limiter

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the e-mail is unknown, so the response time does not reveal it.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

USER_FIELDS = ("email", "full_name", "organisation_id", "position", "phone", "language", "role")
PROFILE_FIELDS = ("full_name", "position", "phone", "language")


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same cost either way)."""
    user = db.session.execute(
        db.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.can_log_in:
        return None
    if _hasher.check_needs_rehash(stored):
        bookkeeping(user, password_hash=hash_password(password))
    return user


# --- throttling of failed log-ins --------------------------------------------------------


def _login_limits() -> list[tuple[Any, str]]:
    cfg = current_app.config
    return [
        (parse(cfg["LOGIN_FAILURES_PER_ACCOUNT"]), "account"),
        (parse(cfg["LOGIN_FAILURES_PER_ADDRESS"]), "address"),
    ]


def _keys(email: str, address: str) -> dict[str, str]:
    return {"account": normalise_email(email), "address": address}


def _namespace() -> str:
    # Several portals (or test runs) may share one Redis: their counters must not mix.
    return current_app.config.get("RATELIMIT_KEY_PREFIX") or "concertation"


def failure_retry_after(kind: str, keys: dict[str, str]) -> int | None:
    """Seconds until a new attempt of ``kind`` ("login-failure", "mfa-failure") is allowed for
    these ``{"account": …, "address": …}`` keys, or None when the caller may try now.

    Limits are moving windows: they lift by themselves, so nobody is locked out for good.
    """
    waits = []
    for item, scope in _login_limits():
        if not limiter.limiter.test(item, _namespace(), kind, scope, keys[scope]):
            reset, _remaining = limiter.limiter.get_window_stats(
                item, _namespace(), kind, scope, keys[scope]
            )
            waits.append(max(1, int(reset - utcnow().timestamp())))
    return max(waits) if waits else None


def note_failure(kind: str, keys: dict[str, str]) -> None:
    for item, scope in _login_limits():
        limiter.limiter.hit(item, _namespace(), kind, scope, keys[scope])


def login_retry_after(email: str, address: str) -> int | None:
    """Seconds until a new log-in attempt is allowed, or None when the caller may try now."""
    return failure_retry_after("login-failure", _keys(email, address))


def note_failed_login(email: str, address: str) -> None:
    note_failure("login-failure", _keys(email, address))


# --- server-side sessions -----------------------------------------------------------------


def _token_hash(token: str) -> str:
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
            token_hash=_token_hash(token),
            created_at=at,
            last_seen_at=at,
            authenticated_at=at,
            ip_address=ip_address[:64],
            user_agent=user_agent[:300],
        )
    )
    db.session.flush()
    # Bookkeeping: never a conflict with an edit of the account, nor between two log-ins.
    bookkeeping(user, last_login_at=at)
    return token


# last_seen_at is written at most this often, not on every request.
_TOUCH_EVERY = timedelta(seconds=60)


def load_session(token: str | None) -> tuple[UserSession | None, int | None]:
    """The live session ``token`` names (its last activity noted), and None; or None and the
    id of the user whose session just expired (it is ended), or (None, None) if unknown."""
    if not token:
        return None, None
    row = db.session.execute(
        db.select(UserSession).join(User).options(contains_eager(UserSession.user))
        .where(UserSession.token_hash == _token_hash(token), User.active.is_(True))
    ).scalar_one_or_none()
    if row is None:
        return None, None
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


def end_session_of(user: User, session_id: int, *, actor: User) -> bool:
    """End one of ``user``'s sessions (from their profile, or an admin's view of the account)."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        return False
    db.session.delete(row)
    db.session.flush()
    audit.record(user, "end_session", {"session": (row.created_at.isoformat(), None),
                                       "address": (row.ip_address, None)}, actor)
    return True


def needs_reauthentication(row: UserSession | None) -> bool:
    """Whether the last password entry in this session is older than REAUTH_MINUTES."""
    if row is None:
        return True
    limit = timedelta(minutes=int(current_app.config["REAUTH_MINUTES"]))
    return now() - row.authenticated_at > limit


def verify_password(user: User, password: str) -> bool:
    """Whether ``password`` is the user's current one."""
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def reauthenticate(row: UserSession, password: str) -> bool:
    """Check the password again for a sensitive step; on success the session counts as fresh."""
    if not verify_password(row.user, password):
        return False
    row.authenticated_at = now()
    db.session.flush()
    return True


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
            db.delete(UserSession).where(UserSession.token_hash == _token_hash(token))
        )


def end_all_sessions(user: User) -> None:
    db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id))


# --- user administration ---------------------------------------------------------------------


def _ensure_unique_email(email: str, user: User | None = None) -> None:
    existing = db.session.execute(db.select(User.id).where(User.email == email)).scalar()
    if existing is not None and (user is None or existing != user.id):
        raise ValidationError({"email": _l("Another account already uses this e-mail address.")})


def create_user(data: dict[str, Any], *, actor: User | None) -> User:
    """Create an account. A password is optional: without one the person cannot log in."""
    email = normalise_email(data["email"])
    _ensure_unique_email(email)
    user = User(email=email, role=Role(data.get("role") or Role.MEMBER))
    apply_changes(user, {**data, "email": email}, USER_FIELDS)
    if data.get("password"):
        problem = check_password_rules(data["password"], email, user.full_name)
        if problem:
            raise ValidationError({"password": problem})
        user.password_hash = hash_password(data["password"])
        user.must_change_password = True
    db.session.add(user)
    db.session.flush()
    audit.record(user, "create", {f: (None, getattr(user, f)) for f in USER_FIELDS}, actor)
    return user


def update_user(user: User, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """Update an account's details and role; a new password, if given, ends its sessions."""
    check_version(user, data.get("version"))
    if "email" in data:
        data = {**data, "email": normalise_email(data["email"])}
        _ensure_unique_email(data["email"], user)
    if user.id == actor.id and data.get("role") and data["role"] != Role.ADMIN:
        raise ValidationError({"role": _l("You cannot remove your own administrator role.")})
    changes = apply_changes(user, data, USER_FIELDS)
    if data.get("password"):
        problem = check_password_rules(data["password"], user.email, user.full_name)
        if problem:
            raise ValidationError({"password": problem})
        user.password_hash = hash_password(data["password"])
        user.must_change_password = True
        end_all_sessions(user)
        changes["password"] = ("***", "***")
    if changes:
        db.session.flush()
        audit.record(user, "update", changes, actor)
    return changes


def update_profile(user: User, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """A user's own details (not their role, e-mail or organisation)."""
    check_version(user, data.get("version"))
    changes = apply_changes(user, data, PROFILE_FIELDS)
    if changes:
        db.session.flush()
        audit.record(user, "update", changes, actor)
    return changes


def change_password(user: User, current: str, new: str, *, actor: User) -> None:
    """Change a password after checking the current one; every session of the user ends."""
    if not verify_password(user, current):
        raise ValidationError({"current_password": _l("The current password is not correct.")})
    problem = check_password_rules(new, user.email, user.full_name)
    if problem:
        raise ValidationError({"new_password": problem})
    if current == new:
        raise ValidationError({"new_password": _l("Choose a password different from the current one.")})
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_all_sessions(user)
    db.session.flush()
    audit.record(user, "change_password", {}, actor)


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Deactivate (ending every session) or reactivate an account; nothing is deleted."""
    if user.id == actor.id and not active:
        raise ConflictError(_l("You cannot deactivate your own account."))
    if user.active == active:
        return
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.flush()
    audit.record(user, "reactivate" if active else "deactivate", {"active": (not active, active)}, actor)
