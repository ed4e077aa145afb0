"""Seat pages: a body's seat history, adding, editing, ending and deleting seats."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.accounts.queries import active_people
from coordination.bodies.models import Body
from coordination.bodies.queries import get_body
from coordination.dates import local_today
from coordination.forms import ConfirmForm, submit
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

Seat = OrganisationMembership | PersonMembership


def _body_url(body: Body, anchor: str) -> str:
    return url_for("bodies.detail", body_id=body.id) + f"#{anchor}"


def _members_url(body: Body) -> str:
    return url_for("memberships.members", body_id=body.id)


def _seat_form(body: Body, title: str, form) -> str:
    return render_template("memberships/form.html", form=form, body=body, title=title)


@bp.route("/<int:body_id>/members")
@guard("view", Body, load=get_body)
def members(body: Body):
    organisations, people = queries.membership_history(body)
    return render_template(
        "memberships/members.html", body=body, organisations=organisations, people=people,
        today=local_today(), confirm=ConfirmForm(),
    )


def _end(body: Body, membership: Seat, title: str):
    initial = {"end_date": local_today(), "version": membership.version} if request.method == "GET" else None
    form = EndMembershipForm(data=initial)
    return submit(
        form,
        lambda: services.end_membership(membership, form.end_date.data, actor=current_user, version=form.version.data),
        done=lambda _result: (
            _("The seat ends on %(date)s; it stays in the history.", date=form.end_date.data.isoformat()),
            _members_url(body),
        ),
        render=lambda: render_template("memberships/end.html", form=form, body=body, membership=membership, title=title),
    )


def _delete(body: Body, membership: Seat):
    services.delete_membership(membership, actor=current_user)
    flash(_("Seat removed."), "success")
    return redirect(_members_url(body), 303)


# --- an organisation's seat ------------------------------------------------------------------


@bp.route("/<int:body_id>/organisations/new", methods=["GET", "POST"])
@guard("edit", Body, load=get_body)
def add_organisation(body: Body):
    form = OrganisationMembershipForm(
        all_organisations(), data={"start_date": local_today()} if request.method == "GET" else None
    )
    return submit(
        form, lambda: services.add_organisation_membership(body, form.data_for(), actor=current_user),
        done=lambda _seat: (_("Seat added."), _body_url(body, "organisations")),
        render=lambda: _seat_form(body, _("Add an organisation"), form),
    )


@bp.route("/<int:body_id>/organisations/<int:membership_id>/edit", methods=["GET", "POST"])
@guard("edit", Body, load=get_body, child=queries.organisation_membership)
def edit_organisation(body: Body, membership: OrganisationMembership):
    form = OrganisationMembershipForm(all_organisations(), obj=membership if request.method == "GET" else None)
    return submit(
        form, lambda: services.update_organisation_membership(membership, form.data_for(), actor=current_user),
        done=lambda _changes: (_("Seat saved."), _body_url(body, "organisations")),
        render=lambda: _seat_form(body, _("Edit a seat"), form),
    )


@bp.route("/<int:body_id>/organisations/<int:membership_id>/end", methods=["GET", "POST"])
@guard("edit", Body, load=get_body, child=queries.organisation_membership)
def end_organisation(body: Body, membership: OrganisationMembership):
    return _end(body, membership, _("End the seat of %(name)s", name=membership.organisation.name))


@bp.route("/<int:body_id>/organisations/<int:membership_id>/delete", methods=["POST"])
@guard("edit", Body, load=get_body, child=queries.organisation_membership)
def delete_organisation(body: Body, membership: OrganisationMembership):
    return _delete(body, membership)


# --- a person's seat ---------------------------------------------------------------------------


def _person_form(body: Body, obj=None, data=None) -> PersonMembershipForm:
    return PersonMembershipForm(
        active_people(), all_organisations(), queries.current_principals(body, local_today()),
        obj=obj, data=data,
    )


@bp.route("/<int:body_id>/people/new", methods=["GET", "POST"])
@guard("edit", Body, load=get_body)
def add_person(body: Body):
    form = _person_form(body, data={"start_date": local_today()} if request.method == "GET" else None)
    return submit(
        form, lambda: services.add_person_membership(body, form.data_for(), actor=current_user),
        done=lambda _seat: (_("Person seated."), _body_url(body, "people")),
        render=lambda: _seat_form(body, _("Seat a person"), form),
    )


@bp.route("/<int:body_id>/people/<int:membership_id>/edit", methods=["GET", "POST"])
@guard("edit", Body, load=get_body, child=queries.person_membership)
def edit_person(body: Body, membership: PersonMembership):
    form = _person_form(body, obj=membership if request.method == "GET" else None)
    return submit(
        form, lambda: services.update_person_membership(membership, form.data_for(), actor=current_user),
        done=lambda _changes: (_("Seat saved."), _body_url(body, "people")),
        render=lambda: _seat_form(body, _("Edit a seat"), form),
    )


@bp.route("/<int:body_id>/people/<int:membership_id>/end", methods=["GET", "POST"])
@guard("edit", Body, load=get_body, child=queries.person_membership)
def end_person(body: Body, membership: PersonMembership):
    return _end(body, membership, _("End the term of %(name)s", name=membership.person.full_name))


@bp.route("/<int:body_id>/people/<int:membership_id>/delete", methods=["POST"])
@guard("edit", Body, load=get_body, child=queries.person_membership)
def delete_person(body: Body, membership: PersonMembership):
    return _delete(body, membership)
