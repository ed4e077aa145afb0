"""Text hygiene shared by input (request parameters, forms) and output (Word, iCalendar, CSV)."""
from __future__ import annotations

import re
from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items

# Characters XML 1.0 forbids (C0 controls but tab and line breaks, U+FFFE, U+FFFF, lone
# surrogates): Word files and PostgreSQL (NUL) refuse them, calendar programs choke on them.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85]+")


def clean(value: Any) -> Any:
    """``value`` without the characters XML forbids (non-strings are returned unchanged)."""
    return FORBIDDEN.sub("", value) if isinstance(value, str) else value


def xml_safe(value: Any) -> str:
    """Any value as text that Word, iCalendar and XML accept."""
    return FORBIDDEN.sub("", "" if value is None else str(value))


def one_line(value: Any) -> str:
    """XML-safe text on one line: each run of line breaks becomes one space."""
    return LINE_BREAKS.sub(" ", xml_safe(value)).strip()


class CleanMultiDict(ImmutableMultiDict):
    """Request parameters with the characters XML forbids (NUL first) removed from keys and values."""

    def __init__(self, mapping: Any = None):
        if mapping is not None:
            mapping = [(clean(key), clean(value)) for key, value in iter_multi_items(mapping)]
        super().__init__(mapping)


class CleanRequest(Request):
    """Every query string and form body is cleaned once, here, for every view and form."""

    parameter_storage_class = CleanMultiDict
