"""Word documents (python-docx): a meeting's agenda and its minutes."""
from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from coordination.i18n import span_text
from coordination.meetings.models import Meeting
from coordination.minutes.models import Minutes

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(text: Any) -> str:
    """Text without the control characters Word refuses."""
    return _CONTROL.sub("", "" if text is None else str(text))


def _page_numbers(document, page_label: str) -> None:
    """"Page N of M" in the footer, as Word fields."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def field(instruction: str) -> None:
        run = paragraph.add_run()
        begin, text, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        text.set(qn("xml:space"), "preserve")
        text.text = instruction
        end.set(qn("w:fldCharType"), "end")
        run._r.append(begin)
        run._r.append(text)
        run._r.append(end)

    paragraph.add_run(f"{clean(page_label)} ")
    field("PAGE")
    paragraph.add_run(" / ")
    field("NUMPAGES")


def _table(document, header: Sequence[str], rows: Sequence[Sequence[Any]]):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    cells = table.rows[0].cells
    for cell, text in zip(cells, header, strict=True):
        cell.text = clean(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    # Repeat the header row on each page (and mark it as a header for accessibility).
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header_flag = OxmlElement("w:tblHeader")
    header_flag.set(qn("w:val"), "true")
    tr_pr.append(header_flag)
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = clean(value)
    return table


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _when(meeting: Meeting, locale: str) -> str:
    """The meeting's start and end as the pages write them, in ``locale``, with its IANA zone."""
    return f"{span_text(meeting.start, meeting.end, ZoneInfo(meeting.timezone), locale)} ({meeting.timezone})"


def _start(meeting: Meeting, kind: str, labels: dict[str, str], locale: str):
    """A new document titled "<kind>: <meeting>", with the body, the time and the place."""
    document = Document()
    document.core_properties.language = locale.replace("_", "-")
    document.core_properties.title = clean(f"{kind} — {meeting.title}")
    document.add_heading(clean(meeting.body.name), level=0)
    document.add_heading(clean(f"{kind}: {meeting.title}"), level=1)
    document.add_paragraph(clean(f"{labels['when']}: {_when(meeting, locale)}"))
    if meeting.location:
        document.add_paragraph(clean(f"{labels['where']}: {meeting.location}"))
    return document


def agenda_docx(meeting: Meeting, labels: dict[str, str], locale: str = "en") -> bytes:
    """The agenda: body, date and time with time zone, place, numbered items with presenters.

    ``labels`` are the headings already translated into ``locale``, which also sets how dates
    and numbers are written; what people typed (titles, descriptions) stays as typed.
    """
    document = _start(meeting, labels["agenda"], labels, locale)
    unit = labels.get("minutes_unit", "min")
    if meeting.online_link:
        document.add_paragraph(clean(f"{labels['online']}: {meeting.online_link}"))
    rows = []
    for item in meeting.agenda:
        presenter = " — ".join(filter(None, [
            item.presenter.full_name if item.presenter else "",
            item.presenter_organisation.short_name if item.presenter_organisation else "",
        ]))
        rows.append([item.position, item.title, presenter, f"{format_decimal(item.duration_minutes, locale=locale)} {unit}"])
    document.add_heading(clean(labels["items"]), level=2)
    _table(document, ["#", labels["item"], labels["presenter"], labels["duration"]], rows)
    total = sum(i.duration_minutes for i in meeting.agenda)
    document.add_paragraph(clean(f"{labels['total']}: {format_decimal(total, locale=locale)} {unit}"))
    for item in meeting.agenda:
        if item.description:
            document.add_heading(clean(f"{item.position}. {item.title}"), level=3)
            document.add_paragraph(clean(item.description))
    _page_numbers(document, labels.get("page", "Page"))
    return _bytes(document)


def minutes_docx(minutes: Minutes, attendance: Sequence[Sequence[str]], quorum_text: str,
                 actions: Sequence[Sequence[str]], labels: dict[str, str], locale: str = "en") -> bytes:
    """The minutes: header, attendance by organisation, quorum, summaries, decisions, actions, approval.

    ``labels``, ``attendance``, ``quorum_text`` and ``actions`` come already written in ``locale``.
    """
    meeting = minutes.meeting
    document = _start(meeting, labels["minutes"], labels, locale)
    document.add_paragraph(clean(f"{labels['status']}: {minutes.status.label} — {labels['version']} {minutes.number}"))
    if minutes.correction_reason:
        document.add_paragraph(clean(f"{labels['correction']}: {minutes.correction_reason}"))
    document.add_heading(clean(labels["attendance"]), level=2)
    _table(document, [labels["organisation"], labels["person"], labels["presence"]], attendance)
    document.add_heading(clean(labels["quorum"]), level=2)
    document.add_paragraph(clean(quorum_text))
    if minutes.summary:
        document.add_heading(clean(labels["summary"]), level=2)
        document.add_paragraph(clean(minutes.summary))
    document.add_heading(clean(labels["proceedings"]), level=2)
    for section in minutes.sections:
        document.add_heading(clean(f"{section.position}. {section.title}"), level=3)
        document.add_paragraph(clean(section.summary or "—"))
    document.add_heading(clean(labels["decisions"]), level=2)
    _table(document, [labels["reference"], labels["decision"], labels["vote"]],
           [[d.reference, d.text, d.tally] for d in minutes.decisions])
    document.add_heading(clean(labels["actions"]), level=2)
    _table(document, [labels["code"], labels["action"], labels["owner"], labels["focal"], labels["deadline"], labels["reference"]],
           actions)
    document.add_heading(clean(labels["approval"]), level=2)
    document.add_paragraph(clean(labels["approval_line"]))
    _page_numbers(document, labels.get("page", "Page"))
    return _bytes(document)
