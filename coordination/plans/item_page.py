"""One action item's page: its state and history, and what is posted from it (progress,
comments, indicators), and its evidence files."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.dates import local_today
from coordination.forms import ConfirmForm, submit
from coordination.page_cache import cached_page
from coordination.permissions import guard
from coordination.plans import progress, queries, services
from coordination.plans.blueprint import bp
from coordination.plans.forms import CommentForm, IndicatorForm, progress_form_class
from coordination.plans.models import ActionItem, Indicator, ItemStatus, ProgressUpdate
from coordination.uploads import send

# Domains above plans add their part of the item page (evaluations: the recommendation the item
# arose from) by registering a callable that returns its template variables for the item.
_item_parts: list[Callable[[ActionItem], dict[str, Any]]] = []


def add_to_item_page(part: Callable[[ActionItem], dict[str, Any]]) -> None:
    """Give the item page the variables ``part(item)`` returns (called by a higher domain)."""
    _item_parts.append(part)


def _url(item: ActionItem, anchor: str) -> str:
    return url_for("plans.item", item_id=item.id) + f"#{anchor}"


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
@cached_page
@guard("view", ActionItem, load=queries.item_detail)
def item(item: ActionItem):
    return _item_page(item)


@bp.route("/items/<int:item_id>/progress", methods=["POST"])
@guard("update_progress", ActionItem, load=queries.item_detail)
def record_progress(item: ActionItem):
    form = progress_form_class(item)()

    def record():
        data = form.data_for()
        data["indicator_values"] = form.indicator_values()
        return services.record_progress_update(item, data, evidence=form.evidence_file.data, actor=current_user)

    return submit(form, record, done=lambda _update: (_("Progress recorded."), _url(item, "history")),
                  render=lambda: _item_page(item, progress_form=form, status=422))


@bp.route("/items/<int:item_id>/comments", methods=["POST"])
@guard("comment", ActionItem, load=queries.item_detail)
def comment(item: ActionItem):
    form = CommentForm()
    return submit(form, lambda: services.add_comment(item, form.text.data, actor=current_user),
                  done=lambda _comment: (_("Comment added."), _url(item, "comments")),
                  render=lambda: _item_page(item, comment_form=form, status=422))


@bp.route("/items/<int:item_id>/indicators", methods=["POST"])
@guard("edit", ActionItem, load=queries.item_detail)
def add_indicator(item: ActionItem):
    form = IndicatorForm()
    return submit(form, lambda: services.add_indicator(item, form.data_for(), actor=current_user),
                  done=lambda _indicator: (_("Indicator added."), _url(item, "indicators")),
                  render=lambda: _item_page(item, indicator_form=form, status=422))


@bp.route("/items/<int:item_id>/indicators/<int:indicator_id>/delete", methods=["POST"])
@guard("edit", ActionItem, load=queries.get_item, child=queries.indicator_of)
def remove_indicator(item: ActionItem, indicator: Indicator):
    services.remove_indicator(indicator, actor=current_user)
    flash(_("Indicator removed."), "success")
    return redirect(_url(item, "indicators"), 303)


@bp.route("/items/<int:item_id>/updates/<int:update_id>/evidence")
@guard("view", ActionItem, load=queries.get_item, child=queries.evidence_of)
def evidence(item: ActionItem, update: ProgressUpdate):
    return send(update.evidence_path, update.evidence_name, update.evidence_type)
