"""Read-side queries for seats: who sits where on a day, a body's composition and seat history."""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordination.accounts.models import User
from coordination.bodies.models import Body
from coordination.extensions import db
from coordination.memberships.models import MembershipKind, OrganisationMembership, PersonMembership
from coordination.organisations.models import Bloc, Organisation
from coordination.organisations.queries import add_reference


def _current(model, on: date):
    return db.and_(model.start_date <= on, db.or_(model.end_date.is_(None), model.end_date >= on))


def body_ids_sat_on(user: User, on: date) -> set[int]:
    """Bodies ``user`` sits on at ``on``: a personal seat, or their organisation's seat."""
    statement, params = sat_on_statement(user, on)
    return set(db.session.execute(statement, params).scalars())


def sat_on_statement(user: User, on: date) -> tuple[Any, dict[str, Any]]:
    """The statement selecting the ids of :func:`body_ids_sat_on` (to embed in another query) and
    its parameters: the statement is built once per shape (every page asks), the values are bound."""
    params = {"sat_user": user.id, "sat_on": on}
    if user.organisation_id:
        params["sat_organisation"] = user.organisation_id
    return _sat_on_statement(bool(user.organisation_id)), params


@functools.cache
def _sat_on_statement(with_organisation: bool) -> Any:
    on = sa.bindparam("sat_on", type_=sa.Date)
    stmt = db.select(PersonMembership.body_id).where(
        PersonMembership.user_id == sa.bindparam("sat_user"), _current(PersonMembership, on)
    )
    if with_organisation:
        stmt = stmt.union(
            db.select(OrganisationMembership.body_id).where(
                OrganisationMembership.organisation_id == sa.bindparam("sat_organisation"),
                _current(OrganisationMembership, on),
            )
        )
    return stmt


@dataclass
class Composition:
    """Current institutional seats of a body, counted by bloc, organisation kind and sector."""

    by_bloc: dict[Bloc, Counter] = field(default_factory=dict)
    by_kind: Counter = field(default_factory=Counter)
    by_sector: Counter = field(default_factory=Counter)
    total: int = 0

    def bloc_total(self, bloc: Bloc) -> int:
        return sum(self.by_bloc.get(bloc, Counter()).values())


def composition(memberships: list[OrganisationMembership], on: date) -> Composition:
    """Count current seats: by bloc and membership kind, and members by kind and sector."""
    result = Composition(by_bloc={bloc: Counter() for bloc in Bloc})
    for m in memberships:
        if not m.is_current(on):
            continue
        org = m.organisation
        result.total += 1
        result.by_bloc[org.bloc][m.kind] += 1
        if m.kind == MembershipKind.MEMBER:
            result.by_kind[org.kind] += 1
            for sector in org.sectors:
                result.by_sector[sector] += 1
    return result


def membership_history(body: Body) -> tuple[list[OrganisationMembership], list[PersonMembership]]:
    """Every seat the body has had, current and ended, newest first."""
    orgs = db.session.execute(
        db.select(OrganisationMembership)
        .where(OrganisationMembership.body_id == body.id)
        .options(joinedload(OrganisationMembership.organisation))
        .order_by(OrganisationMembership.start_date.desc())
    ).scalars()
    people = db.session.execute(
        db.select(PersonMembership)
        .where(PersonMembership.body_id == body.id)
        .options(joinedload(PersonMembership.person), joinedload(PersonMembership.organisation))
        .order_by(PersonMembership.start_date.desc())
    ).scalars()
    return list(orgs), list(people)


def organisation_membership(body: Body, membership_id: int, **_url: object) -> OrganisationMembership | None:
    """An organisation's seat on ``body`` (the guard's child for the seat routes), or None."""
    m = db.session.get(OrganisationMembership, membership_id)
    return m if m is not None and m.body_id == body.id else None


def person_membership(body: Body, membership_id: int, **_url: object) -> PersonMembership | None:
    """A person's seat on ``body`` (the guard's child for the seat routes), or None."""
    m = db.session.get(PersonMembership, membership_id)
    return m if m is not None and m.body_id == body.id else None


def current_principals(body: Body, on: date) -> list[PersonMembership]:
    """Current non-alternate seats of a body (the people an alternate can stand in for)."""
    return list(
        db.session.execute(
            db.select(PersonMembership)
            .where(
                PersonMembership.body_id == body.id,
                PersonMembership.alternate_for_id.is_(None),
                _current(PersonMembership, on),
            )
            .options(joinedload(PersonMembership.person), joinedload(PersonMembership.body))
            .order_by(PersonMembership.start_date)
        ).scalars()
    )


def member_organisations(body: Body, on: date) -> list[Organisation]:
    """Organisations with a current seat on the body."""
    return list(
        db.session.execute(
            db.select(Organisation)
            .join(OrganisationMembership)
            .where(OrganisationMembership.body_id == body.id, _current(OrganisationMembership, on))
            .order_by(Organisation.name)
        ).scalars()
    )


# What the body page needs of its seats (see coordination.bodies.page).
def body_page_options() -> tuple:
    """Loader options of the seats section (built on call: at import the mappers may not be complete)."""
    return (
        selectinload(Body.organisation_memberships)
        .joinedload(OrganisationMembership.organisation)
        .selectinload(Organisation.sector_links),
        selectinload(Body.person_memberships).options(
            joinedload(PersonMembership.person),
            joinedload(PersonMembership.organisation),
            joinedload(PersonMembership.alternate_for).joinedload(PersonMembership.person),
        ),
    )


add_reference(lambda org_id: db.select(OrganisationMembership.id).where(
    OrganisationMembership.organisation_id == org_id
))
add_reference(lambda org_id: db.select(PersonMembership.id).where(PersonMembership.organisation_id == org_id))


def body_page_section(body: Body, today: date) -> dict[str, Any]:
    """The body page's seats section (see coordination.bodies.page): today's composition."""
    return {"composition": composition(body.organisation_memberships, today)}
