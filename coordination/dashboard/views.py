"""Dashboard: what each role comes to do, one click away."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from coordination.accounts.models import Role
from coordination.bodies import queries as body_queries
from coordination.extensions import db
from coordination.permissions import login_only, public, visible_body_ids
from coordination.plans import queries as plan_queries

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@public
def home():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("accounts.login"))


@bp.route("/dashboard")
@login_only
def index():
    """Members: their organisation's actions, overdue first. Secretariat: overdue by owner.

    Everyone: the bodies they sit on and the plans' progress today.
    """
    today = date.today()
    visible = visible_body_ids(current_user)
    my_bodies = body_queries.body_ids_sat_on(current_user, today)
    rows = body_queries.body_tree(visible, today)
    my_items = []
    if current_user.organisation_id and current_user.role == Role.MEMBER:
        my_items = plan_queries.organisation_items(
            current_user.organisation_id, visible, today, current_app.config["DUE_SOON_DAYS"]
        )
    overdue_groups = []
    if current_user.role in (Role.ADMIN, Role.SECRETARIAT):
        overdue_groups = plan_queries.overdue_by_owner(visible, today)
    return render_template(
        "dashboard/index.html",
        rows=rows,
        my_rows=[r for r in rows if r.body.id in my_bodies],
        my_items=my_items,
        overdue_groups=overdue_groups,
        plans=plan_queries.plans_overview(visible, today),
        today=today,
        soon_days=current_app.config["DUE_SOON_DAYS"],
    )


@bp.route("/health")
@public
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
