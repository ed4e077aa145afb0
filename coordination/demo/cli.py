"""``flask demo load``: load the demo data (idempotent) and print one log-in per role."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from coordination import demo as demo_data
from coordination import tasks

demo = AppGroup("demo", help="Demonstration data.")


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Only load into a database without accounts.")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True,
              help="Where the portal is served (printed with the log-ins).")
def demo_load(if_empty: bool, url: str) -> None:
    """Load the demo data (idempotent) and print one log-in per role."""
    if demo_data.is_loaded():
        click.echo("Demo data already present.")
    elif if_empty and not demo_data.database_is_empty():
        click.echo("The database already holds accounts: demo data not loaded.")
        return
    else:
        tasks.run(demo_data.load)
        click.echo("Demo data loaded.")
    click.echo(f"Log in at {url.rstrip('/')}/accounts/login with one of these (role e-mail password):")
    for role, email, password in demo_data.LOGINS:
        click.echo(f"{role} {email} {password}")
    email, key = demo_data.TWO_FACTOR_DEMO
    password = next(p[5] for p in demo_data.PEOPLE if p[0] == email)
    click.echo(f"Two-factor sign-in: {email} {password}, then a code for the TOTP key {key} "
               "(any authenticator app, or: oathtool --totp -b KEY).")


def register(app: Flask) -> None:
    """Add the ``flask demo`` group to ``app``."""
    app.cli.add_command(demo)
