"""Request-side sign-in rules: expired sessions (and the text they would lose), required
second factor, re-authentication for sensitive steps, and the session the request runs in."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, flash, g, has_request_context, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from coordination.accounts import services
from coordination.accounts.models import UserSession
from coordination.forms import RESTORED_FORMDATA
from coordination.urls import is_safe_next

# Endpoints a person who must still set up their second factor may reach.
ENROLMENT_ALLOWED = {
    "accounts.two_factor_setup", "accounts.logout", "accounts.password", "accounts.reauth",
    "static", "bootstrap.static",
}
# Posted fields never kept server-side when a session expired.
_NEVER_SAVED = ("csrf_token", "password", "code", "confirm")


def current_session() -> UserSession | None:
    """The server-side session record of this request's logged-in user."""
    return g.get("user_session")


def form_page() -> str:
    """The page a POST came from (same site only), else its own path: where to bring it back."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if parts.netloc == request.host and is_safe_next(parts.path):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


def _posted_text() -> dict[str, list[str]]:
    return {
        key: values for key, values in request.form.lists()
        if not any(word in key.lower() for word in _NEVER_SAVED)
    }


def keep_posted_form(user_id: int) -> tuple[str, bool]:
    """Save what was posted (text fields only) for ``user_id``: the form's page, and whether
    anything was kept."""
    page = form_page()
    kept = request.method == "POST" and services.save_form(
        user_id, urlsplit(page).path, _posted_text()) is not None
    return page, kept


def unauthorized():
    """Not logged in: to the log-in page. A session that just expired says so and, for a form
    that was being posted, keeps its text for the person to find after logging in."""
    expired_user = g.get("expired_user_id")
    target = request.full_path.rstrip("?") if request.method == "GET" else form_page()
    if expired_user is not None:
        session.pop("sid", None)
        if request.method == "POST" and keep_posted_form(expired_user)[1]:
            flash(_("Your session expired before this form was sent. Log in again: what you "
                    "had typed will be back in the form, ready to send."), "warning")
        else:
            flash(_("Your session expired. Please log in again."), "info")
    if not is_safe_next(target):
        target = None
    return redirect(url_for("accounts.login", next=target), 303 if request.method == "POST" else 302)


def after_login(user, target: str | None) -> str:
    """Where to go once logged in: back to a saved form if one is waiting, else ``target``."""
    path = services.saved_form_path(user)
    if path:
        session["restore_form"] = path
        return path
    return target or url_for("dashboard.index")


def restored_formdata(field_names: set[str]) -> MultiDict | None:
    """For a form shown by GET on the page a saved form came from: its saved text (once).

    The saved text is fetched once per request and given to the first form of the page whose
    fields it fits (a page may build other forms first, such as a search box).
    """
    if not has_request_context() or request.method != "GET":
        return None
    if "restorable_form" not in g:
        g.restorable_form = None
        path = session.get("restore_form")
        if path and path == request.path and current_user.is_authenticated:
            session.pop("restore_form", None)
            g.restorable_form = services.take_saved_form(current_user, path)
    data = g.restorable_form
    if not data or not set(data) <= field_names | {"submit"}:
        return None
    g.restorable_form = None
    flash(_("What you had typed before your session ended is back in the form. Check it, "
            "then send it again."), "warning")
    return MultiDict([(key, value) for key, values in data.items() for value in values])


def recent_login_required(view: Callable) -> Callable:
    """A sensitive step: ask for the password again when it was last entered more than
    REAUTH_MINUTES ago. A posted form is kept and comes back after the password."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if current_user.is_authenticated and services.needs_reauthentication(current_session()):
            return ask_reauthentication()
        return view(*args, **kwargs)

    return wrapped


def ask_reauthentication():
    """Send the person to the password prompt, then back to the page they were on."""
    if request.method == "POST":
        target, _kept = keep_posted_form(current_user.id)
    else:
        target = request.full_path.rstrip("?")
    if not is_safe_next(target):
        target = url_for("accounts.profile")
    return redirect(url_for("accounts.reauth", next=target), 303)


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def browser_name(user_agent: str | None) -> str:
    """A short reading of a User-Agent header: "Firefox on Windows"."""
    agent = user_agent or ""
    browser = next((name for key, name in _BROWSERS if key in agent), None)
    system = next((name for key, name in _SYSTEMS if key in agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or (agent[:60] if agent else _("unknown browser"))


def register(app: Flask) -> None:
    """Install the hooks: second-factor enrolment first, for the roles that require it."""
    from coordination.accounts import mfa

    app.jinja_env.filters["browser_name"] = browser_name
    app.extensions[RESTORED_FORMDATA] = restored_formdata

    @app.before_request
    def require_second_factor():
        if (
            current_user.is_authenticated
            and request.endpoint not in ENROLMENT_ALLOWED
            and not current_user.must_change_password
            and mfa.must_enrol(current_user)
        ):
            return redirect(url_for("accounts.two_factor_setup"))
        return None
