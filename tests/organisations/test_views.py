"""Organisations through HTTP: create, edit, list with filters, delete, bad input, query counts."""
import re

import pytest

from coordination.audit import AuditEntry
from coordination.extensions import db
from coordination.organisations.models import Level, Organisation, OrganisationKind


def _data(**overrides):
    data = {"name": "National Shelter Network", "acronym": "NSN", "kind": "civil_society",
            "sectors": ["social_protection", "gender"], "level": "national", "contact_person": "",
            "email": "info@nsn.example.org", "phone": "", "website": "https://nsn.example.org", "address": ""}
    data.update(overrides)
    return data


def _org_count(db_read):
    with db_read() as s:
        return s.execute(db.select(db.func.count(Organisation.id))).scalar()


def test_create_organisation_with_sectors_and_audit(login_as, db_read):
    c = login_as("secretariat")
    response = c.submit("/organisations/new", _data())
    assert response.status_code == 303
    with db_read() as s:
        org = s.execute(db.select(Organisation).where(Organisation.acronym == "NSN")).scalar_one()
        assert [sec.value for sec in org.sectors] == ["gender", "social_protection"]
        entry = s.execute(db.select(AuditEntry).where(AuditEntry.object_type == "organisation")).scalar_one()
        assert entry.action == "create" and entry.actor_id == c.user.id
        assert entry.changes["name"] == [None, "National Shelter Network"]
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "National Shelter Network" in page and "Social protection" in page


@pytest.mark.parametrize("overrides,field,message", [
    ({"name": ""}, "name", "This field is required."),
    ({"name": "x" * 201}, "name", "Use at most 200 characters."),
    ({"kind": ""}, "kind", "This field is required."),
    ({"kind": "secret_society"}, "kind", "Not a valid choice"),
    ({"sectors": ["health", "astrology"]}, "sectors", "not a valid choice"),
    ({"email": "nope"}, "email", "Enter a valid e-mail address."),
    ({"website": "javascript:alert(1)"}, "website", "Enter a full address starting with https://"),
])
def test_bad_input_gives_field_error_and_writes_nothing(login_as, db_read, overrides, field, message):
    c = login_as("secretariat")
    before = _org_count(db_read)
    response = c.submit("/organisations/new", _data(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message.lower() in html.lower()
    assert _org_count(db_read) == before


def test_duplicate_name_is_refused(login_as, make, db_read):
    make.organisation(name="Ministry of Health")
    c = login_as("secretariat")
    response = c.submit("/organisations/new", _data(name="ministry of health"))
    assert response.status_code == 422
    assert "An organisation with this name already exists." in response.get_data(as_text=True)
    assert _org_count(db_read) == 1


def test_edit_changes_fields_and_records_old_and_new(login_as, make, db_read):
    org = make.organisation(name="Old Name", sectors=["health"])
    c = login_as("secretariat")
    response = c.submit(f"/organisations/{org.id}/edit", _data(name="New Name", sectors=["health", "justice"], version="1"))
    assert response.status_code == 303
    with db_read() as s:
        entry = s.execute(db.select(AuditEntry).where(AuditEntry.object_id == org.id, AuditEntry.action == "update")).scalar_one()
        assert entry.changes["name"] == ["Old Name", "New Name"]
        assert entry.changes["sectors"] == [["health"], ["health", "justice"]]


def test_concurrent_edit_is_refused_with_message(login_as, make, db_read):
    org = make.organisation(name="Shared Name")
    alice, bob = login_as("secretariat"), login_as("secretariat")
    form_a = alice.get(f"/organisations/{org.id}/edit").get_data(as_text=True)
    form_b = bob.get(f"/organisations/{org.id}/edit").get_data(as_text=True)
    version_a = re.search(r'name="version" type="hidden" value="(\d+)"', form_a).group(1)
    version_b = re.search(r'name="version" type="hidden" value="(\d+)"', form_b).group(1)
    assert alice.submit(f"/organisations/{org.id}/edit", _data(name="Alice's Name", version=version_a)).status_code == 303
    late = bob.submit(f"/organisations/{org.id}/edit", _data(name="Bob's Name", version=version_b))
    assert late.status_code == 409
    assert "Someone else changed this record" in late.get_data(as_text=True)
    with db_read() as s:
        assert s.get(Organisation, org.id).name == "Alice's Name"


def test_list_filters_and_search(login_as, make):
    make.organisation(name="Health Ministry", acronym="MSPP", kind=OrganisationKind.MINISTRY, sectors=["health"])
    make.organisation(name="Women's Network", acronym="RNAF", kind=OrganisationKind.CIVIL_SOCIETY, sectors=["gender"])
    make.organisation(name="Departmental Office", acronym="DO", kind=OrganisationKind.MINISTRY, sectors=["gender"], level=Level.DEPARTMENTAL)
    c = login_as("member")

    def names(query):
        html = c.get(f"/organisations/?{query}").get_data(as_text=True)
        return set(re.findall(r'<a href="/organisations/\d+">([^<]+)</a>', html))

    assert names("kind=civil_society") == {"Women&#39;s Network"}
    assert names("sector=gender") == {"Women&#39;s Network", "Departmental Office"}
    assert names("level=departmental") == {"Departmental Office"}
    assert names("q=mspp") == {"Health Ministry"}
    assert names("kind=government_ministry&sector=gender") == {"Departmental Office"}
    assert names("kind=bogus") == {"Health Ministry", "Women&#39;s Network", "Departmental Office"}


def test_list_paginates(login_as, make):
    for n in range(30):
        make.organisation(name=f"Org {n:02d}")
    c = login_as("member")
    first = c.get("/organisations/").get_data(as_text=True)
    second = c.get("/organisations/?page=2").get_data(as_text=True)
    assert "Org 00" in first and "Org 29" not in first
    assert "Org 29" in second
    assert c.get("/organisations/?page=abc").status_code == 200


def test_delete_only_without_history(login_as, make, db_read):
    free = make.organisation(name="Mistaken Entry")
    used = make.organisation(name="Has People")
    make.user(organisation=used)
    c = login_as("secretariat")
    assert c.submit(f"/organisations/{used.id}/delete").status_code == 409
    assert c.submit(f"/organisations/{free.id}/delete").status_code == 303
    with db_read() as s:
        assert s.get(Organisation, free.id) is None and s.get(Organisation, used.id) is not None
        deletion = s.execute(db.select(AuditEntry).where(AuditEntry.action == "delete")).scalar_one()
        assert deletion.object_label.startswith("Mistaken Entry") and deletion.changes["name"] == "Mistaken Entry"


def test_list_query_count_does_not_grow(login_as, make, count_queries):
    c = login_as("member")

    def queries_with(total):
        while _existing[0] < total:
            make.organisation(name=f"Organisation {_existing[0]:03d}", sectors=["health", "gender"])
            _existing[0] += 1
        with count_queries() as n:
            assert c.get("/organisations/?sector=health").status_code == 200
        return n()

    _existing = [0]
    assert queries_with(5) == queries_with(200)
