"""Domain exceptions and the error pages they map to (the session is rolled back first)."""
from __future__ import annotations

import logging
import sqlite3
from typing import Any

from flask import Flask, current_app, flash, g, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import (
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from coordination.logs import request_id, security_event

log = logging.getLogger(__name__)
# This module sits below coordination.db and coordination.extensions (they raise its
# exceptions), so the handlers reach the session and the log-in manager through the app.


class DomainError(Exception):
    """Base of the errors services raise; ``status`` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: Any = None):
        super().__init__(str(message) if message else "")
        self.message = message


class ValidationError(DomainError):
    """Input breaks a rule. ``errors`` maps field names to messages (``None`` for the form)."""

    status = 422

    def __init__(self, errors: dict[str | None, Any] | str):
        if not isinstance(errors, dict):
            errors = {None: errors}
        self.errors = errors
        super().__init__("; ".join(str(m) for m in errors.values()))


class ConflictError(DomainError):
    """The object changed meanwhile, or the action clashes with its state (409)."""

    status = 409


class StaleError(ConflictError):
    """An edit made from a copy older than the stored record (optimistic locking)."""


class DuplicateSubmission(DomainError):
    """A one-time form token already claimed (see :mod:`coordination.submissions`); ``location``
    is what its first submission created."""

    status = 303

    def __init__(self, location: str):
        super().__init__("duplicate submission")
        self.location = location


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


STALE_MESSAGE = _l(
    "Someone else changed this record after you opened it. Your changes were not saved: "
    "open the current version and apply them again."
)

STEP_REFUSED = _l("This step is not possible from the record's current state. Reload the page to see it.")


def _session():
    """The request's database session (Flask-SQLAlchemy registers itself on the app)."""
    return current_app.extensions["sqlalchemy"].session


def _rollback() -> None:
    try:
        _session().rollback()
    except SQLAlchemyError:  # the database is gone: nothing to roll back there
        log.warning("rollback failed on %s", request.path, exc_info=True)


def _render(status: int, message: Any = None, link: str | None = None):
    _rollback()
    template = status if status in (400, 403, 404, 405, 409, 413, 422, 429, 503) else 500
    html = render_template(f"errors/{template}.html", status=status, message=message, link=link,
                           request_id=request_id())
    return html, status


# The database cannot be reached (PostgreSQL down, SQLite file missing) or is busy (SQLite's
# write lock not obtained within the busy timeout): a passing condition, so 503, not 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
# SQLite reports a missing table as an OperationalError too: that is a bug (500), not an outage.
_SQLITE_OUTAGES = ("locked", "busy", "unable to open", "disk i/o", "readonly", "no such file")


def is_database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database is down or busy (as opposed to a bug)."""
    if not isinstance(error, DATABASE_UNAVAILABLE):
        return False
    orig = getattr(error, "orig", None)
    if isinstance(orig, sqlite3.OperationalError):
        return any(word in str(orig).lower() for word in _SQLITE_OUTAGES)
    return True


def database_unavailable_response():
    """The 503 page for a database that is down or busy, with Retry-After; needs no database."""
    _rollback()
    # Nothing after this may look the user up again (base template, security headers).
    g._login_user = current_app.login_manager.anonymous_user()
    retry = str(current_app.config["DATABASE_RETRY_AFTER"])
    write = request.method not in ("GET", "HEAD", "OPTIONS")
    html = render_template("errors/503.html", status=503, request_id=request_id(), write=write,
                           resend=resendable_fields() if write else [])
    return html, 503, {"Retry-After": retry}


# Posted fields never written back into a page (they would sit in the HTML and the browser's
# history): passwords anywhere, and the sign-in codes of the account pages. They are typed again.
SECRET_WORDS = ("password", "secret")
ACCOUNT_CODES = ("code", "recovery_code", "totp")


def resendable_fields() -> list[tuple[str, str]]:
    """What a refused write posted, to send again from the 503 page without retyping it.

    The database was busy or down, so the text cannot be kept on the server: it goes back to
    the browser as the hidden fields of a "Send again" form (the same address, the same CSRF
    and one-time form tokens: the failed request wrote nothing, its claim included). Secrets
    and files are left out; they must be given again.
    """
    account_page = request.path.startswith("/accounts/")
    return [
        (name, value) for name, value in request.form.items(multi=True)
        if not any(word in name.lower() for word in SECRET_WORDS) and not (account_page and name in ACCOUNT_CODES)
    ]


def register_error_handlers(app: Flask) -> None:
    """Map domain exceptions and HTTP errors to friendly pages; never show a stack trace."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return _render(error.status, error.message)

    @app.errorhandler(StaleError)
    @app.errorhandler(StaleDataError)
    def stale(error: Exception):
        # Stale edits come from edit forms: opening the same address shows the fresh version.
        log.info("stale update refused on %s", request.path)
        return _render(409, STALE_MESSAGE, link=request.path)

    @app.errorhandler(DuplicateSubmission)
    def duplicate(error: DuplicateSubmission):
        # The same form was sent again (double click, back + resubmit): nothing new is
        # written; the person lands where the first submission led.
        _session().rollback()
        if not error.location:
            return _render(409, _l("This form was already sent; it was not saved a second time."))
        flash(_l("This form was already sent: nothing was saved a second time. Here is the result."), "info")
        return redirect(error.location, 303)

    @app.errorhandler(IntegrityError)
    def integrity(error: IntegrityError):
        log.warning("integrity error on %s: %s", request.path, error.orig)
        return _render(409, _l("This change clashes with existing records and was not saved."))

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        security_event("csrf", "CSRF check failed (%s)", error.description)
        return _render(400, _l("The form had expired or did not come from this site. Reload the page and try again."))

    for error_class in DATABASE_UNAVAILABLE:
        @app.errorhandler(error_class)
        def database_unavailable(error: Exception):
            if not is_database_unavailable(error):
                return unexpected(error)
            log.error("database unavailable on %s [request %s]: %s", request.path, request_id(),
                      getattr(error, "orig", error))
            return database_unavailable_response()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        body, status = _render(error.code or 500)
        if status == 429:  # say when to come back (a minute unless the limit knows better)
            retry_after = getattr(error, "retry_after", None)
            seconds = retry_after if isinstance(retry_after, int) and retry_after > 0 else 60
            return body, status, {"Retry-After": str(seconds)}
        return body, status

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s [request %s]", request.path, request_id())
        return _render(500)
