"""CSV exports."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from coordination.text import one_line

# Cells starting with these characters would be run as formulas by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


HEADER = ("code", "plan", "axis", "title", "lead organisation", "supporting organisations", "focal person",
          "start date", "deadline", "priority", "priority code", "status", "status code", "progress %",
          "last update", "overdue", "scope", "budget", "currency", "funding source")


def _cell(value: Any) -> str:
    # One line per row, whatever was stored: spreadsheets and scripts split on line breaks.
    text = one_line(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as UTF-8 CSV with a BOM (so spreadsheet programs pick the encoding)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def action_items_csv(rows: Iterable[Any], axes: Mapping[int, Any] | None = None) -> bytes:
    """The filtered action list: one line per item, as the list shows it (on its as-of date).

    Status and priority appear as readable labels (in the viewer's language) followed by
    their machine codes, so a spreadsheet reads well and a script can still filter; the
    axis is the item's top-level ancestor (code and title), from ``axes`` (item id → axis).
    The header stays in fixed English keys so scripts reading the file keep working.
    """
    axes = axes or {}
    return to_csv(HEADER, (
        [
            r.item.code, r.item.plan.title if r.item.plan else "",
            f"{axes[r.item.id].code}. {axes[r.item.id].title}" if r.item.id in axes else "",
            r.item.title,
            r.item.lead_organisation.name if r.item.lead_organisation else "",
            "; ".join(o.short_name for o in r.item.supporters),
            r.item.focal_person.full_name if r.item.focal_person else "",
            r.item.start_date.isoformat() if r.item.start_date else "",
            r.item.deadline.isoformat() if r.item.deadline else "",
            r.item.priority.label, r.item.priority.value, r.status.label, r.status.value, r.progress,
            r.update_date.isoformat() if r.update_date else "",
            "yes" if r.overdue else "no",
            "national" if r.item.scope_national else "; ".join(r.item.area_names),
            r.item.budget_amount if r.item.budget_amount is not None else "",
            r.item.budget_currency, r.item.funding_source,
        ]
        for r in rows
    ))
