"""Throttling of failed log-ins and second-factor codes, per account and per client address."""
from __future__ import annotations

from typing import Any

from flask import current_app
from limits import parse

from coordination.accounts.services import normalise_email
from coordination.accounts.sessions import now
from coordination.extensions import limiter


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
            waits.append(max(1, int(reset - now().timestamp())))
    return max(waits) if waits else None


def note_failure(kind: str, keys: dict[str, str]) -> None:
    for item, scope in _login_limits():
        limiter.limiter.hit(item, _namespace(), kind, scope, keys[scope])


def login_retry_after(email: str, address: str) -> int | None:
    """Seconds until a new log-in attempt is allowed, or None when the caller may try now."""
    return failure_retry_after("login-failure", _keys(email, address))


def note_failed_login(email: str, address: str) -> None:
    note_failure("login-failure", _keys(email, address))
