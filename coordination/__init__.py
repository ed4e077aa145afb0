"""Concertation: a portal for inter-ministerial coordination bodies."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from coordination.config import INSTANCE, ROOT, Config, development_secret_key


class ConfigurationError(RuntimeError):
    """The application cannot start with the configuration it was given."""


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config → extensions → blueprints → errors → CLI."""
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
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    INSTANCE.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from coordination.logs import mask_secrets

    mask_secrets()

    from coordination import hooks
    from coordination.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=hooks.select_locale, timezone_selector=hooks.select_timezone)

    from flask_bootstrap import Bootstrap5

    Bootstrap5(app)

    from coordination.accounts.views import bp as accounts_bp
    from coordination.auditlog.views import bp as audit_bp
    from coordination.bodies.views import bp as bodies_bp
    from coordination.dashboard.views import bp as dashboard_bp
    from coordination.meetings.views import bp as meetings_bp
    from coordination.meetings.views import feeds as feeds_bp
    from coordination.minutes.views import bp as minutes_bp
    from coordination.organisations.views import bp as organisations_bp
    from coordination.plans.views import bp as plans_bp
    from coordination.search.views import bp as search_bp

    for blueprint in (accounts_bp, audit_bp, bodies_bp, dashboard_bp, organisations_bp, plans_bp,
                      meetings_bp, minutes_bp, feeds_bp, search_bp):
        app.register_blueprint(blueprint)

    from coordination.errors import register_error_handlers

    register_error_handlers(app)
    hooks.register(app)

    @app.after_request
    def commit(response):
        """One request, one transaction: commit a success, roll back anything else."""
        if response.status_code < 400:
            from coordination.submissions import remember_result

            remember_result(response.location if response.status_code in (301, 302, 303) else None)
            db.session.commit()
        else:
            db.session.rollback()
        return response

    from coordination.cli import register_cli

    register_cli(app)
    return app


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
