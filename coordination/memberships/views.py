"""Seat pages: a body's seat history, adding, editing, ending and deleting seats."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.accounts.queries import active_people
from coordination.bodies.models import Body
from coordination.bodies.queries import get_body
from coordination.dates import local_today
from coordination.errors import ValidationError
from coordination.forms import ConfirmForm, form_status
from coordination.memberships import queries, services
from coordination.memberships.forms import (
    EndMembershipForm,
    OrganisationMembershipForm,
    PersonMembershipForm,
)
from coordination.memberships.models import OrganisationMembership, PersonMembership
from coordination.organisations.queries import all_organisations
from coordination.permissions import guard

bp = Blueprint("memberships", __name__, url_prefix="/bodies")


def _body_url(body: Body, anchor: str) -> str:
    return url_for("bodies.detail", body_id=body.id) + f"#{anchor}"



@bp.route("/<int:body_id>/members")
@guard("view", Body, load=get_body)
def members(body: Body):
    organisations, people = queries.membership_history(body)
    return render_template(
        "memberships/members.html", body=body, organisations=organisations, people=people,
        today=local_today(), confirm=ConfirmForm(),
    )


# --- institutional memberships ------------------------------------------------------------------


@bp.route("/<int:body_id>/organisations/new", methods=["GET", "POST"])
@guard("edit", Body, load=get_body)
def add_organisation(body: Body):
    form = OrganisationMembershipForm(
        all_organisations(), data={"start_date": local_today()} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        try:
            services.add_organisation_membership(body, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Seat added."), "success")
            return redirect(_body_url(body, "organisations"), 303)
    return render_template(
        "memberships/form.html", form=form, body=body, title=_("Add an organisation")
    ), form_status()


def _load_org_membership(body_id: int, membership_id: int) -> OrganisationMembership | None:
    return queries.organisation_membership(body_id, membership_id)


def _load_person_membership(body_id: int, membership_id: int) -> PersonMembership | None:
    return queries.person_membership(body_id, membership_id)


@bp.route("/<int:body_id>/organisations/<int:membership_id>/edit", methods=["GET", "POST"])
@guard("edit", OrganisationMembership, load=_load_org_membership)
def edit_organisation(membership: OrganisationMembership):
    form = OrganisationMembershipForm(
        all_organisations(), obj=membership if request.method == "GET" else None
    )
    if form.validate_on_submit():
        try:
            services.update_organisation_membership(membership, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Seat saved."), "success")
            return redirect(_body_url(membership.body, "organisations"), 303)
    return render_template(
        "memberships/form.html", form=form, body=membership.body, title=_("Edit a seat")
    ), form_status()


def _end(membership, title: str):
    initial = {"end_date": local_today(), "version": membership.version} if request.method == "GET" else None
    form = EndMembershipForm(data=initial)
    if form.validate_on_submit():
        try:
            services.end_membership(membership, form.end_date.data, actor=current_user, version=form.version.data)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("The seat ends on %(date)s; it stays in the history.", date=form.end_date.data.isoformat()), "success")
            return redirect(url_for("memberships.members", body_id=membership.body_id), 303)
    return render_template(
        "memberships/end.html", form=form, body=membership.body, membership=membership, title=title
    ), form_status()


@bp.route("/<int:body_id>/organisations/<int:membership_id>/end", methods=["GET", "POST"])
@guard("edit", OrganisationMembership, load=_load_org_membership)
def end_organisation(membership: OrganisationMembership):
    return _end(membership, _("End the seat of %(name)s", name=membership.organisation.name))


@bp.route("/<int:body_id>/organisations/<int:membership_id>/delete", methods=["POST"])
@guard("delete", OrganisationMembership, load=_load_org_membership)
def delete_organisation(membership: OrganisationMembership):
    body_id = membership.body_id
    services.delete_membership(membership, actor=current_user)
    flash(_("Seat removed."), "success")
    return redirect(url_for("memberships.members", body_id=body_id), 303)


# --- personal memberships ------------------------------------------------------------------


def _person_form(body: Body, obj=None, data=None) -> PersonMembershipForm:
    return PersonMembershipForm(
        active_people(), all_organisations(), queries.current_principals(body, local_today()),
        obj=obj, data=data,
    )


@bp.route("/<int:body_id>/people/new", methods=["GET", "POST"])
@guard("edit", Body, load=get_body)
def add_person(body: Body):
    form = _person_form(body, data={"start_date": local_today()} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.add_person_membership(body, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Person seated."), "success")
            return redirect(_body_url(body, "people"), 303)
    return render_template(
        "memberships/form.html", form=form, body=body, title=_("Seat a person")
    ), form_status()


@bp.route("/<int:body_id>/people/<int:membership_id>/edit", methods=["GET", "POST"])
@guard("edit", PersonMembership, load=_load_person_membership)
def edit_person(membership: PersonMembership):
    form = _person_form(membership.body, obj=membership if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_person_membership(membership, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Seat saved."), "success")
            return redirect(_body_url(membership.body, "people"), 303)
    return render_template(
        "memberships/form.html", form=form, body=membership.body, title=_("Edit a seat")
    ), form_status()


@bp.route("/<int:body_id>/people/<int:membership_id>/end", methods=["GET", "POST"])
@guard("edit", PersonMembership, load=_load_person_membership)
def end_person(membership: PersonMembership):
    return _end(membership, _("End the term of %(name)s", name=membership.person.full_name))


@bp.route("/<int:body_id>/people/<int:membership_id>/delete", methods=["POST"])
@guard("delete", PersonMembership, load=_load_person_membership)
def delete_person(membership: PersonMembership):
    body_id = membership.body_id
    services.delete_membership(membership, actor=current_user)
    flash(_("Seat removed."), "success")
    return redirect(url_for("memberships.members", body_id=body_id), 303)
