"""Word agenda and minutes: the zone's abbreviation and offset, Babel dates, the status banner, column widths."""
from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def _agenda(client, meeting_id: int, language: str | None = None):
    headers = {"Accept-Language": language} if language else {}
    response = client.get(f"/meetings/{meeting_id}/agenda.docx", headers=headers)
    assert response.status_code == 200
    return Document(io.BytesIO(response.data))


def test_the_date_line_gives_the_zone_abbreviation_and_offset_in_winter_and_summer(make, login_as):
    body = make.body(name="National Committee", acronym="CN", timezone="America/Port-au-Prince")
    winter = make.meeting(body, datetime(2026, 1, 6, 15, tzinfo=UTC), title="Winter")
    summer = make.meeting(body, datetime(2026, 7, 7, 14, tzinfo=UTC), title="Summer")
    c = login_as("secretariat")
    winter_text = _text(_agenda(c, winter.id))
    assert "When: Tuesday, January 6, 2026, 10:00\u202fAM–12:00\u202fPM (EST, UTC\u221205:00, America/Port-au-Prince)" in winter_text
    assert "None" not in winter_text
    assert "(EDT, UTC\u221204:00, America/Port-au-Prince)" in _text(_agenda(c, summer.id))


def test_dates_follow_the_viewers_language(make, login_as):
    body = make.body(timezone="Europe/Paris")
    meeting = make.meeting(body, datetime(2026, 7, 7, 8, tzinfo=UTC))
    member = login_as("secretariat", language="fr")
    text = _text(_agenda(member, meeting.id))
    assert "mardi 7 juillet 2026, 10:00–12:00 (CEST, UTC+02:00, Europe/Paris)" in text


def test_a_cancelled_or_postponed_meeting_says_so_at_the_top(make, login_as):
    body = make.body()
    cancelled = make.meeting(body, datetime(2026, 1, 6, 15, tzinfo=UTC), status="cancelled", status_reason="National mourning.")
    postponed = make.meeting(body, datetime(2026, 2, 3, 15, tzinfo=UTC), status="postponed", status_reason="New date soon.")
    c = login_as("secretariat")
    first = _agenda(c, cancelled.id).paragraphs[2]
    assert first.text == "THIS MEETING IS CANCELLED. National mourning." and first.runs[0].bold
    assert _agenda(c, postponed.id).paragraphs[2].text == "THIS MEETING IS POSTPONED. New date soon."


def test_the_number_column_is_narrow_and_text_columns_wide(make, login_as):
    body = make.body()
    meeting = make.meeting(body, datetime(2026, 1, 6, 15, tzinfo=UTC))
    c = login_as("secretariat")
    c.submit(f"/meetings/{meeting.id}/agenda", {"title": "A long agenda item title", "duration_minutes": "30"})
    (table,) = _agenda(c, meeting.id).tables
    number, item, presenter, duration = (cell.width for cell in table.rows[1].cells)
    assert number < duration < presenter < item
    assert table.columns[1].width == item


def test_minutes_without_actions_say_so_instead_of_an_empty_table(make, login_as, db_read):
    body = make.body()
    meeting = make.meeting(body, datetime(2026, 1, 6, 15, tzinfo=UTC), status="held")
    later = make.meeting(body, datetime(2026, 2, 3, 15, tzinfo=UTC))
    c = login_as("secretariat")
    c.submit(f"/minutes/new/{meeting.id}")
    from coordination.meetings.models import Meeting

    with db_read() as s:
        minutes = s.get(Meeting, meeting.id).minutes[0]
    c.submit(f"/minutes/{minutes.id}/circulate", {"comment_by": "2099-01-01"})
    c.submit(f"/minutes/{minutes.id}/approve", {"approved_at_meeting_id": later.id})
    document = Document(io.BytesIO(c.get(f"/minutes/{minutes.id}.docx").data))
    text = _text(document)
    assert "No decision was recorded." in text and "No action item arose from this meeting." in text
    assert len(document.tables) == 1  # attendance only
