"""Request hooks: security headers, locale, time zones, template helpers and the commit hook."""
from __future__ import annotations

from flask import Flask, Response, current_app, make_response, redirect, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from coordination import dates, i18n
from coordination.accounts import security
from coordination.accounts.models import User
from coordination.audit import AuditEntry
from coordination.bodies.models import Body
from coordination.dates import local_today
from coordination.errors import (
    DATABASE_UNAVAILABLE,
    database_unavailable_response,
    is_database_unavailable,
)
from coordination.errors import log as error_log
from coordination.extensions import db
from coordination.logs import request_id
from coordination.organisations.models import Organisation
from coordination.permissions import can
from coordination.plans.models import ActionItem, ActionPlan
from coordination.submissions import remember_result

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)

STATIC_ENDPOINTS = {"static", "bootstrap.static"}

# Endpoints a user who must change their password may still reach.
PASSWORD_CHANGE_ALLOWED = {"accounts.password", "accounts.logout", "accounts.language", "static", "bootstrap.static",
                           "accounts.reset_password", "accounts.accept_invitation", "accounts.confirm_email"}


def select_locale() -> str:
    """The language the page is shown in (see :func:`coordination.i18n.select_locale`)."""
    return i18n.select_locale()


def select_timezone() -> str:
    return current_app.config["DEFAULT_TIMEZONE"]


def security_headers(response: Response) -> Response:
    """The headers every answer carries: the content policy, no framing, no sniffing, and who
    may keep a copy (calendar programs revalidate feeds; pages carry people's data)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure or current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.blueprint == "calendar":
        # Calendar programs revalidate feeds (ETag); nothing shared may keep a copy.
        headers["Cache-Control"] = "private, no-cache"
    elif request.endpoint not in STATIC_ENDPOINTS:
        # Pages, downloads and exports carry people's data: no copy on disk or in a proxy.
        headers["Cache-Control"] = "no-store"
    return response


def tag_request(response: Response) -> Response:
    """Every answer names its request id, as the logs do (a proxy's X-Request-ID is kept)."""
    response.headers.setdefault("X-Request-ID", request_id())
    return response


def register(app: Flask) -> None:
    """Template globals and filters, the language hooks, the password-change and sign-in rules,
    the security headers."""
    # Model classes are exposed so templates can ask ``can(current_user, "create", org_class)``.
    app.jinja_env.globals.update(
        can=can, today=local_today, get_locale=get_locale, audit_entry_class=AuditEntry,
        org_class=Organisation, body_class=Body, user_class=User, plan_class=ActionPlan,
        item_class=ActionItem,
        current_user=current_user,  # also for imported macros, which get no context
    )
    i18n.register(app)
    dates.register(app)

    @app.before_request
    def force_password_change():
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in PASSWORD_CHANGE_ALLOWED
        ):
            return redirect(url_for("accounts.password"))
        return None

    security.register(app)

    app.after_request(security_headers)


def register_commit(app: Flask) -> None:
    """The request id on every answer, and one request, one transaction: the commit hook.

    Call it after every other ``after_request`` registration: Flask runs them in reverse, so
    this commit runs first and the others see its outcome (a 503 if the database refused it).
    """

    app.after_request(tag_request)

    @app.after_request
    def commit(response):
        """One request, one transaction: commit a success, roll back anything else."""
        if response.status_code < 400:
            remember_result(response.location if response.status_code in (301, 302, 303) else None)
            try:
                db.session.commit()
            except DATABASE_UNAVAILABLE as error:  # e.g. SQLite's write lock not obtained in time
                if not is_database_unavailable(error):
                    raise
                error_log.error("database unavailable at commit: %s", getattr(error, "orig", error))
                return make_response(database_unavailable_response())
        else:
            db.session.rollback()
        return response
