"""Dashboard: what each role comes to do, one click away."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from coordination.accounts.models import Role
from coordination.bodies import queries as body_queries
from coordination.dashboard import queries
from coordination.dates import local_today
from coordination.errors import log
from coordination.meetings import queries as meeting_queries
from coordination.minutes import queries as minutes_queries
from coordination.minutes.models import MinutesStatus
from coordination.page_cache import cached_page
from coordination.permissions import bodies_sat_on, login_only, public, visible_body_ids
from coordination.plans import queries as plan_queries

bp = Blueprint("dashboard", __name__)

DASHBOARD_ROWS = 25  # longer lists are one click away, in the filtered action list
DASHBOARD_MEETINGS = 8


@bp.route("/")
@public
def home():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("accounts.login"))


@bp.route("/dashboard")
@cached_page
@login_only
def index():
    """Members: their organisation's actions, overdue first, their next meetings and the minutes
    open for their comment. Secretariat: overdue by owner, the next meetings and the minutes not
    yet approved. Everyone: the bodies they sit on and the plans' progress today.
    """
    today = local_today()
    visible = visible_body_ids(current_user)
    my_bodies = bodies_sat_on(current_user)
    rows = body_queries.body_outline(visible)  # the structure only: no seat counts shown
    my_items = []
    if current_user.organisation_id and current_user.role == Role.MEMBER:
        my_items = plan_queries.organisation_items(current_user.organisation_id, visible, today, DASHBOARD_ROWS)
    staff = current_user.role in (Role.ADMIN, Role.SECRETARIAT)
    member = current_user.role == Role.MEMBER
    meetings = meeting_queries.next_meetings(current_user, visible, my_bodies if member else None, DASHBOARD_MEETINGS)
    if staff:
        pending_minutes = minutes_queries.minutes_in_progress(
            [MinutesStatus.DRAFT, MinutesStatus.CIRCULATED], visible, DASHBOARD_ROWS)
    elif member:
        # A member sees every body they sit on, so their seats are the filter.
        pending_minutes = minutes_queries.minutes_in_progress([MinutesStatus.CIRCULATED], my_bodies, DASHBOARD_ROWS)
    else:
        pending_minutes = []
    overdue_counts, overdue_items = [], []
    if staff:
        overdue_counts = plan_queries.overdue_counts_by_owner(visible, today)
        overdue_items = plan_queries.item_rows(
            plan_queries.ItemFilters(overdue=True, sort="deadline"), visible, today, DASHBOARD_ROWS, brief=True
        )
    return render_template(
        "dashboard/index.html",
        rows=rows,
        my_rows=[r for r in rows if r.body.id in my_bodies],
        my_items=my_items,
        overdue_counts=overdue_counts,
        overdue_items=overdue_items,
        meetings=meetings,
        pending_minutes=pending_minutes,
        rows_shown=DASHBOARD_ROWS,
        plans=plan_queries.plans_overview(visible, today),
        today=today,
    )


@bp.route("/health")
@public
def health():
    """For load balancers and monitoring: 200 when the database answers, 503 (with Retry-After) when not."""
    error = queries.database_error()
    if error is not None:
        log.error("health check: database unavailable: %s", getattr(error, "orig", error))
        retry = str(current_app.config["DATABASE_RETRY_AFTER"])
        return {"status": "unavailable", "database": "down"}, 503, {"Retry-After": retry}
    return {"status": "ok", "database": "ok"}
