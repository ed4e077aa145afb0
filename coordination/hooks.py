"""Request hooks: security headers, locale, time zones and template helpers."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app, has_request_context, redirect, request, url_for
from flask_babel import format_date, format_time
from flask_login import current_user

from coordination.dates import local_today

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)

STATIC_ENDPOINTS = {"static", "bootstrap.static"}

# Endpoints a user who must change their password may still reach.
PASSWORD_CHANGE_ALLOWED = {"accounts.password", "accounts.logout", "static", "bootstrap.static",
                           "accounts.reset_password", "accounts.accept_invitation", "accounts.confirm_email"}


def select_locale() -> str:
    """The user's preferred language, else the browser's best match, else English."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or "en"


def select_timezone() -> str:
    return current_app.config["DEFAULT_TIMEZONE"]


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name``, or the portal default when it is empty or unknown."""
    try:
        return ZoneInfo(name or current_app.config["DEFAULT_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])


def localtime(value: datetime | None, tz: str | None = None, fmt: str = "medium") -> str:
    """Show a UTC datetime in the time zone ``tz`` (a body's): date, hour and zone abbreviation.

    ``fmt`` ("short", "medium", "full") sets how the date is written; the hour is always short.
    Date and time are formatted apart so Babel never names a zone of its own.
    """
    if value is None:
        return ""
    local = value.astimezone(zone(tz))
    day = format_date(local.date(), fmt)
    hour = format_time(local.time(), "short", rebase=False)
    return f"{day}, {hour} {local.tzname()}"


def localdate(value: date | None, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


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
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["localdate"] = localdate

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
