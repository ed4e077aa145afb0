"""What the audit log shows people: labels for object types, actions and fields, and names for the ids it recorded."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Entries written before object_type() unwrapped Flask-Login's proxy name the user "LocalProxy".
LEGACY_TYPES = {"LocalProxy": "user"}

TYPE_LABELS = {
    "user": _l("Person"), "organisation": _l("Organisation"), "body": _l("Body"), "charter": _l("Charter"),
    "OrganisationMembership": _l("Institutional seat"), "PersonMembership": _l("Personal seat"),
    "meeting": _l("Meeting"), "minutes": _l("Minutes"), "action_plan": _l("Action plan"),
    "action_item": _l("Action item"), "progress_update": _l("Progress report"),
}

ACTION_LABELS = {
    "create": _l("created"), "update": _l("changed"), "delete": _l("deleted"), "status": _l("status changed"),
    "end": _l("ended"), "move": _l("moved"), "add_indicator": _l("indicator added"),
    "remove_indicator": _l("indicator removed"), "create_series": _l("series of meetings created"),
    "agenda_add": _l("agenda item added"), "agenda_edit": _l("agenda item changed"),
    "agenda_remove": _l("agenda item removed"), "agenda_order": _l("agenda reordered"),
    "attach": _l("document attached"), "invite": _l("guest invited"), "attendance": _l("attendance recorded"),
    "decision": _l("decision recorded"), "decision_removed": _l("decision removed"), "circulate": _l("circulated"),
    "approve": _l("approved"), "publish": _l("published"), "correct": _l("correction started"),
    "change_password": _l("password changed"), "deactivate": _l("deactivated"), "reactivate": _l("reactivated"),
    "feed_token": _l("calendar address made"), "feed_token_revoked": _l("calendar address revoked"),
    "sign": _l("signed"), "progress": _l("progress reported"),
}

FIELD_LABELS = {
    "title": _l("Title"), "name": _l("Name"), "acronym": _l("Acronym"), "kind": _l("Kind"), "level": _l("Level"),
    "email": _l("E-mail"), "phone": _l("Phone"), "website": _l("Website"), "address": _l("Address"),
    "contact_person": _l("Contact person"), "full_name": _l("Full name"), "position": _l("Position"),
    "language": _l("Preferred language"), "role": _l("Role"), "active": _l("Active"),
    "organisation_id": _l("Organisation"), "user_id": _l("Person"), "alternate_for_id": _l("Alternate for"),
    "parent_id": _l("Parent body"), "body_id": _l("Body"), "area": _l("Area"), "mandate": _l("Mandate"),
    "established_on": _l("Established"), "status": _l("Status"), "lead_organisation_id": _l("Lead organisation"),
    "secretariat_organisation_id": _l("Secretariat"), "visibility": _l("Visibility"), "timezone": _l("Time zone"),
    "start_date": _l("Start"), "end_date": _l("End"), "notes": _l("Notes"), "objectives": _l("Objectives"),
    "composition_rule": _l("Composition"), "quorum_rule": _l("Quorum rule"),
    "quorum_value": _l("Quorum number or percentage"), "decision_rule": _l("Decision rule"),
    "meeting_frequency": _l("Meeting frequency"), "legal_status": _l("Legal status"),
    "period_start": _l("Period start"), "period_end": _l("Period end"), "description": _l("Description"),
    "focal_person_id": _l("Focal person"), "focal_is_guest": _l("Guest focal point"), "deadline": _l("Deadline"),
    "priority": _l("Priority"), "weight": _l("Weight"), "scope_national": _l("National scope"),
    "budget_amount": _l("Budget"), "budget_currency": _l("Currency"), "funding_source": _l("Funding source"),
    "origin": _l("Origin"), "origin_note": _l("Origin note"), "code": _l("Code"), "indicator": _l("Indicator"),
    "start": _l("Starts"), "end": _l("Ends"), "location": _l("Place"), "online_link": _l("Online meeting link"),
    "status_reason": _l("Reason"), "reason": _l("Reason"), "rule": _l("Repeats"), "meetings": _l("Meetings"),
    "item": _l("Agenda item"), "agenda": _l("Agenda"), "file": _l("File"), "guest": _l("Guest"),
    "reference": _l("Reference"), "text": _l("Text"), "at_meeting": _l("At the meeting"),
    "from_version": _l("From version"), "summary": _l("Summary"), "adopted_on": _l("Adopted on"),
    "adopted_at_meeting": _l("Adopted at the meeting"), "signer_name": _l("Signed by"), "signed_on": _l("Signed on"),
    "progress": _l("Progress"), "update_date": _l("Date"), "corrects": _l("Corrects"), "narrative": _l("Narrative"),
    "supporting_organisations": _l("Supporting organisations"), "areas": _l("Departments"), "sectors": _l("Sectors"),
}


def type_key(object_type: str) -> str:
    return LEGACY_TYPES.get(object_type, object_type)


def type_label(object_type: str) -> str:
    key = type_key(object_type)
    return str(TYPE_LABELS.get(key, key))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action.replace("_", " ")))


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field.replace("_", " ")))
