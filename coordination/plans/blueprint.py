"""The plans blueprint, shared by the plan pages (``views``) and the item page (``item_page``)
so that neither imports the other."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")
