"""The policy, over HTTP: every route is guarded; role × object × action gives the right answer.

A refused write must answer 403 (or 404 for what the user may not even see) and leave every
table exactly as it was, audit log included.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from coordination.accounts.models import Role
from coordination.bodies.models import SeatRole, Visibility
from coordination.extensions import db
from tests import today

STATIC_ENDPOINTS = {"static", "bootstrap.static"}


def test_every_route_has_exactly_one_guard(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "guard", None) not in {"public", "login", "guard", "token"}:
            missing.append(rule.rule)
    assert not missing, f"routes without a permission guard: {missing}"


def test_public_routes_are_only_the_expected_ones(app):
    public = sorted(
        rule.rule for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "guard", None) == "public"
    )
    assert public == ["/", "/accounts/language", "/accounts/login", "/health"]


@dataclass
class World:
    member_org: int
    other_org: int
    spare_org: int
    body: int
    empty_body: int
    hidden_body: int
    hidden_child: int
    hidden_charter: int
    org_seat: int
    person_seat: int
    charter: int
    person: int
    member_user: object
    plan: int
    empty_plan: int
    own_item: int
    other_item: int
    spare_item: int
    meeting: int
    draft_minutes: int
    circulated_meeting: int
    circulated_minutes: int


@pytest.fixture
def world(make) -> World:
    member_org = make.organisation(name="Ministry of Health", acronym="MH")
    other_org = make.organisation(name="Ministry of Justice", acronym="MJ")
    spare_org = make.organisation(name="Spare Organisation", acronym="SP")
    body = make.body(name="Main Committee")
    empty_body = make.body(name="Empty Working Group")
    hidden = make.body(name="Closed Sub-commission", visibility=Visibility.RESTRICTED)
    hidden_child = make.body(name="Closed Child", parent_id=hidden.id)
    hidden_charter = make.charter(hidden)
    org_seat = make.seat(body, other_org)
    make.seat(body, member_org)
    person = make.user(organisation=other_org, full_name="Other Person")
    person_seat = make.person_seat(body, person)
    charter = make.charter(body)
    member_user = make.user(role=Role.MEMBER, organisation=member_org)
    make.person_seat(body, member_user, SeatRole.MEMBER)
    plan = make.plan(body)
    empty_plan = make.plan(body)
    axis = make.item(plan=plan, title="Axis")
    own = make.item(plan=plan, parent=axis, lead_organisation_id=member_org.id)
    other = make.item(plan=plan, parent=axis, lead_organisation_id=other_org.id)
    spare = make.item(plan=plan, parent=axis, title="Spare")
    meeting = make.meeting(body, datetime.now(UTC) + timedelta(days=30))
    circulated_meeting = make.meeting(body, title="Circulated")
    draft, circulated = make.minutes(meeting), make.minutes(circulated_meeting, status="circulated")
    return World(member_org.id, other_org.id, spare_org.id, body.id, empty_body.id, hidden.id,
                  hidden_child.id, hidden_charter.id, org_seat.id, person_seat.id, charter.id,
                  person.id, member_user, plan.id, empty_plan.id, own.id, other.id, spare.id,
                  meeting.id, draft.id, circulated_meeting.id, circulated.id)


def _org_data(name):
    return {"name": name, "acronym": "X", "kind": "civil_society", "level": "national", "sectors": ["gender"]}


def _body_data(name):
    return {"name": name, "acronym": "NB", "kind": "working_group", "level": "national",
            "status": "active", "visibility": "internal", "timezone": "America/Port-au-Prince"}


def _charter_data():
    return {"title": "Changed title", "quorum_rule": "majority", "decision_rule": "consensus",
            "meeting_frequency": "monthly", "legal_status": "informal"}


def _seat_data(w):
    return {"organisation_id": w.spare_org, "kind": "observer", "start_date": "2024-01-01"}


def _person_data(w):
    return {"user_id": w.person, "role": "member", "start_date": "2015-01-01", "end_date": "2016-01-01"}


def _item_data():
    return {"title": "Changed action", "priority": "high", "weight": "1", "scope_national": "y"}


def _meeting_data():
    return {"title": "Meeting", "kind": "ordinary", "start_local": "2026-05-05T10:00", "end_local": "2026-05-05T12:00",
            "timezone": "America/Port-au-Prince", "status": "planned", "status_reason": "", "location": "", "online_link": ""}


def _progress_data():
    return {"update_date": today().isoformat(), "status": "in_progress", "progress": "30", "narrative": "Done a bit."}


# (object, action) -> (method, url, form data)
CASES = {
    ("organisation", "view"): lambda w: ("GET", f"/organisations/{w.other_org}", None),
    ("organisation", "create"): lambda w: ("POST", "/organisations/new", _org_data("New Network")),
    ("organisation", "edit"): lambda w: ("POST", f"/organisations/{w.other_org}/edit", _org_data("Renamed")),
    ("organisation", "delete"): lambda w: ("POST", f"/organisations/{w.spare_org}/delete", {}),
    ("body", "view"): lambda w: ("GET", f"/bodies/{w.body}", None),
    ("body", "create"): lambda w: ("POST", "/bodies/new", _body_data("New Group")),
    ("body", "edit"): lambda w: ("POST", f"/bodies/{w.body}/edit", _body_data("Renamed Committee")),
    ("body", "delete"): lambda w: ("POST", f"/bodies/{w.empty_body}/delete", {}),
    ("restricted_body", "view"): lambda w: ("GET", f"/bodies/{w.hidden_body}", None),
    ("restricted_body", "edit"): lambda w: ("POST", f"/bodies/{w.hidden_body}/edit", _body_data("Renamed Closed")),
    ("restricted_child", "view"): lambda w: ("GET", f"/bodies/{w.hidden_child}", None),
    ("restricted_charter", "view"): lambda w: ("GET", f"/bodies/{w.hidden_body}/charters/{w.hidden_charter}", None),
    ("organisation_membership", "view"): lambda w: ("GET", f"/bodies/{w.body}/members", None),
    ("organisation_membership", "create"): lambda w: ("POST", f"/bodies/{w.body}/organisations/new", _seat_data(w)),
    ("organisation_membership", "edit"): lambda w: ("POST", f"/bodies/{w.body}/organisations/{w.org_seat}/edit",
                                                    {"organisation_id": w.other_org, "kind": "partner", "start_date": "2020-01-01"}),
    ("organisation_membership", "delete"): lambda w: ("POST", f"/bodies/{w.body}/organisations/{w.org_seat}/delete", {}),
    ("person_membership", "create"): lambda w: ("POST", f"/bodies/{w.body}/people/new", _person_data(w)),
    ("person_membership", "edit"): lambda w: ("POST", f"/bodies/{w.body}/people/{w.person_seat}/edit",
                                              {"user_id": w.person, "role": "chair", "start_date": "2020-01-01"}),
    ("person_membership", "delete"): lambda w: ("POST", f"/bodies/{w.body}/people/{w.person_seat}/delete", {}),
    ("charter", "view"): lambda w: ("GET", f"/bodies/{w.body}/charters/{w.charter}", None),
    ("charter", "create"): lambda w: ("POST", f"/bodies/{w.body}/charters/new", _charter_data()),
    ("charter", "edit"): lambda w: ("POST", f"/bodies/{w.body}/charters/{w.charter}/edit", _charter_data()),
    ("charter", "delete"): lambda w: ("POST", f"/bodies/{w.body}/charters/{w.charter}/delete", {}),
    ("user", "view"): lambda w: ("GET", f"/accounts/users/{w.person}", None),
    ("user", "create"): lambda w: ("POST", "/accounts/users/new",
                                   {"email": "made@example.net", "full_name": "Made", "language": "en", "role": "member"}),
    ("user", "edit"): lambda w: ("POST", f"/accounts/users/{w.person}/edit",
                                 {"email": "other@example.net", "full_name": "Renamed", "language": "en", "role": "member"}),
    ("user", "delete"): lambda w: ("POST", f"/accounts/users/{w.person}/deactivate", {}),
    ("audit", "view"): lambda w: ("GET", "/audit/", None),
    ("plan", "view"): lambda w: ("GET", f"/plans/{w.plan}", None),
    ("plan", "create"): lambda w: ("POST", "/plans/new", {"title": "New plan", "body_id": w.body,
                                                          "period_start": "2027-01-01", "period_end": "2031-12-31"}),
    ("plan", "edit"): lambda w: ("POST", f"/plans/{w.plan}/edit", {"title": "Renamed plan", "body_id": w.body,
                                                                   "period_start": "2022-01-01", "period_end": "2026-12-31"}),
    ("plan", "delete"): lambda w: ("POST", f"/plans/{w.empty_plan}/delete", {}),
    ("item", "view"): lambda w: ("GET", f"/plans/items/{w.other_item}", None),
    ("item", "create"): lambda w: ("POST", f"/plans/{w.plan}/items/new", _item_data()),
    ("item", "edit"): lambda w: ("POST", f"/plans/items/{w.other_item}/edit", _item_data()),
    ("item", "delete"): lambda w: ("POST", f"/plans/items/{w.spare_item}/delete", {}),
    ("own_item", "update_progress"): lambda w: ("POST", f"/plans/items/{w.own_item}/progress", _progress_data()),
    ("other_item", "update_progress"): lambda w: ("POST", f"/plans/items/{w.other_item}/progress", _progress_data()),
    ("own_item", "comment"): lambda w: ("POST", f"/plans/items/{w.own_item}/comments", {"text": "A comment"}),
    ("other_item", "comment"): lambda w: ("POST", f"/plans/items/{w.other_item}/comments", {"text": "A comment"}),
    ("meeting", "view"): lambda w: ("GET", f"/meetings/{w.meeting}", None),
    ("meeting", "create"): lambda w: ("POST", f"/meetings/new?body={w.body}", _meeting_data()),
    ("meeting", "edit"): lambda w: ("POST", f"/meetings/{w.meeting}/edit", _meeting_data()),
    ("meeting", "rsvp"): lambda w: ("POST", f"/meetings/{w.meeting}/rsvp", {"rsvp": "accepted"}),
    ("draft_minutes", "view"): lambda w: ("GET", f"/minutes/{w.draft_minutes}", None),
    ("draft_minutes", "edit"): lambda w: ("POST", f"/minutes/{w.draft_minutes}/decisions",
                                          {"text": "A decision"}),
    ("circulated_minutes", "view"): lambda w: ("GET", f"/minutes/{w.circulated_minutes}", None),
    ("circulated_minutes", "comment"): lambda w: ("POST", f"/minutes/{w.circulated_minutes}/comments",
                                                  {"text": "A comment"}),
    ("governance", "view"): lambda w: ("GET", "/bodies/governance", None),
}

ALLOW, FORBID, HIDE = "allow", 403, 404
STAFF_WRITE = {"organisation", "body", "restricted_body", "organisation_membership", "person_membership", "charter",
               "plan", "item", "own_item", "other_item", "meeting", "draft_minutes", "circulated_minutes"}


def expected(role: str, obj: str, action: str):
    if action == "rsvp":
        return ALLOW if role == "member" else FORBID  # only invitees answer (the member sits on the body)
    if obj == "draft_minutes" and role == "member":
        return HIDE  # drafts are not shown to members
    if role == "admin":
        return ALLOW
    if obj in ("restricted_body", "restricted_child", "restricted_charter") and role == "member":
        return HIDE
    if obj == "user" and role == "member" and action != "create":
        return HIDE  # other people's accounts are not even shown to members
    if action == "view":
        if obj == "audit":
            return ALLOW if role == "evaluator" else FORBID
        if obj == "user":
            return HIDE if role == "member" else ALLOW
        return ALLOW
    if role == "secretariat" and obj in STAFF_WRITE:
        return ALLOW
    if role == "member" and obj == "own_item":
        return ALLOW  # members report on, and comment on, their organisation's items
    if role == "member" and obj == "circulated_minutes" and action == "comment":
        return ALLOW  # members of the body comment on circulated minutes
    return FORBID


def fingerprint(db_read) -> str:
    """A digest of every row of every table (log-in sessions aside)."""
    digest = hashlib.sha256()
    with db_read() as s:
        for table in db.metadata.sorted_tables:
            if table.name == "user_sessions":
                continue
            rows = s.execute(db.select(table).order_by(*table.primary_key.columns)).all()
            digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


@pytest.mark.parametrize("role", ["admin", "secretariat", "member", "evaluator"])
@pytest.mark.parametrize("obj,action", list(CASES))
def test_permission_matrix(role, obj, action, world, login_as, db_read):
    client = login_as(world.member_user) if role == "member" else login_as(role)
    method, url, data = CASES[(obj, action)](world)
    before = fingerprint(db_read) if method == "POST" else None
    if method == "GET":
        response = client.get(url)
    else:
        response = client.submit(url, data)
    want = expected(role, obj, action)
    if want == ALLOW:
        assert response.status_code in (200, 303), (response.status_code, response.get_data(as_text=True)[:3000])
        if method == "POST":
            assert fingerprint(db_read) != before, "an allowed write changed nothing"
    else:
        assert response.status_code == want
        if method == "POST":
            assert fingerprint(db_read) == before, "a refused write changed the database"


def test_member_sitting_on_restricted_body_sees_it(make, login_as):
    org = make.organisation()
    hidden = make.body(visibility=Visibility.RESTRICTED)
    child = make.body(parent_id=hidden.id)
    member = make.user(organisation=org)
    make.seat(hidden, org, start_date=date(2020, 1, 1))
    c = login_as(member)
    assert c.get(f"/bodies/{hidden.id}").status_code == 200
    assert c.get(f"/bodies/{child.id}").status_code == 200
    listing = c.get("/bodies/").get_data(as_text=True)
    assert hidden.name in listing


def test_ended_seat_no_longer_opens_a_restricted_body(make, login_as):
    org = make.organisation()
    hidden = make.body(visibility=Visibility.RESTRICTED, name="Former Closed Body")
    member = make.user(organisation=org)
    make.seat(hidden, org, start_date=date(2018, 1, 1), end_date=date(2019, 1, 1))
    c = login_as(member)
    assert c.get(f"/bodies/{hidden.id}").status_code == 404
    assert "Former Closed Body" not in c.get("/bodies/").get_data(as_text=True)
    assert "Former Closed Body" not in c.get("/bodies/governance").get_data(as_text=True)


def test_can_refuses_anonymous_and_inactive_users(app, make):
    from flask_login import AnonymousUserMixin

    from coordination.organisations.models import Organisation
    from coordination.permissions import can

    inactive = make.user(role=Role.ADMIN, active=False)
    with app.test_request_context():
        assert not can(AnonymousUserMixin(), "view", Organisation)
        assert not can(inactive, "view", Organisation)
