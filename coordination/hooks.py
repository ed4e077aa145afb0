"""Request hooks: security headers, locale, time zones and template helpers."""
from __future__ import annotations

from flask import Flask, current_app, redirect, request, url_for
from flask_login import current_user

from coordination.dates import local_today

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
    from coordination.i18n import select_locale as select

    return select()


def select_timezone() -> str:
    return current_app.config["DEFAULT_TIMEZONE"]


def register(app: Flask) -> None:
    from flask_babel import get_locale

    from coordination.accounts.models import User
    from coordination.audit import AuditEntry
    from coordination.bodies.models import Body
    from coordination.organisations.models import Organisation
    from coordination.permissions import can
    from coordination.plans.models import ActionItem, ActionPlan

    # Model classes are exposed so templates can ask ``can(current_user, "create", org_class)``.
    app.jinja_env.globals.update(
        can=can, today=local_today, get_locale=get_locale, audit_entry_class=AuditEntry,
        org_class=Organisation, body_class=Body, user_class=User, plan_class=ActionPlan,
        item_class=ActionItem,
        current_user=current_user,  # also for imported macros, which get no context
    )
    from coordination import dates, i18n

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

    from coordination.accounts import security

    security.register(app)

    @app.after_request
    def secure(response):
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
