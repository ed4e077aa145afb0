"""The accounts blueprint, shared by the log-in, security and recovery pages (``views``,
``security_views``, ``recovery_views``) so that none of them imports another."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
