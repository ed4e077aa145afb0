"""Logging: secrets never reach any log output; each request has an id; security events are logged."""
from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping
from typing import Any

from flask import g, has_request_context, request

# The secret part of calendar feed addresses, and secret-looking query arguments.
_SECRETS = (
    (re.compile(r"(/calendar/)[^/\s\"'?]+"), r"\1***"),
    (re.compile(r"(?i)([?&](?:token|password|secret|key)=)[^&\s\"']+"), r"\1***"),
)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

security = logging.getLogger("coordination.security")


def mask(text: str) -> str:
    """``text`` with every secret it contains replaced by ``***``."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    # An object formatted with %s (a URL, a request): mask its text only if it holds a secret,
    # so %r and %d arguments keep their own formatting otherwise.
    try:
        text = str(value)
    except Exception:  # noqa: BLE001 - logging must never fail because of an argument
        return value
    masked = mask(text)
    return masked if masked != text else value


class MaskSecrets(logging.Filter):
    """Mask secrets in a record's message, arguments and traceback, keeping the arguments' shape.

    gunicorn's access log passes its atoms as one dict (``record.args`` is a mapping used by
    ``%(h)s``-style formats): a mapping stays a mapping, a tuple stays a tuple.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        args = record.args
        if isinstance(args, Mapping):
            record.args = {key: _mask_value(value) for key, value in args.items()}
        elif isinstance(args, tuple):
            record.args = tuple(_mask_value(a) for a in args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


def _all_handlers() -> list[logging.Handler]:
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    return [handler for logger in loggers for handler in logger.handlers]


def mask_secrets() -> None:
    """Install the filter on every handler there is (root, werkzeug, gunicorn.access, …).

    A filter on a handler sees every record that handler writes, whichever logger (or child
    logger) it came from; a filter on a logger would only see that logger's own records.
    The loggers that write request lines also get it, for handlers added after start-up.
    """
    targets: list[logging.Filterer] = [*_all_handlers()]
    targets += [logging.getLogger(name) for name in ("werkzeug", "gunicorn.access", "gunicorn.error")]
    for target in targets:
        if not any(isinstance(f, MaskSecrets) for f in target.filters):
            target.addFilter(MaskSecrets())


def request_id() -> str:
    """The current request's id ("-" outside a request): a trusted proxy's X-Request-ID or a new one."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)
    return g.request_id


def _who() -> str:
    user = g.get("_login_user")
    return f"user {user.id}" if user is not None and getattr(user, "is_authenticated", False) else "anonymous"


def security_event(event: str, detail: str = "", *args: Any) -> None:
    """Log a security event (``event`` is a short keyword) with the request id, client and user."""
    where = (request.remote_addr or "-", request.method, request.path) if has_request_context() else ("-", "-", "-")
    security.warning(
        "security %s: " + (detail or "-") + " [request %s, address %s, %s, %s %s]",
        event, *args, request_id(), where[0], _who(), where[1], where[2],
    )
