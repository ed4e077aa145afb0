"""Charter services: versions, the draft → under review → adopted → superseded workflow, signatures."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from coordination import audit
from coordination.accounts.models import User
from coordination.audit import save_changes, save_new
from coordination.bodies.models import Body
from coordination.charters import queries
from coordination.charters.models import Charter, CharterSignatory, CharterStatus, QuorumRule
from coordination.dates import local_today
from coordination.db import audit_value, check_version, touch, transition
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db
from coordination.organisations.models import Organisation


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: audit_value(getattr(obj, f)) for f in fields}


def _snapshot_raw(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _validate_charter(data: dict[str, Any]) -> None:
    rule, value = data.get("quorum_rule"), data.get("quorum_value")
    if rule == QuorumRule.FIXED and (value is None or value < 1):
        raise ValidationError({"quorum_value": _l("Give the number of organisations needed (1 or more).")})
    if rule == QuorumRule.PERCENTAGE and (value is None or not 1 <= value <= 100):
        raise ValidationError({"quorum_value": _l("Give a percentage between 1 and 100.")})


def _without_unused_quorum_value(data: dict[str, Any]) -> dict[str, Any]:
    """A majority needs no number: one left in the form is not stored."""
    return {**data, "quorum_value": None} if data.get("quorum_rule") == QuorumRule.MAJORITY else data


def create_charter(body: Body, data: dict[str, Any], *, actor: User) -> Charter:
    """Start a new draft version of a body's charter."""
    _validate_charter(data)
    charter = Charter(body=body, number=queries.next_number(body), status=CharterStatus.DRAFT)
    return save_new(charter, _without_unused_quorum_value(data), Charter.CONTENT_FIELDS, actor=actor)


def new_version_from(source: Charter, *, actor: User) -> Charter:
    """A new draft copying ``source``'s text: how an adopted charter is changed."""
    if queries.has_version_in_preparation(source.body_id):
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
    check_version(charter, data.get("version"))  # a stale copy is refused before its content is judged
    _validate_charter(data)
    return save_changes(charter, _without_unused_quorum_value(data), Charter.CONTENT_FIELDS, actor=actor)


# The workflow: which status each status may go to (an adopted version is only ever superseded).
STEPS = {
    CharterStatus.DRAFT: {CharterStatus.UNDER_REVIEW},
    CharterStatus.UNDER_REVIEW: {CharterStatus.DRAFT, CharterStatus.ADOPTED},
    CharterStatus.ADOPTED: {CharterStatus.SUPERSEDED},
    CharterStatus.SUPERSEDED: set(),
}


def _set_status(
    charter: Charter, status: CharterStatus, actor: User, *, message: Any = None, extra: dict | None = None
) -> None:
    old = transition(charter, status, STEPS, message=message)
    db.session.flush()
    audit.record(charter, "status", {"status": (old.value, status.value), **(extra or {})}, actor)


def submit_for_review(charter: Charter, *, actor: User) -> None:
    """Send a draft for review (members may sign it from then on)."""
    _set_status(charter, CharterStatus.UNDER_REVIEW, actor, message=_l("Only a draft can be submitted for review."))


def return_to_draft(charter: Charter, *, actor: User) -> None:
    """Take a version under review back to draft."""
    _set_status(charter, CharterStatus.DRAFT, actor, message=_l("Only a version under review can go back to draft."))


def adopt_charter(charter: Charter, data: dict[str, Any], *, actor: User) -> None:
    """Adopt a version under review; the previously adopted version becomes superseded."""
    refused = _l("Only a version under review can be adopted.")
    if CharterStatus.ADOPTED not in STEPS[charter.status]:  # before the dates are judged
        raise ConflictError(refused)
    adopted_on = data["adopted_on"]
    if adopted_on > local_today():
        raise ValidationError({"adopted_on": _l("The adoption date cannot be in the future.")})
    previous = queries.adopted_version(charter.body_id)
    if previous is not None:
        if adopted_on < (previous.adopted_on or adopted_on):
            raise ValidationError(
                {"adopted_on": _l("The adoption date cannot be before that of the version it replaces.")}
            )
        _set_status(previous, CharterStatus.SUPERSEDED, actor, extra={"superseded_by": charter.number})
    charter.adopted_on = adopted_on
    charter.adopted_at_meeting = (data.get("adopted_at_meeting") or "").strip()
    _set_status(
        charter, CharterStatus.ADOPTED, actor, message=refused,
        extra={"adopted_on": adopted_on.isoformat(), "adopted_at_meeting": charter.adopted_at_meeting},
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
    """Remove a signature recorded by mistake."""
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
