"""Word documents (python-docx): a meeting's agenda and its minutes."""
from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from coordination.meetings.models import Meeting, MeetingStatus
from coordination.minutes.models import Minutes
from coordination.text import xml_safe


def clean(text: Any) -> str:
    """Text without the characters Word (XML) refuses: controls, U+FFFE/U+FFFF, lone surrogates."""
    return xml_safe(text)


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


def _table(document, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None,
           empty: str | None = None):
    """A table with a repeated header row; ``widths`` in centimetres (narrow numbers, wide text).

    With no rows and an ``empty`` text, that sentence is written instead of a lone header row.
    """
    if not rows and empty:
        document.add_paragraph(clean(empty))
        return None
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
    if widths:
        # Word reads the grid and each cell's width; LibreOffice the grid: set both.
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
            for cell in column.cells:
                cell.width = Cm(width)
    return table


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _when(meeting: Meeting, locale: str) -> str:
    """"Tuesday 3 February 2026, 10:00–12:00 (EST, UTC−05:00, America/Port-au-Prince)" in the viewer's locale.

    The times are the meeting's own (aware, in its zone), so the abbreviation and offset are right
    on either side of a daylight-saving change.
    """
    zone = ZoneInfo(meeting.timezone)
    start, end = meeting.start.astimezone(zone), meeting.end.astimezone(zone)
    day = format_date(start.date(), "full", locale=locale)
    hours = f"{format_time(start.time(), 'short', locale=locale)}–{format_time(end.time(), 'short', locale=locale)}"
    if end.date() != start.date():
        hours = (f"{format_time(start.time(), 'short', locale=locale)} – "
                 f"{format_date(end.date(), 'full', locale=locale)} {format_time(end.time(), 'short', locale=locale)}")
    offset = start.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "\u2212"
    utc = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    name = start.tzname() or ""
    # Some zones have no letters abbreviation ("-03"): the offset alone says it then.
    parts = [name, utc] if name and name[0].isalpha() else [utc]
    return f"{day}, {hours} ({', '.join(parts)}, {meeting.timezone})"


def _start(meeting: Meeting, kind: str, labels: dict[str, str], locale: str):
    """A new document titled "<kind>: <meeting>", with the body, the time and the place.

    A cancelled or postponed meeting says so at the top, with the reason.
    """
    document = Document()
    document.core_properties.language = locale.replace("_", "-")
    document.core_properties.title = clean(f"{kind} — {meeting.title}")
    document.add_heading(clean(meeting.body.name), level=0)
    document.add_heading(clean(f"{kind}: {meeting.title}"), level=1)
    banner = {MeetingStatus.CANCELLED: labels.get("cancelled_banner"),
              MeetingStatus.POSTPONED: labels.get("postponed_banner")}.get(meeting.status)
    if banner:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(clean(banner.upper()))
        run.bold = True
        if meeting.status_reason:
            paragraph.add_run(clean(f" {meeting.status_reason}"))
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
    _table(document, ["#", labels["item"], labels["presenter"], labels["duration"]], rows, widths=(1.0, 9.5, 4.5, 2.0))
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
    _table(document, [labels["organisation"], labels["person"], labels["presence"]], attendance, widths=(6.5, 6.0, 4.0))
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
           [[d.reference, d.text, d.tally] for d in minutes.decisions], widths=(3.0, 10.5, 3.0),
           empty=labels.get("no_decisions"))
    document.add_heading(clean(labels["actions"]), level=2)
    _table(document, [labels["code"], labels["action"], labels["owner"], labels["focal"], labels["deadline"], labels["reference"]],
           actions, widths=(1.6, 6.0, 2.4, 3.0, 2.4, 2.6), empty=labels.get("no_actions"))
    document.add_heading(clean(labels["approval"]), level=2)
    document.add_paragraph(clean(labels["approval_line"]))
    _page_numbers(document, labels.get("page", "Page"))
    return _bytes(document)
