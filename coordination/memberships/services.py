"""Seat services: give organisations and people seats on a body, end them, keep the history."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from coordination import audit
from coordination.accounts.models import User
from coordination.audit import save_changes, save_new
from coordination.bodies.models import Body
from coordination.dates import local_today
from coordination.db import audit_value, check_version
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db
from coordination.memberships.models import OrganisationMembership, PersonMembership, SeatRole

ORG_MEMBERSHIP_FIELDS = ("organisation_id", "kind", "start_date", "end_date", "notes")
PERSON_MEMBERSHIP_FIELDS = (
    "user_id", "organisation_id", "role", "alternate_for_id", "start_date", "end_date",
)


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: audit_value(getattr(obj, f)) for f in fields}


def _snapshot_raw(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _check_dates(data: dict[str, Any]) -> None:
    if data.get("end_date") and data.get("start_date") and data["end_date"] < data["start_date"]:
        raise ValidationError({"end_date": _l("The end date cannot be before the start date.")})


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (a_end is None or a_end >= b_start) and (b_end is None or b_end >= a_start)


def _check_org_overlap(body: Body, data: dict[str, Any], current: OrganisationMembership | None):
    for other in body.organisation_memberships:
        if other is current or other.organisation_id != data["organisation_id"]:
            continue
        if _overlaps(data["start_date"], data.get("end_date"), other.start_date, other.end_date):
            raise ValidationError(
                {"organisation_id": _l("This organisation already holds a seat on this body for these dates.")}
            )


def add_organisation_membership(body: Body, data: dict[str, Any], *, actor: User) -> OrganisationMembership:
    """Give an organisation a seat (member, observer or partner) on a body."""
    _check_dates(data)
    _check_org_overlap(body, data, None)
    return save_new(OrganisationMembership(body=body), data, ORG_MEMBERSHIP_FIELDS, actor=actor)


def update_organisation_membership(
    membership: OrganisationMembership, data: dict[str, Any], *, actor: User
) -> dict[str, tuple]:
    """Change an organisation's seat; an edit from a stale copy is refused (optimistic locking)."""
    check_version(membership, data.get("version"))  # a stale copy is refused before its content is judged
    _check_dates({"start_date": membership.start_date, **data})
    _check_org_overlap(membership.body, {**_snapshot_raw(membership, ORG_MEMBERSHIP_FIELDS), **data}, membership)
    return save_changes(membership, data, ORG_MEMBERSHIP_FIELDS, actor=actor)


def end_membership(
    membership: OrganisationMembership | PersonMembership, end_date: date, *, actor: User, version: Any = None
) -> None:
    """End a seat on ``end_date``; it stays in the body's history (a stale form is refused)."""
    check_version(membership, version)
    if membership.end_date is not None and membership.end_date <= local_today():
        raise ConflictError(_l("This membership has already ended."))
    if end_date < membership.start_date:
        raise ValidationError({"end_date": _l("The end date cannot be before the start date.")})
    old = membership.end_date
    membership.end_date = end_date
    db.session.flush()
    audit.record(membership, "end", {"end_date": (audit_value(old), end_date.isoformat())}, actor)


def delete_membership(membership: OrganisationMembership | PersonMembership, *, actor: User) -> None:
    """Remove a seat entered by mistake (ending it is the normal way to close a seat)."""
    fields = ORG_MEMBERSHIP_FIELDS if isinstance(membership, OrganisationMembership) else PERSON_MEMBERSHIP_FIELDS
    audit.record(membership, "delete", _snapshot(membership, fields), actor)
    db.session.delete(membership)
    db.session.flush()


def _validate_person_membership(body: Body, data: dict[str, Any], current: PersonMembership | None):
    _check_dates(data)
    errors: dict[str | None, Any] = {}
    principal_id = data.get("alternate_for_id")
    if data.get("role") == SeatRole.ALTERNATE and not principal_id:
        errors["alternate_for_id"] = _l("Choose the member this person is the alternate for.")
    if principal_id:
        principal = db.session.get(PersonMembership, principal_id)
        if principal is None or principal.body_id != body.id:
            errors["alternate_for_id"] = _l("The principal must hold a seat on the same body.")
        elif current is not None and principal.id == current.id:
            errors["alternate_for_id"] = _l("A person cannot be their own alternate.")
        elif principal.alternate_for_id is not None:
            errors["alternate_for_id"] = _l("The principal cannot be an alternate themselves.")
        elif principal.organisation_id != data.get("organisation_id"):
            errors["alternate_for_id"] = _l(
                "An alternate represents the same organisation as their principal."
            )
    for other in body.person_memberships:
        if other is current or other.user_id != data.get("user_id"):
            continue
        if _overlaps(data["start_date"], data.get("end_date"), other.start_date, other.end_date):
            errors["user_id"] = _l("This person already holds a seat on this body for these dates.")
    if errors:
        raise ValidationError(errors)


def _with_represented_organisation(data: dict[str, Any]) -> dict[str, Any]:
    """Default the represented organisation to the person's own; one is required."""
    if not data.get("organisation_id"):
        person = db.session.get(User, data["user_id"]) if data.get("user_id") else None
        data = {**data, "organisation_id": person.organisation_id if person else None}
    if not data.get("organisation_id"):
        raise ValidationError({"organisation_id": _l("Choose the organisation this person represents.")})
    return data


def add_person_membership(body: Body, data: dict[str, Any], *, actor: User) -> PersonMembership:
    """Seat a person on a body on behalf of an organisation (chair, member, alternate, …)."""
    data = _with_represented_organisation(data)
    _validate_person_membership(body, data, None)
    return save_new(PersonMembership(body=body), data, PERSON_MEMBERSHIP_FIELDS, actor=actor)


def update_person_membership(membership: PersonMembership, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """Change a person's seat; an edit from a stale copy is refused (optimistic locking)."""
    check_version(membership, data.get("version"))  # a stale copy is refused before its content is judged
    data = _with_represented_organisation(data)
    merged = {**_snapshot_raw(membership, PERSON_MEMBERSHIP_FIELDS), **data}
    _validate_person_membership(membership.body, merged, membership)
    return save_changes(membership, data, PERSON_MEMBERSHIP_FIELDS, actor=actor)
