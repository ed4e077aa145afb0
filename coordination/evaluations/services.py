"""Evaluation services: the record and its workflow, narrative, recommendations → action items, files."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from coordination import audit, uploads
from coordination.accounts.models import User
from coordination.dates import local_today
from coordination.db import apply_changes, audit_value, check_version, utcnow
from coordination.errors import ConflictError, ValidationError
from coordination.evaluations.models import (
    AttachmentKind,
    Evaluation,
    EvaluationAttachment,
    EvaluationKind,
    EvaluationNote,
    EvaluationStatus,
    NoteKind,
    Recommendation,
)
from coordination.extensions import db
from coordination.plans import services as plan_services
from coordination.plans.models import ActionItem, ActionPlan, Origin, Priority

FIELDS = ("title", "kind", "period_start", "period_end", "as_of", "external_organisation", "summary")


def _validate(plan: ActionPlan, data: dict[str, Any]) -> None:
    if data.get("kind"):
        data["kind"] = EvaluationKind(data["kind"])
    errors: dict[str | None, Any] = {}
    if data["period_end"] < data["period_start"]:
        errors["period_end"] = _l("The period cannot end before it starts.")
    as_of = data["as_of"]
    if as_of > local_today():
        errors["as_of"] = _l("The as-of date cannot be in the future.")
    elif as_of < plan.period_start:
        errors["as_of"] = _l("The as-of date must fall within or after the plan's period (from %(start)s).",
                             start=plan.period_start.isoformat())
    elif as_of < data["period_start"]:
        errors["as_of"] = _l("The as-of date cannot be before the period it covers.")
    if errors:
        raise ValidationError(errors)


def _evaluators(ids: list[int] | None) -> list[User]:
    ids = sorted(set(ids or []))
    if not ids:
        return []
    people = list(db.session.execute(db.select(User).where(User.id.in_(ids), User.active.is_(True))).scalars())
    if len(people) != len(ids):
        raise ValidationError({"evaluator_ids": _l("Choose evaluators from the list.")})
    return people


def _check_open(evaluation: Evaluation) -> None:
    if evaluation.is_final:
        raise ConflictError(_l("This evaluation is final and can no longer be changed."))


def create_evaluation(plan: ActionPlan, data: dict[str, Any], *, actor: User) -> Evaluation:
    """Start a draft evaluation of ``plan``; the creator is one of its authors."""
    _validate(plan, data)
    evaluation = Evaluation(plan=plan, status=EvaluationStatus.DRAFT, created_by_id=actor.id)
    changes = apply_changes(evaluation, data, FIELDS)
    evaluation.evaluators = _evaluators(data.get("evaluator_ids"))
    db.session.add(evaluation)
    db.session.flush()
    changes["evaluators"] = (None, sorted(u.full_name for u in evaluation.evaluators))
    audit.record(evaluation, "create", changes, actor)
    return evaluation


def update_evaluation(evaluation: Evaluation, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """Edit a draft or an evaluation under review; a final one is refused."""
    _check_open(evaluation)
    check_version(evaluation, data.get("version"))
    _validate(evaluation.plan, data)
    changes = apply_changes(evaluation, data, FIELDS)
    if "evaluator_ids" in data:
        old = sorted(u.full_name for u in evaluation.evaluators)
        evaluation.evaluators = _evaluators(data["evaluator_ids"])
        new = sorted(u.full_name for u in evaluation.evaluators)
        if old != new:
            changes["evaluators"] = (old, new)
    if changes:
        evaluation.updated_at = utcnow()
        db.session.flush()
        audit.record(evaluation, "update", changes, actor)
    return changes


def submit_for_review(evaluation: Evaluation, *, actor: User) -> None:
    if evaluation.status != EvaluationStatus.DRAFT:
        raise ConflictError(_l("Only a draft can be submitted for review."))
    _set_status(evaluation, EvaluationStatus.UNDER_REVIEW, actor)


def return_to_draft(evaluation: Evaluation, *, actor: User) -> None:
    if evaluation.status != EvaluationStatus.UNDER_REVIEW:
        raise ConflictError(_l("Only an evaluation under review can go back to draft."))
    _set_status(evaluation, EvaluationStatus.DRAFT, actor)


def finalise(evaluation: Evaluation, figures: dict[str, Any], *, actor: User) -> None:
    """Make the evaluation final and store ``figures`` (the plan as of its date) for good."""
    if evaluation.status != EvaluationStatus.UNDER_REVIEW:
        raise ConflictError(_l("Submit the evaluation for review before making it final."))
    if evaluation.as_of > local_today():
        raise ConflictError(_l("The as-of date cannot be in the future."))
    evaluation.figures = figures
    evaluation.finalised_at = utcnow()
    evaluation.finalised_by_id = actor.id
    _set_status(evaluation, EvaluationStatus.FINAL, actor)


def _set_status(evaluation: Evaluation, status: EvaluationStatus, actor: User) -> None:
    old = evaluation.status
    evaluation.status = status
    evaluation.updated_at = utcnow()
    db.session.flush()
    audit.record(evaluation, "status", {"status": (old.value, status.value)}, actor)


def delete_evaluation(evaluation: Evaluation, *, actor: User) -> None:
    """Delete a draft entered by mistake (its files go with it)."""
    if evaluation.status != EvaluationStatus.DRAFT:
        raise ConflictError(_l("Only a draft evaluation can be deleted."))
    audit.record(evaluation, "delete", {f: audit_value(getattr(evaluation, f)) for f in FIELDS}, actor)
    db.session.delete(evaluation)
    db.session.flush()


# --- narrative -----------------------------------------------------------------------------


def _axis(evaluation: Evaluation, axis_id: int | None, field: str = "axis_id") -> int | None:
    if not axis_id:
        return None
    axis = db.session.get(ActionItem, axis_id)
    if axis is None or axis.plan_id != evaluation.plan_id or axis.parent_id is not None:
        raise ValidationError({field: _l("Choose a strategic axis of this plan.")})
    return axis.id


def add_note(evaluation: Evaluation, data: dict[str, Any], *, actor: User) -> EvaluationNote:
    """Add a finding, an area of progress or a lesson learned (on an axis or overall)."""
    _check_open(evaluation)
    text = (data.get("text") or "").strip()
    if not text:
        raise ValidationError({"text": _l("Write the text.")})
    note = EvaluationNote(evaluation=evaluation, kind=NoteKind(data["kind"]),
                          axis_id=_axis(evaluation, data.get("axis_id")), text=text)
    db.session.add(note)
    db.session.flush()
    audit.record(evaluation, "add_note", {"kind": note.kind.value, "text": text[:300]}, actor)
    return note


def delete_note(evaluation: Evaluation, note: EvaluationNote, *, actor: User) -> None:
    _check_open(evaluation)
    audit.record(evaluation, "remove_note", {"kind": note.kind.value, "text": note.text[:300]}, actor)
    db.session.delete(note)
    db.session.flush()


def add_recommendation(evaluation: Evaluation, data: dict[str, Any], *, actor: User) -> Recommendation:
    """Add a numbered recommendation with a priority and an addressee organisation."""
    _check_open(evaluation)
    text = (data.get("text") or "").strip()
    if not text:
        raise ValidationError({"text": _l("Write the recommendation.")})
    number = max((r.number for r in evaluation.recommendations), default=0) + 1
    rec = Recommendation(evaluation=evaluation, number=number, text=text, priority=Priority(data["priority"]),
                         axis_id=_axis(evaluation, data.get("axis_id")), addressee_id=data.get("addressee_id"))
    db.session.add(rec)
    db.session.flush()
    audit.record(evaluation, "add_recommendation", {"number": number, "text": text[:300]}, actor)
    return rec


def delete_recommendation(evaluation: Evaluation, rec: Recommendation, *, actor: User) -> None:
    _check_open(evaluation)
    if rec.action_item_id:
        raise ConflictError(_l("This recommendation has become an action item and cannot be removed."))
    audit.record(evaluation, "remove_recommendation", {"number": rec.number, "text": rec.text[:300]}, actor)
    db.session.delete(rec)
    db.session.flush()


def recommendation_to_item(rec: Recommendation, data: dict[str, Any], *, actor: User) -> ActionItem:
    """Turn a recommendation into an action item, in the plan (under ``parent_id``) or outside it."""
    if rec.action_item_id:
        raise ConflictError(_l("This recommendation is already an action item."))
    evaluation = rec.evaluation
    plan = evaluation.plan
    parent = None
    if data.get("parent_id"):
        parent = db.session.get(ActionItem, data["parent_id"])
        if parent is None or parent.plan_id != plan.id:
            raise ValidationError({"parent_id": _l("Choose a place in this plan's tree.")})
        if parent.updates:
            raise ValidationError({"parent_id": _l("This item has progress reports of its own and cannot take sub-items.")})
    item_data = {
        "title": data["title"], "description": data.get("description") or rec.text,
        "lead_organisation_id": data.get("lead_organisation_id"), "focal_person_id": data.get("focal_person_id"),
        "focal_is_guest": bool(data.get("focal_is_guest")), "deadline": data.get("deadline"),
        "start_date": data.get("start_date"), "priority": Priority(data.get("priority") or rec.priority),
        "weight": 1, "scope_national": True,
        "origin": Origin.EVALUATION,
        "origin_note": f"{evaluation.title} — R{rec.number}"[:300],
    }
    if parent is not None:
        item = plan_services.create_item(item_data, plan=plan, parent=parent, actor=actor)
        item.origin = Origin.EVALUATION
    else:
        item = plan_services.create_item(item_data, plan=None, parent=None, body_id=plan.body_id, actor=actor)
    rec.action_item_id = item.id
    db.session.flush()
    audit.record(evaluation, "follow_up", {"recommendation": rec.number, "item": item.code}, actor)
    return item


# --- files -----------------------------------------------------------------------------------


def add_attachment(evaluation: Evaluation, upload: FileStorage, kind: str, *, actor: User) -> EvaluationAttachment:
    """Attach the report, terms of reference or another file (checked like every upload)."""
    _check_open(evaluation)
    if upload is None or not getattr(upload, "filename", ""):
        raise ValidationError({"file": _l("Choose a file.")})
    stored = uploads.store(upload, field="file")
    attachment = EvaluationAttachment(evaluation=evaluation, kind=AttachmentKind(kind), path=stored.path,
                                      name=stored.name, mime=stored.mime, size=stored.size, uploaded_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    audit.record(evaluation, "attach", {"file": stored.name, "kind": attachment.kind.value}, actor)
    return attachment


def delete_attachment(evaluation: Evaluation, attachment: EvaluationAttachment, *, actor: User) -> None:
    _check_open(evaluation)
    audit.record(evaluation, "detach", {"file": attachment.name}, actor)
    db.session.delete(attachment)
    db.session.flush()
