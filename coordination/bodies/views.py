"""Body pages: the tree, a body's page, creating, editing and deleting bodies, decisions."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.bodies import page, queries, services
from coordination.bodies.forms import BodyForm
from coordination.bodies.models import Body
from coordination.dates import local_today
from coordination.forms import submit
from coordination.organisations.queries import all_organisations
from coordination.page_cache import cached_page
from coordination.permissions import guard, visible_body_ids
from coordination.urls import id_arg

bp = Blueprint("bodies", __name__, url_prefix="/bodies")


def _body_url(body: Body, anchor: str = "") -> str:
    return url_for("bodies.detail", body_id=body.id) + (f"#{anchor}" if anchor else "")


@bp.route("/")
@cached_page
@guard("view", Body)
def index():
    rows = queries.body_tree(visible_body_ids(current_user), local_today())
    return render_template("bodies/index.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@guard("create", Body)
def create():
    initial = {"timezone": current_app.config["DEFAULT_TIMEZONE"]}
    if request.method == "GET" and id_arg("parent") is not None:
        initial["parent_id"] = id_arg("parent")
    form = BodyForm(queries.all_bodies(), all_organisations(), data=initial if request.method == "GET" else None)
    return submit(
        form, lambda: services.create_body(form.data_for(), actor=current_user),
        done=lambda body: (_("Body %(name)s created.", name=body.name), _body_url(body)),
        render=lambda: render_template("bodies/form.html", form=form, body=None),
    )


@bp.route("/<int:body_id>")
@cached_page
@guard("view", Body, load=queries.body_page)
def detail(body: Body):
    today = local_today()
    visible = visible_body_ids(current_user)
    children = [c for c in body.children if visible is None or c.id in visible]
    return render_template(
        "bodies/detail.html", body=body, children=children, today=today,
        **page.context(body, today),
    )


@bp.route("/<int:body_id>/edit", methods=["GET", "POST"])
@guard("edit", Body, load=queries.get_body)
def edit(body: Body):
    candidates = [b for b in queries.all_bodies() if b.id != body.id]
    form = BodyForm(candidates, all_organisations(), obj=body if request.method == "GET" else None)
    return submit(
        form, lambda: services.update_body(body, form.data_for(), actor=current_user),
        done=lambda _changes: (_("Body saved."), _body_url(body)),
        render=lambda: render_template("bodies/form.html", form=form, body=body),
    )


@bp.route("/<int:body_id>/delete", methods=["POST"])
@guard("delete", Body, load=queries.get_body)
def delete(body: Body):
    name = body.name
    services.delete_body(body, actor=current_user)
    flash(_("Body %(name)s deleted.", name=name), "success")
    return redirect(url_for("bodies.index"), 303)


@bp.route("/<int:body_id>/decisions")
@guard("view", Body, load=queries.get_body)
def decisions(body: Body):
    """The body's decision register: searchable, filtered by year, with the actions arising."""
    year = request.args.get("year", "")
    search = request.args.get("q", "").strip()[:100]
    register = page.decision_register(
        body, int(year) if year.isdigit() and len(year) == 4 else None, search, local_today()
    )
    return render_template("bodies/decisions.html", body=body, year=year, search=search, **register)
