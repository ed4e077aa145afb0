"""Read-side queries for seats: who sits where on a day, a body's composition and seat history."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

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
    """The statement selecting the ids of :func:`body_ids_sat_on` (to embed in another query),
    and the parameters to run it with."""
    return _sat_on_by_parameters(), {"sat_user": user.id, "sat_org": user.organisation_id, "sat_on": on}


def sat_on_select(user_id: Any, organisation_id: Any, on: Any) -> Any:
    """The ids of the bodies a person sits on: personally (``user_id``) or through their
    organisation (``organisation_id``), at ``on`` — each a value, a bound parameter or a column
    of an enclosing query (a person without organisation has NULL there, which matches no seat)."""
    return db.select(PersonMembership.body_id).where(
        PersonMembership.user_id == user_id, _current(PersonMembership, on)
    ).union(
        db.select(OrganisationMembership.body_id).where(
            OrganisationMembership.organisation_id == organisation_id, _current(OrganisationMembership, on)
        )
    )


@lru_cache(maxsize=1)
def _sat_on_by_parameters() -> Any:
    # Built once, with bound parameters: every page asks for the viewer's seats, and building
    # the statement cost more than running it.
    return sat_on_select(db.bindparam("sat_user"), db.bindparam("sat_org"), db.bindparam("sat_on"))


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
