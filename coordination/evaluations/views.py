"""Evaluation pages: list, record and workflow, narrative, follow-up, files, comparison,
Word report, spreadsheet, and the governance health page."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from coordination.accounts.queries import active_people
from coordination.dates import local_today
from coordination.downloads import docx_response
from coordination.errors import ValidationError
from coordination.evaluations import health, queries, services
from coordination.evaluations.forms import (
    AttachmentForm,
    EvaluationForm,
    FollowUpForm,
    NoteForm,
    RecommendationForm,
)
from coordination.evaluations.labels import labels
from coordination.evaluations.models import Evaluation
from coordination.exports.charts import bar_chart_svg
from coordination.exports.report_docx import axis_rows, evaluation_report_docx, status_rows
from coordination.exports.xlsx import evaluation_xlsx
from coordination.forms import ConfirmForm, form_status
from coordination.organisations.queries import all_organisations
from coordination.permissions import ability, can, guard, visible_body_ids
from coordination.plans import queries as plan_queries
from coordination.uploads import send

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")

STATUS_COLOURS = ("#6c757d", "#0d6efd", "#198754", "#ffc107", "#212529")


def _url(evaluation: Evaluation, anchor: str = "") -> str:
    return url_for("evaluations.detail", evaluation_id=evaluation.id) + (f"#{anchor}" if anchor else "")


def _date_arg(name: str) -> tuple[date | None, str | None]:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None, None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None, _("Enter the date as YYYY-MM-DD.")
    if value > local_today():
        return None, _("The date cannot be in the future.")
    return value, None


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
    if form.validate_on_submit():
        plan = next((p for p in plans if p.id == form.plan_id.data), None)
        try:
            if plan is None:
                raise ValidationError({"plan_id": _("Choose a plan from the list.")})
            data = form.data_for()
            data.pop("plan_id")
            evaluation = services.create_evaluation(plan, data, actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Evaluation created as a draft. Add its findings and recommendations."), "success")
            return redirect(_url(evaluation), 303)
    return render_template("evaluations/form.html", form=form, evaluation=None), form_status()


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
    if form.validate_on_submit():
        try:
            services.update_evaluation(evaluation, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Evaluation saved."), "success")
            return redirect(_url(evaluation), 303)
    return render_template("evaluations/form.html", form=form, evaluation=evaluation), form_status()


@bp.route("/<int:evaluation_id>/submit", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light)
def submit(evaluation: Evaluation):
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
    if form.validate_on_submit():
        try:
            services.add_note(evaluation, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Added."), "success")
            return redirect(url_for("evaluations.narrative", evaluation_id=evaluation.id), 303)
    return _narrative(evaluation, note_form=form, status=422)


@bp.route("/<int:evaluation_id>/notes/<int:note_id>/delete", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light)
def delete_note(evaluation: Evaluation):
    note = next((n for n in evaluation.notes if n.id == request.view_args["note_id"]), None)
    if note is None:
        abort(404)
    services.delete_note(evaluation, note, actor=current_user)
    flash(_("Removed."), "success")
    return redirect(url_for("evaluations.narrative", evaluation_id=evaluation.id), 303)


@bp.route("/<int:evaluation_id>/recommendations", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light)
def add_recommendation(evaluation: Evaluation):
    form = RecommendationForm(queries.plan_axes(evaluation.plan_id), all_organisations())
    if form.validate_on_submit():
        try:
            services.add_recommendation(evaluation, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Recommendation added."), "success")
            return redirect(url_for("evaluations.narrative", evaluation_id=evaluation.id) + "#recommendations", 303)
    return _narrative(evaluation, rec_form=form, status=422)


def _recommendation(evaluation: Evaluation):
    rec = next((r for r in evaluation.recommendations if r.id == request.view_args["rec_id"]), None)
    if rec is None:
        abort(404)
    return rec


@bp.route("/<int:evaluation_id>/recommendations/<int:rec_id>/delete", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light)
def delete_recommendation(evaluation: Evaluation):
    services.delete_recommendation(evaluation, _recommendation(evaluation), actor=current_user)
    flash(_("Recommendation removed."), "success")
    return redirect(url_for("evaluations.narrative", evaluation_id=evaluation.id) + "#recommendations", 303)


@bp.route("/<int:evaluation_id>/recommendations/<int:rec_id>/follow-up", methods=["GET", "POST"])
@guard("follow_up", Evaluation, load=queries.get_light)
def follow_up(evaluation: Evaluation):
    rec = _recommendation(evaluation)
    initial = None
    if request.method == "GET":
        initial = {"title": rec.text[:300], "lead_organisation_id": rec.addressee_id, "priority": rec.priority.value,
                   "deadline": local_today() + timedelta(days=180)}
    form = FollowUpForm(queries.plan_tree(evaluation.plan_id), all_organisations(), active_people(), data=initial)
    if form.validate_on_submit():
        try:
            item = services.recommendation_to_item(rec, form.data_for(), actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Recommendation R%(n)d is now action item %(code)s.", n=rec.number, code=item.code), "success")
            return redirect(url_for("plans.item", item_id=item.id), 303)
    return render_template("evaluations/follow_up.html", evaluation=evaluation, rec=rec, form=form), form_status()


# --- files ---------------------------------------------------------------------------------------


@bp.route("/<int:evaluation_id>/attachments", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light)
def add_attachment(evaluation: Evaluation):
    form = AttachmentForm()
    if form.validate_on_submit():
        try:
            services.add_attachment(evaluation, form.file.data, form.kind.data, actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Document attached."), "success")
            return redirect(_url(evaluation, "documents"), 303)
    return render_template("evaluations/attach.html", evaluation=evaluation, form=form), 422


def _attachment(evaluation: Evaluation):
    found = next((a for a in evaluation.attachments if a.id == request.view_args["attachment_id"]), None)
    if found is None:
        abort(404)
    return found


@bp.route("/<int:evaluation_id>/attachments/<int:attachment_id>")
@guard("view", Evaluation, load=queries.get_light)
def attachment(evaluation: Evaluation):
    found = _attachment(evaluation)
    return send(found.path, found.name, found.mime)


@bp.route("/<int:evaluation_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@guard("edit", Evaluation, load=queries.get_light)
def delete_attachment(evaluation: Evaluation):
    services.delete_attachment(evaluation, _attachment(evaluation), actor=current_user)
    flash(_("Document removed."), "success")
    return redirect(_url(evaluation, "documents"), 303)


# --- comparison and exports ----------------------------------------------------------------------


def _other(evaluation: Evaluation, raw: str | None):
    """The evaluation to compare with (404 if the user may not see it, 400 if of another plan)."""
    if not raw:
        return None
    if not raw.isdigit():
        abort(400)
    other = queries.get_evaluation(int(raw))
    if other is None or not can(current_user, "view", other):
        abort(404)
    if other.plan_id != evaluation.plan_id:
        return False
    return other


def _comparison(evaluation: Evaluation, figures: dict[str, Any]):
    """(comparison, error) from ?with=<evaluation> or ?date=YYYY-MM-DD."""
    other = _other(evaluation, request.args.get("with", "").strip())
    if other is False:
        return None, _("Only evaluations of the same plan can be compared.")
    if other is not None:
        if other.id == evaluation.id:
            return None, _("Choose another evaluation to compare with.")
        theirs = queries.figures_of(other)
        pair = sorted([(evaluation, figures), (other, theirs)], key=lambda p: (p[0].as_of, p[0].id))
        return queries.compare(pair[0][1], pair[1][1], pair[0][0].recommendations), None
    when, error = _date_arg("date")
    if error:
        return None, error
    if when is None:
        return None, None
    if when < evaluation.plan.period_start:
        return None, _("The date must fall within or after the plan's period.")
    theirs = queries.live_figures(evaluation.plan, when)
    if when < evaluation.as_of:
        return queries.compare(theirs, figures, []), None
    return queries.compare(figures, theirs, evaluation.recommendations), None


@bp.route("/<int:evaluation_id>/compare")
@guard("view", Evaluation, load=queries.get_evaluation)
def compare(evaluation: Evaluation):
    figures = queries.figures_of(evaluation)
    comparison, error = _comparison(evaluation, figures)
    others = queries.comparable(evaluation, current_user, visible_body_ids(current_user))
    if comparison is None and error is None:
        error = _("Choose an evaluation or a date to compare with.") if request.args else None
    return render_template(
        "evaluations/compare.html", evaluation=evaluation, c=comparison, error=error, others=others, L=labels(),
    ), 400 if error else 200


@bp.route("/<int:evaluation_id>/report.docx")
@guard("view", Evaluation, load=queries.get_evaluation)
def report(evaluation: Evaluation):
    figures = queries.figures_of(evaluation)
    comparison, error = _comparison(evaluation, figures)
    if error:
        abort(400)
    data = evaluation_report_docx(evaluation, figures, queries.follow_up(evaluation.recommendations, local_today()),
                                  comparison, labels())
    return docx_response(data, f"evaluation-{evaluation.id}")


def recommendation_rows(evaluation: Evaluation, L: dict[str, str]) -> list[dict[str, Any]]:
    follow = queries.follow_up(evaluation.recommendations, local_today())
    rows = []
    for r in evaluation.recommendations:
        state = follow.get(r.id) or {}
        rows.append({"number": r.number, "text": r.text, "priority": r.priority.label,
                     "addressee": r.addressee.short_name if r.addressee else "",
                     "code": r.action_item.code if r.action_item else None,
                     "status": L[f"ItemStatus.{state['status']}"] if state else "", "progress": state.get("progress")})
    return rows


@bp.route("/<int:evaluation_id>/tables.xlsx")
@guard("view", Evaluation, load=queries.get_evaluation)
def spreadsheet(evaluation: Evaluation):
    L = labels()
    data = evaluation_xlsx(queries.figures_of(evaluation), recommendation_rows(evaluation, L), L)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="evaluation-{evaluation.id}.xlsx"'})


# --- governance health -----------------------------------------------------------------------------


@bp.route("/governance")
@ability("view_governance_health")
def governance():
    today = local_today()
    end, end_error = _date_arg("end")
    start, start_error = _date_arg("start")
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
