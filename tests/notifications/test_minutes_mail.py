"""Minutes by e-mail: circulated (link and date to comment by), approved and published (Word file if ticked)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

from docx import Document

from coordination.minutes.models import Minutes, MinutesStatus
from coordination.notifications.models import OutboxMessage
from tests.notifications.conftest import parts


def _minutes(make, committee):
    body = committee["body"]
    held = make.meeting(body, datetime(2026, 1, 6, 15, tzinfo=UTC), title="January meeting", status="held")
    later = make.meeting(body, datetime(2026, 2, 3, 15, tzinfo=UTC), title="February meeting", status="held")
    return make.minutes(held), later


def test_circulation_mails_every_member_the_link_and_the_date_to_comment_by(committee, make, login_as, smtp, db_read):
    minutes, _later = _minutes(make, committee)
    member = login_as(committee["people"]["justice"])
    assert member.submit(f"/minutes/{minutes.id}/circulate", {"comment_by": "2099-01-01"}).status_code in (403, 404)
    assert smtp.inbox.messages == []
    secretariat = login_as("secretariat")
    past = secretariat.submit(f"/minutes/{minutes.id}/circulate", {"comment_by": "2000-01-01"})
    assert past.status_code == 422 and "must be after today" in past.get_data(as_text=True)
    bad = secretariat.submit(f"/minutes/{minutes.id}/circulate", {"comment_by": "soon"})
    assert bad.status_code == 422
    with db_read() as session:
        assert session.get(Minutes, minutes.id).status == MinutesStatus.DRAFT
        assert session.query(OutboxMessage).count() == 0
    by = date.today() + timedelta(days=10)
    assert secretariat.submit(f"/minutes/{minutes.id}/circulate", {"comment_by": by.isoformat()}).status_code == 303
    recipients = sorted(m["To"].addresses[0].addr_spec for m in smtp.inbox.messages)
    assert recipients == sorted(p.email for p in committee["people"].values())
    message = smtp.inbox.messages[0]
    assert message["Subject"] == "Minutes for comment: January meeting"
    text = parts(message)["text/plain"][0].get_content()
    assert f"https://portal.example.gov/minutes/{minutes.id}" in text and str(by.year) in text


def test_approval_and_publication_mail_the_link_and_attach_the_word_file_when_ticked(committee, make, login_as, smtp):
    minutes, later = _minutes(make, committee)
    secretariat = login_as("secretariat")
    secretariat.submit(f"/minutes/{minutes.id}/circulate", {"comment_by": "2099-01-01"})
    smtp.inbox.clear()
    assert secretariat.submit(f"/minutes/{minutes.id}/approve", {"approved_at_meeting_id": later.id}).status_code == 303
    approved = smtp.inbox.messages
    assert len(approved) == 5 and approved[0]["Subject"] == "Minutes approved: January meeting"
    assert "application/vnd.openxmlformats-officedocument.wordprocessingml.document" not in parts(approved[0])
    smtp.inbox.clear()
    assert secretariat.submit(f"/minutes/{minutes.id}/publish", {"attach_docx": "y"}).status_code == 303
    published = smtp.inbox.messages
    assert len(published) == 5 and published[0]["Subject"] == "Minutes published: January meeting"
    (word,) = parts(published[0])["application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    assert word.get_filename().endswith(".docx")
    document = Document(BytesIO(word.get_content()))
    assert any("Published" in p.text for p in document.paragraphs)
