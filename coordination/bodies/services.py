"""Body services: the tree, memberships with history, and the charter workflow."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from coordination import audit
from coordination.accounts.models import User
from coordination.bodies import queries
from coordination.bodies.models import (
    Body,
    Charter,
    CharterSignatory,
    CharterStatus,
    OrganisationMembership,
    PersonMembership,
    QuorumRule,
    SeatRole,
)
from coordination.dates import known_zones, local_today
from coordination.db import apply_changes, audit_value, check_version, touch
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db
from coordination.organisations.models import Organisation

BODY_FIELDS = (
    "name", "acronym", "kind", "parent_id", "level", "area", "mandate", "established_on",
    "status", "lead_organisation_id", "secretariat_organisation_id", "visibility", "timezone",
)
ORG_MEMBERSHIP_FIELDS = ("organisation_id", "kind", "start_date", "end_date", "notes")
PERSON_MEMBERSHIP_FIELDS = (
    "user_id", "organisation_id", "role", "alternate_for_id", "start_date", "end_date",
)


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: audit_value(getattr(obj, f)) for f in fields}


# --- bodies -------------------------------------------------------------------------------


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
    body = Body()
    changes = apply_changes(body, data, BODY_FIELDS)
    db.session.add(body)
    db.session.flush()
    audit.record(body, "create", changes, actor)
    return body


def update_body(body: Body, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """Update a body; refuses cycles in the tree and edits from a stale copy."""
    check_version(body, data.get("version"))
    _validate_body(data, body)
    changes = apply_changes(body, data, BODY_FIELDS)
    if changes:
        db.session.flush()
        audit.record(body, "update", changes, actor)
    return changes


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


# --- memberships ------------------------------------------------------------------------------


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
    membership = OrganisationMembership(body=body)
    changes = apply_changes(membership, data, ORG_MEMBERSHIP_FIELDS)
    db.session.add(membership)
    db.session.flush()
    audit.record(membership, "create", changes, actor)
    return membership


def update_organisation_membership(
    membership: OrganisationMembership, data: dict[str, Any], *, actor: User
) -> dict[str, tuple]:
    """Change an organisation's seat; an edit from a stale copy is refused (optimistic locking)."""
    check_version(membership, data.get("version"))
    _check_dates({"start_date": membership.start_date, **data})
    _check_org_overlap(membership.body, {**_snapshot_raw(membership, ORG_MEMBERSHIP_FIELDS), **data}, membership)
    changes = apply_changes(membership, data, ORG_MEMBERSHIP_FIELDS)
    if changes:
        db.session.flush()
        audit.record(membership, "update", changes, actor)
    return changes


def _snapshot_raw(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


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
    membership = PersonMembership(body=body)
    changes = apply_changes(membership, data, PERSON_MEMBERSHIP_FIELDS)
    db.session.add(membership)
    db.session.flush()
    audit.record(membership, "create", changes, actor)
    return membership


def update_person_membership(membership: PersonMembership, data: dict[str, Any], *, actor: User):
    """Change a person's seat; an edit from a stale copy is refused (optimistic locking)."""
    check_version(membership, data.get("version"))
    data = _with_represented_organisation(data)
    merged = {**_snapshot_raw(membership, PERSON_MEMBERSHIP_FIELDS), **data}
    _validate_person_membership(membership.body, merged, membership)
    changes = apply_changes(membership, data, PERSON_MEMBERSHIP_FIELDS)
    if changes:
        db.session.flush()
        audit.record(membership, "update", changes, actor)
    return changes


# --- charters ----------------------------------------------------------------------------------


def _validate_charter(data: dict[str, Any]) -> None:
    rule, value = data.get("quorum_rule"), data.get("quorum_value")
    if rule == QuorumRule.FIXED and (value is None or value < 1):
        raise ValidationError({"quorum_value": _l("Give the number of organisations needed (1 or more).")})
    if rule == QuorumRule.PERCENTAGE and (value is None or not 1 <= value <= 100):
        raise ValidationError({"quorum_value": _l("Give a percentage between 1 and 100.")})


def _next_number(body: Body) -> int:
    current = db.session.execute(
        db.select(db.func.max(Charter.number)).where(Charter.body_id == body.id)
    ).scalar()
    return (current or 0) + 1


def create_charter(body: Body, data: dict[str, Any], *, actor: User) -> Charter:
    """Start a new draft version of a body's charter."""
    _validate_charter(data)
    charter = Charter(body=body, number=_next_number(body), status=CharterStatus.DRAFT)
    changes = apply_changes(charter, data, Charter.CONTENT_FIELDS)
    if data.get("quorum_rule") == QuorumRule.MAJORITY:
        charter.quorum_value = None
    db.session.add(charter)
    db.session.flush()
    audit.record(charter, "create", changes, actor)
    return charter


def new_version_from(source: Charter, *, actor: User) -> Charter:
    """A new draft copying ``source``'s text: how an adopted charter is changed."""
    open_draft = db.session.execute(
        db.select(Charter.id).where(
            Charter.body_id == source.body_id,
            Charter.status.in_([CharterStatus.DRAFT, CharterStatus.UNDER_REVIEW]),
        )
    ).first()
    if open_draft:
        raise ConflictError(_l("This body already has a charter version in preparation. Edit that one."))
    charter = create_charter(source.body, _snapshot_raw(source, Charter.CONTENT_FIELDS), actor=actor)
    charter.based_on = source
    return charter


def update_charter(charter: Charter, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """Edit a draft or a version under review. Adopted versions are immutable."""
    if charter.is_locked:
        raise ConflictError(
            _l("An adopted charter cannot be changed. Start a new version from it instead.")
        )
    check_version(charter, data.get("version"))
    _validate_charter(data)
    if data.get("quorum_rule") == QuorumRule.MAJORITY:
        data = {**data, "quorum_value": None}
    changes = apply_changes(charter, data, Charter.CONTENT_FIELDS)
    if changes:
        db.session.flush()
        audit.record(charter, "update", changes, actor)
    return changes


def _set_status(charter: Charter, status: CharterStatus, actor: User, extra: dict | None = None):
    old = charter.status
    charter.status = status
    db.session.flush()
    audit.record(charter, "status", {"status": (old.value, status.value), **(extra or {})}, actor)


def submit_for_review(charter: Charter, *, actor: User) -> None:
    if charter.status != CharterStatus.DRAFT:
        raise ConflictError(_l("Only a draft can be submitted for review."))
    _set_status(charter, CharterStatus.UNDER_REVIEW, actor)


def return_to_draft(charter: Charter, *, actor: User) -> None:
    if charter.status != CharterStatus.UNDER_REVIEW:
        raise ConflictError(_l("Only a version under review can go back to draft."))
    _set_status(charter, CharterStatus.DRAFT, actor)


def adopt_charter(charter: Charter, data: dict[str, Any], *, actor: User) -> None:
    """Adopt a version under review; the previously adopted version becomes superseded."""
    if charter.status != CharterStatus.UNDER_REVIEW:
        raise ConflictError(_l("Only a version under review can be adopted."))
    adopted_on = data["adopted_on"]
    if adopted_on > local_today():
        raise ValidationError({"adopted_on": _l("The adoption date cannot be in the future.")})
    previous = db.session.execute(
        db.select(Charter).where(
            Charter.body_id == charter.body_id, Charter.status == CharterStatus.ADOPTED
        )
    ).scalar_one_or_none()
    if previous is not None:
        if adopted_on < (previous.adopted_on or adopted_on):
            raise ValidationError(
                {"adopted_on": _l("The adoption date cannot be before that of the version it replaces.")}
            )
        _set_status(previous, CharterStatus.SUPERSEDED, actor, {"superseded_by": charter.number})
    charter.adopted_on = adopted_on
    charter.adopted_at_meeting = (data.get("adopted_at_meeting") or "").strip()
    _set_status(
        charter, CharterStatus.ADOPTED, actor,
        {"adopted_on": adopted_on.isoformat(), "adopted_at_meeting": charter.adopted_at_meeting},
    )


def delete_charter(charter: Charter, *, actor: User) -> None:
    """Discard a draft version (adopted and superseded versions are kept for ever)."""
    if charter.status != CharterStatus.DRAFT:
        raise ConflictError(_l("Only a draft version can be deleted."))
    audit.record(charter, "delete", _snapshot(charter, Charter.CONTENT_FIELDS), actor)
    db.session.delete(charter)
    db.session.flush()


def add_signatory(charter: Charter, data: dict[str, Any], *, actor: User) -> CharterSignatory:
    """Record that an organisation signed this version (under review or adopted)."""
    if charter.status not in (CharterStatus.UNDER_REVIEW, CharterStatus.ADOPTED):
        raise ConflictError(_l("Signatures are recorded on a version under review or adopted."))
    errors: dict[str | None, Any] = {}
    if any(s.organisation_id == data["organisation_id"] for s in charter.signatories):
        errors["organisation_id"] = _l("This organisation has already signed this version.")
    if data["signed_on"] > local_today():
        errors["signed_on"] = _l("The signature date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    signatory = CharterSignatory(
        charter=charter,
        organisation_id=data["organisation_id"],
        signer_name=data["signer_name"].strip(),
        signer_title=(data.get("signer_title") or "").strip(),
        signed_on=data["signed_on"],
    )
    db.session.add(signatory)
    db.session.flush()
    touch(charter)  # not a change of the charter's text: an open edit form stays valid
    org = db.session.get(Organisation, data["organisation_id"])
    audit.record(
        charter, "sign",
        {"organisation": org.name if org else None, "signer": signatory.signer_name,
         "signed_on": signatory.signed_on.isoformat()},
        actor,
    )
    return signatory


def remove_signatory(signatory: CharterSignatory, *, actor: User) -> None:
    charter = signatory.charter
    audit.record(
        charter, "unsign",
        {"organisation": signatory.organisation.name, "signer": signatory.signer_name}, actor,
    )
    db.session.delete(signatory)
    db.session.flush()
    touch(charter)


@dataclass
class FieldDiff:
    name: str
    old: str
    new: str
    changed: bool
    ops: list[tuple[str, str]]  # (tag, text): tag is "equal", "delete" or "insert"


def _display(charter: Charter, name: str) -> str:
    value = getattr(charter, name)
    if name == "quorum_value":
        return "" if value is None else str(value)
    return str(value.label) if hasattr(value, "label") else (value or "")


def compare_charters(old: Charter, new: Charter) -> list[FieldDiff]:
    """Field-by-field differences between two versions, with word-level changes in texts."""
    result = []
    for name in Charter.CONTENT_FIELDS:
        a, b = _display(old, name), _display(new, name)
        ops: list[tuple[str, str]] = []
        a_words, b_words = a.split(" "), b.split(" ")
        matcher = difflib.SequenceMatcher(a=a_words, b=b_words, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                ops.append(("equal", " ".join(a_words[i1:i2])))
                continue
            if i2 > i1:
                ops.append(("delete", " ".join(a_words[i1:i2])))
            if j2 > j1:
                ops.append(("insert", " ".join(b_words[j1:j2])))
        result.append(FieldDiff(name, a, b, a != b, ops))
    return result
