"""The audit log page: who may read it, and its filters."""
from datetime import timedelta

from coordination.audit import AuditEntry
from coordination.extensions import db
from tests import today


def test_audit_log_filters_by_object_and_dates(login_as, make):
    body = make.body(name="Filtered Body")
    org = make.organisation(name="Filtered Org")
    secretariat = login_as("secretariat")
    secretariat.submit(f"/organisations/{org.id}/edit", {"name": "Renamed Org", "kind": "government_ministry", "level": "national", "version": "1"})
    secretariat.submit(f"/bodies/{body.id}/charters/new", {"title": "ToR", "quorum_rule": "majority", "decision_rule": "consensus",
                                                          "meeting_frequency": "monthly", "legal_status": "informal"})
    admin = login_as("admin")
    by_org = admin.get(f"/audit/?type=organisation&object={org.id}").get_data(as_text=True)
    assert "Renamed Org" in by_org and "ToR" not in by_org
    assert "Filtered Org" in by_org  # old → new values shown
    day = today()
    assert "Renamed Org" in admin.get(f"/audit/?since={day.isoformat()}").get_data(as_text=True)
    assert "Nothing recorded" in admin.get(f"/audit/?until={(day - timedelta(days=10)).isoformat()}").get_data(as_text=True)
    assert admin.get("/audit/?since=not-a-date&object=abc").status_code == 200


def test_object_pages_link_to_their_history(login_as, make):
    org = make.organisation()
    evaluator = login_as("evaluator")
    html = evaluator.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert f'href="/audit/?type=organisation&amp;object={org.id}"' in html
    member = login_as("member")
    assert "History of changes" not in member.get(f"/organisations/{org.id}").get_data(as_text=True)


def test_refused_changes_leave_no_audit_entry(login_as, make, db_read):
    org = make.organisation()
    member = login_as("member")
    assert member.submit(f"/organisations/{org.id}/edit", {"name": "X", "kind": "civil_society", "level": "national"}).status_code == 403
    with db_read() as s:
        assert s.execute(db.select(db.func.count(AuditEntry.id))).scalar() == 0


def test_audit_page_query_count_is_flat(login_as, make, count_queries):
    admin = login_as("admin")
    state = {"n": 0}

    def measure(total):
        while state["n"] < total:
            admin.submit("/organisations/new", {"name": f"Org {state['n']}", "kind": "civil_society", "level": "national"})
            state["n"] += 1
        with count_queries() as n:
            assert admin.get("/audit/").status_code == 200
        return n()

    assert measure(3) == measure(60)
