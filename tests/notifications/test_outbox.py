"""The outbox: queued in the change's transaction, sent after commit, retried, never doubled."""
from __future__ import annotations

from datetime import timedelta

import pytest

from coordination.db import utcnow
from coordination.errors import ValidationError
from coordination.extensions import db
from coordination.notifications import sender, services
from coordination.notifications.message import HeaderInjectionError, Mail, header_safe, link
from coordination.notifications.models import OutboxMessage, OutboxStatus
from tests.notifications.conftest import parts


def _mail(to="someone@example.net", subject="Hello", **kw) -> Mail:
    return Mail(kind="test", to_address=to, to_name=kw.pop("name", "Some One"), subject=subject,
                text="Plain text é", html="<p>HTML</p>", **kw)


def test_a_queued_message_goes_once_with_text_and_html_and_a_fixed_message_id(app, smtp):
    with app.app_context():
        row = services.queue(_mail())
        message_id = row.message_id
        db.session.commit()
        assert sender.send_due().sent == 1
        assert sender.send_due().total == 0  # nothing twice
        assert db.session.get(OutboxMessage, row.id).status == OutboxStatus.SENT
    (message,) = smtp.inbox.messages
    assert message["Message-ID"] == message_id and message["To"] == "Some One <someone@example.net>"
    found = parts(message)
    assert found["text/plain"][0].get_content().strip() == "Plain text é"
    assert found["text/html"][0].get_content().strip() == "<p>HTML</p>"
    assert message.get_content_type() == "multipart/alternative"


def test_smtp_down_the_message_waits_with_growing_delays_then_goes_once(app, smtp):
    smtp.stop()
    with app.app_context():
        row = services.queue(_mail())
        db.session.commit()
        first = sender.send_due()
        assert first.retrying == 1 and first.sent == 0
        stored = db.session.get(OutboxMessage, row.id)
        assert stored.status == OutboxStatus.QUEUED and stored.attempts == 1 and stored.last_error
        delay1 = stored.next_attempt_at - utcnow()
        assert sender.send_due().total == 0  # not due yet
        second = sender.send_due(now=stored.next_attempt_at + timedelta(seconds=1))
        assert second.retrying == 1
        stored = db.session.get(OutboxMessage, row.id)
        assert stored.next_attempt_at - utcnow() > delay1  # the delay grows
        smtp.start()
        assert sender.send_due(now=stored.next_attempt_at + timedelta(seconds=1)).sent == 1
        assert sender.send_due(now=utcnow() + timedelta(days=3)).total == 0
    assert len(smtp.inbox.messages) == 1


def test_after_the_last_attempt_the_message_is_failed_and_an_admin_retries_it(app, smtp, login_as, db_read):
    smtp.stop()
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    try:
        with app.app_context():
            row = services.queue(_mail(subject="Will fail"))
            db.session.commit()
            sender.send_due()
            report = sender.send_due(now=utcnow() + timedelta(days=2))
            assert report.failed == 1
            assert db.session.get(OutboxMessage, row.id).status == OutboxStatus.FAILED
            row_id = row.id
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = 8
    member = login_as("member")
    assert member.get("/mail/outbox").status_code == 403
    assert member.submit(f"/mail/outbox/{row_id}/retry").status_code == 403
    secretariat = login_as("secretariat")
    assert secretariat.get("/mail/outbox").status_code == 403
    admin = login_as("admin")
    page = admin.get("/mail/outbox?status=failed").get_data(as_text=True)
    assert "Will fail" in page and "Retry" in page
    smtp.start()
    assert admin.submit(f"/mail/outbox/{row_id}/retry").status_code == 303
    with db_read() as session:
        assert session.get(OutboxMessage, row_id).status == OutboxStatus.SENT
    assert [m["Subject"] for m in smtp.inbox.messages] == ["Will fail"]
    # A message that is not failed cannot be retried; an unknown one is 404.
    assert admin.submit(f"/mail/outbox/{row_id}/retry").status_code == 409
    assert admin.submit("/mail/outbox/999999/retry").status_code == 404
    assert "Sent" in admin.get("/mail/outbox?status=sent").get_data(as_text=True)


def test_a_recipient_refused_for_good_is_failed_at_once(app, smtp):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 No such user"

    smtp.inbox.handle_RCPT = refuse
    with app.app_context():
        row = services.queue(_mail())
        db.session.commit()
        assert sender.send_due().failed == 1
        assert db.session.get(OutboxMessage, row.id).status == OutboxStatus.FAILED


def test_a_rolled_back_change_queues_nothing(app, smtp):
    with app.app_context():
        services.queue(_mail())
        db.session.rollback()
        assert db.session.execute(db.select(db.func.count()).select_from(OutboxMessage)).scalar() == 0
        assert sender.send_due().total == 0
    assert smtp.inbox.messages == []


@pytest.mark.parametrize("field", ["subject", "name", "to"])
def test_line_breaks_never_reach_a_header(app, field):
    evil = "Meeting\r\nBcc: victim@example.net"
    kwargs = {"subject": "ok", "name": "ok", "to": "a@example.net"}
    kwargs[field] = evil
    with app.app_context():
        with pytest.raises(ValidationError):
            services.queue(_mail(**kwargs))
        assert db.session.execute(db.select(db.func.count()).select_from(OutboxMessage)).scalar() == 0
    with pytest.raises(HeaderInjectionError):
        header_safe("a\nb")


def test_links_come_from_the_canonical_base_url_not_the_request(app):
    with app.test_request_context("/", headers={"Host": "evil.example.com"}):
        assert link("meetings.detail", meeting_id=3) == "https://portal.example.gov/meetings/3"
    with app.app_context():
        assert link("accounts.login") == "https://portal.example.gov/accounts/login"


def test_development_writes_eml_files(app, tmp_path):
    saved = app.config["MAIL_FOLDER"]
    app.config["MAIL_FOLDER"] = str(tmp_path)
    try:
        with app.app_context():
            services.queue(_mail(subject="To a file"))
            db.session.commit()
            assert sender.send_due().sent == 1
    finally:
        app.config["MAIL_FOLDER"] = saved
    (path,) = tmp_path.glob("*.eml")
    assert "Subject: To a file" in path.read_text()


def test_the_outbox_page_query_count_does_not_grow(app, login_as, count_queries):
    admin = login_as("admin")
    state = {"n": 0}

    def measure(total: int) -> int:
        with app.app_context():
            for n in range(state["n"], total):
                services.queue(_mail(to=f"p{n}@example.net", subject=f"Message {n}"))
            db.session.commit()
        state["n"] = total
        with count_queries() as count:
            assert admin.get("/mail/outbox").status_code == 200
        return count()

    assert measure(3) == measure(60)
