"""Dashboard: what each role comes to do, one click away."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from coordination.bodies import queries as body_queries
from coordination.extensions import db
from coordination.permissions import login_only, public, visible_body_ids

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
    today = date.today()
    rows = body_queries.body_tree(visible_body_ids(current_user), today)
    my_bodies = body_queries.body_ids_sat_on(current_user, today)
    return render_template(
        "dashboard/index.html",
        rows=rows,
        my_rows=[r for r in rows if r.body.id in my_bodies],
    )


@bp.route("/health")
@public
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
