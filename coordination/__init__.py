"""Concertation: a portal for inter-ministerial coordination bodies."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from werkzeug.middleware.proxy_fix import ProxyFix

from coordination import hooks, page_cache
from coordination.accounts.views import bp as accounts_bp
from coordination.auditlog.views import bp as audit_bp
from coordination.bodies import page as body_page
from coordination.bodies.views import bp as bodies_bp
from coordination.calendar import feeds as calendar_feeds
from coordination.calendar import queries as calendar_queries
from coordination.calendar.fastpath import FeedFastPath
from coordination.calendar.views import bp as calendar_bp
from coordination.calendar.views import pages as calendar_pages_bp
from coordination.charters import queries as charter_queries
from coordination.charters.views import bp as charters_bp
from coordination.cli import register_cli
from coordination.config import INSTANCE, ROOT, Config, development_secret_key
from coordination.dashboard.views import bp as dashboard_bp
from coordination.errors import register_error_handlers
from coordination.evaluations import body_page as evaluations_part
from coordination.evaluations.views import bp as evaluations_bp
from coordination.extensions import cache, csrf, db, limiter, login_manager, migrate
from coordination.logs import mask_secrets
from coordination.meetings import body_page as meetings_part
from coordination.meetings import notices as meeting_notices
from coordination.meetings.views import bp as meetings_bp
from coordination.memberships import queries as membership_queries
from coordination.memberships.views import bp as memberships_bp
from coordination.minutes import actions as minutes_actions
from coordination.minutes import body_page as minutes_part
from coordination.minutes import notices as minutes_notices
from coordination.minutes.views import bp as minutes_bp
from coordination.notifications import invitations, minutes_mail
from coordination.notifications.hooks import init_app as notifications_init
from coordination.notifications.views import bp as notifications_bp
from coordination.organisations.views import bp as organisations_bp
from coordination.plans import body_page as plans_part
from coordination.plans.arising import ARISING
from coordination.plans.deadline_feed import DEADLINES
from coordination.plans.views import bp as plans_bp
from coordination.search.views import bp as search_bp
from coordination.text import CleanRequest
from coordination.urls import DatabaseIdConverter

BLUEPRINTS = (accounts_bp, audit_bp, bodies_bp, memberships_bp, charters_bp, dashboard_bp, organisations_bp,
              plans_bp, meetings_bp, minutes_bp, calendar_bp, calendar_pages_bp, search_bp, notifications_bp,
              evaluations_bp)


def _fill_slots() -> None:
    """Higher domains plug into lower ones (imports point one way): the personal calendar feed
    carries the plans domain's deadlines, minutes its actions arising; meetings and minutes are
    mailed by notifications."""
    calendar_feeds.deadlines.fill(DEADLINES)
    calendar_queries.deadline_stamp.fill(DEADLINES.stamp)
    minutes_actions.source.fill(ARISING)
    meeting_notices.mailer.fill(invitations)
    minutes_notices.mailer.fill(minutes_mail)


def _add_body_page_parts() -> None:
    """A body's page and decision register show what the domains above bodies hold (imports
    point one way: bodies.page holds the parts, each domain provides its own; adding a part
    again replaces it, so every app built in one process may call this)."""
    body_page.add_section("seats", membership_queries.body_page_section, membership_queries.body_page_options)
    body_page.add_section("charter", charter_queries.body_page_section, charter_queries.body_page_options)
    body_page.add_section("meetings", meetings_part.body_page_section)
    body_page.add_section("decisions", minutes_part.body_page_section)
    body_page.add_section("health", evaluations_part.body_page_section)
    body_page.add_register_part("decisions", minutes_part.register_part)
    body_page.add_register_part("actions", plans_part.register_part)


class ConfigurationError(RuntimeError):
    """The application cannot start with the configuration it was given."""


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config → extensions → blueprints → errors → hooks → CLI."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.update(test_config)
    _check_secret_key(app)
    _secure_defaults(app)
    # The token feeds' successful answers skip the page hooks (see calendar/fastpath.py); a
    # proxy's headers are read first, so the feeds see the same address as every page.
    app.wsgi_app = FeedFastPath(app, app.wsgi_app, finish=(hooks.security_headers, hooks.tag_request))  # type: ignore[method-assign]
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    INSTANCE.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    mask_secrets()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    page_cache.init_app(app)
    login_manager.init_app(app)
    # One Babel per app, not a shared extension object: Flask-Babel caches loaded catalogues on
    # the Babel object, so a second app reading other catalogues (the i18n tests' fixture app)
    # would otherwise be served the first app's translations.
    Babel(app, locale_selector=hooks.select_locale, timezone_selector=hooks.select_timezone)
    Bootstrap5(app)

    app.request_class = CleanRequest
    app.url_map.converters["int"] = DatabaseIdConverter  # before the blueprints add their rules
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    _add_body_page_parts()
    _fill_slots()
    register_error_handlers(app)
    notifications_init(app)
    hooks.register(app)
    # Registered last, so the commit runs first after a view (Flask calls them in reverse):
    # the outbox sender and the security headers see the response it settled.
    hooks.register_commit(app)
    register_cli(app)
    return app


def _secure_defaults(app: Flask) -> None:
    """A Secure session cookie is named with the __Host- prefix (sent only over HTTPS, to this
    host, for every path); settings given as comma-separated text become tuples."""
    cfg = app.config
    development = cfg["ENV"] == "development"
    if cfg["SESSION_COOKIE_SECURE"] is None:
        cfg["SESSION_COOKIE_SECURE"] = not development
    cfg.setdefault("REMEMBER_COOKIE_SECURE", cfg["SESSION_COOKIE_SECURE"])
    if cfg["MFA_REQUIRED_ROLES"] is None:
        cfg["MFA_REQUIRED_ROLES"] = "" if development else "admin,secretariat"
    if cfg["SESSION_COOKIE_SECURE"] and cfg.get("SESSION_COOKIE_NAME", "session") == "session":
        cfg["SESSION_COOKIE_NAME"] = "__Host-session"
        cfg["SESSION_COOKIE_DOMAIN"] = None
        cfg["SESSION_COOKIE_PATH"] = "/"
    if isinstance(cfg["MFA_REQUIRED_ROLES"], str):
        cfg["MFA_REQUIRED_ROLES"] = tuple(
            r.strip() for r in cfg["MFA_REQUIRED_ROLES"].split(",") if r.strip())


def _check_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("TESTING") or app.config["ENV"] == "development":
        app.config["SECRET_KEY"] = development_secret_key()
        return
    raise ConfigurationError(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
        "value (for example: python -c 'import secrets; print(secrets.token_hex(32))'), "
        "or set CONCERTATION_ENV=development for a local development server."
    )
