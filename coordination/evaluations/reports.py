"""An evaluation compared with another one or with the plan on a date, and its Word report
and spreadsheet."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from coordination.dates import local_today
from coordination.downloads import docx_response
from coordination.evaluations import queries
from coordination.evaluations.blueprint import bp
from coordination.evaluations.labels import labels
from coordination.evaluations.models import Evaluation
from coordination.exports.report_docx import evaluation_report_docx
from coordination.permissions import can, guard, visible_body_ids
from coordination.urls import past_date_arg


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
    when, error = past_date_arg("date")
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
    # Imported on first use: openpyxl brings numpy, 23 MB in every worker that never makes a spreadsheet.
    from coordination.exports.xlsx import evaluation_xlsx

    data = evaluation_xlsx(queries.figures_of(evaluation), recommendation_rows(evaluation, L), L)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="evaluation-{evaluation.id}.xlsx"'})
