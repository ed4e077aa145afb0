"""The policy, over HTTP: every route is guarded; role × object × action gives the right answer.

A refused write must answer 403 (or 404 for what the user may not even see) and leave every
table exactly as it was, audit log included.

Two matrices: ``CASES`` (object × action, with allowed writes shown to change something) and
``ROUTES``, built from ``app.url_map``: every (endpoint, method) needs one line there, or a
reason in ``EXEMPT``, or ``test_every_route_has_a_matrix_case`` fails. Adding a route's case is
one line — see the comment above ``ROLES`` for its form.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from coordination.accounts.models import Role
from coordination.bodies.models import Visibility
from coordination.extensions import db
from coordination.memberships.models import SeatRole
from tests import factories, today

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
    # Pages reached from e-mail links (issue 11): the secret token in the URL is the credential.
    by_mail = ["/accounts/email/confirm/<token>", "/accounts/password/forgot", "/accounts/password/reset/<token>",
               "/accounts/welcome/<token>"]
    assert public == sorted(["/", "/accounts/language", "/accounts/login", "/accounts/login/code", "/health", *by_mail])


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


# === The route matrix: every (endpoint, method) of app.url_map × every role ====================
#
# How to add a route (one line in ROUTES below):
#
#     ("blueprint.endpoint", "METHOD"): R(lambda w: f"/url/{w.some_id}", ALLOWED_ROLES, {"role": 404}),
#
# * the url builder gets the world ``w`` (see ``route_world``; add an object there if needed),
#   and, for calendar feeds, ``R(..., feed=True)`` appends nothing but gets ``w.token``;
# * ALLOWED_ROLES is one of ALL, READERS_, STAFF_, ADMIN_ or any set of ROLES names;
# * every other logged-in role must answer 403, unless the third argument says 404 (objects the
#   role may not even see); anonymous visitors are sent to the log-in page (302; 303 for a POST), except on
#   ``public`` routes (allowed) and token routes (a bad token: 404);
# * POST data is optional (``data=lambda w: {...}``): the guard decides before any validation,
#   so an allowed role only has to get past it (any answer but 403/404 and 5xx), while a refused
#   write must leave every table unchanged.
# A route that is in app.url_map but neither in ROUTES nor in EXEMPT fails
# ``test_every_route_has_a_matrix_case``.

ROLES = ("anonymous", "outsider", "member", "evaluator", "secretariat", "admin")
ALL = frozenset(ROLES) - {"anonymous"}
READERS_ = frozenset({"evaluator", "secretariat", "admin"})
STAFF_ = frozenset({"secretariat", "admin"})
ADMIN_ = frozenset({"admin"})
PUBLIC = frozenset(ROLES)
HIDDEN_FROM_MEMBERS = {"member": 404, "outsider": 404}
EV_ = READERS_  # the draft evaluation's author (the matrix's evaluator) and staff


@dataclass(frozen=True)
class R:
    url: object
    allow: frozenset
    refuse: dict | None = None
    data: object = None
    feed: bool = False


# Routes the matrix does not walk, each with its reason.
EXEMPT = {
    ("static", "GET"),            # the app's CSS/JS files, public by nature
    ("bootstrap.static", "GET"),  # Bootstrap's files, public by nature
}

ROUTES = {
    ("accounts.create", "GET"): R(lambda w: "/accounts/users/new", ADMIN_),
    ("accounts.create", "POST"): R(lambda w: "/accounts/users/new", ADMIN_,
                                   data=lambda w: {"email": "made@example.net", "full_name": "Made", "language": "en", "role": "member"}),
    ("accounts.deactivate", "POST"): R(lambda w: f"/accounts/users/{w.person}/deactivate", ADMIN_, HIDDEN_FROM_MEMBERS),
    ("accounts.reactivate", "POST"): R(lambda w: f"/accounts/users/{w.person}/reactivate", ADMIN_, HIDDEN_FROM_MEMBERS),
    ("accounts.detail", "GET"): R(lambda w: f"/accounts/users/{w.person}", READERS_, HIDDEN_FROM_MEMBERS),
    ("accounts.edit", "GET"): R(lambda w: f"/accounts/users/{w.person}/edit", ADMIN_, HIDDEN_FROM_MEMBERS),
    ("accounts.edit", "POST"): R(lambda w: f"/accounts/users/{w.person}/edit", ADMIN_, HIDDEN_FROM_MEMBERS),
    ("calendar_pages.feed_token", "POST"): R(lambda w: "/accounts/calendar-feed", ALL),
    ("accounts.login", "GET"): R(lambda w: "/accounts/login", PUBLIC),
    ("accounts.login", "POST"): R(lambda w: "/accounts/login", PUBLIC),
    ("accounts.logout", "POST"): R(lambda w: "/accounts/logout", ALL),
    ("accounts.password", "GET"): R(lambda w: "/accounts/password", ALL),
    ("accounts.password", "POST"): R(lambda w: "/accounts/password", ALL),
    ("accounts.profile", "GET"): R(lambda w: "/accounts/profile", ALL),
    ("accounts.profile", "POST"): R(lambda w: "/accounts/profile", ALL),
    ("accounts.users", "GET"): R(lambda w: "/accounts/users", READERS_),
    # Pages reached from e-mail links: the token in the URL is the credential (a bad one: "link invalid").
    ("accounts.accept_invitation", "GET"): R(lambda w: "/accounts/welcome/not-a-valid-token", PUBLIC),
    ("accounts.accept_invitation", "POST"): R(lambda w: "/accounts/welcome/not-a-valid-token", PUBLIC),
    ("accounts.confirm_email", "GET"): R(lambda w: "/accounts/email/confirm/not-a-valid-token", PUBLIC),
    ("accounts.confirm_email", "POST"): R(lambda w: "/accounts/email/confirm/not-a-valid-token", PUBLIC),
    ("accounts.forgot_password", "GET"): R(lambda w: "/accounts/password/forgot", PUBLIC),
    ("accounts.forgot_password", "POST"): R(lambda w: "/accounts/password/forgot", PUBLIC,
                                            data=lambda w: {"email": "nobody@example.net"}),
    ("accounts.reset_password", "GET"): R(lambda w: "/accounts/password/reset/not-a-valid-token", PUBLIC),
    ("accounts.reset_password", "POST"): R(lambda w: "/accounts/password/reset/not-a-valid-token", PUBLIC),
    ("accounts.language", "POST"): R(lambda w: "/accounts/language", PUBLIC, data=lambda w: {"language": "fr"}),
    ("accounts.login_code", "GET"): R(lambda w: "/accounts/login/code", PUBLIC),
    ("accounts.login_code", "POST"): R(lambda w: "/accounts/login/code", PUBLIC, data=lambda w: {"code": "123456"}),
    ("accounts.change_email", "GET"): R(lambda w: "/accounts/email", ALL),
    ("accounts.change_email", "POST"): R(lambda w: "/accounts/email", ALL),
    ("accounts.reauth", "GET"): R(lambda w: "/accounts/reauthenticate", ALL),
    ("accounts.reauth", "POST"): R(lambda w: "/accounts/reauthenticate", ALL),
    # Sensitive steps may first send a logged-in user to /accounts/reauthenticate (past the guard).
    ("accounts.two_factor", "GET"): R(lambda w: "/accounts/two-factor", ALL),
    ("accounts.two_factor_setup", "GET"): R(lambda w: "/accounts/two-factor/setup", ALL),
    ("accounts.two_factor_setup", "POST"): R(lambda w: "/accounts/two-factor/setup", ALL),
    ("accounts.two_factor_recovery_codes", "POST"): R(lambda w: "/accounts/two-factor/recovery-codes", ALL),
    ("accounts.two_factor_disable", "GET"): R(lambda w: "/accounts/two-factor/disable", ALL),
    ("accounts.two_factor_disable", "POST"): R(lambda w: "/accounts/two-factor/disable", ALL),
    # Each role ends one of its own other sessions (someone else's: 404, see the test below).
    ("accounts.end_session", "POST"): R(lambda w: f"/accounts/sessions/{w.own_sessions.get(w.role, w.other_session)}/end",
                                        ALL),
    ("accounts.end_user_session", "POST"): R(lambda w: f"/accounts/users/{w.person}/sessions/{w.other_session}/end",
                                             ADMIN_, HIDDEN_FROM_MEMBERS),
    ("accounts.send_invitation", "POST"): R(lambda w: f"/accounts/users/{w.person}/invite", ADMIN_, HIDDEN_FROM_MEMBERS),
    ("accounts.two_factor_reset", "POST"): R(lambda w: f"/accounts/users/{w.person}/two-factor/reset", ADMIN_,
                                             HIDDEN_FROM_MEMBERS),
    ("audit.index", "GET"): R(lambda w: "/audit/", frozenset({"evaluator", "admin"})),
    ("memberships.add_organisation", "GET"): R(lambda w: f"/bodies/{w.body}/organisations/new", STAFF_),
    ("memberships.add_organisation", "POST"): R(lambda w: f"/bodies/{w.body}/organisations/new", STAFF_, data=_seat_data),
    ("memberships.add_person", "GET"): R(lambda w: f"/bodies/{w.body}/people/new", STAFF_),
    ("memberships.add_person", "POST"): R(lambda w: f"/bodies/{w.body}/people/new", STAFF_, data=_person_data),
    ("charters.add_signatory", "POST"): R(lambda w: f"/bodies/{w.body}/charters/{w.charter}/signatories", STAFF_),
    ("charters.adopt", "POST"): R(lambda w: f"/bodies/{w.body}/charters/{w.charter}/adopt", STAFF_),
    ("charters.detail", "GET"): R(lambda w: f"/bodies/{w.body}/charters/{w.charter}", ALL),
    ("charters.compare", "GET"): R(lambda w: f"/bodies/{w.body}/charters/compare?from=1&to=1", ALL),
    ("bodies.create", "GET"): R(lambda w: "/bodies/new", STAFF_),
    ("bodies.create", "POST"): R(lambda w: "/bodies/new", STAFF_, data=lambda w: _body_data("New Group")),
    ("bodies.decisions", "GET"): R(lambda w: f"/bodies/{w.body}/decisions", ALL),
    ("bodies.delete", "POST"): R(lambda w: f"/bodies/{w.empty_body}/delete", STAFF_),
    ("charters.delete", "POST"): R(lambda w: f"/bodies/{w.body}/charters/{w.charter}/delete", STAFF_),
    ("memberships.delete_organisation", "POST"): R(lambda w: f"/bodies/{w.body}/organisations/{w.org_seat}/delete", STAFF_),
    ("memberships.delete_person", "POST"): R(lambda w: f"/bodies/{w.body}/people/{w.person_seat}/delete", STAFF_),
    ("bodies.detail", "GET"): R(lambda w: f"/bodies/{w.body}", ALL),
    ("bodies.edit", "GET"): R(lambda w: f"/bodies/{w.body}/edit", STAFF_),
    ("bodies.edit", "POST"): R(lambda w: f"/bodies/{w.body}/edit", STAFF_, data=lambda w: _body_data("Renamed")),
    ("charters.edit", "GET"): R(lambda w: f"/bodies/{w.body}/charters/{w.charter}/edit", STAFF_),
    ("charters.edit", "POST"): R(lambda w: f"/bodies/{w.body}/charters/{w.charter}/edit", STAFF_,
                                       data=lambda w: _charter_data()),
    ("memberships.edit_organisation", "GET"): R(lambda w: f"/bodies/{w.body}/organisations/{w.org_seat}/edit", STAFF_),
    ("memberships.edit_organisation", "POST"): R(lambda w: f"/bodies/{w.body}/organisations/{w.org_seat}/edit", STAFF_),
    ("memberships.edit_person", "GET"): R(lambda w: f"/bodies/{w.body}/people/{w.person_seat}/edit", STAFF_),
    ("memberships.edit_person", "POST"): R(lambda w: f"/bodies/{w.body}/people/{w.person_seat}/edit", STAFF_),
    ("memberships.end_organisation", "GET"): R(lambda w: f"/bodies/{w.body}/organisations/{w.org_seat}/end", STAFF_),
    ("memberships.end_organisation", "POST"): R(lambda w: f"/bodies/{w.body}/organisations/{w.org_seat}/end", STAFF_,
                                           data=lambda w: {"end_date": today().isoformat()}),
    ("memberships.end_person", "GET"): R(lambda w: f"/bodies/{w.body}/people/{w.person_seat}/end", STAFF_),
    ("memberships.end_person", "POST"): R(lambda w: f"/bodies/{w.body}/people/{w.person_seat}/end", STAFF_,
                                     data=lambda w: {"end_date": today().isoformat()}),
    ("charters.governance", "GET"): R(lambda w: "/bodies/governance", ALL),
    ("bodies.index", "GET"): R(lambda w: "/bodies/", ALL),
    ("memberships.members", "GET"): R(lambda w: f"/bodies/{w.body}/members", ALL),
    ("charters.create", "GET"): R(lambda w: f"/bodies/{w.body}/charters/new", STAFF_),
    ("charters.create", "POST"): R(lambda w: f"/bodies/{w.body}/charters/new", STAFF_, data=lambda w: _charter_data()),
    ("charters.new_version", "POST"): R(lambda w: f"/bodies/{w.body}/charters/{w.charter}/new-version", STAFF_),
    ("charters.redraft", "POST"): R(lambda w: f"/bodies/{w.body}/charters/{w.charter}/redraft", STAFF_),
    ("charters.remove_signatory", "POST"): R(lambda w: f"/bodies/{w.body}/charters/{w.charter}/signatories/{w.signatory}/delete", STAFF_),
    ("charters.submit_for_review", "POST"): R(lambda w: f"/bodies/{w.body}/charters/{w.charter}/submit", STAFF_),
    ("calendar.body_feed", "GET"): R(lambda w: f"/calendar/{w.token}/bodies/{w.body}.ics", ALL, feed=True),
    ("calendar.personal_feed", "GET"): R(lambda w: f"/calendar/{w.token}/mine.ics", ALL, feed=True),
    ("dashboard.health", "GET"): R(lambda w: "/health", PUBLIC),
    ("dashboard.home", "GET"): R(lambda w: "/", PUBLIC),
    ("dashboard.index", "GET"): R(lambda w: "/dashboard", ALL),
    # Evaluations: ``w.evaluation`` is a draft by the matrix's evaluator, so members and outsiders
    # may not even see it (404); its author and staff may edit it.
    ("evaluations.index", "GET"): R(lambda w: "/evaluations/", ALL),
    ("evaluations.create", "GET"): R(lambda w: "/evaluations/new", READERS_),
    ("evaluations.create", "POST"): R(lambda w: "/evaluations/new", READERS_),
    ("evaluations.governance", "GET"): R(lambda w: "/evaluations/governance", READERS_),
    ("evaluations.detail", "GET"): R(lambda w: f"/evaluations/{w.evaluation}", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.compare", "GET"): R(lambda w: f"/evaluations/{w.evaluation}/compare", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.report", "GET"): R(lambda w: f"/evaluations/{w.evaluation}/report.docx", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.spreadsheet", "GET"): R(lambda w: f"/evaluations/{w.evaluation}/tables.xlsx", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.attachment", "GET"): R(lambda w: f"/evaluations/{w.evaluation}/attachments/{w.evaluation_attachment}",
                                         EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.edit", "GET"): R(lambda w: f"/evaluations/{w.evaluation}/edit", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.edit", "POST"): R(lambda w: f"/evaluations/{w.evaluation}/edit", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.narrative", "GET"): R(lambda w: f"/evaluations/{w.evaluation}/narrative", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.submit", "POST"): R(lambda w: f"/evaluations/{w.evaluation}/submit", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.reopen", "POST"): R(lambda w: f"/evaluations/{w.evaluation}/reopen", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.finalise", "POST"): R(lambda w: f"/evaluations/{w.evaluation}/finalise", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.delete", "POST"): R(lambda w: f"/evaluations/{w.evaluation}/delete", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.add_note", "POST"): R(lambda w: f"/evaluations/{w.evaluation}/notes", EV_, HIDDEN_FROM_MEMBERS,
                                        data=lambda w: {"kind": "finding", "text": "A finding"}),
    ("evaluations.delete_note", "POST"): R(lambda w: f"/evaluations/{w.evaluation}/notes/{w.evaluation_note}/delete",
                                           EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.add_recommendation", "POST"): R(lambda w: f"/evaluations/{w.evaluation}/recommendations", EV_,
                                                  HIDDEN_FROM_MEMBERS,
                                                  data=lambda w: {"text": "Do more", "priority": "medium"}),
    ("evaluations.delete_recommendation", "POST"): R(
        lambda w: f"/evaluations/{w.evaluation}/recommendations/{w.recommendation}/delete", EV_, HIDDEN_FROM_MEMBERS),
    ("evaluations.add_attachment", "POST"): R(lambda w: f"/evaluations/{w.evaluation}/attachments", EV_,
                                              HIDDEN_FROM_MEMBERS),
    ("evaluations.delete_attachment", "POST"): R(
        lambda w: f"/evaluations/{w.evaluation}/attachments/{w.evaluation_attachment}/delete", EV_, HIDDEN_FROM_MEMBERS),
    # Only staff turn a recommendation into an action item (its author, an evaluator: 403).
    ("evaluations.follow_up", "GET"): R(lambda w: f"/evaluations/{w.evaluation}/recommendations/{w.recommendation}/follow-up",
                                        STAFF_, HIDDEN_FROM_MEMBERS),
    ("evaluations.follow_up", "POST"): R(lambda w: f"/evaluations/{w.evaluation}/recommendations/{w.recommendation}/follow-up",
                                         STAFF_, HIDDEN_FROM_MEMBERS),
    ("meetings.add_agenda_item", "POST"): R(lambda w: f"/meetings/{w.meeting}/agenda", STAFF_,
                                            data=lambda w: {"title": "Item", "duration_minutes": "10"}),
    ("meetings.add_attachment", "POST"): R(lambda w: f"/meetings/{w.meeting}/attachments", STAFF_),
    ("meetings.agenda_docx", "GET"): R(lambda w: f"/meetings/{w.meeting}/agenda.docx", ALL),
    ("meetings.attachment", "GET"): R(lambda w: f"/meetings/{w.meeting}/attachments/{w.attachment}", ALL),
    ("meetings.attendance", "GET"): R(lambda w: f"/meetings/{w.meeting}/attendance", STAFF_),
    ("meetings.attendance", "POST"): R(lambda w: f"/meetings/{w.meeting}/attendance", STAFF_),
    ("meetings.create", "GET"): R(lambda w: f"/meetings/new?body={w.body}", STAFF_),
    ("meetings.create", "POST"): R(lambda w: f"/meetings/new?body={w.body}", STAFF_, data=lambda w: _meeting_data()),
    ("meetings.create_series", "GET"): R(lambda w: f"/meetings/series/new?body={w.body}", STAFF_),
    ("meetings.create_series", "POST"): R(lambda w: f"/meetings/series/new?body={w.body}", STAFF_),
    ("meetings.delete_agenda_item", "POST"): R(lambda w: f"/meetings/{w.meeting}/agenda/{w.agenda_item}/delete", STAFF_),
    ("meetings.detail", "GET"): R(lambda w: f"/meetings/{w.meeting}", ALL),
    ("meetings.edit", "GET"): R(lambda w: f"/meetings/{w.meeting}/edit", STAFF_),
    ("meetings.edit", "POST"): R(lambda w: f"/meetings/{w.meeting}/edit", STAFF_, data=lambda w: _meeting_data()),
    ("meetings.edit_agenda_item", "GET"): R(lambda w: f"/meetings/{w.meeting}/agenda/{w.agenda_item}/edit", STAFF_),
    ("meetings.edit_agenda_item", "POST"): R(lambda w: f"/meetings/{w.meeting}/agenda/{w.agenda_item}/edit", STAFF_,
                                             data=lambda w: {"title": "Renamed item", "duration_minutes": "20"}),
    ("meetings.index", "GET"): R(lambda w: "/meetings/", ALL),
    ("meetings.invite_guest", "POST"): R(lambda w: f"/meetings/{w.meeting}/guests", STAFF_,
                                         data=lambda w: {"user_id": w.person}),
    ("calendar_pages.meeting_ics", "GET"): R(lambda w: f"/meetings/{w.meeting}.ics", ALL),
    ("meetings.move_agenda_item", "POST"): R(lambda w: f"/meetings/{w.meeting}/agenda/{w.agenda_item}/down", STAFF_),
    ("meetings.reorder_agenda", "POST"): R(lambda w: f"/meetings/{w.meeting}/agenda/order", STAFF_),
    ("meetings.remove_invitee", "POST"): R(lambda w: f"/meetings/{w.meeting}/invitees/{w.invitation}/remove", STAFF_),
    # Only invitees answer an invitation (the member sits on the body and is invited).
    ("meetings.rsvp", "POST"): R(lambda w: f"/meetings/{w.meeting}/rsvp", frozenset({"member"}),
                                 data=lambda w: {"rsvp": "accepted"}),
    ("meetings.send_invitations", "POST"): R(lambda w: f"/meetings/{w.meeting}/invitations/send", STAFF_),
    ("meetings.send_update", "POST"): R(lambda w: f"/meetings/{w.meeting}/update/send", STAFF_),
    ("minutes.add_action", "POST"): R(lambda w: f"/minutes/{w.draft_minutes}/decisions/{w.decision}/actions", STAFF_,
                                      HIDDEN_FROM_MEMBERS),
    ("minutes.add_decision", "POST"): R(lambda w: f"/minutes/{w.draft_minutes}/decisions", STAFF_, HIDDEN_FROM_MEMBERS,
                                        data=lambda w: {"text": "A decision"}),
    ("minutes.approve", "POST"): R(lambda w: f"/minutes/{w.draft_minutes}/approve", STAFF_, HIDDEN_FROM_MEMBERS),
    ("minutes.comment", "POST"): R(lambda w: f"/minutes/{w.circulated_minutes}/comments", frozenset({"member"}) | STAFF_,
                                   data=lambda w: {"text": "A comment"}),
    ("minutes.correct", "POST"): R(lambda w: f"/minutes/{w.draft_minutes}/correct", STAFF_, HIDDEN_FROM_MEMBERS),
    ("minutes.delete_decision", "POST"): R(lambda w: f"/minutes/{w.draft_minutes}/decisions/{w.decision}/delete", STAFF_,
                                           HIDDEN_FROM_MEMBERS),
    ("minutes.detail", "GET"): R(lambda w: f"/minutes/{w.draft_minutes}", READERS_, HIDDEN_FROM_MEMBERS),
    ("minutes.docx", "GET"): R(lambda w: f"/minutes/{w.draft_minutes}.docx", READERS_, HIDDEN_FROM_MEMBERS),
    ("minutes.edit", "GET"): R(lambda w: f"/minutes/{w.draft_minutes}/edit", STAFF_, HIDDEN_FROM_MEMBERS),
    ("minutes.edit", "POST"): R(lambda w: f"/minutes/{w.draft_minutes}/edit", STAFF_, HIDDEN_FROM_MEMBERS,
                                data=lambda w: {"summary": "Changed", "version": "1"}),
    ("minutes.start", "POST"): R(lambda w: f"/minutes/new/{w.empty_meeting}", STAFF_),
    ("minutes.step", "POST"): R(lambda w: f"/minutes/{w.draft_minutes}/circulate", STAFF_, HIDDEN_FROM_MEMBERS),
    ("notifications.outbox", "GET"): R(lambda w: "/mail/outbox", ADMIN_),
    ("notifications.retry", "POST"): R(lambda w: f"/mail/outbox/{w.failed_message}/retry", ADMIN_),
    ("notifications.preferences", "POST"): R(lambda w: "/mail/preferences", ALL, data=lambda w: {"reminders": "off"}),
    ("organisations.create", "GET"): R(lambda w: "/organisations/new", STAFF_),
    ("organisations.create", "POST"): R(lambda w: "/organisations/new", STAFF_, data=lambda w: _org_data("New")),
    ("organisations.delete", "POST"): R(lambda w: f"/organisations/{w.spare_org}/delete", STAFF_),
    ("organisations.detail", "GET"): R(lambda w: f"/organisations/{w.other_org}", ALL),
    ("organisations.edit", "GET"): R(lambda w: f"/organisations/{w.other_org}/edit", STAFF_),
    ("organisations.edit", "POST"): R(lambda w: f"/organisations/{w.other_org}/edit", STAFF_, data=lambda w: _org_data("Renamed")),
    ("organisations.index", "GET"): R(lambda w: "/organisations/", ALL),
    ("plans.add_indicator", "POST"): R(lambda w: f"/plans/items/{w.own_item}/indicators", STAFF_,
                                       data=lambda w: {"name": "Trained staff", "unit": "people"}),
    # Members comment on the items their organisation leads or supports.
    ("plans.comment", "POST"): R(lambda w: f"/plans/items/{w.own_item}/comments", frozenset({"member"}) | STAFF_,
                                 data=lambda w: {"text": "A comment"}),
    ("plans.create", "GET"): R(lambda w: "/plans/new", STAFF_),
    ("plans.create", "POST"): R(lambda w: "/plans/new", STAFF_),
    ("plans.delete", "POST"): R(lambda w: f"/plans/{w.empty_plan}/delete", STAFF_),
    ("plans.delete_item", "POST"): R(lambda w: f"/plans/items/{w.spare_item}/delete", STAFF_),
    ("plans.detail", "GET"): R(lambda w: f"/plans/{w.plan}", ALL),
    ("plans.edit", "GET"): R(lambda w: f"/plans/{w.plan}/edit", STAFF_),
    ("plans.edit", "POST"): R(lambda w: f"/plans/{w.plan}/edit", STAFF_),
    ("plans.edit_item", "GET"): R(lambda w: f"/plans/items/{w.other_item}/edit", STAFF_),
    ("plans.edit_item", "POST"): R(lambda w: f"/plans/items/{w.other_item}/edit", STAFF_, data=lambda w: _item_data()),
    ("plans.evidence", "GET"): R(lambda w: f"/plans/items/{w.own_item}/updates/{w.evidence_update}/evidence", ALL),
    ("plans.index", "GET"): R(lambda w: "/plans/", ALL),
    ("plans.item", "GET"): R(lambda w: f"/plans/items/{w.other_item}", ALL),
    ("plans.items", "GET"): R(lambda w: "/plans/items", ALL),
    ("plans.items_csv", "GET"): R(lambda w: "/plans/items.csv", ALL),
    ("plans.move_item", "GET"): R(lambda w: f"/plans/items/{w.spare_item}/move", STAFF_),
    ("plans.move_item", "POST"): R(lambda w: f"/plans/items/{w.spare_item}/move", STAFF_),
    ("plans.new_item", "GET"): R(lambda w: f"/plans/{w.plan}/items/new", STAFF_),
    ("plans.new_item", "POST"): R(lambda w: f"/plans/{w.plan}/items/new", STAFF_, data=lambda w: _item_data()),
    ("plans.new_standalone_item", "GET"): R(lambda w: "/plans/items/new", STAFF_),
    ("plans.new_standalone_item", "POST"): R(lambda w: "/plans/items/new", STAFF_),
    # Members report progress on the items their organisation leads.
    ("plans.record_progress", "POST"): R(lambda w: f"/plans/items/{w.own_item}/progress", frozenset({"member"}) | STAFF_,
                                         data=lambda w: _progress_data()),
    ("plans.remove_indicator", "POST"): R(lambda w: f"/plans/items/{w.own_item}/indicators/{w.indicator}/delete", STAFF_),
    ("search.index", "GET"): R(lambda w: "/search/?q=committee", ALL),
}


def test_every_route_has_a_matrix_case(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(routes - set(ROUTES) - EXEMPT)
    assert not missing, f"routes without a case in ROUTES (or a reason in EXEMPT): {missing}"
    stale = sorted(set(ROUTES) - routes)
    assert not stale, f"cases for routes that no longer exist: {stale}"


@pytest.fixture
def route_world(world, make, app):
    """``world`` plus what sub-object routes need: an agenda item, a document, a decision,
    an indicator, a signatory, a report with evidence, a meeting without minutes, users per role,
    and those of ``_account_and_evaluation_objects``."""
    from coordination.meetings.models import AgendaItem, Attachment
    from coordination.plans.models import Indicator, ProgressUpdate

    folder = app.config["UPLOAD_FOLDER"]
    import os

    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "matrix-test-file"), "wb") as f:
        f.write(b"%PDF-1.4\n%%EOF\n")
    with app.app_context():
        agenda = AgendaItem(meeting_id=world.meeting, position=1, title="Opening", duration_minutes=10)
        attachment = Attachment(meeting_id=world.meeting, path="matrix-test-file", name="doc.pdf",
                                mime="application/pdf", size=15)
        indicator = Indicator(item_id=world.own_item, name="People trained")
        report = ProgressUpdate(item_id=world.own_item, update_date=today(), status="in_progress", progress=10,
                                evidence_path="matrix-test-file", evidence_name="e.pdf", evidence_type="application/pdf",
                                evidence_size=15)
        db.session.add_all([agenda, attachment, indicator, report])
        db.session.commit()
        ids = {"agenda_item": agenda.id, "attachment": attachment.id, "indicator": indicator.id,
               "evidence_update": report.id}
    from coordination.charters.models import Charter
    from coordination.meetings.models import Meeting
    from coordination.minutes.models import Minutes
    from coordination.organisations.models import Organisation

    with app.app_context():
        charter = db.session.get(Charter, world.charter)
        ids["signatory"] = factories.signatory(charter, db.session.get(Organisation, world.other_org)).id
        ids["decision"] = factories.decision(db.session.get(Minutes, world.draft_minutes), "CN-2026-001", "Adopt.").id
        body = db.session.get(Meeting, world.meeting).body
        ids["empty_meeting"] = factories.meeting(body, title="No minutes yet").id
        db.session.commit()
    outsider = make.user(role=Role.MEMBER, organisation=make.organisation(name="Outside Network"))
    users = {"member": world.member_user, "outsider": outsider}
    for role in ("evaluator", "secretariat", "admin"):
        users[role] = make.user(role=Role(role))
    ids.update(_account_and_evaluation_objects(app, world, users))
    return world, ids, users


def _account_and_evaluation_objects(app, world, users):
    """A draft evaluation by the matrix's evaluator (with a note, a recommendation and a
    document), a failed outbox message, the person's invitation to the meeting, one spare
    log-in session per role and one of another person."""
    from coordination.accounts import sessions
    from coordination.accounts.models import User, UserSession
    from coordination.evaluations.models import EvaluationAttachment, EvaluationNote, NoteKind
    from coordination.meetings.models import Invitation
    from coordination.notifications.models import OutboxMessage, OutboxStatus
    from coordination.plans.models import ActionPlan

    def spare_session(user_id):
        sessions.start_session(db.session.get(User, user_id), "127.0.0.2", "spare")
        db.session.flush()
        return db.session.execute(db.select(db.func.max(UserSession.id)).where(UserSession.user_id == user_id)).scalar()

    with app.app_context():
        ev = factories.evaluation(db.session.get(ActionPlan, world.plan), users["evaluator"], title="Matrix review")
        note = EvaluationNote(evaluation_id=ev.id, kind=NoteKind.FINDING, text="A finding.")
        document = EvaluationAttachment(evaluation_id=ev.id, path="matrix-test-file", name="report.pdf",
                                        mime="application/pdf", size=15)
        failed = OutboxMessage(kind="invitation", recipient="someone@example.net", subject="Invitation",
                               message_id="<matrix-failed@example.net>", content="Hello", status=OutboxStatus.FAILED,
                               attempts=5, last_error="550 mailbox unavailable")
        db.session.add_all([note, document, failed])
        db.session.flush()
        found = {
            "evaluation": ev.id, "evaluation_note": note.id, "evaluation_attachment": document.id,
            "recommendation": factories.recommendation(ev, "Train more staff.").id, "failed_message": failed.id,
            "invitation": db.session.execute(db.select(Invitation.id).where(
                Invitation.meeting_id == world.meeting, Invitation.user_id == world.person)).scalar_one(),
            "other_session": spare_session(world.person),
            "own_sessions": {role: spare_session(user.id) for role, user in users.items()},
        }
        db.session.commit()
    return found


def test_ending_someone_elses_session_is_404(route_world, app, client_factory, db_read):
    from coordination.accounts.models import UserSession

    world, ids, users = route_world
    client, _token = _client_for(app, client_factory, users["admin"])
    data = {"csrf_token": client.csrf_token("/accounts/profile")}
    assert client.post(f"/accounts/sessions/{ids['other_session']}/end", data=data).status_code == 404
    with db_read() as s:
        assert s.get(UserSession, ids["other_session"]) is not None


class _W:
    """The world as the url builders see it: ``world``'s ids, the extra ids, the role's feed token
    and the role's name."""

    def __init__(self, world, ids, token, role=None):
        self.__dict__.update(vars(world))
        self.__dict__.update(ids)
        self.token = token
        self.role = role


def _client_for(app, client_factory, user):
    """A client logged in by opening a server-side session directly (no password hashing)."""
    from coordination.accounts import sessions
    from coordination.calendar import services as calendar_services

    c = client_factory()
    if user is None:
        return c, "not-a-valid-token"
    with app.app_context():
        from coordination.accounts.models import User

        fresh = db.session.get(User, user.id)
        sid = sessions.start_session(fresh, "127.0.0.1", "matrix")
        token = calendar_services.regenerate_feed_token(fresh, actor=fresh)
        db.session.commit()
    with c.session_transaction() as session:
        session["sid"] = sid
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    c._logged_in = True
    return c, token


def _expected(case: R, role: str, method: str = "GET"):
    if role in case.allow:
        return ALLOW
    if role == "anonymous":
        # The log-in page: a posted form is sent there with 303 (see accounts.security.unauthorized).
        return 404 if case.feed else (303 if method == "POST" else 302)
    return (case.refuse or {}).get(role, FORBID)


# Rows whose guard is right but whose allowed answer is a 5xx because of a bug outside the
# policy; strict, so the mark must go when the bug is fixed.
@pytest.mark.parametrize("endpoint,method", sorted(ROUTES))
def test_route_matrix(endpoint, method, route_world, app, client_factory, db_read):
    """Each role on this route: refused roles get 403/404 (or the log-in page) and change nothing;
    allowed roles get past the guard. Writes are tried by refused roles first, then by the
    least privileged allowed role only (its write may change what the next would see)."""
    world, ids, users = route_world
    case = ROUTES[(endpoint, method)]
    order = sorted(ROLES, key=lambda r: (_expected(case, r, method) == ALLOW, ROLES.index(r)))
    tried_allowed = False
    for role in order:
        want = _expected(case, role, method)
        if want == ALLOW and method == "POST" and tried_allowed:
            continue
        client, token = _client_for(app, client_factory, users.get(role))
        w = _W(world, ids, token, role)
        url = case.url(w)
        data = case.data(w) if case.data else {}
        before = fingerprint(db_read) if method == "POST" and want != ALLOW else None
        if method == "GET":
            response = client.get(url)
        else:
            data.setdefault("csrf_token", client.csrf_token("/accounts/login" if role == "anonymous" else "/accounts/profile"))
            response = client.post(url, data=data)
        status = response.status_code
        if want == ALLOW:
            tried_allowed = True
            assert status < 500 and status not in (403, 404), (role, url, status)
        else:
            assert status == want, (role, url, status, want)
            if want in (302, 303):
                assert "/accounts/login" in response.headers["Location"]
            if before is not None:
                assert fingerprint(db_read) == before, f"a refused write by {role} changed the database"
        response.close()  # downloads are streamed files
