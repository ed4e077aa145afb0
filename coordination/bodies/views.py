"""Body pages: tree, body page, memberships, charters and the governance overview."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.accounts.queries import active_people
from coordination.bodies import queries, services
from coordination.bodies.forms import (
    AdoptCharterForm,
    BodyForm,
    CharterForm,
    EndMembershipForm,
    OrganisationMembershipForm,
    PersonMembershipForm,
    SignatoryForm,
)
from coordination.bodies.models import (
    Body,
    Charter,
    CharterSignatory,
    OrganisationMembership,
    PersonMembership,
)
from coordination.dates import local_today
from coordination.errors import ValidationError
from coordination.extensions import db
from coordination.forms import ConfirmForm, form_status
from coordination.organisations.queries import all_organisations
from coordination.permissions import ability, guard, visible_body_ids
from coordination.urls import id_arg

bp = Blueprint("bodies", __name__, url_prefix="/bodies")


def _body_url(body: Body, anchor: str = "") -> str:
    return url_for("bodies.detail", body_id=body.id) + (f"#{anchor}" if anchor else "")


# --- bodies -----------------------------------------------------------------------------------


@bp.route("/")
@guard("view", Body)
def index():
    rows = queries.body_tree(visible_body_ids(current_user), local_today())
    return render_template("bodies/index.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@guard("create", Body)
def create():
    from flask import current_app

    initial = {"timezone": current_app.config["DEFAULT_TIMEZONE"]}
    if request.method == "GET" and id_arg("parent") is not None:
        initial["parent_id"] = id_arg("parent")
    form = BodyForm(queries.all_bodies(), all_organisations(), data=initial if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            body = services.create_body(form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Body %(name)s created.", name=body.name), "success")
            return redirect(_body_url(body), 303)
    return render_template("bodies/form.html", form=form, body=None), form_status()


@bp.route("/<int:body_id>")
@guard("view", Body, load=queries.body_page)
def detail(body: Body):
    today = local_today()
    visible = visible_body_ids(current_user)
    children = [c for c in body.children if visible is None or c.id in visible]
    from coordination.evaluations.health import governance_health
    from coordination.evaluations.labels import labels
    from coordination.meetings import queries as meeting_queries
    from coordination.minutes import queries as minutes_queries

    health = governance_health([body.id], today - timedelta(days=365), today)["bodies"]
    return render_template(
        "bodies/detail.html",
        health=health[0] if health else None, health_labels=labels(),
        body=body,
        children=children,
        today=today,
        upcoming=meeting_queries.body_meetings(body.id, upcoming=True),
        past=meeting_queries.body_meetings(body.id, upcoming=False),
        decisions=minutes_queries.decision_register({body.id}, None, "", limit=10),
        composition=queries.composition(body.organisation_memberships, today),
        charter=queries.adopted_charter(body),
        confirm=ConfirmForm(),
    )


@bp.route("/<int:body_id>/edit", methods=["GET", "POST"])
@guard("edit", Body, load=queries.get_body)
def edit(body: Body):
    candidates = [b for b in queries.all_bodies() if b.id != body.id]
    form = BodyForm(candidates, all_organisations(), obj=body if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_body(body, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Body saved."), "success")
            return redirect(_body_url(body), 303)
    return render_template("bodies/form.html", form=form, body=body), form_status()


@bp.route("/<int:body_id>/delete", methods=["POST"])
@guard("delete", Body, load=queries.get_body)
def delete(body: Body):
    name = body.name
    services.delete_body(body, actor=current_user)
    flash(_("Body %(name)s deleted.", name=name), "success")
    return redirect(url_for("bodies.index"), 303)


@bp.route("/<int:body_id>/members")
@guard("view", Body, load=queries.get_body)
def members(body: Body):
    organisations, people = queries.membership_history(body)
    return render_template(
        "bodies/members.html", body=body, organisations=organisations, people=people,
        today=local_today(), confirm=ConfirmForm(),
    )


@bp.route("/<int:body_id>/decisions")
@guard("view", Body, load=queries.get_body)
def decisions(body: Body):
    """The body's decision register: searchable, filtered by year, with the actions arising."""
    from coordination.minutes import queries as minutes_queries
    from coordination.plans.models import ActionItem

    year = request.args.get("year", "")
    search = request.args.get("q", "").strip()[:100]
    rows = minutes_queries.decision_register({body.id}, int(year) if year.isdigit() and len(year) == 4 else None, search)
    arising = db.session.execute(
        db.select(ActionItem).where(ActionItem.decision_id.in_({d.decision_id for d, _m in rows}))
    ).scalars().all()
    by_decision: dict[int, list] = {}
    for item in arising:
        by_decision.setdefault(item.decision_id, []).append(item)
    from coordination.plans import progress

    states = progress.states_as_of(ActionItem.id.in_([i.id for i in arising]), local_today())
    return render_template(
        "bodies/decisions.html", body=body, rows=rows, year=year, search=search, by_decision=by_decision,
        states=states, years=minutes_queries.decision_years(body.id),
    )


@bp.route("/governance")
@ability("view_governance")
def governance():
    rows = queries.governance_overview(visible_body_ids(current_user), local_today())
    return render_template("bodies/governance.html", rows=rows)


# --- institutional memberships ------------------------------------------------------------------


@bp.route("/<int:body_id>/organisations/new", methods=["GET", "POST"])
@guard("edit", Body, load=queries.get_body)
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
        "bodies/membership_form.html", form=form, body=body, title=_("Add an organisation")
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
        "bodies/membership_form.html", form=form, body=membership.body, title=_("Edit a seat")
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
            return redirect(url_for("bodies.members", body_id=membership.body_id), 303)
    return render_template(
        "bodies/end_membership.html", form=form, body=membership.body, membership=membership, title=title
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
    return redirect(url_for("bodies.members", body_id=body_id), 303)


# --- personal memberships ------------------------------------------------------------------


def _person_form(body: Body, obj=None, data=None) -> PersonMembershipForm:
    return PersonMembershipForm(
        active_people(), all_organisations(), queries.current_principals(body, local_today()),
        obj=obj, data=data,
    )


@bp.route("/<int:body_id>/people/new", methods=["GET", "POST"])
@guard("edit", Body, load=queries.get_body)
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
        "bodies/membership_form.html", form=form, body=body, title=_("Seat a person")
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
        "bodies/membership_form.html", form=form, body=membership.body, title=_("Edit a seat")
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
    return redirect(url_for("bodies.members", body_id=body_id), 303)


# --- charters ------------------------------------------------------------------------------


def _charter_url(charter: Charter) -> str:
    return url_for("bodies.charter", body_id=charter.body_id, charter_id=charter.id)


@bp.route("/<int:body_id>/charters/new", methods=["GET", "POST"])
@guard("edit", Body, load=queries.get_body)
def new_charter(body: Body):
    form = CharterForm(data={"title": _("Terms of reference")} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            charter = services.create_charter(body, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Draft charter created."), "success")
            return redirect(_charter_url(charter), 303)
    return render_template("bodies/charter_form.html", form=form, body=body, charter=None), form_status()


def _charter_page(charter: Charter, adopt_form=None, signatory_form=None, status: int = 200):
    today = local_today()
    return render_template(
        "bodies/charter.html",
        charter=charter,
        body=charter.body,
        versions=sorted(charter.body.charters, key=lambda c: c.number),
        confirm=ConfirmForm(),
        adopt_form=adopt_form or AdoptCharterForm(data={"adopted_on": today}),
        signatory_form=signatory_form
        or SignatoryForm(queries.member_organisations(charter.body, today), data={"signed_on": today}),
    ), status


@bp.route("/<int:body_id>/charters/<int:charter_id>")
@guard("view", Charter, load=queries.charter)
def charter(charter: Charter):
    return _charter_page(charter)


@bp.route("/<int:body_id>/charters/<int:charter_id>/edit", methods=["GET", "POST"])
@guard("edit", Charter, load=queries.charter)
def edit_charter(charter: Charter):
    if charter.is_locked:
        flash(_("An adopted charter cannot be changed. Start a new version from it instead."), "warning")
        return redirect(_charter_url(charter), 303)
    form = CharterForm(obj=charter if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_charter(charter, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Charter saved."), "success")
            return redirect(_charter_url(charter), 303)
    return render_template("bodies/charter_form.html", form=form, body=charter.body, charter=charter), form_status()


@bp.route("/<int:body_id>/charters/<int:charter_id>/new-version", methods=["POST"])
@guard("edit", Charter, load=queries.charter)
def new_charter_version(charter: Charter):
    draft = services.new_version_from(charter, actor=current_user)
    flash(_("Version %(n)d started as a draft from version %(m)d.", n=draft.number, m=charter.number), "success")
    return redirect(_charter_url(draft), 303)


@bp.route("/<int:body_id>/charters/<int:charter_id>/submit", methods=["POST"])
@guard("edit", Charter, load=queries.charter)
def submit_charter(charter: Charter):
    services.submit_for_review(charter, actor=current_user)
    flash(_("The charter is now under review."), "success")
    return redirect(_charter_url(charter), 303)


@bp.route("/<int:body_id>/charters/<int:charter_id>/redraft", methods=["POST"])
@guard("edit", Charter, load=queries.charter)
def redraft_charter(charter: Charter):
    services.return_to_draft(charter, actor=current_user)
    flash(_("The charter is back in draft."), "success")
    return redirect(_charter_url(charter), 303)


@bp.route("/<int:body_id>/charters/<int:charter_id>/adopt", methods=["POST"])
@guard("edit", Charter, load=queries.charter)
def adopt_charter(charter: Charter):
    form = AdoptCharterForm()
    if form.validate_on_submit():
        try:
            services.adopt_charter(charter, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Version %(n)d is adopted.", n=charter.number), "success")
            return redirect(_charter_url(charter), 303)
    return _charter_page(charter, adopt_form=form, status=422)


@bp.route("/<int:body_id>/charters/<int:charter_id>/delete", methods=["POST"])
@guard("delete", Charter, load=queries.charter)
def delete_charter(charter: Charter):
    body = charter.body
    services.delete_charter(charter, actor=current_user)
    flash(_("Draft deleted."), "success")
    return redirect(_body_url(body, "charter"), 303)


@bp.route("/<int:body_id>/charters/<int:charter_id>/signatories", methods=["POST"])
@guard("edit", Charter, load=queries.charter)
def add_signatory(charter: Charter):
    form = SignatoryForm(queries.member_organisations(charter.body, local_today()))
    if form.validate_on_submit():
        try:
            services.add_signatory(charter, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Signature recorded."), "success")
            return redirect(_charter_url(charter) + "#signatories", 303)
    return _charter_page(charter, signatory_form=form, status=422)


def _load_signatory(body_id: int, charter_id: int, signatory_id: int) -> Charter | None:
    signatory = db.session.get(CharterSignatory, signatory_id)
    if signatory is None or signatory.charter_id != charter_id or signatory.charter.body_id != body_id:
        return None
    return signatory.charter


@bp.route("/<int:body_id>/charters/<int:charter_id>/signatories/<int:signatory_id>/delete", methods=["POST"])
@guard("edit", Charter, load=_load_signatory)
def remove_signatory(charter: Charter):
    signatory_id = request.view_args["signatory_id"]
    signatory = next((s for s in charter.signatories if s.id == signatory_id), None)
    if signatory is None:
        abort(404)
    services.remove_signatory(signatory, actor=current_user)
    flash(_("Signature removed."), "success")
    return redirect(_charter_url(charter) + "#signatories", 303)


@bp.route("/<int:body_id>/charters/compare")
@guard("view", Body, load=queries.get_body)
def compare_charters(body: Body):
    by_number = {c.number: c for c in body.charters}
    try:
        old, new = by_number[int(request.args["from"])], by_number[int(request.args["to"])]
    except (KeyError, ValueError):
        abort(404)
    return render_template(
        "bodies/compare.html", body=body, old=old, new=new, diffs=services.compare_charters(old, new),
        versions=sorted(body.charters, key=lambda c: c.number),
    )
