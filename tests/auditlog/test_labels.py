"""The audit log speaks people's language: labels for types, actions and fields, names instead of ids."""
import re

from coordination.audit import AuditEntry
from coordination.extensions import db


def test_changes_show_labels_and_names(login_as, make):
    body = make.body(name="Labelled Body", acronym="LB")
    lead = make.organisation(name="Ministry of Justice", acronym="MJSP")
    secretariat = login_as("secretariat")
    secretariat.submit(f"/bodies/{body.id}/edit", {
        "name": "Labelled Body", "acronym": "LB", "kind": body.kind.value, "level": body.level.value,
        "area": "", "mandate": "", "status": body.status.value, "visibility": body.visibility.value,
        "timezone": body.timezone, "lead_organisation_id": lead.id, "version": body.version,
    })
    html = login_as("admin").get(f"/audit/?type=body&object={body.id}").get_data(as_text=True)
    assert "lead_organisation_id" not in html and "Lead organisation" in html
    assert "Ministry of Justice (MJSP)" in html  # the name, not the id
    assert re.search(r"<td>\s*changed\s*</td>", html)
    assert "Body #" in html


def test_user_entries_are_filed_under_person_never_localproxy(login_as, make, app, db_read):
    member = login_as("member")
    member.submit("/accounts/calendar-feed", {})  # recorded with current_user (a proxy)
    with app.app_context():  # an entry written before the fix
        db.session.add(AuditEntry(object_type="LocalProxy", object_id=member.user.id, object_label="Old", action="change_password", changes={}))
        db.session.commit()
    with db_read() as s:
        types = set(s.execute(db.select(AuditEntry.object_type)).scalars())
    assert "user" in types
    admin = login_as("admin")
    html = admin.get("/audit/").get_data(as_text=True)
    options = re.search(r'<select[^>]*id="f-type".*?</select>', html, re.S).group(0)
    assert "LocalProxy" not in options and '<option value="user"' in options and ">Person<" in options
    filtered = admin.get(f"/audit/?type=user&object={member.user.id}").get_data(as_text=True)
    assert "calendar address made" in filtered and "password changed" in filtered


def test_audit_log_refused_to_members(login_as):
    assert login_as("member").get("/audit/").status_code == 403
