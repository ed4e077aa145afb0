"""No lost update on any edit form, and no false conflict from bookkeeping (through HTTP, like two browsers)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest

from coordination.accounts.models import User
from coordination.audit import AuditEntry
from coordination.charters.models import CharterStatus
from coordination.extensions import db


class _FormReader(HTMLParser):
    """The fields a browser would send for the form posting to ``action`` (or the one holding ``version``)."""

    def __init__(self, action: str | None):
        super().__init__(convert_charrefs=True)
        self.action, self.forms, self.current, self.select, self.textarea = action, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.current = {"action": a.get("action", ""), "fields": {}}
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") == "checkbox":
                self.current["fields"].setdefault(a["name"], [])
                self.current["fields"][a["name"]] = [*self.current["fields"][a["name"]], a.get("value", "y")]
            else:
                self.current["fields"][a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a.get("name")
            self.current["fields"].setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in a:
            self.current["fields"][self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a.get("name")
            self.current["fields"][self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.current is not None:
            self.current["fields"][self.textarea] += data.lstrip("\n") if not self.current["fields"][self.textarea] else data


def read_form(client, url: str) -> dict:
    """GET ``url`` and return the edit form's fields as the browser would post them."""
    page = client.get(url)
    assert page.status_code == 200, url
    reader = _FormReader(None)
    reader.feed(page.get_data(as_text=True))
    forms = [f for f in reader.forms if "version" in f["fields"]]
    assert forms, f"no versioned form on {url}"
    return dict(forms[0]["fields"])


@pytest.fixture
def world(make, committee):
    body = committee["body"]
    people = committee["people"]
    meeting = make.meeting(body, datetime(2026, 3, 3, 15, tzinfo=UTC))
    with_agenda = {"meeting": meeting}
    plan = make.plan(body, title="Plan")
    axis = make.item(plan=plan, title="Axis")
    other_axis = make.item(plan=plan, title="Other axis")
    action = make.item(plan=plan, parent=axis, title="Action", lead_organisation_id=committee["orgs"][0].id)
    draft = make.charter(body, status=CharterStatus.DRAFT, title="Draft terms")
    return {"body": body, "people": people, "plan": plan, "axis": axis, "other_axis": other_axis,
            "action": action, "draft": draft, **with_agenda, "orgs": committee["orgs"]}


def _seat_ids(db_read, body_id):
    from coordination.memberships.models import OrganisationMembership, PersonMembership

    with db_read() as s:
        org_seat = s.execute(db.select(OrganisationMembership.id).where(OrganisationMembership.body_id == body_id)
                             .order_by(OrganisationMembership.id)).scalars().first()
        person_seat = s.execute(db.select(PersonMembership.id).where(PersonMembership.body_id == body_id)
                                .order_by(PersonMembership.id)).scalars().first()
    return org_seat, person_seat


# (edit page, field changed by the first person, field changed by the second)
def _cases(world, db_read, agenda_id):
    body_id = world["body"].id
    org_seat, person_seat = _seat_ids(db_read, body_id)
    return [
        (f"/meetings/{world['meeting'].id}/agenda/{agenda_id}/edit", ("title", "Alice's item"), ("description", "Bob")),
        (f"/bodies/{body_id}/organisations/{org_seat}/edit", ("notes", "Alice"), ("notes", "Bob")),
        (f"/bodies/{body_id}/people/{person_seat}/edit", ("end_date", "2030-01-31"), ("end_date", "2031-01-31")),
        (f"/bodies/{body_id}/organisations/{org_seat}/end", ("end_date", "2029-12-31"), ("end_date", "2028-12-31")),
        (f"/bodies/{body_id}/people/{person_seat}/end", ("end_date", "2029-12-31"), ("end_date", "2028-12-31")),
        (f"/bodies/{body_id}/edit", ("mandate", "Alice's mandate"), ("area", "Bob's area")),
        (f"/bodies/{body_id}/charters/{world['draft'].id}/edit", ("title", "Alice's terms"), ("mandate", "Bob")),
        (f"/organisations/{world['orgs'][2].id}/edit", ("phone", "111"), ("phone", "222")),
        (f"/plans/{world['plan'].id}/edit", ("title", "Alice's plan"), ("description", "Bob")),
        (f"/plans/items/{world['action'].id}/edit", ("title", "Alice's action"), ("description", "Bob")),
        (f"/plans/items/{world['action'].id}/move", ("parent_id", str(world["other_axis"].id)), ("parent_id", "")),
        (f"/meetings/{world['meeting'].id}/edit", ("location", "Alice's room"), ("location", "Bob's room")),
        (f"/accounts/users/{world['people']['justice'].id}/edit", ("position", "Alice"), ("position", "Bob")),
    ]


def test_every_edit_form_refuses_a_stale_copy(login_as, world, db_read):
    alice, bob = login_as("admin"), login_as("admin")
    assert alice.submit(f"/meetings/{world['meeting'].id}/agenda", {"title": "Item", "duration_minutes": "15"}).status_code == 303
    from coordination.meetings.models import AgendaItem

    with db_read() as s:
        agenda_id = s.execute(db.select(AgendaItem.id)).scalar_one()
    for url, (a_field, a_value), (b_field, b_value) in _cases(world, db_read, agenda_id):
        mine, theirs = read_form(alice, url), read_form(bob, url)
        first = alice.submit(url, {**mine, a_field: a_value}, token_url=url)
        assert first.status_code == 303, (url, first.get_data(as_text=True)[:2000])
        with db_read() as s:
            audit = s.execute(db.select(db.func.count()).select_from(AuditEntry)).scalar()
        second = bob.submit(url, {**theirs, b_field: b_value}, token_url=url)
        assert second.status_code == 409, url
        assert "Someone else changed this record" in second.get_data(as_text=True), url
        with db_read() as s:  # nothing written by the refused save
            assert s.execute(db.select(db.func.count()).select_from(AuditEntry)).scalar() == audit, url
        # Reopening the form shows the current version, which saves.
        again = read_form(bob, url)
        assert again[a_field].strip() == a_value or a_field in ("end_date", "parent_id"), url


def test_reordering_the_agenda_does_not_make_an_open_item_form_stale(login_as, world, db_read):
    c = login_as("secretariat")
    meeting = world["meeting"]
    for title in ("One", "Two"):
        c.submit(f"/meetings/{meeting.id}/agenda", {"title": title, "duration_minutes": "15"})
    from coordination.meetings.models import AgendaItem

    with db_read() as s:
        one, two = s.execute(db.select(AgendaItem.id).order_by(AgendaItem.position)).scalars().all()
    url = f"/meetings/{meeting.id}/agenda/{one}/edit"
    form = read_form(c, url)
    assert login_as("secretariat").submit(f"/meetings/{meeting.id}/agenda/{two}/up").status_code == 303
    assert c.submit(url, {**form, "title": "One, renamed"}, token_url=url).status_code == 303
    with db_read() as s:
        assert [a.title for a in s.execute(db.select(AgendaItem).order_by(AgendaItem.position)).scalars()] == [
            "Two", "One, renamed"]


def test_a_signature_does_not_make_an_open_charter_form_stale(login_as, make, world, db_read):
    charter = make.charter(world["body"], status=CharterStatus.UNDER_REVIEW, title="Under review")
    c = login_as("secretariat")
    url = f"/bodies/{world['body'].id}/charters/{charter.id}/edit"
    form = read_form(c, url)
    signed = login_as("secretariat").submit(f"/bodies/{world['body'].id}/charters/{charter.id}/signatories", {
        "organisation_id": world["orgs"][0].id, "signer_name": "Minister", "signed_on": date(2024, 1, 5).isoformat()})
    assert signed.status_code == 303
    assert c.submit(url, {**form, "title": "Under review, retitled"}, token_url=url).status_code == 303


def test_logging_in_again_is_bookkeeping_not_a_conflict(login_as, make, client_factory, db_read):
    user = make.user(full_name="Busy Person")
    c = login_as(user)
    form = read_form(c, "/accounts/profile")
    with db_read() as s:
        version = s.get(User, user.id).version
    for _ in range(3):  # the same account logs in elsewhere meanwhile
        assert client_factory().login(user.email).status_code == 303
    with db_read() as s:
        fresh = s.get(User, user.id)
        assert fresh.version == version and fresh.last_login_at is not None
    assert c.submit("/accounts/profile", {**form, "position": "Focal point"}).status_code == 303
