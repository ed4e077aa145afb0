"""Two-factor authentication: TOTP (RFC 6238) with single-use recovery codes.

The secret is confirmed with a first code before it counts. A code is accepted once: the
time step it belongs to is remembered and only later steps pass (the update is conditional,
so two requests racing with the same code cannot both win). Recovery codes are random,
stored as SHA-256 hashes (80 bits each, so a fast hash is enough), and deleted when used.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from flask import current_app
from flask_babel import lazy_gettext as _l

from coordination import audit
from coordination.accounts import services, sessions
from coordination.accounts.models import RecoveryCode, User
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db

RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6
TOTP_INTERVAL = 30
# A code of the previous or next 30-second step is accepted too (clocks drift).
TOTP_WINDOW = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def required_for(user: User) -> bool:
    """Whether the user's role must use a second factor (setting MFA_REQUIRED_ROLES)."""
    return user.role.value in set(current_app.config["MFA_REQUIRED_ROLES"])


def must_enrol(user: User) -> bool:
    return required_for(user) and not user.has_two_factor


def new_secret() -> str:
    """A fresh random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address authenticator apps read from the QR code."""
    issuer = current_app.config.get("MFA_ISSUER") or "Concertation"
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL).provisioning_uri(
        name=user.email, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG data: URI, drawn here (no outside service)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff", border=4)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step whose code equals ``code`` within the window, or None."""
    if not (len(code) == TOTP_DIGITS and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)
    step = totp.timecode(at)
    for candidate in range(step - TOTP_WINDOW, step + TOTP_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was: no replay."""
    result = db.session.execute(
        db.update(User)
        .where(User.id == user.id)
        .where((User.totp_last_step.is_(None)) | (User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.expire(user, ["totp_last_step"])
    return True


def verify_totp(user: User, code: str) -> bool:
    """Whether ``code`` is a current, not yet used code of the user's authenticator."""
    if not user.has_two_factor:
        return False
    step = _matching_step(user.totp_secret or "", _clean(code), sessions.now())
    return step is not None and _claim_step(user, step)


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(f"recovery:{_clean(code)}".encode()).hexdigest()


def use_recovery_code(user: User, code: str) -> bool:
    """Accept one of the user's recovery codes, which is then gone."""
    cleaned = _clean(code)
    if len(cleaned) != 16:
        return False
    result = db.session.execute(
        db.delete(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_recovery(cleaned))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.expire(user, ["recovery_codes"])
    audit.record(user, "recovery_code_used", {}, user)
    return True


def verify_second_factor(user: User, code: str) -> str | None:
    """"totp" or "recovery" for an accepted code (6 digits, or a recovery code), else None."""
    cleaned = _clean(code)
    if cleaned.isdigit():
        return "totp" if verify_totp(user, cleaned) else None
    return "recovery" if use_recovery_code(user, cleaned) else None


def recovery_codes_left(user: User) -> int:
    return db.session.execute(
        db.select(db.func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id)
    ).scalar_one()


def new_recovery_codes(user: User, *, actor: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones, returned once in clear."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(raw),
                                    created_at=sessions.now()))
    db.session.flush()
    db.session.expire(user, ["recovery_codes"])
    audit.record(user, "recovery_codes_renewed", {}, actor)
    return codes


def _code_error(field: str = "code") -> ValidationError:
    return ValidationError({field: _l("This code is not correct, or it was already used. "
                                      "Enter the code your app shows now.")})


def enable(user: User, secret: str, code: str, *, actor: User) -> list[str]:
    """Turn on (or replace) the second factor once ``code`` proves the app has ``secret``.

    Every session of the user ends (the caller opens a fresh one for this browser) and ten
    new recovery codes are returned.
    """
    step = _matching_step(secret, _clean(code), sessions.now())
    if step is None:
        raise _code_error()
    replaced = user.has_two_factor
    user.totp_secret = secret
    user.totp_enabled_at = sessions.now()
    user.totp_last_step = step
    db.session.flush()
    sessions.end_all_sessions(user)
    codes = new_recovery_codes(user, actor=actor)
    audit.record(user, "two_factor_replaced" if replaced else "two_factor_enabled", {}, actor)
    return codes


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
    db.session.expire(user, ["recovery_codes"])


def disable(user: User, password: str, code: str, *, actor: User) -> None:
    """Turn the second factor off: needs the password and a current code (or a recovery code).

    Refused for roles that must use it.
    """
    if required_for(user):
        raise ConflictError(_l("Your role requires two-factor authentication: it cannot be "
                               "turned off. You can set up a new authenticator instead."))
    errors = {}
    if not services.verify_password(user, password):
        errors["password"] = _l("The password is not correct.")
    elif verify_second_factor(user, code) is None:
        errors["code"] = _code_error().errors["code"]
    if errors:
        raise ValidationError(errors)
    _clear(user)
    audit.record(user, "two_factor_disabled", {}, actor)


def reset(user: User, *, actor: User) -> None:
    """An administrator removes a person's second factor (lost phone); their sessions end.

    People whose role requires it set up a new one at their next log-in.
    """
    if not user.has_two_factor:
        raise ConflictError(_l("This account has no second factor to reset."))
    _clear(user)
    sessions.end_all_sessions(user)
    audit.record(user, "two_factor_reset", {}, actor)
