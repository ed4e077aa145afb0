"""Unit tests of the shared core every domain uses: status steps, the service tail, the
form-submit pattern and the nested-route guard."""
from __future__ import annotations

import pytest
from flask_login import login_user
from werkzeug.exceptions import NotFound
from wtforms import StringField
from wtforms.validators import InputRequired

from coordination import audit, permissions
from coordination.audit import AuditEntry
from coordination.bodies.models import Body, BodyKind, CharterStatus
from coordination.db import transition
from coordination.errors import STEP_REFUSED, ConflictError, StaleError, ValidationError
from coordination.extensions import db
from coordination.forms import BaseForm, submit
from coordination.permissions import guard

STEPS = {CharterStatus.DRAFT: {CharterStatus.ADOPTED}, CharterStatus.ADOPTED: {CharterStatus.SUPERSEDED}}


class _Thing:
    def __init__(self, status):
        self.status = status


def test_transition_takes_allowed_steps_and_returns_the_old_state():
    thing = _Thing(CharterStatus.DRAFT)
    assert transition(thing, CharterStatus.ADOPTED, STEPS) is CharterStatus.DRAFT
    assert thing.status is CharterStatus.ADOPTED


def test_transition_refuses_an_illegal_step_and_leaves_the_object_as_it_was(app):
    thing = _Thing(CharterStatus.DRAFT)
    with app.test_request_context(), pytest.raises(ConflictError) as refused:
        transition(thing, CharterStatus.SUPERSEDED, STEPS)
    assert thing.status is CharterStatus.DRAFT
    assert refused.value.message == STEP_REFUSED and refused.value.status == 409
    # A state the table does not know goes nowhere; a caller's own message is kept.
    with pytest.raises(ConflictError, match="no going back"):
        transition(_Thing(CharterStatus.SUPERSEDED), CharterStatus.DRAFT, STEPS, message="no going back")


def _audit_count(body: Body) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.object_type == audit.object_type(body), AuditEntry.object_id == body.id))


def test_save_new_and_save_changes_record_what_changed_and_nothing_else(app, make):
    actor = make.user()
    with app.app_context():
        body = audit.save_new(Body(name="x", kind=BodyKind.WORKING_GROUP, timezone="UTC"), {"name": "  Table  ", "acronym": "T"},
                              ("name", "acronym"), actor=actor)
        assert body.id is not None and body.name == "Table" and _audit_count(body) == 1
        assert audit.save_changes(body, {"name": "Table", "version": body.version}, ("name",), actor=actor) == {}
        assert _audit_count(body) == 1  # nothing changed: nothing written
        changes = audit.save_changes(body, {"name": "Round table", "version": body.version}, ("name",),
                                     actor=actor, extra={"members": ("a", "b")})
        assert changes == {"name": ("Table", "Round table"), "members": ("a", "b")}
        assert _audit_count(body) == 2
        with pytest.raises(StaleError):
            audit.save_changes(body, {"name": "Other", "version": body.version - 1}, ("name",), actor=actor)
        assert body.name == "Round table"
        db.session.rollback()


class _NameForm(BaseForm):
    one_time_token = False
    name = StringField(validators=[InputRequired()])


def _run_submit(app, data, action):
    with app.test_request_context("/x", method="POST", data=data):
        form = _NameForm(meta={"csrf": False})
        return submit(form, lambda: action(form), done=lambda result: (f"Saved {result}.", "/done"),
                      render=lambda: f"page {form.errors}")


def test_submit_redirects_after_the_service_and_shows_errors_beside_the_fields(app):
    response = _run_submit(app, {"name": "A"}, lambda form: form.name.data)
    assert response.status_code == 303 and response.location == "/done"

    def refuse(form):
        raise ValidationError({"name": "Taken."})

    body, status = _run_submit(app, {"name": "A"}, refuse)
    assert status == 422 and "Taken." in body
    body, status = _run_submit(app, {}, lambda form: pytest.fail("the service must not run on invalid input"))
    assert status == 422 and "name" in body
    with app.test_request_context("/x"):
        form = _NameForm(meta={"csrf": False})
        assert submit(form, lambda: None, done=lambda r: ("", "/"), render=lambda: ("kept", 409)) == ("kept", 409)


def test_guard_with_child_gives_the_view_the_parent_and_its_own_child(app, make, monkeypatch):
    admin = make.user(role="admin")
    children = {1: {"a": "child a"}}

    @guard("view", Body, load=lambda body_id, key: _Thing(body_id), child=lambda parent, body_id, key:
           children.get(parent.status, {}).get(key))
    def view(parent, child):
        return parent.status, child

    with app.test_request_context("/"):
        login_user(db.session.get(type(admin), admin.id))
        monkeypatch.setattr(permissions, "can", lambda user, action, obj: True)
        assert view(body_id=1, key="a") == (1, "child a")
        with pytest.raises(NotFound):
            view(body_id=1, key="b")  # not a child of this parent
        with pytest.raises(NotFound):
            view(body_id=2, key="a")
