"""Body services: create, edit and delete coordination bodies, refusing cycles in the tree."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from coordination import audit
from coordination.accounts.models import User
from coordination.audit import save_changes, save_new
from coordination.bodies import queries
from coordination.bodies.models import Body
from coordination.dates import known_zones, local_today
from coordination.db import audit_value, check_version
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db

BODY_FIELDS = (
    "name", "acronym", "kind", "parent_id", "level", "area", "mandate", "established_on",
    "status", "lead_organisation_id", "secretariat_organisation_id", "visibility", "timezone",
)


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: audit_value(getattr(obj, f)) for f in fields}


def _validate_body(data: dict[str, Any], body: Body | None) -> None:
    errors: dict[str | None, Any] = {}
    if queries.name_taken(data["name"], body.id if body else None):
        errors["name"] = _l("A body with this name already exists.")
    if data.get("timezone") not in known_zones():
        errors["timezone"] = _l("Choose a time zone from the list.")
    parent_id = data.get("parent_id")
    if body is not None and parent_id is not None:
        if parent_id == body.id or parent_id in queries.descendant_ids(body.id):
            errors["parent_id"] = _l(
                "A body cannot sit under itself or under one of its own sub-bodies."
            )
    if data.get("established_on") and data["established_on"] > local_today():
        errors["established_on"] = _l("The date of establishment cannot be in the future.")
    if errors:
        raise ValidationError(errors)


def create_body(data: dict[str, Any], *, actor: User) -> Body:
    """Create a coordination body (optionally under a parent)."""
    _validate_body(data, None)
    return save_new(Body(), data, BODY_FIELDS, actor=actor)


def update_body(body: Body, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """Update a body; refuses cycles in the tree and edits from a stale copy."""
    check_version(body, data.get("version"))  # a stale copy is refused before its content is judged
    _validate_body(data, body)
    return save_changes(body, data, BODY_FIELDS, actor=actor)


def delete_body(body: Body, *, actor: User) -> None:
    """Delete a body created by mistake: only while it has no sub-bodies, seats or charters."""
    if body.children or body.organisation_memberships or body.person_memberships or body.charters:
        raise ConflictError(
            _l(
                "This body has sub-bodies, members or charters and cannot be deleted. "
                "Set its status to dissolved instead."
            )
        )
    audit.record(body, "delete", _snapshot(body, BODY_FIELDS), actor)
    db.session.delete(body)
    db.session.flush()
