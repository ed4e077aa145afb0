"""Organisation services: create, update, delete (only without history)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from coordination import audit
from coordination.accounts.models import User
from coordination.db import apply_changes, audit_value, check_version, utcnow
from coordination.errors import ConflictError, ValidationError
from coordination.extensions import db
from coordination.organisations import queries
from coordination.organisations.models import Organisation, OrganisationSector, Sector

FIELDS = ("name", "acronym", "kind", "level", "email", "phone", "website", "address", "contact_person")


def _set_sectors(org: Organisation, sectors: list[str]) -> tuple | None:
    old = sorted(s.value for s in org.sectors)
    new = sorted({Sector(s).value for s in sectors})
    if old == new:
        return None
    org.sector_links = [OrganisationSector(sector=Sector(s)) for s in new]
    return (old, new)


def _check_name(data: dict[str, Any], org: Organisation | None = None) -> None:
    if queries.name_taken(data["name"], org.id if org else None):
        raise ValidationError({"name": _l("An organisation with this name already exists.")})


def create_organisation(data: dict[str, Any], *, actor: User) -> Organisation:
    """Create an organisation with its sectors."""
    _check_name(data)
    org = Organisation()
    changes = apply_changes(org, data, FIELDS)
    sectors = _set_sectors(org, data.get("sectors") or [])
    if sectors:
        changes["sectors"] = sectors
    db.session.add(org)
    db.session.flush()
    audit.record(org, "create", changes, actor)
    return org


def update_organisation(org: Organisation, data: dict[str, Any], *, actor: User) -> dict[str, tuple]:
    """Update an organisation; refuses an edit made from a stale copy."""
    check_version(org, data.get("version"))
    _check_name(data, org)
    changes = apply_changes(org, data, FIELDS)
    if "sectors" in data:
        sectors = _set_sectors(org, data["sectors"] or [])
        if sectors:
            changes["sectors"] = sectors
    if changes:
        org.updated_at = utcnow()  # touch the row so its version moves even for sector-only edits
        db.session.flush()
        audit.record(org, "update", changes, actor)
    return changes


def delete_organisation(org: Organisation, *, actor: User) -> None:
    """Delete an organisation that nothing refers to yet (a mistaken entry)."""
    from coordination.bodies.models import Body, OrganisationMembership, PersonMembership

    referenced = [
        db.select(User.id).where(User.organisation_id == org.id),
        db.select(OrganisationMembership.id).where(OrganisationMembership.organisation_id == org.id),
        db.select(PersonMembership.id).where(PersonMembership.organisation_id == org.id),
        db.select(Body.id).where(
            db.or_(Body.lead_organisation_id == org.id, Body.secretariat_organisation_id == org.id)
        ),
    ]
    if any(db.session.execute(stmt.limit(1)).first() for stmt in referenced):
        raise ConflictError(
            _l("This organisation has people, seats or bodies attached and cannot be deleted.")
        )
    audit.record(org, "delete", {f: audit_value(getattr(org, f)) for f in FIELDS}, actor)
    db.session.delete(org)
    db.session.flush()
