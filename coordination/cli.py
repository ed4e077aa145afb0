"""Flask commands (each runs in its own transaction, :func:`coordination.tasks.run`):
create-admin here, ``flask demo``, ``flask mail`` and ``flask notifications`` from their domains."""
from __future__ import annotations

import click
from flask import Flask

from coordination import tasks
from coordination.accounts.models import Role, User
from coordination.accounts.services import create_user
from coordination.demo import cli as demo_cli
from coordination.errors import ValidationError
from coordination.notifications import cli as notifications_cli


def _create_admin(email: str, name: str, password: str) -> User:
    user = create_user({"email": email, "full_name": name, "role": Role.ADMIN, "password": password},
                       actor=None)
    user.must_change_password = False
    return user


def register_cli(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.option("--email", prompt=True, help="Log-in e-mail of the administrator.")
    @click.option("--name", prompt="Full name", help="Full name of the administrator.")
    @click.password_option(help="Password (asked twice when not given).")
    def create_admin(email: str, name: str, password: str) -> None:
        """Create the first administrator account of a real deployment."""
        try:
            user = tasks.run(_create_admin, email, name, password)
        except ValidationError as error:
            raise click.ClickException(error.message) from None
        click.echo(f"Administrator {user.email} created.")

    demo_cli.register(app)
    notifications_cli.register(app)
