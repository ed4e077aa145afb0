"""Plan pages: plans, the tree as of a date, the action list and CSV, items and their progress."""
from __future__ import annotations

from datetime import date

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from coordination.accounts.queries import active_people
from coordination.bodies.queries import all_bodies
from coordination.dates import local_today
from coordination.exports.csv import action_items_csv
from coordination.forms import ConfirmForm, enum_choices, submit
from coordination.organisations.queries import all_organisations
from coordination.page_cache import cached_page
from coordination.permissions import guard, visible_body_ids
from coordination.plans import progress, queries, services

# One item's page and what is posted from it live apart; importing it adds its routes.
from coordination.plans import item_page  # noqa: F401  isort: skip
from coordination.plans.blueprint import bp
from coordination.plans.forms import (
    ItemForm,
    MoveForm,
    PlanForm,
)
from coordination.plans.models import (
    ActionItem,
    ActionPlan,
    ItemStatus,
    Priority,
)
from coordination.urls import id_arg, page_arg, past_date_arg


def _visible_bodies():
    visible = visible_body_ids(current_user)
    return [b for b in all_bodies() if visible is None or b.id in visible]


def _as_of() -> tuple[date, str | None]:
    """The ``as_of`` query argument (default today) and an error message if it is invalid."""
    value, error = past_date_arg("as_of")
    return value or local_today(), error


# --- plans ---------------------------------------------------------------------------------


@bp.route("/")
@cached_page
@guard("view", ActionPlan)
def index():
    as_of, error = _as_of()
    overview = queries.plans_overview(visible_body_ids(current_user), as_of)
    return render_template("plans/index.html", overview=overview, as_of=as_of, as_of_error=error), 400 if error else 200


@bp.route("/new", methods=["GET", "POST"])
@guard("create", ActionPlan)
def create():
    form = PlanForm(_visible_bodies())
    return submit(form, lambda: services.create_plan(form.data_for(), actor=current_user),
                  done=lambda plan: (_("Plan created. Add its strategic axes."), _plan_url(plan)),
                  render=lambda: render_template("plans/plan_form.html", form=form, plan=None))


@bp.route("/<int:plan_id>")
@cached_page
@guard("view", ActionPlan, load=queries.get_plan)
def detail(plan: ActionPlan):
    """Axes and objectives with their roll-up; a node's children unfold on demand (``open``),
    page by page, so the page's size does not follow the plan's."""
    as_of, error = _as_of()
    raw_open = request.args.get("open", "")
    outline = queries.plan_outline(plan, as_of, int(raw_open) if raw_open.isdigit() else None, page_arg())
    return render_template(
        "plans/detail.html", plan=plan, outline=outline, nodes=outline.nodes,
        summary=outline.summary, as_of=as_of, as_of_error=error, before_period=progress.before_period(plan, as_of), confirm=ConfirmForm(),
        statuses=list(ItemStatus), labels=status_labels(),
        as_of_arg=request.args.get("as_of") if request.args.get("as_of") and not error else None,
    ), 400 if error else 200


def status_labels() -> dict[str, str]:
    """Every status's label, resolved once per page rather than once per row."""
    return {s.value: s.label for s in ItemStatus} | {"overdue": _("Overdue")}


def _plan_url(plan: ActionPlan) -> str:
    return url_for("plans.detail", plan_id=plan.id)


def _item_url(item: ActionItem) -> str:
    return url_for("plans.item", item_id=item.id)


def _in_plan(item: ActionItem) -> str:
    """The plan page showing ``item`` (its parent unfolded at the right page)."""
    if item.parent_id is None:
        return url_for("plans.detail", plan_id=item.plan_id) + f"#item-{item.id}"
    return url_for("plans.detail", plan_id=item.plan_id, open=item.parent_id,
                   page=queries.outline_page_of(item)) + f"#item-{item.id}"


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@guard("edit", ActionPlan, load=queries.get_plan)
def edit(plan: ActionPlan):
    form = PlanForm(_visible_bodies(), obj=plan if request.method == "GET" else None)
    return submit(form, lambda: services.update_plan(plan, form.data_for(), actor=current_user),
                  done=lambda _changes: (_("Plan saved."), _plan_url(plan)),
                  render=lambda: render_template("plans/plan_form.html", form=form, plan=plan))


@bp.route("/<int:plan_id>/delete", methods=["POST"])
@guard("delete", ActionPlan, load=queries.get_plan)
def delete(plan: ActionPlan):
    services.delete_plan(plan, actor=current_user)
    flash(_("Plan deleted."), "success")
    return redirect(url_for("plans.index"), 303)


# --- items: create, edit, move, delete ---------------------------------------------------------


def _item_form(bodies=None, **kwargs) -> ItemForm:
    return ItemForm(all_organisations(), active_people(), bodies, **kwargs)


def _item_data(form: ItemForm) -> dict:
    data = form.data_for()
    data["supporter_ids"] = data.get("supporter_ids") or []
    data["areas"] = data.get("areas") or []
    return data


@bp.route("/<int:plan_id>/items/new", methods=["GET", "POST"])
@guard("edit", ActionPlan, load=queries.get_plan)
def new_item(plan: ActionPlan):
    parent = None
    if id_arg("parent") is not None:
        parent = queries.get_item(id_arg("parent"))
        if parent is None or parent.plan_id != plan.id:
            abort(404)
    form = _item_form(data={"start_date": plan.period_start, "deadline": plan.period_end} if request.method == "GET" else None)
    return submit(form, lambda: services.create_item(_item_data(form), plan=plan, parent=parent, actor=current_user),
                  done=lambda item: (_("%(code)s added.", code=item.code), _in_plan(item)),
                  render=lambda: render_template("plans/item_form.html", form=form, plan=plan, parent=parent, item=None))


@bp.route("/items/new", methods=["GET", "POST"])
@guard("create", ActionItem)
def new_standalone_item():
    form = _item_form(_visible_bodies(), data={"origin": "meeting_decision"} if request.method == "GET" else None)

    def create_outside_plan():
        data = _item_data(form)
        visible = visible_body_ids(current_user)
        if visible is not None and data.get("body_id") not in visible:
            abort(403)
        return services.create_item(data, plan=None, parent=None, body_id=data.get("body_id"), actor=current_user)

    return submit(form, create_outside_plan, done=lambda item: (_("%(code)s added.", code=item.code), _item_url(item)),
                  render=lambda: render_template("plans/item_form.html", form=form, plan=None, parent=None, item=None))


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@guard("edit", ActionItem, load=queries.get_item)
def edit_item(item: ActionItem):
    bodies = _visible_bodies() if item.plan_id is None else None
    if request.method == "GET":
        form = _item_form(bodies, obj=item, supporter_ids=[o.id for o in item.supporters], areas=item.area_names)
    else:
        form = _item_form(bodies)
    return submit(form, lambda: services.update_item(item, _item_data(form), actor=current_user),
                  done=lambda _changes: (_("%(code)s saved.", code=item.code), _item_url(item)),
                  render=lambda: render_template("plans/item_form.html", form=form, plan=item.plan,
                                                 parent=item.parent, item=item))


@bp.route("/items/<int:item_id>/move", methods=["GET", "POST"])
@guard("edit", ActionItem, load=queries.get_item)
def move_item(item: ActionItem):
    if item.plan_id is None:
        abort(404)
    excluded = services.descendant_ids(item) | {item.id}
    candidates = [i for i in item.plan.items if i.id not in excluded]
    initial = {"parent_id": item.parent_id, "version": item.version} if request.method == "GET" else None
    form = MoveForm(candidates, data=initial)

    def move():
        new_parent = queries.get_item(form.parent_id.data) if form.parent_id.data else None
        services.move_item(item, new_parent, actor=current_user, version=form.version.data)

    return submit(form, move, done=lambda _none: (_("Moved: the item is now %(code)s.", code=item.code), _in_plan(item)),
                  render=lambda: render_template("plans/move.html", form=form, item=item))


@bp.route("/items/<int:item_id>/delete", methods=["POST"])
@guard("delete", ActionItem, load=queries.get_item)
def delete_item(item: ActionItem):
    plan_id = item.plan_id
    services.delete_item(item, actor=current_user)
    flash(_("Item deleted."), "success")
    return redirect(url_for("plans.detail", plan_id=plan_id) if plan_id else url_for("plans.items"), 303)


# --- the action list ------------------------------------------------------------------------------


def _filters() -> queries.ItemFilters:
    args = request.args

    status = args.get("status", "")
    priority = args.get("priority", "")
    scope = args.get("scope", "")
    return queries.ItemFilters(
        plan=id_arg("plan"),
        owner=id_arg("owner"),
        status=status if status in {s.value for s in ItemStatus} else "",
        axis=id_arg("axis"),
        overdue=args.get("overdue") == "1",
        due_within=min(days, 36500) if (days := id_arg("due_within")) is not None else None,
        scope=scope if scope == "national" or scope in current_app.config["GEOGRAPHIC_AREAS"] else "",
        priority=priority if priority in {p.value for p in Priority} else "",
        search=args.get("q", "").strip()[:100],
        sort=args.get("sort", "code") if args.get("sort", "code") in queries.SORT_NAMES else "code",
    )


@bp.route("/items")
@cached_page
@guard("view", ActionItem)
def items():
    filters = _filters()
    today, error = _as_of()
    per_page = current_app.config["PAGE_SIZE"]
    page = page_arg()
    rows, total = queries.item_page(filters, visible_body_ids(current_user), today, page, per_page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "plans/items.html", rows=rows, total=total, page=page, pages=max(1, -(-total // per_page)),
        filters=filters, args=args, organisations=all_organisations(), axes=queries.axes(),
        plans=queries.all_plans(visible_body_ids(current_user)), statuses=enum_choices(ItemStatus),
        priorities=enum_choices(Priority), areas=current_app.config["GEOGRAPHIC_AREAS"], today=today,
        as_of=today, as_of_error=error,
    ), 400 if error else 200


@bp.route("/items.csv")
@guard("view", ActionItem)
def items_csv():
    as_of, error = _as_of()
    if error:
        abort(400)
    rows = queries.item_rows(_filters(), visible_body_ids(current_user), as_of)
    axes = queries.axes_of([r.item for r in rows])
    return Response(
        action_items_csv(rows, axes), mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=action-items-{as_of.isoformat()}.csv"},
    )
