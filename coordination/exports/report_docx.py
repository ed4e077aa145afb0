"""The progress report of an evaluation as a Word document (python-docx, charts from matplotlib).

Pure: the evaluation (with its narrative loaded), its figures, the recommendations' follow-up,
an optional comparison and translated labels in; bytes out.
"""
from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches

from coordination.exports.charts import bar_chart_png, describe
from coordination.exports.docx import _page_numbers, clean


def _num(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:.0f}" if value.is_integer() else f"{value:.1f}"
    return f"{value}{unit}"


def _table(document, header: Sequence[str], rows: Sequence[Sequence[Any]]):
    """A grid table whose header row repeats on every page; body rows are built as XML
    directly (python-docx's add_row re-reads the whole table for each row)."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = clean(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)
    tc_props = [copy.deepcopy(tc.tcPr) for tc in table.rows[0]._tr.tc_lst]
    tbl = table._tbl
    for values in rows:
        tr = OxmlElement("w:tr")
        for prop, value in zip(tc_props, values, strict=True):
            tc = OxmlElement("w:tc")
            if prop is not None:
                tc.append(copy.deepcopy(prop))
            p = OxmlElement("w:p")
            r = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = clean(value)
            r.append(t)
            p.append(r)
            tc.append(p)
            tr.append(tc)
        tbl.append(tr)
    return table


def _heading(document, text: str, level: int):
    """A heading by style id (python-docx looks styles up by name, slowly, on every call)."""
    paragraph = document.add_paragraph()
    paragraph._p.style = "Title" if level == 0 else f"Heading{level}"
    paragraph.add_run(clean(text))
    return paragraph


def _bullet(document, text: str):
    paragraph = document.add_paragraph()
    paragraph._p.style = "ListBullet"
    paragraph.add_run(clean(text))
    return paragraph


def _toc(document, hint: str) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run()
    begin, instruction, separate, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                                         OxmlElement("w:fldChar"), OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = 'TOC \\o "1-3" \\h \\z \\u'
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instruction)
    run._r.append(separate)
    hint_run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = clean(hint)
    hint_run.append(text)
    paragraph._p.append(hint_run)
    end_run = OxmlElement("w:r")
    end_run.append(end)
    paragraph._p.append(end_run)


def _picture(document, png: bytes, alt: str, name: str) -> None:
    shape = document.add_picture(io.BytesIO(png), width=Inches(6.3))
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", clean(alt))
    doc_pr.set("title", clean(name))


def status_rows(figures: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, float]]:
    return [(labels[f"ItemStatus.{s}"], n) for s, n in figures["summary"]["counts"].items()]


def axis_rows(figures: dict[str, Any]) -> list[tuple[str, float | None]]:
    return [(f"{a['code']}. {a['title']}", a["progress"]) for a in figures["axes"]]


def governance_flags(row: dict[str, Any], labels: dict[str, str]) -> list[str]:
    """The findings a body's figures raise, as sentences."""
    return [labels[f"{flag}_flag"] for flag in row["flags"]]


def evaluation_report_docx(
    evaluation: Any, figures: dict[str, Any], follow_up: dict[int, dict[str, Any]],
    comparison: dict[str, Any] | None, labels: dict[str, str], *, charts: bool = True,
) -> bytes:
    """The evaluation's progress report: cover, contents, figures, charts, tables, governance,
    narrative with recommendations' follow-up, and an annex of every item as of the date."""
    L = labels
    document = Document()
    props = document.core_properties
    props.title = clean(f"{L['report']} — {evaluation.title}")
    props.subject = clean(figures["plan"]["title"])
    props.author = clean(", ".join([u.full_name for u in evaluation.evaluators] + (
        [evaluation.external_organisation] if evaluation.external_organisation else [])))
    stamp = evaluation.finalised_at or datetime(2000, 1, 1, tzinfo=UTC)
    props.created = props.modified = stamp.replace(tzinfo=None)
    props.revision = 1

    # Cover
    _heading(document, evaluation.title, 0)
    document.add_paragraph(clean(f"{L['plan']}: {figures['plan']['title']}"))
    document.add_paragraph(clean(f"{L['kind']}: {evaluation.kind.label}"))
    document.add_paragraph(clean(f"{L['period']}: {evaluation.period_start.isoformat()} – {evaluation.period_end.isoformat()}"))
    document.add_paragraph(clean(f"{L['as_of']}: {figures['as_of']}"))
    authors = [u.full_name for u in evaluation.evaluators]
    if evaluation.external_organisation:
        authors.append(evaluation.external_organisation)
    document.add_paragraph(clean(f"{L['authors']}: {', '.join(authors) or '—'}"))
    document.add_paragraph(clean(f"{L['status']}: {evaluation.status.label}"))
    if evaluation.finalised_at:
        document.add_paragraph(clean(f"{L['finalised']}: {evaluation.finalised_at.date().isoformat()}"))
    _heading(document, L["contents"], 1)
    _toc(document, L["toc_hint"])
    document.add_page_break()

    # Summary
    s = figures["summary"]
    _heading(document, L["summary"], 1)
    if evaluation.summary:
        _heading(document, L["executive_summary"], 2)
        document.add_paragraph(clean(evaluation.summary))
    _table(document, [L["summary"], ""], [
        [L["overall"], _num(s["overall"], " %")], [L["actions"], s["actions"]], [L["completed"], s["completed"]],
        [L["overdue"], s["overdue"]], [L["not_started"], s["not_started"]], [L["cancelled"], s["cancelled"]],
    ])
    _heading(document, L["by_status"], 2)
    rows = status_rows(figures, L)
    if charts:
        _picture(document, bar_chart_png(L["status_chart"], rows), describe(L["status_chart"], rows), L["status_chart"])
    _table(document, [L["status"], L["actions"]], [[label, n] for label, n in rows])

    _heading(document, L["by_axis"], 2)
    rows = axis_rows(figures)
    if charts:
        _picture(document, bar_chart_png(L["axis_chart"], rows, maximum=100, unit=" %"),
                 describe(L["axis_chart"], rows, " %"), L["axis_chart"])
    _table(document, [L["axis"], L["progress"], L["completed"], L["overdue"]],
           [[f"{a['code']}. {a['title']}", _num(a["progress"], " %"), f"{a['completed']} / {a['actions']}", a["overdue"]]
            for a in figures["axes"]])

    # Items by axis and by owner
    _heading(document, L["items_by_axis"], 1)
    items = figures["items"]
    for axis in figures["axes"]:
        _heading(document, f"{axis['code']}. {axis['title']}", 2)
        _table(document, [L["code"], L["title"], L["owner"], L["deadline"], L["status"], L["progress"], L["latest_report"]],
               [[r["code"], r["title"], r["owner"], r["deadline"] or "", L[f"ItemStatus.{r['status']}"]
                 + (f" ({L['overdue']})" if r["overdue"] else ""), _num(r["progress"], " %"), r["update_date"] or "—"]
                for r in items if r["axis_id"] == axis["id"] and r["id"] != axis["id"]])
    _heading(document, L["by_owner"], 1)
    _table(document, [L["owner"], L["items"], L["completed"], L["overdue"], L["mean_progress"]],
           [[o["name"] or "—", o["items"], o["completed"], o["overdue"], _num(o["mean_progress"], " %")]
            for o in figures["owners"]])
    _heading(document, L["indicators"], 1)
    _table(document, [L["code"], L["indicator"], L["unit"], L["baseline"], L["target"], L["value"], L["percent_of_target"]],
           [[i["code"], i["name"], i["unit"], _num(i["baseline"]), _num(i["target"]), _num(i["value"]),
             _num(i["percent_of_target"], " %")] for i in figures["indicators"]])
    _heading(document, L["overdue_list"], 1)
    _table(document, [L["code"], L["title"], L["owner"], L["deadline"], L["days_late"], L["progress"]],
           [[o["code"], o["title"], o["owner"], o["deadline"] or "", o["days_late"], _num(o["progress"], " %")]
            for o in figures["overdue"]])

    if comparison is not None:
        _comparison(document, comparison, L)
    _governance(document, figures["governance"], L)
    _narrative(document, evaluation, figures, follow_up, L)

    document.add_page_break()
    _heading(document, L["annex"], 1)
    _table(document, [L["code"], L["title"], L["status"], L["progress"], L["update_date"], L["narrative"]],
           [[r["code"], r["title"], L[f"ItemStatus.{r['status']}"], _num(r["progress"], " %"), r["update_date"] or "—",
             r["narrative"] or "—"] for r in items])
    _page_numbers(document, L.get("page", "Page"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _comparison(document, c: dict[str, Any], L: dict[str, str]) -> None:
    _heading(document, f"{L['comparison']}: {c['earlier']} → {c['later']}", 1)
    document.add_paragraph(clean(f"{L['overall']}: {_num(c['overall'][0], ' %')} → {_num(c['overall'][1], ' %')}"))
    _table(document, [L["axis"], L["earlier"], L["later"], L["change"]],
           [[f"{a['code']}. {a['title']}", _num(a["old"], " %"), _num(a["new"], " %"), _num(a["delta"], " pts")]
            for a in c["axes"]])
    for key, rows in (("moved", c["moved"]), ("stalled", c["stalled"]), ("cancelled_between", c["cancelled"])):
        _heading(document, L[key], 2)
        _table(document, [L["code"], L["title"], L["earlier"], L["later"], L["change"]],
               [[r["code"], r["title"], f"{L['ItemStatus.' + r['old_status']]} {_num(r['old_progress'], ' %')}",
                 f"{L['ItemStatus.' + r['new_status']]} {_num(r['new_progress'], ' %')}", _num(r["delta"], " pts")]
                for r in rows])
    _heading(document, L["added"], 2)
    _table(document, [L["code"], L["title"], L["status"], L["progress"]],
           [[r["code"], r["title"], L[f"ItemStatus.{r['status']}"], _num(r["progress"], " %")] for r in c["added"]])
    _heading(document, L["rec_follow_up"], 2)
    _table(document, ["#", L["recommendations"], L["follow_up"], L["progress"]],
           [[f"R{r['number']}", r["text"], r["code"] or L["not_followed"],
             (f"{L['ItemStatus.' + r['status']]} {_num(r['progress'], ' %')}" if r.get("status") else "—")]
            for r in c["recommendations"]])


def _governance(document, g: dict[str, Any], L: dict[str, str]) -> None:
    _heading(document, L["governance"], 1)
    if g.get("period_start"):
        document.add_paragraph(clean(f"{L['period']}: {g['period_start']} – {g['period_end']}"))
    for row in g["bodies"]:
        _heading(document, row["name"], 2)
        flags = governance_flags(row, L)
        for flag in flags or [L["no_flag"]]:
            _bullet(document, flag)
        charter = row["charter"]
        _table(document, ["", ""], [
            [L["charter"], f"v{charter['number']} ({charter['adopted_on']})" if charter else L["no"]],
            [L["legal_status"], L[f"LegalStatus.{row['legal_status']}"] if row["legal_status"] else "—"],
            [L["unsigned"], ", ".join(row["unsigned"]) or (L["none"] if charter else "—")],
            [L["meetings"], f"{row['meetings_held']} / {_num(row['meetings_expected'])}"],
            [L["quorum"], f"{row['quorum_met']} / {row['quorum_judged']} ({_num(row['quorum_share'], ' %')})"],
            [L["median_approval"], _num(row["median_days_to_approval"])],
            [L["minutes_late"], f"{len(row['minutes_late'])} (> {row['approval_limit_days']} {L['days']})"],
            [L["members_overdue"], f"{row['member_items_overdue']} / {row['member_items']} ({_num(row['overdue_share'], ' %')})"],
        ])
    _heading(document, L["coverage"], 2)
    _table(document, [L["area"], L["covering_bodies"], L["targeting_actions"]],
           [[c["area"], ", ".join(c["bodies"]) or L["none"], c["actions"]] for c in g["coverage"]])


def _narrative(document, evaluation: Any, figures: dict[str, Any], follow_up: dict[int, dict[str, Any]],
               L: dict[str, str]) -> None:
    parts = [(None, L["plan_overall"])] + [(a["id"], f"{a['code']}. {a['title']}") for a in figures["axes"]]
    for kind, title in (("finding", L["findings"]), ("progress", L["progress_areas"]), ("lesson", L["lessons"])):
        _heading(document, title, 1)
        for axis_id, part in parts:
            notes = [n for n in evaluation.notes if n.kind.value == kind and n.axis_id == axis_id]
            if not notes:
                continue
            _heading(document, part, 2)
            for note in notes:
                _bullet(document, note.text)
    _heading(document, L["recommendations"], 1)
    rows = []
    for rec in evaluation.recommendations:
        state = follow_up.get(rec.id)
        follow = L["not_followed"]
        if rec.action_item is not None:
            follow = f"{rec.action_item.code}"
            if state:
                follow += f" — {L['ItemStatus.' + state['status']]} {_num(state['progress'], ' %')}"
        rows.append([f"R{rec.number}", rec.text, rec.priority.label,
                     rec.addressee.short_name if rec.addressee else "—", follow])
    _table(document, ["#", L["recommendations"], L["priority"], L["addressee"], L["follow_up"]], rows)
