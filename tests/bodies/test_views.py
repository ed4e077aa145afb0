"""Bodies, memberships, charters and the governance overview through HTTP."""
import re
from datetime import date, timedelta

import pytest

from coordination.audit import AuditEntry
from coordination.bodies.models import Body
from coordination.charters.models import Charter, CharterSignatory, CharterStatus
from coordination.extensions import db
from coordination.memberships.models import (
    MembershipKind,
    OrganisationMembership,
    PersonMembership,
    SeatRole,
)
from coordination.organisations.models import OrganisationKind
from tests import today


def _body(**overrides):
    data = {"name": "Technical Commission on Data", "acronym": "CT-DATA", "kind": "technical_commission",
            "parent_id": "", "level": "national", "area": "National", "status": "active",
            "visibility": "internal", "lead_organisation_id": "", "secretariat_organisation_id": "",
            "established_on": "2006-03-01", "timezone": "America/Port-au-Prince", "mandate": "Collect data."}
    data.update(overrides)
    return data


def _count(db_read, model):
    with db_read() as s:
        return s.execute(db.select(db.func.count()).select_from(model)).scalar()


def test_create_body_under_parent_and_see_tree(login_as, make, db_read):
    parent = make.body(name="National Committee")
    c = login_as("secretariat")
    response = c.submit("/bodies/new", _body(parent_id=str(parent.id)))
    assert response.status_code == 303
    tree = c.get("/bodies/").get_data(as_text=True).split("<tbody>")[1]
    assert tree.index("National Committee") < tree.index("Technical Commission on Data")
    assert 'class="tree-depth-1"' in tree
    page = c.get(f"/bodies/{parent.id}").get_data(as_text=True)
    assert "Technical Commission on Data" in page  # listed as a sub-body


@pytest.mark.parametrize("overrides,field,message", [
    ({"name": ""}, "name", "This field is required."),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Not a valid choice"),
    ({"established_on": "2006-13-45"}, "established_on", "Not a valid date value"),
    ({"established_on": (today() + timedelta(days=3)).isoformat()}, "established_on", "cannot be in the future"),
    ({"mandate": "x" * 10001}, "mandate", "Use at most 10000 characters."),
    ({"kind": "secret_cabal"}, "kind", "Not a valid choice"),
    ({"parent_id": "99999"}, "parent_id", "Not a valid choice"),
])
def test_body_bad_input(login_as, db_read, overrides, field, message):
    c = login_as("secretariat")
    response = c.submit("/bodies/new", _body(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert _count(db_read, Body) == 0


def test_duplicate_body_name_is_refused(login_as, make, db_read):
    make.body(name="Technical Commission on Data")
    c = login_as("secretariat")
    response = c.submit("/bodies/new", _body())
    assert response.status_code == 422
    assert "A body with this name already exists." in response.get_data(as_text=True)
    assert _count(db_read, Body) == 1


def test_body_cannot_become_its_own_ancestor(login_as, make, db_read):
    top = make.body(name="Top")
    middle = make.body(name="Middle", parent_id=top.id)
    bottom = make.body(name="Bottom", parent_id=middle.id)
    c = login_as("secretariat")
    response = c.submit(f"/bodies/{top.id}/edit", _body(name="Top", acronym="T", parent_id=str(bottom.id), version="1"))
    assert response.status_code == 422
    assert "cannot sit under itself or under one of its own sub-bodies" in response.get_data(as_text=True)
    with db_read() as s:
        assert s.get(Body, top.id).parent_id is None
    # A body is not offered as its own parent at all.
    form = c.get(f"/bodies/{top.id}/edit").get_data(as_text=True)
    assert f'<option value="{top.id}"' not in form


def test_delete_body_only_when_empty(login_as, make, db_read):
    parent = make.body(name="Parent")
    make.body(name="Child", parent_id=parent.id)
    empty = make.body(name="Empty")
    c = login_as("secretariat")
    assert c.submit(f"/bodies/{parent.id}/delete").status_code == 409
    assert c.submit(f"/bodies/{empty.id}/delete").status_code == 303
    with db_read() as s:
        assert s.get(Body, empty.id) is None and s.get(Body, parent.id) is not None


def test_composition_by_constituency_and_sector(login_as, make):
    body = make.body()
    make.seat(body, make.organisation(kind=OrganisationKind.MINISTRY, sectors=["health"]))
    make.seat(body, make.organisation(kind=OrganisationKind.PUBLIC_INSTITUTION, sectors=["statistics"]))
    make.seat(body, make.organisation(kind=OrganisationKind.CIVIL_SOCIETY, sectors=["gender"]))
    make.seat(body, make.organisation(kind=OrganisationKind.UN_AGENCY, sectors=["gender"]), MembershipKind.PARTNER)
    make.seat(body, make.organisation(kind=OrganisationKind.MINISTRY, sectors=["justice"]), end_date=date(2021, 1, 1))
    c = login_as("member")
    html = c.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert "4 organisations hold a seat today." in html
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="text-end">(\d+)</td>', html))
    assert rows["Government"] == "2" and rows["Civil society"] == "1" and rows["International partners"] == "0"
    assert rows["Gender / women&#39;s affairs"] == "1" and rows["Statistics"] == "1"
    assert "Justice" not in rows  # the ended seat does not count


# --- memberships --------------------------------------------------------------------------


def test_add_and_end_organisation_seat_keeps_history(login_as, make, db_read):
    body, org = make.body(), make.organisation(name="Ministry of Justice")
    c = login_as("secretariat")
    response = c.submit(f"/bodies/{body.id}/organisations/new", {"organisation_id": org.id, "kind": "member", "start_date": "2020-01-01"})
    assert response.status_code == 303
    overlap = c.submit(f"/bodies/{body.id}/organisations/new", {"organisation_id": org.id, "kind": "observer", "start_date": "2021-01-01"})
    assert overlap.status_code == 422
    assert "already holds a seat on this body for these dates" in overlap.get_data(as_text=True)
    with db_read() as s:
        seat = s.execute(db.select(OrganisationMembership)).scalar_one()
    bad_end = c.submit(f"/bodies/{body.id}/organisations/{seat.id}/end", {"end_date": "2019-01-01"})
    assert bad_end.status_code == 422
    assert c.submit(f"/bodies/{body.id}/organisations/{seat.id}/end", {"end_date": "2024-06-30"}).status_code == 303
    with db_read() as s:
        assert s.get(OrganisationMembership, seat.id).end_date == date(2024, 6, 30)
    history = c.get(f"/bodies/{body.id}/members").get_data(as_text=True)
    assert "Ministry of Justice" in history
    page = c.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert "No organisation holds a seat." in page
    # Once ended, the organisation can take a new seat after that date.
    again = c.submit(f"/bodies/{body.id}/organisations/new", {"organisation_id": org.id, "kind": "observer", "start_date": "2025-01-01"})
    assert again.status_code == 303


def test_seat_end_before_start_is_refused(login_as, make, db_read):
    body, org = make.body(), make.organisation()
    c = login_as("secretariat")
    response = c.submit(f"/bodies/{body.id}/organisations/new",
                        {"organisation_id": org.id, "kind": "member", "start_date": "2020-01-01", "end_date": "2019-01-01"})
    assert response.status_code == 422
    assert "The end date cannot be before the start date." in response.get_data(as_text=True)
    assert _count(db_read, OrganisationMembership) == 0


def test_person_seat_with_alternate(login_as, make, db_read):
    body = make.body()
    health, justice = make.organisation(name="Health"), make.organisation(name="Justice")
    principal, alternate, outsider = make.user(organisation=health, full_name="Dr Principal"), make.user(organisation=health, full_name="Deputy"), make.user(organisation=justice)
    seat = make.person_seat(body, principal)
    c = login_as("secretariat")
    url = f"/bodies/{body.id}/people/new"
    missing = c.submit(url, {"user_id": alternate.id, "role": "alternate", "start_date": "2021-01-01"})
    assert missing.status_code == 422 and "Choose the member this person is the alternate for." in missing.get_data(as_text=True)
    wrong_org = c.submit(url, {"user_id": outsider.id, "role": "alternate", "alternate_for_id": seat.id, "start_date": "2021-01-01"})
    assert wrong_org.status_code == 422 and "same organisation as their principal" in wrong_org.get_data(as_text=True)
    twice = c.submit(url, {"user_id": principal.id, "role": "member", "start_date": "2021-01-01"})
    assert twice.status_code == 422
    assert _count(db_read, PersonMembership) == 1
    ok = c.submit(url, {"user_id": alternate.id, "role": "alternate", "alternate_for_id": seat.id, "start_date": "2021-01-01"})
    assert ok.status_code == 303
    with db_read() as s:
        added = s.execute(db.select(PersonMembership).where(PersonMembership.user_id == alternate.id)).scalar_one()
        assert added.organisation_id == health.id and added.role == SeatRole.ALTERNATE
    assert "for Dr Principal" in c.get(f"/bodies/{body.id}").get_data(as_text=True)


# --- charters -----------------------------------------------------------------------------


def _charter(**overrides):
    data = {"title": "Terms of reference", "mandate": "Coordinate the response.", "objectives": "Meet monthly.",
            "composition_rule": "One seat per ministry.", "quorum_rule": "majority", "quorum_value": "",
            "decision_rule": "consensus", "meeting_frequency": "monthly", "legal_status": "informal"}
    data.update(overrides)
    return data


def _charter_id(db_read, body_id, number):
    with db_read() as s:
        return s.execute(db.select(Charter.id).where(Charter.body_id == body_id, Charter.number == number)).scalar_one()


def test_charter_workflow_adopt_supersede_and_diff(login_as, make, db_read):
    body = make.body()
    c = login_as("secretariat")
    assert c.submit(f"/bodies/{body.id}/charters/new", _charter()).status_code == 303
    v1 = _charter_id(db_read, body.id, 1)
    base = f"/bodies/{body.id}/charters/{v1}"
    # Adoption needs review first.
    assert c.submit(f"{base}/adopt", {"adopted_on": "2024-01-10"}).status_code == 409
    assert c.submit(f"{base}/submit").status_code == 303
    future = c.submit(f"{base}/adopt", {"adopted_on": (today() + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and "cannot be in the future" in future.get_data(as_text=True)
    assert c.submit(f"{base}/adopt", {"adopted_on": "2024-01-10", "adopted_at_meeting": "Meeting of 10 January"}).status_code == 303
    # Adopted versions are immutable.
    locked = c.submit(f"{base}/edit", _charter(title="Sneaky change", version="3"))
    assert locked.status_code == 303
    with db_read() as s:
        assert s.get(Charter, v1).title == "Terms of reference"
    # A change is a new version.
    assert c.submit(f"{base}/new-version").status_code == 303
    v2 = _charter_id(db_read, body.id, 2)
    second = c.submit(f"{base}/new-version")
    assert second.status_code == 409  # one version in preparation at a time
    page = c.get(f"/bodies/{body.id}/charters/{v2}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert c.submit(f"/bodies/{body.id}/charters/{v2}/edit",
                    _charter(objectives="Meet every quarter.", quorum_rule="fixed", quorum_value="5", version=version)).status_code == 303
    assert c.submit(f"/bodies/{body.id}/charters/{v2}/submit").status_code == 303
    assert c.submit(f"/bodies/{body.id}/charters/{v2}/adopt", {"adopted_on": "2025-02-01"}).status_code == 303
    with db_read() as s:
        assert s.get(Charter, v1).status == CharterStatus.SUPERSEDED
        assert s.get(Charter, v2).status == CharterStatus.ADOPTED
        assert s.get(Charter, v2).based_on_id == v1
    diff = c.get(f"/bodies/{body.id}/charters/compare?from=1&to=2").get_data(as_text=True)
    assert '<del class="diff"><span class="visually-hidden">removed: </span>monthly.</del>' in diff
    assert '<ins class="diff"><span class="visually-hidden">added: </span>every quarter.</ins>' in diff
    assert "added: </span>Fixed number</ins>" in diff
    assert c.get(f"/bodies/{body.id}/charters/compare?from=1&to=9").status_code == 404
    body_page = c.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert "version 2, adopted" in body_page and "5 member organisations" in body_page


@pytest.mark.parametrize("overrides,field,message", [
    ({"quorum_rule": "fixed", "quorum_value": ""}, "quorum_value", "Give the number of organisations needed"),
    ({"quorum_rule": "percentage", "quorum_value": "150"}, "quorum_value", "Give a percentage between 1 and 100."),
    ({"quorum_value": "abc"}, "quorum_value", "Not a valid integer value"),
    ({"title": ""}, "title", "This field is required."),
    ({"decision_rule": "dictator"}, "decision_rule", "Not a valid choice"),
])
def test_charter_bad_input(login_as, make, db_read, overrides, field, message):
    body = make.body()
    c = login_as("secretariat")
    response = c.submit(f"/bodies/{body.id}/charters/new", _charter(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert _count(db_read, Charter) == 0


def test_concurrent_charter_edits_are_refused(login_as, make, db_read):
    body = make.body()
    charter = make.charter(body)
    alice, bob = login_as("secretariat"), login_as("secretariat")
    url = f"/bodies/{body.id}/charters/{charter.id}/edit"
    assert alice.submit(url, _charter(title="Alice", version="1")).status_code == 303
    assert bob.submit(url, _charter(title="Bob", version="1")).status_code == 409
    with db_read() as s:
        assert s.get(Charter, charter.id).title == "Alice"


def test_signatories_and_governance_flags(login_as, make, db_read):
    body = make.body(name="Committee")
    a, b, cso = make.organisation(acronym="AAA"), make.organisation(acronym="BBB"), make.organisation(acronym="CSO", kind=OrganisationKind.CIVIL_SOCIETY)
    for org in (a, b, cso):
        make.seat(body, org)
    make.seat(body, make.organisation(acronym="UNW", kind=OrganisationKind.UN_AGENCY), MembershipKind.PARTNER)
    charter = make.charter(body, status=CharterStatus.ADOPTED, adopted_on=date(2024, 1, 1))
    c = login_as("secretariat")
    url = f"/bodies/{body.id}/charters/{charter.id}/signatories"
    assert c.submit(url, {"organisation_id": a.id, "signer_name": "Minister A", "signed_on": "2024-01-02"}).status_code == 303
    dup = c.submit(url, {"organisation_id": a.id, "signer_name": "Minister A", "signed_on": "2024-01-02"})
    assert dup.status_code == 422 and "already signed" in dup.get_data(as_text=True)
    future = c.submit(url, {"organisation_id": b.id, "signer_name": "B", "signed_on": (today() + timedelta(days=2)).isoformat()})
    assert future.status_code == 422
    assert _count(db_read, CharterSignatory) == 1
    evaluator = login_as("evaluator")
    html = evaluator.get("/bodies/governance").get_data(as_text=True)
    row = html[html.index("Committee"):]
    row = row[: row.index("</tr>")]
    assert "BBB, CSO" in row and "AAA" not in row.split("BBB")[0].split("<td>")[-1]
    counts = re.findall(r'<td class="text-end">(\d+)</td>', row)
    assert counts == ["2", "1", "0", "3"]  # government, civil society, international, members
    make.body(name="No Charter Body")
    html = evaluator.get("/bodies/governance").get_data(as_text=True)
    assert "no adopted charter" in html


def test_charter_history_is_in_audit_log(login_as, make):
    body = make.body()
    c = login_as("secretariat")
    c.submit(f"/bodies/{body.id}/charters/new", _charter())
    evaluator = login_as("evaluator")
    html = evaluator.get("/audit/?type=charter").get_data(as_text=True)
    assert "Charter #" in html and "Terms of reference" in html


# --- query counts --------------------------------------------------------------------------


def _grow(make, state, total):
    while state["n"] < total:
        body = make.body(name=f"Body {state['n']:03d}", parent_id=state["root"])
        org = make.organisation(name=f"Org {state['n']:03d}")
        make.seat(body, org)
        charter = make.charter(body, status=CharterStatus.ADOPTED)
        make.signatory(charter, org)
        state["n"] += 1


@pytest.mark.parametrize("url", ["/bodies/", "/bodies/governance", "/dashboard"])
@pytest.mark.parametrize("role", ["secretariat", "member"])
def test_list_pages_make_the_same_number_of_queries(login_as, make, count_queries, url, role):
    root = make.body(name="Root")
    state = {"n": 0, "root": root.id}
    c = login_as(role)

    def measure(total):
        _grow(make, state, total)
        with count_queries() as n:
            assert c.get(url).status_code == 200
        return n()

    assert measure(5) == measure(200)


def test_body_page_query_count_does_not_grow_with_members(login_as, make, count_queries):
    body = make.body()
    c = login_as("member")
    state = {"n": 0}

    def measure(total):
        while state["n"] < total:
            org = make.organisation()
            make.seat(body, org)
            make.person_seat(body, make.user(organisation=org))
            state["n"] += 1
        with count_queries() as n:
            assert c.get(f"/bodies/{body.id}").status_code == 200
        return n()

    assert measure(3) == measure(60)


def test_audit_entries_written_with_the_change(login_as, make, db_read):
    body = make.body(name="Audit Me")
    c = login_as("secretariat")
    c.submit(f"/bodies/{body.id}/edit", _body(name="Audited", acronym="AU", version="1"))
    with db_read() as s:
        entry = s.execute(db.select(AuditEntry).where(AuditEntry.object_type == "body")).scalar_one()
        assert entry.changes["name"] == ["Audit Me", "Audited"] and entry.actor_id == c.user.id
