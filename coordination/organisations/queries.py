"""Read-side queries for organisations."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import selectinload

from coordination.accounts.models import User
from coordination.db import contains
from coordination.extensions import db
from coordination.organisations.models import Organisation, OrganisationSector


def all_organisations() -> list[Organisation]:
    """Every organisation by name (for choice lists)."""
    return list(db.session.execute(db.select(Organisation).order_by(Organisation.name)).scalars())


def organisations_page(
    page: int, per_page: int, *, kind: str = "", sector: str = "", level: str = "", search: str = ""
) -> Any:
    """A filtered page of organisations with their sectors (a fixed number of queries)."""
    stmt = db.select(Organisation).options(selectinload(Organisation.sector_links))
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if level:
        stmt = stmt.where(Organisation.level == level)
    if sector:
        stmt = stmt.where(
            Organisation.id.in_(
                db.select(OrganisationSector.organisation_id).where(OrganisationSector.sector == sector)
            )
        )
    if search:
        stmt = stmt.where(contains(search, Organisation.name, Organisation.acronym))
    return db.paginate(stmt.order_by(Organisation.name), page=page, per_page=per_page, error_out=False)


def get_organisation(org_id: int) -> Organisation | None:
    """One organisation with its sectors, or None."""
    return db.session.get(Organisation, org_id, options=[selectinload(Organisation.sector_links)])


def name_taken(name: str, exclude_id: int | None = None) -> bool:
    """Whether another organisation (not ``exclude_id``) has this name, ignoring case."""
    stmt = db.select(Organisation.id).where(db.func.lower(Organisation.name) == name.strip().lower())
    if exclude_id:
        stmt = stmt.where(Organisation.id != exclude_id)
    return db.session.execute(stmt).first() is not None


# Statements finding rows that refer to an organisation, from the domains above this one
# (bodies, seats), which add theirs with add_reference so that this module need not import them.
_references: list[Callable[[int], Any]] = [lambda org_id: db.select(User.id).where(User.organisation_id == org_id)]


def add_reference(statement: Callable[[int], Any]) -> None:
    """Count rows selected by ``statement(org_id)`` as references that forbid deleting it."""
    _references.append(statement)


def is_referenced(org_id: int) -> bool:
    """Whether people, seats or bodies refer to the organisation (one query per kind at most)."""
    return any(db.session.execute(statement(org_id).limit(1)).first() for statement in _references)
