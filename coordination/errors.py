"""Domain exceptions and the error pages they map to (the session is rolled back first)."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


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


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


STALE_MESSAGE = _l(
    "Someone else changed this record after you opened it. Your changes were not saved: "
    "open the current version and apply them again."
)


def _render(status: int, message: Any = None, link: str | None = None):
    from coordination.extensions import db

    db.session.rollback()
    template = status if status in (400, 403, 404, 405, 409, 413, 422, 429) else 500
    return render_template(f"errors/{template}.html", status=status, message=message, link=link), status


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

    from coordination.submissions import DuplicateSubmission

    @app.errorhandler(DuplicateSubmission)
    def duplicate(error: DuplicateSubmission):
        # The same form was sent again (double click, back + resubmit): nothing new is
        # written; the person lands where the first submission led.
        from flask import flash, redirect

        from coordination.extensions import db

        db.session.rollback()
        if not error.location:
            return _render(409, _l("This form was already sent; it was not saved a second time."))
        flash(_l("This form was already sent: nothing was saved a second time. Here is the result."), "info")
        return redirect(error.location, 303)

    @app.errorhandler(IntegrityError)
    def integrity(error: IntegrityError):
        log.warning("integrity error on %s: %s", request.path, error.orig)
        return _render(409, _l("This change clashes with existing records and was not saved."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s", request.path)
        return _render(500)
