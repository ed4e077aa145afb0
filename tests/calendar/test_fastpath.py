"""The token feeds' fast path: a successful feed answer skips the page hooks; anything else is
answered by the application as before (its error pages, logs and hooks)."""
import re
from contextlib import contextmanager

from flask import request_started

from coordination.bodies.models import Visibility
from tests.calendar import ZONE


@contextmanager
def _app_cycles(app):
    """How many requests went through the application's request cycle (its hooks) meanwhile."""
    seen: list[str] = []

    def started(sender, **extra):
        from flask import request

        seen.append(request.path)

    request_started.connect(started, app)
    try:
        yield seen
    finally:
        request_started.disconnect(started, app)


def test_a_feed_answer_skips_the_page_hooks_and_keeps_the_security_headers(app, client, setting):
    urls = [f"/calendar/{setting['token']}/bodies/{setting['body'].id}.ics",
            f"/calendar/{setting['token']}/mine.ics"]
    with _app_cycles(app) as cycles:
        for url in urls:
            first = client.get(url)
            assert first.status_code == 200 and b"SUMMARY:March meeting" in first.data
            again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
            assert again.status_code == 304 and again.data == b""
            head = client.head(url)
            assert head.status_code == 200 and head.headers["ETag"] == first.headers["ETag"]
            for answer in (first, again, head):
                headers = answer.headers
                assert headers["Cache-Control"] == "private, no-cache"
                assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
                assert "default-src 'self'" in headers["Content-Security-Policy"]
                assert re.fullmatch(r"[0-9a-f]{16}", headers["X-Request-ID"])
                assert "Set-Cookie" not in headers  # no session for calendar programs
    assert cycles == []


def test_what_is_not_a_feed_success_is_answered_by_the_application(app, client, make, setting):
    token = setting["token"]
    closed = make.body(name="Closed commission", visibility=Visibility.RESTRICTED, timezone=ZONE)
    with _app_cycles(app) as cycles:
        unknown = client.get("/calendar/not-a-token/mine.ics")
        hidden = client.get(f"/calendar/{token}/bodies/{closed.id}.ics")
        missing = client.get(f"/calendar/{token}/bodies/999999.ics")
        posted = client.post(f"/calendar/{token}/mine.ics")
        page = client.get("/calendar/")
    for answer in (unknown, hidden, missing, page):
        assert answer.status_code == 404
        assert "text/html" in answer.headers["Content-Type"]  # the application's error page
        assert "Traceback" not in answer.get_data(as_text=True)
    assert posted.status_code == 405
    assert len(cycles) == 5


def test_a_deactivated_member_loses_the_feed_at_once(app, client, setting):
    from coordination.accounts.models import User
    from coordination.extensions import db

    url = f"/calendar/{setting['token']}/mine.ics"
    etag = client.get(url).headers["ETag"]
    with app.app_context():
        db.session.get(User, setting["member"].id).active = False
        db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404
