"""Charter pages: versions, their workflow (review, adoption), signatures and comparison."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.bodies.models import Body
from coordination.bodies.queries import get_body
from coordination.charters import queries, services
from coordination.charters.forms import AdoptCharterForm, CharterForm, SignatoryForm
from coordination.charters.models import Charter, CharterSignatory
from coordination.dates import local_today
from coordination.forms import ConfirmForm, submit
from coordination.memberships.queries import member_organisations
from coordination.permissions import ability, guard, visible_body_ids

bp = Blueprint("charters", __name__, url_prefix="/bodies")


def _body_url(body: Body, anchor: str) -> str:
    return url_for("bodies.detail", body_id=body.id) + f"#{anchor}"


def _done(message: str, location: str):
    """After a one-click step of the workflow: say what happened, show the result (303)."""
    flash(message, "success")
    return redirect(location, 303)


def _charter_url(charter: Charter) -> str:
    return url_for("charters.detail", body_id=charter.body_id, charter_id=charter.id)


@bp.route("/<int:body_id>/charters/new", methods=["GET", "POST"])
@guard("edit", Body, load=get_body)
def create(body: Body):
    form = CharterForm(data={"title": _("Terms of reference")} if request.method == "GET" else None)
    return submit(
        form, lambda: services.create_charter(body, form.data_for(), actor=current_user),
        done=lambda charter: (_("Draft charter created."), _charter_url(charter)),
        render=lambda: render_template("charters/form.html", form=form, body=body, charter=None),
    )


def _charter_page(charter: Charter, adopt_form=None, signatory_form=None, status: int = 200):
    today = local_today()
    return render_template(
        "charters/detail.html",
        charter=charter,
        body=charter.body,
        versions=sorted(charter.body.charters, key=lambda c: c.number),
        confirm=ConfirmForm(),
        adopt_form=adopt_form or AdoptCharterForm(data={"adopted_on": today}),
        signatory_form=signatory_form
        or SignatoryForm(member_organisations(charter.body, today), data={"signed_on": today}),
    ), status


@bp.route("/<int:body_id>/charters/<int:charter_id>")
@guard("view", Charter, load=queries.charter)
def detail(charter: Charter):
    return _charter_page(charter)


@bp.route("/<int:body_id>/charters/<int:charter_id>/edit", methods=["GET", "POST"])
@guard("edit", Charter, load=queries.charter)
def edit(charter: Charter):
    if charter.is_locked:
        flash(_("An adopted charter cannot be changed. Start a new version from it instead."), "warning")
        return redirect(_charter_url(charter), 303)
    form = CharterForm(obj=charter if request.method == "GET" else None)
    return submit(
        form, lambda: services.update_charter(charter, form.data_for(), actor=current_user),
        done=lambda _changes: (_("Charter saved."), _charter_url(charter)),
        render=lambda: render_template("charters/form.html", form=form, body=charter.body, charter=charter),
    )


@bp.route("/<int:body_id>/charters/<int:charter_id>/new-version", methods=["POST"])
@guard("edit", Charter, load=queries.charter)
def new_version(charter: Charter):
    draft = services.new_version_from(charter, actor=current_user)
    message = _("Version %(n)d started as a draft from version %(m)d.", n=draft.number, m=charter.number)
    return _done(message, _charter_url(draft))


@bp.route("/<int:body_id>/charters/<int:charter_id>/submit", methods=["POST"])
@guard("edit", Charter, load=queries.charter)
def submit_for_review(charter: Charter):
    services.submit_for_review(charter, actor=current_user)
    return _done(_("The charter is now under review."), _charter_url(charter))


@bp.route("/<int:body_id>/charters/<int:charter_id>/redraft", methods=["POST"])
@guard("edit", Charter, load=queries.charter)
def redraft(charter: Charter):
    services.return_to_draft(charter, actor=current_user)
    return _done(_("The charter is back in draft."), _charter_url(charter))


@bp.route("/<int:body_id>/charters/<int:charter_id>/adopt", methods=["POST"])
@guard("edit", Charter, load=queries.charter)
def adopt(charter: Charter):
    form = AdoptCharterForm()
    return submit(
        form, lambda: services.adopt_charter(charter, form.data_for(), actor=current_user),
        done=lambda _result: (_("Version %(n)d is adopted.", n=charter.number), _charter_url(charter)),
        render=lambda: _charter_page(charter, adopt_form=form, status=422),
    )


@bp.route("/<int:body_id>/charters/<int:charter_id>/delete", methods=["POST"])
@guard("delete", Charter, load=queries.charter)
def delete(charter: Charter):
    body = charter.body
    services.delete_charter(charter, actor=current_user)
    return _done(_("Draft deleted."), _body_url(body, "charter"))


@bp.route("/<int:body_id>/charters/<int:charter_id>/signatories", methods=["POST"])
@guard("edit", Charter, load=queries.charter)
def add_signatory(charter: Charter):
    form = SignatoryForm(member_organisations(charter.body, local_today()))
    return submit(
        form, lambda: services.add_signatory(charter, form.data_for(), actor=current_user),
        done=lambda _signatory: (_("Signature recorded."), _charter_url(charter) + "#signatories"),
        render=lambda: _charter_page(charter, signatory_form=form, status=422),
    )


@bp.route("/<int:body_id>/charters/<int:charter_id>/signatories/<int:signatory_id>/delete", methods=["POST"])
@guard("edit", Charter, load=queries.charter, child=queries.signatory)
def remove_signatory(charter: Charter, signatory: CharterSignatory):
    services.remove_signatory(signatory, actor=current_user)
    return _done(_("Signature removed."), _charter_url(charter) + "#signatories")


@bp.route("/<int:body_id>/charters/compare")
@guard("view", Body, load=get_body)
def compare(body: Body):
    by_number = {c.number: c for c in body.charters}
    try:
        old, new = by_number[int(request.args["from"])], by_number[int(request.args["to"])]
    except (KeyError, ValueError):
        abort(404)
    return render_template(
        "charters/compare.html", body=body, old=old, new=new, diffs=services.compare_charters(old, new),
        versions=sorted(body.charters, key=lambda c: c.number),
    )


@bp.route("/governance")
@ability("view_governance")
def governance():
    rows = queries.governance_overview(visible_body_ids(current_user), local_today())
    return render_template("charters/governance.html", rows=rows)
