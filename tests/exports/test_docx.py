"""Word exports parsed back with python-docx (and converted by LibreOffice where it is installed)."""
import io
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest
from docx import Document

from coordination.charters.models import CharterStatus
from coordination.exports.docx import clean


@pytest.fixture
def held_meeting(login_as, make):
    body = make.body(name="National Committee", acronym="CN")
    org = make.organisation(name="Ministry of Health", acronym="MSPP")
    make.seat(body, org)
    person = make.user(organisation=org, full_name="Dr Health")
    make.person_seat(body, person)
    make.charter(body, status=CharterStatus.ADOPTED, adopted_on=date(2020, 1, 1))
    meeting = make.meeting(body, datetime(2026, 2, 3, 15, tzinfo=UTC), title="February meeting", location="Room 2")
    later = make.meeting(body, datetime(2026, 3, 3, 15, tzinfo=UTC), title="March meeting")
    c = login_as("secretariat")
    c.submit(f"/meetings/{meeting.id}/agenda", {"title": "Plan progress", "duration_minutes": "45",
                                                "presenter_organisation_id": org.id, "description": "Reports\x07 from ministries"})
    c.submit(f"/meetings/{meeting.id}/agenda", {"title": "Any other business", "duration_minutes": "15"})
    return {"client": c, "meeting": meeting, "later": later, "org": org, "person": person}


def _docx(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Document(io.BytesIO(response.data))


def _headings(document):
    return [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]


def test_agenda_document(held_meeting):
    c, meeting = held_meeting["client"], held_meeting["meeting"]
    document = _docx(c.get(f"/meetings/{meeting.id}/agenda.docx"))
    headings = _headings(document)
    assert ("Title", "National Committee") in headings and ("Heading 1", "Agenda: February meeting") in headings
    text = "\n".join(p.text for p in document.paragraphs)
    assert "10:00" in text and "America/Port-au-Prince" in text and "Room 2" in text
    assert "Total planned time: 60 min" in text and "Reports from ministries" in text  # control character removed
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["#", "Item", "Presenter", "Duration"]
    assert [c.text for c in table.rows[1].cells] == ["1", "Plan progress", "MSPP", "45 min"]
    assert table.rows[0]._tr.trPr.xml.count("tblHeader") == 1
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


def test_minutes_document(held_meeting, db_read):
    c, meeting = held_meeting["client"], held_meeting["meeting"]
    from coordination.meetings.models import Meeting

    with db_read() as s:
        invitation = s.get(Meeting, meeting.id).invitations[0].id
    c.submit(f"/meetings/{meeting.id}/attendance", {f"presence-{invitation}": "present"})
    c.submit(f"/minutes/new/{meeting.id}")
    with db_read() as s:
        minutes = s.get(Meeting, meeting.id).minutes[0]
        section = minutes.sections[0].id
    base = f"/minutes/{minutes.id}"
    c.submit(f"{base}/edit", {"summary": "", f"section-{section}": "Ministries reported progress.", "version": "1"})
    c.submit(f"{base}/decisions", {"text": "Adopt the referral protocol.", "votes_for": "9", "votes_against": "1", "abstentions": "2"})
    with db_read() as s:
        decision = s.get(Meeting, meeting.id).minutes[0].decisions[0].id
    c.submit(f"{base}/decisions/{decision}/actions", {"title": "Circulate the protocol", "lead_organisation_id": held_meeting["org"].id,
                                                      "focal_person_id": held_meeting["person"].id, "deadline": "2026-04-30"})
    c.submit(f"{base}/circulate")
    c.submit(f"{base}/approve", {"approved_at_meeting_id": held_meeting["later"].id})
    document = _docx(c.get(f"{base}.docx"))
    headings = [t for _s, t in _headings(document)]
    for expected in ("Attendance", "Quorum", "Proceedings", "1. Plan progress", "Decisions", "Action items arising", "Approval"):
        assert expected in headings
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Approved — version 1" in text and "Quorum met: 1 of 1 member organisations present" in text
    assert "Ministries reported progress." in text and "Approved at the meeting of Mar 3, 2026" in text
    attendance, decisions, actions = document.tables
    assert [c.text for c in attendance.rows[1].cells] == ["Ministry of Health", "Dr Health", "Present"]
    assert [c.text for c in decisions.rows[1].cells] == ["CN-2026-001", "Adopt the referral protocol.", "9–1–2"]
    assert [c.text for c in actions.rows[1].cells][1:] == ["Circulate the protocol", "MSPP", "Dr Health", "Apr 30, 2026", "CN-2026-001"]
    if shutil.which("soffice"):
        _converts_to_pdf(c.get(f"{base}.docx").data)


def _converts_to_pdf(data: bytes):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "minutes.docx"
        source.write_bytes(data)
        result = subprocess.run(  # noqa: S603 - fixed arguments, resolved executable
            [shutil.which("soffice"), "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "pdf",
             "--outdir", tmp, str(source)],
            capture_output=True, timeout=180, check=False,
        )
        pdf = Path(tmp) / "minutes.pdf"
        assert result.returncode == 0 and pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), result.stderr


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_agenda_opens_in_libreoffice(held_meeting):
    _converts_to_pdf(held_meeting["client"].get(f"/meetings/{held_meeting['meeting'].id}/agenda.docx").data)


def test_clean_removes_control_characters():
    assert clean("a\x00b\x0bc\td\ne") == "abc\td\ne"
    assert clean(None) == ""
