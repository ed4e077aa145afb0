"""Signed-in pages served again from the page cache: one query while nothing changed, the new
content as soon as anything was written, never someone else's page (coordination/page_cache.py)."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from coordination import create_app, page_cache
from coordination.accounts.models import UserSession
from coordination.bodies.models import Visibility
from coordination.extensions import db, limiter
from coordination.meetings.models import AgendaItem
from coordination.page_cache import ContentStamp
from tests.test_form_tokens import form_on

TOKEN = re.compile(r'name="form_token" type="hidden" value="([\w-]+)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.fixture
def place(make, committee):
    """The committee with a meeting, its minutes, a plan with an item; a member who sits on it."""
    body = committee["body"]
    meeting = make.meeting(body, datetime(2026, 3, 3, 15, tzinfo=UTC), title="March meeting")
    minutes = make.minutes(meeting, "circulated")
    plan = make.plan(body, title="National plan")
    item = make.item(plan, title="Train the police", lead_organisation=committee["orgs"][0])
    return {**committee, "meeting": meeting, "minutes": minutes, "plan": plan, "item": item,
            "member": committee["people"]["health"]}


def pages(place) -> list[str]:
    body, plan = place["body"], place["plan"]
    return [f"/meetings/{place['meeting'].id}", f"/minutes/{place['minutes'].id}", f"/bodies/{body.id}", "/bodies/",
            "/dashboard", f"/plans/{plan.id}", "/plans/", f"/plans/items?plan={plan.id}",
            f"/plans/items/{place['item'].id}"]


def _version(db_read) -> int:
    with db_read() as s:
        return s.execute(sa.select(ContentStamp.version)).scalar_one()


def _masked(html: str) -> str:
    return TOKEN.sub("token", html)


@pytest.mark.parametrize("role", ["member", "secretariat", "evaluator"])
def test_a_page_seen_again_costs_one_query_and_is_the_same_page(role, place, login_as, count_queries):
    c = login_as(place["member"] if role == "member" else role)
    for url in pages(place):
        first = c.get(url)
        assert first.status_code == 200, url
        with count_queries() as n:
            again = c.get(url)
        assert again.status_code == 200 and n() == 1, (url, n())  # the session, with the content stamp
        assert _masked(again.get_data(as_text=True)) == _masked(first.get_data(as_text=True)), url
        assert again.headers["Cache-Control"] == "no-store" and again.headers["X-Request-ID"]
        assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_the_query_count_of_a_page_seen_again_does_not_follow_the_rows(place, make, login_as, count_queries):
    c = login_as(place["member"])
    make.bulk_meetings(place["body"], 40, datetime(2026, 4, 1, 15, tzinfo=UTC))
    for url in pages(place):
        c.get(url)
        with count_queries() as n:
            assert c.get(url).status_code == 200
        assert n() == 1, url


def test_a_change_made_through_the_pages_shows_at_once(place, login_as):
    member, staff = login_as(place["member"]), login_as("secretariat")
    meeting = f"/meetings/{place['meeting'].id}"
    assert "March meeting" in member.get(meeting).get_data(as_text=True)
    data = {**form_on(staff, f"{meeting}/edit", ""), "title": "Extraordinary March meeting"}
    assert staff.post(f"{meeting}/edit", data=data).status_code == 303
    assert "Extraordinary March meeting" in member.get(meeting).get_data(as_text=True)
    assert "Extraordinary March meeting" in member.get("/dashboard").get_data(as_text=True)


def test_losing_a_seat_on_a_restricted_body_hides_its_cached_pages(make, login_as, db_read):
    hidden = make.body(name="Closed Sub-commission", visibility=Visibility.RESTRICTED)
    org = make.organisation(acronym="MSPP")
    org_seat = make.seat(hidden, org)
    member = make.user(organisation=org)
    seat = make.person_seat(hidden, member)
    meeting = make.meeting(hidden, datetime(2026, 3, 3, 15, tzinfo=UTC), title="Closed meeting")
    c = login_as(member)
    assert c.get(f"/bodies/{hidden.id}").status_code == 200
    assert c.get(f"/meetings/{meeting.id}").status_code == 200
    assert "Closed Sub-commission" in c.get("/bodies/").get_data(as_text=True)
    admin = login_as("admin")
    for removed in (f"people/{seat.id}", f"organisations/{org_seat.id}"):  # one sits through both
        assert admin.submit(f"/bodies/{hidden.id}/{removed}/delete",
                            token_url=f"/bodies/{hidden.id}/members").status_code == 303
    assert c.get(f"/bodies/{hidden.id}").status_code == 404
    assert c.get(f"/meetings/{meeting.id}").status_code == 404
    assert "Closed Sub-commission" not in c.get("/bodies/").get_data(as_text=True)


def test_an_ended_session_or_a_closed_account_is_never_served_a_kept_page(place, login_as, db_read, make):
    c = login_as(place["member"])
    url = f"/meetings/{place['meeting'].id}"
    assert c.get(url).status_code == 200
    with db_read() as s:  # the session ended elsewhere (another browser's "end this session")
        s.execute(sa.delete(UserSession).where(UserSession.user_id == place["member"].id))
        s.commit()
    answer = c.get(url)
    assert answer.status_code == 302 and "/accounts/login" in answer.headers["Location"]

    other = make.user(organisation=place["orgs"][1])
    make.person_seat(place["body"], other)
    c2 = login_as(other)
    assert c2.get(url).status_code == 200
    admin = login_as("admin")
    assert admin.submit(f"/accounts/users/{other.id}/deactivate",
                        token_url=f"/accounts/users/{other.id}").status_code == 303
    assert c2.get(url).status_code == 302


def test_nobody_is_served_a_page_built_for_someone_else(place, login_as):
    health, justice = login_as(place["member"]), login_as(place["people"]["justice"])
    mine = health.get("/dashboard").get_data(as_text=True)
    theirs = justice.get("/dashboard").get_data(as_text=True)
    assert "Health Principal" in mine and "Justice Member" not in mine
    assert "Justice Member" in theirs and "Health Principal" not in theirs
    # The same person in a second browser gets a page whose forms carry that browser's CSRF token.
    second = login_as(place["member"])
    second.get("/accounts/profile")  # its first page after log-in makes the session's CSRF secret
    url = f"/minutes/{place['minutes'].id}"
    one = health.get(url).get_data(as_text=True)
    assert _masked(health.get(url).get_data(as_text=True)) == _masked(one)  # kept, and served again
    again = second.get(url).get_data(as_text=True)
    assert CSRF.search(one).group(1) != CSRF.search(again).group(1)
    comment = {**dict(re.findall(r'name="(\w+)" type="hidden" value="([^"]*)"', again)), "text": "Agreed."}
    assert second.post(f"/minutes/{place['minutes'].id}/comments", data=comment).status_code == 303


def test_each_copy_of_a_kept_page_has_its_own_one_time_tokens(place, login_as, db_read):
    """Two tabs opened on the same page are two forms: the second is not a double submit."""
    c = login_as("secretariat")
    url = f"/meetings/{place['meeting'].id}"
    first, second = form_on(c, url, f"{url}/agenda"), form_on(c, url, f"{url}/agenda")
    assert first["form_token"] != second["form_token"]
    for data, title in ((first, "Opening"), (second, "Budget")):
        assert c.post(f"{url}/agenda", data={**data, "title": title, "duration_minutes": "10"}).status_code == 303
    with db_read() as s:
        titles = set(s.execute(sa.select(AgendaItem.title).where(AgendaItem.meeting_id == place["meeting"].id)).scalars())
    assert titles == {"Opening", "Budget"}
    # ... while the same copy sent twice is still one agenda item.
    third = form_on(c, url, f"{url}/agenda")
    for _ in range(2):
        c.post(f"{url}/agenda", data={**third, "title": "Any other business", "duration_minutes": "5"})
    with db_read() as s:
        assert s.execute(sa.select(sa.func.count()).where(AgendaItem.title == "Any other business")).scalar() == 1


def test_a_flashed_message_is_shown_once_and_never_kept(place, login_as):
    c = login_as("secretariat")
    url = f"/meetings/{place['meeting'].id}"
    c.get(url)
    data = {**form_on(c, f"{url}/edit", ""), "location": "Ministry, room 9"}
    done = c.post(f"{url}/edit", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Meeting saved." in done
    again = c.get(url).get_data(as_text=True)
    assert "Ministry, room 9" in again and "Meeting saved." not in again


def test_a_form_to_restore_is_not_answered_from_the_cache(place, login_as, count_queries):
    c = login_as(place["member"])
    url = f"/minutes/{place['minutes'].id}"
    c.get(url)
    with c.session_transaction() as browser:
        browser["restore_form"] = url
    with count_queries() as n:
        assert c.get(url).status_code == 200
    assert n() > 1


def test_the_language_chosen_is_the_language_served(place, login_as):
    c = login_as(place["member"])
    url = f"/bodies/{place['body'].id}"
    assert '<html lang="en"' in c.get(url).get_data(as_text=True)
    assert c.submit("/accounts/language", {"language": "fr", "next": url}).status_code in (302, 303)
    assert '<html lang="fr"' in c.get(url).get_data(as_text=True)


def test_a_new_day_is_a_new_page(place, login_as, count_queries, monkeypatch):
    c = login_as(place["member"])
    url = f"/plans/{place['plan'].id}"
    c.get(url)
    tomorrow = date.today() + timedelta(days=1)
    monkeypatch.setattr(page_cache, "local_today", lambda zone=None: tomorrow)
    with count_queries() as n:
        c.get(url)
    assert n() > 1


def test_a_kept_page_lives_at_most_page_cache_seconds(place, login_as, count_queries, monkeypatch, app):
    import cachelib.simple

    c = login_as(place["member"])
    url = f"/bodies/{place['body'].id}"
    c.get(url)
    now = cachelib.simple.time()
    monkeypatch.setattr(cachelib.simple, "time", lambda: now + app.config["PAGE_CACHE_SECONDS"] - 1)
    with count_queries() as n:
        c.get(url)
    assert n() == 1
    monkeypatch.setattr(cachelib.simple, "time", lambda: now + app.config["PAGE_CACHE_SECONDS"] + 1)
    with count_queries() as n:
        c.get(url)
    assert n() > 1


def test_zero_seconds_turns_the_cache_off(place, login_as, count_queries, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)
    c = login_as(place["member"])
    url = f"/meetings/{place['meeting'].id}"
    c.get(url)
    with count_queries() as n:
        c.get(url)
    assert n() > 1


def test_anonymous_visitors_are_sent_to_log_in_every_time(place, client, login_as):
    url = f"/meetings/{place['meeting'].id}"
    login_as(place["member"]).get(url)  # kept for the member
    for _ in range(2):
        answer = client.get(url)
        assert answer.status_code == 302 and "/accounts/login" in answer.headers["Location"]


# --- the content stamp ------------------------------------------------------------------------------

def test_content_writes_move_the_stamp_and_nothing_else_does(app, db_read, make):
    before = _version(db_read)
    make.organisation(acronym="NEW")  # the ORM's unit of work
    assert _version(db_read) == before + 1
    with app.app_context():
        db.session.execute(sa.text("UPDATE organisations SET name = name"))  # a statement of its own
        db.session.commit()
        assert _version(db_read) == before + 2
        db.session.execute(sa.update(ContentStamp).values(version=ContentStamp.version))  # the stamp itself
        db.session.commit()
        db.session.execute(sa.select(ContentStamp.version))  # a read
        db.session.commit()
        db.session.execute(sa.text("UPDATE organisations SET name = name"))  # rolled back
        db.session.rollback()
        db.session.commit()
    assert _version(db_read) == before + 2


def test_a_write_in_a_savepoint_later_rolled_back_still_counts_the_writes_before_it(app, db_read, make):
    org = make.organisation(acronym="OLD")
    before = _version(db_read)
    with app.app_context():
        db.session.execute(sa.text("UPDATE organisations SET name = 'Renamed' WHERE id = :id"), {"id": org.id})
        with pytest.raises(RuntimeError), db.session.begin_nested():
            db.session.execute(sa.text("UPDATE organisations SET name = name"))
            raise RuntimeError
        db.session.commit()
    assert _version(db_read) == before + 1


def test_session_activity_is_bookkeeping(place, login_as, db_read, monkeypatch):
    c = login_as(place["member"])
    url = f"/meetings/{place['meeting'].id}"
    c.get(url)
    before = _version(db_read)
    from coordination.accounts import sessions

    later = sessions.now() + timedelta(minutes=5)
    monkeypatch.setattr(sessions, "now", lambda: later)
    assert c.get(url).status_code == 200
    with db_read() as s:
        seen = s.execute(sa.select(UserSession.last_seen_at).where(UserSession.user_id == place["member"].id)).scalar_one()
    assert seen == later
    assert _version(db_read) == before


@pytest.fixture
def second_app(app):
    """Another app process on the same database, with its own in-process cache."""
    other = create_app({**app.config, "TESTING": True})
    yield other
    limiter.init_app(app)  # the limiter is one object: give it back to the suite's app
    with other.app_context():
        db.engine.dispose()


def test_a_write_in_another_process_is_seen_by_this_one(place, login_as, second_app):
    """Each process keeps its own pages; the stamp in the database tells them all of a change."""
    from tests.conftest import Client

    other = second_app

    member = login_as(place["member"])
    url = f"/meetings/{place['meeting'].id}"
    assert "March meeting" in member.get(url).get_data(as_text=True)
    other.test_client_class = Client
    staff_user = login_as("secretariat").user
    staff = other.test_client()
    assert staff.login(staff_user.email).status_code == 303
    data = {**form_on(staff, f"{url}/edit", ""), "title": "April meeting"}
    assert staff.post(f"{url}/edit", data=data).status_code == 303
    assert "April meeting" in member.get(url).get_data(as_text=True)


def test_a_new_release_does_not_read_an_older_one_s_pages(app, second_app, tmp_path):
    before = page_cache.release_tag(app)
    assert before == page_cache.release_tag(app)
    other = second_app
    other.template_folder = str(tmp_path)
    (tmp_path / "base.html").write_text("<html></html>")
    assert page_cache.release_tag(other) != before


def test_a_page_built_for_head_is_not_kept(place, login_as, count_queries):
    c = login_as(place["member"])
    c.get("/accounts/profile")
    url = f"/plans/items?plan={place['plan'].id}"
    assert c.head(url).status_code == 200
    with count_queries() as n:
        page = c.get(url).get_data(as_text=True)
    assert n() > 1  # built again: the HEAD's page was not kept
    assert f'name="next" value="{url}"' in page.replace("&amp;", "&")


def test_someone_logging_in_renews_no_page(place, login_as, db_read):
    login_as(place["member"])
    before = _version(db_read)
    login_as(place["people"]["justice"])  # a session opened and the time of the log-in noted
    assert _version(db_read) == before


def test_the_stamp_moves_at_the_outermost_commit_only(app, db_read, make, count_queries):
    """Savepoints (a one-time token's claim, nested ones) neither move it early nor lose the move."""
    org = make.organisation(acronym="OLD")
    before = _version(db_read)
    rename = sa.text("UPDATE organisations SET name = 'Renamed' WHERE id = :id")
    with app.app_context():
        db.session.execute(rename, {"id": org.id})
        with pytest.raises(RuntimeError), db.session.begin_nested():
            with db.session.begin_nested():  # released inside the savepoint rolled back below
                db.session.execute(sa.text("UPDATE organisations SET acronym = acronym"))
            raise RuntimeError
        with count_queries() as n, db.session.begin_nested():
            db.session.execute(sa.text("UPDATE organisations SET acronym = acronym"))
        assert n() == 1  # the savepoint's release moved nothing
        db.session.commit()
    assert _version(db_read) == before + 1


def test_pages_have_a_store_of_their_own(place, login_as, app):
    from coordination.extensions import cache, page_store

    login_as(place["member"]).get(f"/meetings/{place['meeting'].id}")
    with app.app_context():
        pages, shared = page_store.cache, cache.cache
        assert pages is not shared and pages._max_bytes == app.config["PAGE_CACHE_MAX_BYTES"]
        assert any(f"/meetings/{place['meeting'].id}" in key for key in pages._cache)
        assert not any("/meetings/" in key for key in shared._cache)


def test_a_change_of_a_many_to_many_collection_alone_moves_the_stamp(app, db_read, place):
    from coordination.organisations.models import Organisation
    from coordination.plans.models import ActionItem

    before = _version(db_read)
    with app.app_context():
        item = db.session.get(ActionItem, place["item"].id)
        item.supporters.append(db.session.get(Organisation, place["orgs"][1].id))  # a row of action_item_supporters only
        db.session.commit()
    assert _version(db_read) == before + 1
