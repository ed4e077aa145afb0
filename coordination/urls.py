"""URL helpers: safe redirects, page numbers and the query arguments pages read."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, ValidationError

from coordination.dates import local_today

# The largest id an INTEGER column holds (PostgreSQL's int4; SQLite's limit is larger).
MAX_ID = 2**31 - 1
# Pages past this are empty anyway; the cap keeps OFFSET within what the database accepts.
MAX_PAGE = 100_000


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in every route: a number the database cannot hold matches no route (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(self.max)):  # int() of thousands of digits is refused, and slow
            raise ValidationError()
        return super().to_python(value)


def id_arg(name: str) -> int | None:
    """The query argument ``name`` as an id, or None when it is absent, not a number or too large."""
    value = request.args.get(name, "")
    if not value.isdigit() or len(value) > len(str(MAX_ID)):
        return None
    return int(value) if int(value) <= MAX_ID else None


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths are followed after log-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def page_arg() -> int:
    """The ``page`` query argument as a positive int (bad values mean page 1; huge ones are capped)."""
    try:
        return min(MAX_PAGE, max(1, int(request.args.get("page", 1))))
    except ValueError:
        return 1


def past_date_arg(name: str) -> tuple[date | None, str | None]:
    """The query argument ``name`` as a date no later than today, and None; (None, None) when it
    is absent; (None, the message to show) when it is not a date or lies in the future."""
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
