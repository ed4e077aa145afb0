"""Calendar feeds: ETag and Last-Modified, 304 on conditional requests, cached bodies that
never outlive a change (of a meeting, an item, a seat)."""
import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from coordination.bodies.models import Visibility
from tests import today
from tests.calendar import ZONE, feed_token


def _form(**overrides):
    data = {"title": "Ordinary meeting", "kind": "ordinary", "start_local": "2026-03-03T10:00",
            "end_local": "2026-03-03T12:00", "timezone": ZONE, "location": "Room 1", "online_link": "",
            "status": "planned", "status_reason": "", "version": "1"}
    data.update(overrides)
    return data


def _summaries(data: bytes) -> set[str]:
    return {str(e["SUMMARY"]) for e in Calendar.from_ical(data).walk("VEVENT")}


def test_feeds_carry_validators_and_answer_304(setting, client):
    url = f"/calendar/{setting['token']}/bodies/{setting['body'].id}.ics"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    assert "no-cache" in first.headers["Cache-Control"] and "private" in first.headers["Cache-Control"]
    assert _summaries(first.data) == {"March meeting"}
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data
    for path in (f"/calendar/{setting['token']}/mine.ics",):
        mine = client.get(path)
        assert mine.status_code == 200
        assert client.get(path, headers={"If-None-Match": mine.headers["ETag"]}).status_code == 304
    ics = setting["client"].get(f"/meetings/{setting['meeting'].id}.ics")
    assert ics.status_code == 200 and ics.headers["ETag"]
    assert setting["client"].get(f"/meetings/{setting['meeting'].id}.ics",
                                 headers={"If-None-Match": ics.headers["ETag"]}).status_code == 304


def test_a_changed_meeting_changes_etag_and_body(setting, client, login_as):
    url = f"/calendar/{setting['token']}/bodies/{setting['body'].id}.ics"
    mine = f"/calendar/{setting['token']}/mine.ics"
    before, before_mine = client.get(url), client.get(mine)
    secretariat = login_as("secretariat")
    edit = secretariat.submit(f"/meetings/{setting['meeting'].id}/edit", _form(title="March meeting (moved)"))
    assert edit.status_code == 303
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert _summaries(after.data) == {"March meeting (moved)"}
    after_mine = client.get(mine, headers={"If-None-Match": before_mine.headers["ETag"]})
    assert after_mine.status_code == 200 and "March meeting (moved)" in _summaries(after_mine.data)
    # A new meeting changes them too, and If-Modified-Since alone sees the change.
    since = client.get(url, headers={"If-Modified-Since": after.headers["Last-Modified"]})
    assert since.status_code == 304
    secretariat.submit(f"/meetings/new?body={setting['body'].id}", _form(title="April meeting", version="",
                       start_local="2026-04-07T10:00", end_local="2026-04-07T12:00"), token_url=f"/meetings/new?body={setting['body'].id}")
    newer = client.get(url, headers={"If-Modified-Since": after.headers["Last-Modified"]})
    assert newer.status_code == 200 and _summaries(newer.data) == {"March meeting (moved)", "April meeting"}


def test_a_changed_item_changes_the_personal_feed(setting, client, make, app):
    item = make.item(body=setting["body"], title="Shelter standards", lead_organisation_id=setting["org"].id,
                     deadline=today() + timedelta(days=30))
    url = f"/calendar/{setting['token']}/mine.ics"
    before = client.get(url)
    assert any("Shelter standards" in s for s in _summaries(before.data))
    with app.app_context():
        from coordination.extensions import db
        from coordination.plans import services
        from coordination.plans.models import ActionItem

        fresh = db.session.get(ActionItem, item.id)
        services.update_item(fresh, {"title": "Shelter standards, revised"}, actor=None)
        db.session.commit()
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert any("Shelter standards, revised" in s for s in _summaries(after.data))


def test_a_cached_restricted_feed_never_reaches_someone_who_lost_their_seat(make, login_as, client, db_read):
    closed = make.body(name="Closed commission", visibility=Visibility.RESTRICTED, timezone=ZONE)
    org = make.organisation(acronym="MJSP")
    member = make.user(organisation=org)
    seat = make.person_seat(closed, member)
    make.meeting(closed, datetime(2026, 5, 5, 15, tzinfo=UTC), title="Secret meeting")
    c = login_as(member)
    token = feed_token(c)
    body_url, mine_url = f"/calendar/{token}/bodies/{closed.id}.ics", f"/calendar/{token}/mine.ics"
    body_feed, mine = client.get(body_url), client.get(mine_url)
    assert body_feed.status_code == 200 and "Secret meeting" in _summaries(body_feed.data)
    assert "Secret meeting" in _summaries(mine.data)
    # The secretariat ends the seat (yesterday was its last day): both feeds are cached now.
    secretariat = login_as("secretariat")
    end_url = f"/bodies/{closed.id}/people/{seat.id}/end"
    ended = secretariat.submit(end_url, {"end_date": (today() - timedelta(days=1)).isoformat()}, token_url=end_url)
    assert ended.status_code == 303
    assert client.get(body_url).status_code == 404
    assert client.get(body_url, headers={"If-None-Match": body_feed.headers["ETag"]}).status_code == 404
    after = client.get(mine_url, headers={"If-None-Match": mine.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != mine.headers["ETag"]
    assert "Secret meeting" not in _summaries(after.data) and b"Secret meeting" not in after.data
    # Someone else who still sits on it gets the body feed from the cache, unchanged.
    other = make.user(organisation=org)
    make.person_seat(closed, other)
    other_token = feed_token(login_as(other))
    assert "Secret meeting" in _summaries(client.get(f"/calendar/{other_token}/bodies/{closed.id}.ics").data)


def test_a_new_seat_changes_the_personal_feed(make, login_as, client):
    closed = make.body(name="Closed commission", visibility=Visibility.RESTRICTED, timezone=ZONE)
    make.meeting(closed, datetime(2026, 5, 5, 15, tzinfo=UTC), title="Secret meeting")
    member = make.user(organisation=make.organisation(acronym="MAST"))
    token = feed_token(login_as(member))
    before = client.get(f"/calendar/{token}/mine.ics")
    assert "Secret meeting" not in _summaries(before.data)
    make.person_seat(closed, member)
    after = client.get(f"/calendar/{token}/mine.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "Secret meeting" in _summaries(after.data)


def test_cached_events_give_the_same_calendar_as_building_it_whole(setting, app, make):
    """The feed spliced from cached events equals ics.meetings_calendar's file (parsed back)."""
    from coordination.calendar import feeds
    from coordination.exports import ics

    make.bulk_meetings(setting["body"], 5)
    with app.test_request_context(base_url="http://localhost"):
        meetings = _body_meetings(setting["body"].id)
        whole = ics.meetings_calendar("Committee", meetings, lambda m: f"http://localhost/meetings/{m.id}",
                                      app.config["MAIL_DEFAULT_SENDER"])
        from coordination.meetings.models import Meeting

        cold = feeds.meetings_calendar("Committee", [Meeting.body_id == setting["body"].id])
        warm = feeds.meetings_calendar("Committee", [Meeting.body_id == setting["body"].id])
    assert warm == cold
    a, b = Calendar.from_ical(whole), Calendar.from_ical(cold)
    assert [c.name for c in a.subcomponents] == [c.name for c in b.subcomponents]
    assert [sorted(c.property_items()) for c in a.walk("VEVENT")] == [sorted(c.property_items()) for c in b.walk("VEVENT")]
    assert [c.to_ical() for c in a.walk("VTIMEZONE")] == [c.to_ical() for c in b.walk("VTIMEZONE")]


def _body_meetings(body_id: int):
    """A body's meetings as models, what ics.meetings_calendar writes from (the model path the
    feed's row path is compared with)."""
    from sqlalchemy.orm import joinedload

    from coordination.extensions import db
    from coordination.meetings.models import Meeting, MeetingSeries

    return list(db.session.execute(
        db.select(Meeting).where(Meeting.body_id == body_id).order_by(Meeting.start)
        .options(joinedload(Meeting.body), joinedload(Meeting.series).selectinload(MeetingSeries.meetings))
    ).scalars())


def test_unknown_token_and_bad_body_are_404(setting, client):
    assert client.get("/calendar/nope/mine.ics").status_code == 404
    assert client.get(f"/calendar/{setting['token']}/bodies/999999.ics").status_code == 404
    assert client.get("/calendar/nope/mine.ics", headers={"If-None-Match": "*"}).status_code == 404


def _read(db_read, column, row_id: int) -> int:
    """A stamp read from its row, not from an object loaded earlier."""
    import sqlalchemy as sa

    with db_read() as session:
        return session.execute(sa.select(column).where(column.table.c.id == row_id)).scalar_one()


def _stamp(db_read, body_id: int) -> int:
    from coordination.bodies.models import Body

    return _read(db_read, Body.calendar_version, body_id)


def test_every_write_to_a_bodys_meetings_moves_its_calendar_stamp(app, make, db_read):
    """The trigger sees ORM writes, bulk statements and deletes, and both bodies of a move."""
    import sqlalchemy as sa

    from coordination.extensions import db
    from coordination.meetings.models import Meeting, MeetingSeries

    body, other = make.body(name="Committee", timezone=ZONE), make.body(name="Other table", timezone=ZONE)
    start = _stamp(db_read, body.id)
    meeting = make.meeting(body, datetime(2026, 3, 3, 15, tzinfo=UTC), title="March meeting")
    inserted = _stamp(db_read, body.id)
    assert inserted > start
    with app.app_context():
        db.session.execute(sa.update(Meeting).where(Meeting.id == meeting.id).values(title="Bulk rename"))
        db.session.commit()
    updated = _stamp(db_read, body.id)
    assert updated > inserted
    other_before = _stamp(db_read, other.id)
    with app.app_context():
        db.session.execute(sa.update(Meeting).where(Meeting.id == meeting.id).values(body_id=other.id))
        db.session.commit()
    moved = _stamp(db_read, body.id)
    assert moved > updated and _stamp(db_read, other.id) > other_before
    with app.app_context():
        db.session.add(MeetingSeries(body_id=other.id, uid="series-stamp", title="Monthly", rrule="FREQ=MONTHLY",
                                     first_start_local=datetime(2026, 4, 1, 10), duration_minutes=60, timezone=ZONE))
        db.session.commit()
    with_series = _stamp(db_read, other.id)
    assert with_series > other_before
    with app.app_context():
        db.session.execute(sa.delete(Meeting).where(Meeting.id == meeting.id))
        db.session.commit()
    assert _stamp(db_read, other.id) > with_series


def test_feed_reads_run_without_a_transaction_on_postgresql(app, own_session):
    """No BEGIN/COMMIT round trips for the token feeds on PostgreSQL; SQLite is left alone."""
    from coordination.calendar.queries import read_without_transaction
    from coordination.extensions import db

    with app.test_request_context("/calendar/x/mine.ics"):
        read_without_transaction()
        connection = db.session.connection()
        assert connection.get_execution_options().get("isolation_level") == (
            "AUTOCOMMIT" if db.engine.dialect.name == "postgresql" else None)
        if db.engine.dialect.name == "postgresql":
            assert connection.connection.dbapi_connection.autocommit is True  # psycopg sends no BEGIN
        db.session.remove()


def _poll_queries(client, count_queries, url: str, etag: str) -> int:
    with count_queries() as queries:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    return queries()


def test_a_conditional_feed_costs_the_same_few_queries_for_5_or_60_meetings(setting, client, make, count_queries, app):
    """The validators read stamps, never every meeting: no query is added per meeting."""
    from coordination.extensions import cache

    body_url = f"/calendar/{setting['token']}/bodies/{setting['body'].id}.ics"
    mine_url = f"/calendar/{setting['token']}/mine.ics"
    counts = []
    for n in (5, 55):
        make.bulk_meetings(setting["body"], n)
        etags = {url: client.get(url).headers["ETag"] for url in (body_url, mine_url)}
        known = tuple(_poll_queries(client, count_queries, url, etag) for url, etag in etags.items())
        with app.app_context():
            cache.clear()  # the validators forgotten: computed again
        computed = tuple(_poll_queries(client, count_queries, url, etag) for url, etag in etags.items())
        counts.append((known, computed))
    assert counts[0] == counts[1]
    # A validator known since the content stamp last moved: that stamp's single row. Computed:
    # the stamp, then one query for the token's user, their seats, the visible bodies and the
    # body, or the personal feed's stamps (the bodies sat on, the deadlines); the member is a
    # guest nowhere else (see the next test for the query that costs).
    assert counts[0] == ((1, 1), (2, 2))


def test_a_kept_validator_is_for_one_language_and_one_day(setting, client, count_queries, monkeypatch):
    """The feed's language follows the calendar program's Accept-Language, and seats follow the date."""
    from datetime import date, timedelta

    from coordination.calendar import fastpath

    url = f"/calendar/{setting['token']}/mine.ics"
    english = client.get(url).headers["ETag"]
    assert _poll_queries(client, count_queries, url, english) == 1
    french = client.get(url, headers={"If-None-Match": english, "Accept-Language": "fr"})
    assert french.status_code == 200 and french.headers["ETag"] != english
    tomorrow = date.today() + timedelta(days=1)
    monkeypatch.setattr(fastpath, "local_today", lambda zone=None: tomorrow)
    assert _poll_queries(client, count_queries, url, english) == 2  # computed again for the new day


def test_a_guest_meeting_in_another_body_is_in_the_personal_feed_and_its_changes_show(
        setting, client, make, login_as, count_queries):
    """The meetings a member is invited to in a body they do not sit on: a second query, and
    inviting, editing, uninviting each change the ETag and the file."""
    other = make.body(name="Trafficking task force", acronym="TF", timezone=ZONE)
    meeting = make.meeting(other, datetime(2027, 4, 7, 14, tzinfo=UTC), title="Task force meeting")
    url = f"/calendar/{setting['token']}/mine.ics"
    before = client.get(url)
    assert "Task force meeting" not in _summaries(before.data)
    secretariat = login_as("secretariat")
    assert secretariat.submit(f"/meetings/{meeting.id}/guests", {"user_id": setting["member"].id}).status_code == 303
    invited = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert invited.status_code == 200 and "Task force meeting" in _summaries(invited.data)
    assert _poll_queries(client, count_queries, url, invited.headers["ETag"]) == 1  # known
    from coordination.extensions import cache

    with secretariat.application.app_context():
        cache.clear()
    assert _poll_queries(client, count_queries, url, invited.headers["ETag"]) == 3  # stamp, viewer, guest
    edited = secretariat.submit(f"/meetings/{meeting.id}/edit", _form(
        title="Task force meeting (moved)", start_local="2027-04-08T10:00", end_local="2027-04-08T12:00"))
    assert edited.status_code == 303
    moved = client.get(url, headers={"If-None-Match": invited.headers["ETag"]})
    assert moved.status_code == 200 and "Task force meeting (moved)" in _summaries(moved.data)
    from coordination.extensions import db
    from coordination.meetings.models import Invitation

    with secretariat.application.app_context():
        invitation = db.session.execute(db.select(Invitation).where(
            Invitation.meeting_id == meeting.id, Invitation.user_id == setting["member"].id)).scalar_one()
    removed = secretariat.submit(f"/meetings/{meeting.id}/invitees/{invitation.id}/remove", {})
    assert removed.status_code == 303
    gone = client.get(url, headers={"If-None-Match": moved.headers["ETag"]})
    assert gone.status_code == 200 and not any("Task force" in s for s in _summaries(gone.data))


def _deadline_stamp(db_read, organisation_id: int) -> int:
    from coordination.organisations.models import Organisation

    return _read(db_read, Organisation.deadline_version, organisation_id)


def test_every_write_to_an_organisations_items_and_reports_moves_its_deadline_stamp(app, make, db_read):
    """Items it leads (both organisations when the lead changes) and reports on them."""
    import sqlalchemy as sa

    from coordination.extensions import db
    from coordination.plans.models import ActionItem, ItemStatus, ProgressUpdate

    lead, other = make.organisation(acronym="MSPP"), make.organisation(acronym="MCFDF")
    start = _deadline_stamp(db_read, lead.id)
    item = make.item(body=make.body(name="Committee", timezone=ZONE), title="Shelter standards",
                     lead_organisation_id=lead.id, deadline=today() + timedelta(days=30))
    created = _deadline_stamp(db_read, lead.id)
    assert created > start
    with app.app_context():
        db.session.add(ProgressUpdate(item_id=item.id, update_date=today(), status=ItemStatus.COMPLETED, progress=100))
        db.session.commit()
    reported = _deadline_stamp(db_read, lead.id)
    assert reported > created
    other_before = _deadline_stamp(db_read, other.id)
    with app.app_context():
        db.session.execute(sa.update(ActionItem).where(ActionItem.id == item.id).values(lead_organisation_id=other.id))
        db.session.commit()
    assert _deadline_stamp(db_read, lead.id) > reported and _deadline_stamp(db_read, other.id) > other_before


def _vevents(data: bytes) -> list[bytes]:
    return sorted(re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", data, re.S))


def test_events_written_from_the_feed_query_are_those_written_from_the_models(setting, app, make, login_as):
    """The feed writes its events from one query's rows, without loading models: byte for byte
    the events the models give, for single meetings, a series with its rule, a moved and a
    cancelled occurrence, and a series the feed holds only part of."""
    from coordination.calendar import feeds
    from coordination.exports import ics
    from coordination.meetings.models import Meeting

    body = setting["body"]
    make.meeting(body, datetime(2026, 5, 5, 14, tzinfo=UTC), title='Budget, review; "final"\r\nround',
                 location="Salle 2,\nétage 3", status="postponed", status_reason="Quorum; not met")
    c = login_as("secretariat")
    c.submit(f"/meetings/series/new?body={body.id}", {
        "title": "Monthly meeting", "kind": "ordinary", "start_local": "2026-01-06T10:00", "end_local": "2026-01-06T12:00",
        "timezone": ZONE, "pattern": "monthly_weekday", "interval": "1", "count": "4", "location": "Room 1", "online_link": ""})
    with app.app_context():
        series_ids = sorted(m.id for m in _body_meetings(body.id) if m.series_id)
    c.submit(f"/meetings/{series_ids[1]}/edit", _form(title="Monthly meeting", start_local="2026-02-04T10:00",
                                                       end_local="2026-02-04T12:00"))
    c.submit(f"/meetings/{series_ids[2]}/edit", _form(title="Monthly meeting", start_local="2026-03-03T10:00",
                                                       end_local="2026-03-03T12:00", status="cancelled",
                                                       status_reason="Holiday"))
    with app.test_request_context(base_url="http://localhost"):
        meetings = _body_meetings(body.id)
        assert len(meetings) == 6 and any(m.moved for m in meetings)
        organizer = app.config["MAIL_DEFAULT_SENDER"]
        from_models = ics.meetings_calendar("Committee", meetings, lambda m: f"http://localhost/meetings/{m.id}", organizer)
        from_rows = feeds.meetings_calendar("Committee", [Meeting.body_id == body.id])
        # Part of the series (a guest's view): each occurrence is an event of its own.
        part = [m for m in meetings if m.id != series_ids[0]]
        part_models = ics.meetings_calendar("Committee", part, lambda m: f"http://localhost/meetings/{m.id}", organizer)
        part_rows = feeds.meetings_calendar("Committee", [Meeting.body_id == body.id, Meeting.id != series_ids[0]])
    assert b"RRULE:FREQ=MONTHLY" in from_rows and b"RECURRENCE-ID" in from_rows and b"EXDATE" in from_rows
    assert _vevents(from_rows) == _vevents(from_models) and len(_vevents(from_rows)) == 4
    assert b"RRULE:FREQ=MONTHLY" not in part_rows and _vevents(part_rows) == _vevents(part_models) and len(_vevents(part_rows)) == 5
    head = from_rows.split(b"BEGIN:VEVENT", 1)[0]
    assert head == from_models.split(b"BEGIN:VEVENT", 1)[0]  # the same VTIMEZONE, the same span


def test_a_known_feed_is_sent_whole_after_one_query(setting, client, count_queries):
    """A poll without a validator of its own (a new subscriber) gets the cached file."""
    for url in (f"/calendar/{setting['token']}/mine.ics", f"/calendar/{setting['token']}/bodies/{setting['body'].id}.ics"):
        first = client.get(url)
        with count_queries() as queries:
            again = client.get(url)
        assert queries() == 1 and again.status_code == 200 and again.data == first.data
        assert again.headers["ETag"] == first.headers["ETag"] and again.headers["Content-Type"].startswith("text/calendar")
        assert again.headers["Last-Modified"] == first.headers["Last-Modified"]
        assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
