"""An evaluation's tables as a spreadsheet (openpyxl): one sheet each, typed cells, frozen
header row and filters. Pure: figures and labels in, bytes out."""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from coordination.exports.docx import clean

_BOLD = Font(bold=True)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
           date_columns: Sequence[int] = (), widths: Sequence[int] | None = None) -> None:
    sheet = workbook.create_sheet(title=clean(title)[:31])
    sheet.append([clean(h) for h in header])
    for cell in sheet[1]:
        cell.font = _BOLD
    for row in rows:
        sheet.append([clean(v) if isinstance(v, str) else v for v in row])
    for col in date_columns:
        letter = get_column_letter(col + 1)
        for cell in sheet[letter][1:]:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(len(rows) + 1, 1)}"
    for n, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width


def evaluation_xlsx(figures: dict[str, Any], recommendations: Sequence[dict[str, Any]], labels: dict[str, str]) -> bytes:
    """Axes, items, owners, indicators, overdue actions, governance, coverage and recommendations."""
    L = labels
    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    status = lambda s: L[f"ItemStatus.{s}"]  # noqa: E731
    _sheet(workbook, L["axes_sheet"], [L["code"], L["axis"], L["progress"], L["actions"], L["completed"], L["overdue"]],
           [[a["code"], a["title"], a["progress"], a["actions"], a["completed"], a["overdue"]] for a in figures["axes"]],
           widths=[8, 60, 12, 10, 12, 10])
    _sheet(workbook, L["items_sheet"],
           [L["code"], L["title"], L["depth"], L["owner"], L["deadline"], L["status"], L["progress"], L["overdue"],
            L["days_late"], L["update_date"], L["narrative"]],
           [[r["code"], r["title"], r["depth"] + 1, r["owner"], _date(r["deadline"]), status(r["status"]), r["progress"],
             L["yes"] if r["overdue"] else L["no"], r["days_late"], _date(r["update_date"]), r["narrative"]]
            for r in figures["items"]],
           date_columns=(4, 9), widths=[10, 60, 8, 14, 12, 14, 10, 9, 10, 12, 60])
    _sheet(workbook, L["owners_sheet"], [L["owner"], L["items"], L["completed"], L["overdue"], L["mean_progress"]],
           [[o["name"] or "—", o["items"], o["completed"], o["overdue"], o["mean_progress"]] for o in figures["owners"]],
           widths=[20, 10, 12, 10, 14])
    _sheet(workbook, L["indicators_sheet"],
           [L["code"], L["indicator"], L["unit"], L["baseline"], L["target"], L["value"], L["value_date"],
            L["percent_of_target"]],
           [[i["code"], i["name"], i["unit"], i["baseline"], i["target"], i["value"], _date(i["value_date"]),
             i["percent_of_target"]] for i in figures["indicators"]],
           date_columns=(6,), widths=[10, 40, 14, 10, 10, 12, 12, 14])
    _sheet(workbook, L["overdue_sheet"], [L["code"], L["title"], L["owner"], L["deadline"], L["days_late"], L["status"],
                                          L["progress"]],
           [[o["code"], o["title"], o["owner"], _date(o["deadline"]), o["days_late"], status(o["status"]), o["progress"]]
            for o in figures["overdue"]],
           date_columns=(3,), widths=[10, 60, 14, 12, 10, 14, 10])
    g = figures["governance"]
    _sheet(workbook, L["governance_sheet"],
           [L["body"], L["charter"], L["legal_status"], L["unsigned"], L["meetings_held"], L["frequency"],
            L["meetings_expected"], L["quorum"], L["median_approval"], L["minutes_late"], L["members_overdue"], L["flags"]],
           [[b["name"], b["charter"]["number"] if b["charter"] else None,
             L[f"LegalStatus.{b['legal_status']}"] if b["legal_status"] else "",
             ", ".join(b["unsigned"]), b["meetings_held"],
             L[f"MeetingFrequency.{b['frequency']}"] if b["frequency"] else "", b["meetings_expected"],
             b["quorum_share"], b["median_days_to_approval"], len(b["minutes_late"]), b["overdue_share"],
             "; ".join(L[f"{f}_flag"] for f in b["flags"])] for b in g["bodies"]],
           widths=[40, 10, 24, 30, 10, 14, 10, 12, 12, 12, 12, 60])
    _sheet(workbook, L["coverage_sheet"], [L["area"], L["covering_bodies"], L["targeting_actions"]],
           [[c["area"], ", ".join(c["bodies"]), c["actions"]] for c in g["coverage"]], widths=[20, 30, 12])
    _sheet(workbook, L["recommendations_sheet"], ["#", L["recommendations"], L["priority"], L["addressee"],
                                                  L["follow_up"], L["status"], L["progress"]],
           [[r["number"], r["text"], r["priority"], r["addressee"], r["code"] or "", r["status"], r["progress"]]
            for r in recommendations], widths=[5, 70, 10, 14, 12, 14, 10])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
