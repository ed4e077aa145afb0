"""Account services: passwords, log-in and user administration (sessions: ``sessions``; throttling:
``throttling``)."""
from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from coordination import audit
from coordination.accounts.models import Role, User, UserSession
from coordination.accounts.passwords import (  # noqa: F401 (re-exported for every password path)
    MIN_PASSWORD_LENGTH,
    check_password_rules,
)
from coordination.accounts.sessions import end_all_sessions, now
from coordination.db import apply_changes, bookkeeping
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db

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




# --- user administration ---------------------------------------------------------------------


def ensure_unique_email(email: str, user: User | None = None) -> None:
    """Refuse ``email`` if an account other than ``user`` already uses it."""
    existing = db.session.execute(db.select(User.id).where(User.email == email)).scalar()
    if existing is not None and (user is None or existing != user.id):
        raise ValidationError({"email": _l("Another account already uses this e-mail address.")})


def create_user(data: dict[str, Any], *, actor: User | None) -> User:
    """Create an account. A password is optional: without one the person cannot log in."""
    email = normalise_email(data["email"])
    ensure_unique_email(email)
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
    if "email" in data:
        data = {**data, "email": normalise_email(data["email"])}
        ensure_unique_email(data["email"], user)
    if user.id == actor.id and data.get("role") and data["role"] != Role.ADMIN:
        raise ValidationError({"role": _l("You cannot remove your own administrator role.")})
    password: dict[str, tuple] = {}
    if data.get("password"):
        problem = check_password_rules(data["password"], data.get("email", user.email),
                                       data.get("full_name", user.full_name))
        if problem:
            raise ValidationError({"password": problem})
        user.password_hash = hash_password(data["password"])
        user.must_change_password = True
        password["password"] = ("***", "***")
    changes = audit.save_changes(user, data, USER_FIELDS, actor=actor, extra=password)
    if password:
        end_all_sessions(user)
    return changes


def update_profile(user: User, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """A user's own details (not their role, e-mail or organisation)."""
    return audit.save_changes(user, data, PROFILE_FIELDS, actor=actor)


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
