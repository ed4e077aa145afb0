"""Callable factories for test data; each flushes and returns the object."""
from __future__ import annotations

import itertools
from datetime import date
from functools import cache

from coordination.accounts.models import Role, User
from coordination.accounts.services import hash_password
from coordination.bodies.models import (
    Body,
    BodyKind,
    Charter,
    CharterSignatory,
    CharterStatus,
    MembershipKind,
    OrganisationMembership,
    PersonMembership,
    QuorumRule,
    SeatRole,
    Visibility,
)
from coordination.extensions import db
from coordination.organisations.models import (
    Level,
    Organisation,
    OrganisationKind,
    OrganisationSector,
)

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def _save(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def organisation(**kw) -> Organisation:
    n = next(_seq)
    sectors = kw.pop("sectors", ["health"])
    org = Organisation(
        name=kw.pop("name", f"Organisation {n}"),
        acronym=kw.pop("acronym", f"ORG{n}"),
        kind=kw.pop("kind", OrganisationKind.MINISTRY),
        level=kw.pop("level", Level.NATIONAL),
        **kw,
    )
    org.sector_links = [OrganisationSector(sector=s) for s in sectors]
    return _save(org)


def user(role: Role = Role.MEMBER, organisation: Organisation | None = None, **kw) -> User:
    n = next(_seq)
    return _save(
        User(
            email=kw.pop("email", f"user{n}@example.net"),
            full_name=kw.pop("full_name", f"Person {n}"),
            role=role,
            organisation=organisation,
            password_hash=kw.pop("password_hash", _password_hash()),
            **kw,
        )
    )


def body(**kw) -> Body:
    n = next(_seq)
    return _save(
        Body(
            name=kw.pop("name", f"Body {n}"),
            acronym=kw.pop("acronym", f"B{n}"),
            kind=kw.pop("kind", BodyKind.TECHNICAL_COMMISSION),
            timezone=kw.pop("timezone", "America/Port-au-Prince"),
            visibility=kw.pop("visibility", Visibility.INTERNAL),
            **kw,
        )
    )


def seat(body: Body, organisation: Organisation, kind=MembershipKind.MEMBER, **kw) -> OrganisationMembership:
    return _save(
        OrganisationMembership(
            body=body, organisation=organisation, kind=kind,
            start_date=kw.pop("start_date", date(2020, 1, 1)), **kw,
        )
    )


def person_seat(body: Body, person: User, role=SeatRole.MEMBER, **kw) -> PersonMembership:
    return _save(
        PersonMembership(
            body=body, person=person, organisation_id=kw.pop("organisation_id", person.organisation_id),
            role=role, start_date=kw.pop("start_date", date(2020, 1, 1)), **kw,
        )
    )


def charter(body: Body, status=CharterStatus.DRAFT, number: int | None = None, **kw) -> Charter:
    if number is None:
        number = (db.session.execute(db.select(db.func.max(Charter.number)).where(Charter.body_id == body.id)).scalar() or 0) + 1
    return _save(
        Charter(
            body=body, number=number, status=status, title=kw.pop("title", f"Charter v{number}"),
            quorum_rule=kw.pop("quorum_rule", QuorumRule.MAJORITY), **kw,
        )
    )


def signatory(charter: Charter, organisation: Organisation, **kw) -> CharterSignatory:
    return _save(
        CharterSignatory(
            charter=charter, organisation=organisation, signer_name=kw.pop("signer_name", "A. Signer"),
            signed_on=kw.pop("signed_on", date(2020, 2, 1)), **kw,
        )
    )
