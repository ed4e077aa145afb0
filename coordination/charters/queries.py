"""Read-side queries for charters: a body's adopted version, one version with its signatories,
and the governance overview (adopted charters and signatures across bodies)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import selectinload

from coordination.bodies.models import Body
from coordination.bodies.queries import tree_order
from coordination.charters.models import Charter, CharterSignatory, CharterStatus
from coordination.extensions import db
from coordination.memberships.models import MembershipKind, OrganisationMembership
from coordination.organisations.models import Bloc, Organisation


def adopted_charter(body: Body) -> Charter | None:
    """The body's adopted charter, from its loaded ``charters``."""
    return next((c for c in body.charters if c.status == CharterStatus.ADOPTED), None)


def charter(body_id: int, charter_id: int, **_url: object) -> Charter | None:
    """A version of the body's charter with its signatories and their organisations."""
    c = db.session.execute(
        db.select(Charter)
        .where(Charter.id == charter_id)
        .options(selectinload(Charter.signatories).joinedload(CharterSignatory.organisation))
    ).scalar_one_or_none()
    return c if c is not None and c.body_id == body_id else None


def next_number(body: Body) -> int:
    """The number of the body's next charter version."""
    current = db.session.execute(
        db.select(db.func.max(Charter.number)).where(Charter.body_id == body.id)
    ).scalar()
    return (current or 0) + 1


def has_version_in_preparation(body_id: int) -> bool:
    """Whether the body has a charter version in draft or under review."""
    return db.session.execute(
        db.select(Charter.id).where(
            Charter.body_id == body_id,
            Charter.status.in_([CharterStatus.DRAFT, CharterStatus.UNDER_REVIEW]),
        )
    ).first() is not None


def adopted_version(body_id: int) -> Charter | None:
    """The body's adopted charter version, queried (see adopted_charter for a loaded body)."""
    return db.session.execute(
        db.select(Charter).where(Charter.body_id == body_id, Charter.status == CharterStatus.ADOPTED)
    ).scalar_one_or_none()


def signatory(charter: Charter, signatory_id: int, **_url: object) -> CharterSignatory | None:
    """One signature of ``charter`` (the guard's child for the signatory routes)."""
    return next((s for s in charter.signatories if s.id == signatory_id), None)


@dataclass
class GovernanceRow:
    body: Body
    charter: Charter | None
    unsigned: list[Organisation]
    members_by_bloc: dict[Bloc, int]
    member_count: int


def governance_overview(visible: set[int] | None, on: date) -> list[GovernanceRow]:
    """Per body: adopted charter, legal status, unsigned member organisations, seats by bloc."""
    bodies = list(
        db.session.execute(
            db.select(Body)
            .options(
                selectinload(Body.charters).selectinload(Charter.signatories),
                selectinload(Body.organisation_memberships).joinedload(
                    OrganisationMembership.organisation
                ),
            )
            .order_by(Body.name)
        ).scalars()
    )
    rows = []
    for body, _depth in tree_order(bodies):
        if visible is not None and body.id not in visible:
            continue
        charter = adopted_charter(body)
        members = [
            m.organisation
            for m in body.organisation_memberships
            if m.is_current(on) and m.kind == MembershipKind.MEMBER
        ]
        signed = {s.organisation_id for s in charter.signatories} if charter else set()
        unsigned = sorted((o for o in members if o.id not in signed), key=lambda o: o.name)
        by_bloc = Counter(o.bloc for o in members)
        rows.append(
            GovernanceRow(body, charter, unsigned, {b: by_bloc.get(b, 0) for b in Bloc}, len(members))
        )
    return rows


# What the body page needs of its charters (see coordination.bodies.page).
def body_page_options() -> tuple:
    """Loader options of the charter section (built on call: at import the mappers may not be complete)."""
    return (selectinload(Body.charters).joinedload(Charter.signatories),)


def body_page_section(body: Body, today: date) -> dict[str, Any]:
    """The body page's charter section (see coordination.bodies.page): the adopted version."""
    return {"charter": adopted_charter(body)}
