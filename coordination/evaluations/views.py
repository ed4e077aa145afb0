"""Evaluation pages: list, record and workflow, narrative, follow-up, files, and the governance
health page (comparison and downloads: ``reports``)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from coordination.accounts.queries import active_people
from coordination.dates import local_today
from coordination.errors import ValidationError
from coordination.evaluations import health, queries, services

# Comparison and downloads live apart; importing them adds their routes to the blueprint.
from coordination.evaluations import reports  # noqa: F401  isort: skip
from coordination.evaluations.blueprint import bp
from coordination.evaluations.forms import (
    AttachmentForm,
    EvaluationForm,
    FollowUpForm,
    NoteForm,
    RecommendationForm,
)
from coordination.evaluations.labels import labels
from coordination.evaluations.models import (
    Evaluation,
    EvaluationAttachment,
    EvaluationNote,
    Recommendation,
)
from coordination.exports.charts import bar_chart_svg
from coordination.exports.report_docx import axis_rows, status_rows
from coordination.forms import ConfirmForm, submit
from coordination.organisations.queries import all_organisations
from coordination.permissions import ability, can, guard, visible_body_ids
from coordination.plans import queries as plan_queries
from coordination.plans.item_page import add_to_item_page
from coordination.uploads import send
from coordination.urls import past_date_arg

# The item page of plans (below evaluations) shows the recommendation an item arose from.
add_to_item_page(lambda item: {"recommendation": queries.recommendation_for_item(item.id)})

STATUS_COLOURS = ("#6c757d", "#0d6efd", "#198754", "#ffc107", "#212529")


def _url(evaluation: Evaluation, anchor: str = "") -> str:
    return url_for("evaluations.detail", evaluation_id=evaluation.id) + (f"#{anchor}" if anchor else "")


def _narrative_url(evaluation: Evaluation, anchor: str = "") -> str:
    return url_for("evaluations.narrative", evaluation_id=evaluation.id) + (f"#{anchor}" if anchor else "")


def charts(figures: dict[str, Any], L: dict[str, str]) -> dict[str, Markup]:
    """The page's two charts as inline SVG (their numbers are also in tables beside them).

    ``bar_chart_svg`` escapes every text it writes, so its output is safe markup.
    """
    axes = bar_chart_svg("chart-axes", L["axis_chart"], axis_rows(figures), maximum=100, unit=" %")
    status = bar_chart_svg("chart-status", L["status_chart"], status_rows(figures, L), colours=STATUS_COLOURS)
    return {"axes": Markup(axes), "status": Markup(status)}  # noqa: S704


# --- list and record ---------------------------------------------------------------------------


@bp.route("/")
@guard("view", Evaluation)
def index():
    plan_id = request.args.get("plan", type=int)
    rows = queries.evaluation_list(current_user, visible_body_ids(current_user), plan_id)
    return render_template("evaluations/index.html", rows=rows, plan_id=plan_id,
                           may_create=can(current_user, "create", Evaluation))


def _plans():
    return plan_queries.all_plans(visible_body_ids(current_user))


@bp.route("/new", methods=["GET", "POST"])
@guard("create", Evaluation)
def create():
    plans = _plans()
    initial = {}
    if request.method == "GET":
        initial = {"as_of": local_today(), "plan_id": request.args.get("plan", type=int),
                   "evaluator_ids": [current_user.id]}
    form = EvaluationForm(active_people(), data=initial or None)
    form.plan_id.choices = [("", _("— choose —"))] + [(p.id, p.title) for p in plans]

    def create_evaluation():
        plan = next((p for p in plans if p.id == form.plan_id.data), None)
        if plan is None:
            raise ValidationError({"plan_id": _("Choose a plan from the list.")})
        data = form.data_for()
        data.pop("plan_id")
        return services.create_evaluation(plan, data, actor=current_user)

    return submit(form, create_evaluation,
                  done=lambda evaluation: (_("Evaluation created as a draft. Add its findings and recommendations."),
                                           _url(evaluation)),
                  render=lambda: render_template("evaluations/form.html", form=form, evaluation=None))


@bp.route("/<int:evaluation_id>")
@guard("view", Evaluation, load=queries.get_evaluation)
def detail(evaluation: Evaluation):
    figures = queries.figures_of(evaluation)
    L = labels()
    visible = visible_body_ids(current_user)
    return render_template(
        "evaluations/detail.html", evaluation=evaluation, f=figures, L=L, charts=charts(figures, L),
        follow=queries.follow_up(evaluation.recommendations, local_today()),
        others=queries.comparable(evaluation, current_user, visible), confirm=ConfirmForm(),
        attachment_form=AttachmentForm(), manage=can(current_user, "edit", evaluation),
        follow_up=can(current_user, "follow_up", evaluation),
        items_by_id={r["id"]: r for r in figures["items"]},
    )


@bp.route("/<int:evaluation_id>/edit", methods=["GET", "POST"])
@guard("edit", Evaluation, load=queries.get_light)
def edit(evaluation: Evaluation):
    data = None
    if request.method == "GET":
        data = {"evaluator_ids": [u.id for u in evaluation.evaluators]}
    form = EvaluationForm(active_people(), obj=evaluation if request.method == "GET" else None, data=data)
    del form.plan_id
    return submit(form, lambda: services.update_evaluation(evaluation, form.data_for(), actor=current_user),
                  done=lambda _changes: (_("Evaluation saved."), _url(evaluation)),
                  render=lambda: render_template("evaluations/form.html", form=form, evaluation=evaluation))


@bp.route("/<int:evaluation_id>/submit", methods=["POST"], endpoint="submit")
@guard("edit", Evaluation, load=queries.get_light)
def submit_for_review(evaluation: Evaluation):
    services.submit_for_review(evaluation, actor=current_user)
    flash(_("Evaluation submitted for review."), "success")
    return redirect(_url(evaluation), 303)


@bp.route("/<int:evaluation_id>/reopen", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light)
def reopen(evaluation: Evaluation):
    services.return_to_draft(evaluation, actor=current_user)
    flash(_("Evaluation returned to draft."), "success")
    return redirect(_url(evaluation), 303)


@bp.route("/<int:evaluation_id>/finalise", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light)
def finalise(evaluation: Evaluation):
    services.finalise(evaluation, queries.figures_of(evaluation), actor=current_user)
    flash(_("The evaluation is final: its figures are now frozen."), "success")
    return redirect(_url(evaluation), 303)


@bp.route("/<int:evaluation_id>/delete", methods=["POST"])
@guard("delete", Evaluation, load=queries.get_light)
def delete(evaluation: Evaluation):
    services.delete_evaluation(evaluation, actor=current_user)
    flash(_("Evaluation deleted."), "success")
    return redirect(url_for("evaluations.index"), 303)


# --- narrative -----------------------------------------------------------------------------------


def _narrative(evaluation: Evaluation, note_form=None, rec_form=None, status: int = 200):
    axes = queries.plan_axes(evaluation.plan_id)
    return render_template(
        "evaluations/narrative.html", evaluation=evaluation, axes={a.id: a for a in axes},
        note_form=note_form or NoteForm(axes), rec_form=rec_form or RecommendationForm(axes, all_organisations()),
        confirm=ConfirmForm(),
    ), status


@bp.route("/<int:evaluation_id>/narrative")
@guard("edit", Evaluation, load=queries.get_light)
def narrative(evaluation: Evaluation):
    return _narrative(evaluation)


@bp.route("/<int:evaluation_id>/notes", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light)
def add_note(evaluation: Evaluation):
    form = NoteForm(queries.plan_axes(evaluation.plan_id))
    return submit(form, lambda: services.add_note(evaluation, form.data_for(), actor=current_user),
                  done=lambda _note: (_("Added."), _narrative_url(evaluation)),
                  render=lambda: _narrative(evaluation, note_form=form, status=422))


@bp.route("/<int:evaluation_id>/notes/<int:note_id>/delete", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light, child=queries.note_of)
def delete_note(evaluation: Evaluation, note: EvaluationNote):
    services.delete_note(evaluation, note, actor=current_user)
    flash(_("Removed."), "success")
    return redirect(_narrative_url(evaluation), 303)


@bp.route("/<int:evaluation_id>/recommendations", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light)
def add_recommendation(evaluation: Evaluation):
    form = RecommendationForm(queries.plan_axes(evaluation.plan_id), all_organisations())
    return submit(form, lambda: services.add_recommendation(evaluation, form.data_for(), actor=current_user),
                  done=lambda _rec: (_("Recommendation added."), _narrative_url(evaluation, "recommendations")),
                  render=lambda: _narrative(evaluation, rec_form=form, status=422))


@bp.route("/<int:evaluation_id>/recommendations/<int:rec_id>/delete", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light, child=queries.recommendation_of)
def delete_recommendation(evaluation: Evaluation, rec: Recommendation):
    services.delete_recommendation(evaluation, rec, actor=current_user)
    flash(_("Recommendation removed."), "success")
    return redirect(_narrative_url(evaluation, "recommendations"), 303)


@bp.route("/<int:evaluation_id>/recommendations/<int:rec_id>/follow-up", methods=["GET", "POST"])
@guard("follow_up", Evaluation, load=queries.get_light, child=queries.recommendation_of)
def follow_up(evaluation: Evaluation, rec: Recommendation):
    initial = None
    if request.method == "GET":
        initial = {"title": rec.text[:300], "lead_organisation_id": rec.addressee_id, "priority": rec.priority.value,
                   "deadline": local_today() + timedelta(days=180)}
    form = FollowUpForm(queries.plan_tree(evaluation.plan_id), all_organisations(), active_people(), data=initial)
    return submit(form, lambda: services.recommendation_to_item(rec, form.data_for(), actor=current_user),
                  done=lambda item: (_("Recommendation R%(n)d is now action item %(code)s.", n=rec.number, code=item.code),
                                     url_for("plans.item", item_id=item.id)),
                  render=lambda: render_template("evaluations/follow_up.html", evaluation=evaluation, rec=rec, form=form))


# --- files ---------------------------------------------------------------------------------------


@bp.route("/<int:evaluation_id>/attachments", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light)
def add_attachment(evaluation: Evaluation):
    form = AttachmentForm()
    return submit(form, lambda: services.add_attachment(evaluation, form.file.data, form.kind.data, actor=current_user),
                  done=lambda _attachment: (_("Document attached."), _url(evaluation, "documents")),
                  render=lambda: (render_template("evaluations/attach.html", evaluation=evaluation, form=form), 422))


@bp.route("/<int:evaluation_id>/attachments/<int:attachment_id>")
@guard("view", Evaluation, load=queries.get_light, child=queries.attachment_of)
def attachment(evaluation: Evaluation, found: EvaluationAttachment):
    return send(found.path, found.name, found.mime)


@bp.route("/<int:evaluation_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light, child=queries.attachment_of)
def delete_attachment(evaluation: Evaluation, found: EvaluationAttachment):
    services.delete_attachment(evaluation, found, actor=current_user)
    flash(_("Document removed."), "success")
    return redirect(_url(evaluation, "documents"), 303)


# --- governance health -----------------------------------------------------------------------------


@bp.route("/governance")
@ability("view_governance_health")
def governance():
    today = local_today()
    end, end_error = past_date_arg("end")
    start, start_error = past_date_arg("start")
    end = end or today
    start = start or end - timedelta(days=365)
    error = end_error or start_error
    if not error and start > end:
        error = _("The period cannot end before it starts.")
        start = end - timedelta(days=365)
    visible = visible_body_ids(current_user)
    result = health.governance_health(None if visible is None else sorted(visible), start, end)
    return render_template("evaluations/governance.html", g=result, L=labels(), start=start, end=end,
                           error=error), 400 if error else 200
