"""Organisation pages: list with filters, detail, create, edit, delete."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.errors import ValidationError
from coordination.forms import ConfirmForm, enum_choices, form_status
from coordination.organisations import queries, services
from coordination.organisations.forms import OrganisationForm
from coordination.organisations.models import Level, Organisation, OrganisationKind, Sector
from coordination.permissions import guard
from coordination.urls import page_arg

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def _filter_arg(name: str, enum_cls) -> str:
    value = request.args.get(name, "")
    return value if value in {m.value for m in enum_cls} else ""


@bp.route("/")
@guard("view", Organisation)
def index():
    filters = {
        "kind": _filter_arg("kind", OrganisationKind),
        "sector": _filter_arg("sector", Sector),
        "level": _filter_arg("level", Level),
        "search": request.args.get("q", "").strip()[:100],
    }
    page = queries.organisations_page(page_arg(), current_app.config["PAGE_SIZE"], **filters)
    return render_template(
        "organisations/index.html",
        page=page,
        filters=filters,
        kinds=enum_choices(OrganisationKind),
        sectors=enum_choices(Sector),
        levels=enum_choices(Level),
    )


@bp.route("/new", methods=["GET", "POST"])
@guard("create", Organisation)
def create():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = services.create_organisation(form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Organisation %(name)s created.", name=org.name), "success")
            return redirect(url_for("organisations.detail", org_id=org.id), 303)
    return render_template("organisations/form.html", form=form, org=None), form_status()


@bp.route("/<int:org_id>")
@guard("view", Organisation, load=queries.get_organisation)
def detail(org: Organisation):
    return render_template("organisations/detail.html", org=org, confirm=ConfirmForm())


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@guard("edit", Organisation, load=queries.get_organisation)
def edit(org: Organisation):
    if request.method == "GET":
        form = OrganisationForm(obj=org, sectors=[s.value for s in org.sectors])
    else:
        form = OrganisationForm()
    if form.validate_on_submit():
        try:
            services.update_organisation(org, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Organisation saved."), "success")
            return redirect(url_for("organisations.detail", org_id=org.id), 303)
    return render_template("organisations/form.html", form=form, org=org), form_status()


@bp.route("/<int:org_id>/delete", methods=["POST"])
@guard("delete", Organisation, load=queries.get_organisation)
def delete(org: Organisation):
    name = org.name
    services.delete_organisation(org, actor=current_user)
    flash(_("Organisation %(name)s deleted.", name=name), "success")
    return redirect(url_for("organisations.index"), 303)
