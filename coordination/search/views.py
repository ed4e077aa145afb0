"""Search page: one box for bodies, organisations, meetings, minutes, decisions and actions."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from coordination.dates import local_today
from coordination.permissions import ability, sees_draft_minutes, visible_body_ids
from coordination.search import queries
from coordination.search.forms import SearchForm

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.route("/")
@ability("search")
def index():
    form = SearchForm(request.args)
    results, status = None, 200
    if "q" in request.args:  # the empty page shows no error before anything was typed
        if form.validate():
            results = queries.search(form.q.data, visible_body_ids(current_user), sees_draft_minutes(current_user),
                                     local_today())
        else:
            status = 422
    return render_template("search/index.html", form=form, results=results, per_kind=queries.PER_KIND), status
