"""The evaluations blueprint, shared by the evaluation pages (``views``) and their comparison
and downloads (``reports``) so that neither imports the other."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")
