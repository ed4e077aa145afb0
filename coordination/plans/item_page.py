"""One action item's page: its state and history, and what is posted from it (progress,
comments, indicators), and its evidence files."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.dates import local_today
from coordination.errors import ValidationError
from coordination.forms import ConfirmForm
from coordination.permissions import guard
from coordination.plans import progress, queries, services
from coordination.plans.blueprint import bp
from coordination.plans.forms import CommentForm, IndicatorForm, progress_form_class
from coordination.plans.models import ActionItem, ItemStatus
from coordination.uploads import send

# Domains above plans add their part of the item page (evaluations: the recommendation the item
# arose from) by registering a callable that returns its template variables for the item.
_item_parts: list[Callable[[ActionItem], dict[str, Any]]] = []


def add_to_item_page(part: Callable[[ActionItem], dict[str, Any]]) -> None:
    """Give the item page the variables ``part(item)`` returns (called by a higher domain)."""
    _item_parts.append(part)


def _item_page(item: ActionItem, progress_form=None, comment_form=None, indicator_form=None, status: int = 200):
    today = local_today()
    state = progress.state_from_updates(item.updates, today)
    corrected = {u.corrects_id: u for u in item.updates if u.corrects_id}
    if progress_form is None:
        progress_form = progress_form_class(item)(
            data={"update_date": today, "status": state.status.value if state.status != ItemStatus.NOT_STARTED else ItemStatus.IN_PROGRESS.value,
                  "progress": state.progress}
        )
    node = None
    if item.children:
        nodes = queries.light_nodes(ActionItem.id.in_(services.descendant_ids(item) | {item.id}), today)
        node = nodes.get(item.id)
    extra = {name: value for part in _item_parts for name, value in part(item).items()}
    return render_template(
        "plans/item.html", item=item, state=state, node=node, today=today, **extra,
        overdue=progress.is_overdue(item.deadline, state.status, today), corrected=corrected,
        trends=_trends(item), progress_form=progress_form, comment_form=comment_form or CommentForm(),
        indicator_form=indicator_form or IndicatorForm(), confirm=ConfirmForm(),
    ), status


def _trends(item: ActionItem) -> dict[int, list[tuple[date, object]]]:
    trends: dict[int, list] = {i.id: [] for i in item.indicators}
    for update in item.updates:
        for value in update.values:
            trends.setdefault(value.indicator_id, []).append((update.update_date, value.value))
    return trends


@bp.route("/items/<int:item_id>")
@guard("view", ActionItem, load=queries.item_detail)
def item(item: ActionItem):
    return _item_page(item)


@bp.route("/items/<int:item_id>/progress", methods=["POST"])
@guard("update_progress", ActionItem, load=queries.item_detail)
def record_progress(item: ActionItem):
    form = progress_form_class(item)()
    if form.validate_on_submit():
        data = form.data_for()
        data["indicator_values"] = form.indicator_values()
        try:
            services.record_progress_update(item, data, evidence=form.evidence_file.data, actor=current_user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Progress recorded."), "success")
            return redirect(url_for("plans.item", item_id=item.id) + "#history", 303)
    return _item_page(item, progress_form=form, status=422)


@bp.route("/items/<int:item_id>/comments", methods=["POST"])
@guard("comment", ActionItem, load=queries.item_detail)
def comment(item: ActionItem):
    form = CommentForm()
    if form.validate_on_submit():
        services.add_comment(item, form.text.data, actor=current_user)
        flash(_("Comment added."), "success")
        return redirect(url_for("plans.item", item_id=item.id) + "#comments", 303)
    return _item_page(item, comment_form=form, status=422)


@bp.route("/items/<int:item_id>/indicators", methods=["POST"])
@guard("edit", ActionItem, load=queries.item_detail)
def add_indicator(item: ActionItem):
    form = IndicatorForm()
    if form.validate_on_submit():
        services.add_indicator(item, form.data_for(), actor=current_user)
        flash(_("Indicator added."), "success")
        return redirect(url_for("plans.item", item_id=item.id) + "#indicators", 303)
    return _item_page(item, indicator_form=form, status=422)


def _load_indicator(item_id: int, indicator_id: int) -> ActionItem | None:
    indicator = queries.get_indicator(indicator_id)
    return indicator.item if indicator is not None and indicator.item_id == item_id else None


@bp.route("/items/<int:item_id>/indicators/<int:indicator_id>/delete", methods=["POST"])
@guard("edit", ActionItem, load=_load_indicator)
def remove_indicator(item: ActionItem):
    indicator = queries.get_indicator(request.view_args["indicator_id"])
    services.remove_indicator(indicator, actor=current_user)
    flash(_("Indicator removed."), "success")
    return redirect(url_for("plans.item", item_id=item.id) + "#indicators", 303)


def _load_evidence(item_id: int, update_id: int) -> ActionItem | None:
    update = queries.get_update(update_id)
    return update.item if update is not None and update.item_id == item_id and update.evidence_path else None


@bp.route("/items/<int:item_id>/updates/<int:update_id>/evidence")
@guard("view", ActionItem, load=_load_evidence)
def evidence(item: ActionItem):
    update = queries.get_update(request.view_args["update_id"])
    return send(update.evidence_path, update.evidence_name, update.evidence_type)
