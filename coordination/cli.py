"""Flask commands (each owns its transaction): create-admin, demo load."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from coordination.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.option("--email", prompt=True, help="Log-in e-mail of the administrator.")
    @click.option("--name", prompt="Full name", help="Full name of the administrator.")
    @click.password_option(help="Password (asked twice when not given).")
    def create_admin(email: str, name: str, password: str) -> None:
        """Create the first administrator account of a real deployment."""
        from coordination.accounts.models import Role
        from coordination.accounts.services import create_user
        from coordination.errors import ValidationError

        try:
            user = create_user(
                {"email": email, "full_name": name, "role": Role.ADMIN, "password": password},
                actor=None,
            )
        except ValidationError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        user.must_change_password = False
        db.session.commit()
        click.echo(f"Administrator {user.email} created.")

    demo = AppGroup("demo", help="Demonstration data.")

    @demo.command("load")
    @click.option("--if-empty", is_flag=True, help="Only load into a database without accounts.")
    @click.option("--url", default="http://127.0.0.1:5000", show_default=True,
                  help="Where the portal is served (printed with the log-ins).")
    def demo_load(if_empty: bool, url: str) -> None:
        """Load the demo data (idempotent) and print one log-in per role."""
        from coordination import demo as demo_data

        if demo_data.is_loaded():
            click.echo("Demo data already present.")
        elif if_empty and not demo_data.database_is_empty():
            click.echo("The database already holds accounts: demo data not loaded.")
            return
        else:
            demo_data.load()
            db.session.commit()
            click.echo("Demo data loaded.")
        click.echo(f"Log in at {url.rstrip('/')}/accounts/login with one of these (role e-mail password):")
        for role, email, password in demo_data.LOGINS:
            click.echo(f"{role} {email} {password}")
        email, key = demo_data.TWO_FACTOR_DEMO
        password = next(p[5] for p in demo_data.PEOPLE if p[0] == email)
        click.echo(f"Two-factor sign-in: {email} {password}, then a code for the TOTP key {key} "
                   "(any authenticator app, or: oathtool --totp -b KEY).")

    app.cli.add_command(demo)

    from coordination.notifications.cli import register as register_notifications

    register_notifications(app)
