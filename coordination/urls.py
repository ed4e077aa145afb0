"""URL helpers: safe redirects and page numbers."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths are followed after log-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def page_arg() -> int:
    """The ``page`` query argument as a positive int (bad values mean page 1)."""
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1
