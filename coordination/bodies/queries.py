"""Read-side queries for bodies: visibility, the tree, the body page, governance overview."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import joinedload, selectinload

from coordination.accounts.models import User
from coordination.bodies.models import (
    Body,
    Charter,
    CharterSignatory,
    CharterStatus,
    MembershipKind,
    OrganisationMembership,
    PersonMembership,
    Visibility,
)
from coordination.extensions import db
from coordination.organisations.models import Bloc, Organisation


def _current(model, on: date):
    return db.and_(model.start_date <= on, db.or_(model.end_date.is_(None), model.end_date >= on))


def body_ids_sat_on(user: User, on: date) -> set[int]:
    """Bodies ``user`` sits on at ``on``: a personal seat, or their organisation's seat."""
    stmt = db.select(PersonMembership.body_id).where(
        PersonMembership.user_id == user.id, _current(PersonMembership, on)
    )
    if user.organisation_id:
        stmt = stmt.union(
            db.select(OrganisationMembership.body_id).where(
                OrganisationMembership.organisation_id == user.organisation_id,
                _current(OrganisationMembership, on),
            )
        )
    return set(db.session.execute(stmt).scalars())


def visible_body_ids(sat_on: set[int]) -> set[int]:
    """Bodies visible to a member sitting on ``sat_on`` (see the rule in permissions.py)."""
    rows = db.session.execute(db.select(Body.id, Body.parent_id, Body.visibility)).all()
    parent = {r.id: r.parent_id for r in rows}
    restricted = {r.id for r in rows if r.visibility == Visibility.RESTRICTED}
    visible = set()
    for body_id in parent:
        if body_id in sat_on:
            visible.add(body_id)
            continue
        node, ok, seen = body_id, True, set()
        while node is not None and node not in seen:
            seen.add(node)
            if node in restricted and node not in sat_on:
                ok = False
                break
            node = parent.get(node)
        if ok:
            visible.add(body_id)
    return visible


def ancestor_ids(body: Body) -> set[int]:
    """Ids of the body's ancestors (used to refuse cycles)."""
    rows = dict(db.session.execute(db.select(Body.id, Body.parent_id)).all())
    result, node = set(), rows.get(body.id)
    while node is not None and node not in result:
        result.add(node)
        node = rows.get(node)
    return result


def descendant_ids(body_id: int) -> set[int]:
    rows = db.session.execute(db.select(Body.id, Body.parent_id)).all()
    children = defaultdict(list)
    for r in rows:
        children[r.parent_id].append(r.id)
    result, stack = set(), list(children[body_id])
    while stack:
        node = stack.pop()
        if node not in result:
            result.add(node)
            stack.extend(children[node])
    return result


def all_bodies() -> list[Body]:
    return list(db.session.execute(db.select(Body).order_by(Body.name)).scalars())


def get_body(body_id: int) -> Body | None:
    return db.session.get(Body, body_id)


def name_taken(name: str, exclude_id: int | None = None) -> bool:
    stmt = db.select(Body.id).where(db.func.lower(Body.name) == name.strip().lower())
    if exclude_id:
        stmt = stmt.where(Body.id != exclude_id)
    return db.session.execute(stmt).first() is not None


@dataclass
class TreeRow:
    body: Body
    depth: int
    member_count: int = 0
    people_count: int = 0


def body_tree(visible: set[int] | None, on: date) -> list[TreeRow]:
    """Visible bodies in tree order (parents before children), with current seat counts.

    A body whose parent is hidden is shown at the top level. Three queries in all.
    """
    bodies = list(
        db.session.execute(
            db.select(Body).options(joinedload(Body.lead_organisation)).order_by(Body.name)
        ).scalars()
    )
    if visible is not None:
        bodies = [b for b in bodies if b.id in visible]
    seats = dict(
        db.session.execute(
            db.select(OrganisationMembership.body_id, db.func.count())
            .where(_current(OrganisationMembership, on))
            .group_by(OrganisationMembership.body_id)
        ).all()
    )
    people = dict(
        db.session.execute(
            db.select(PersonMembership.body_id, db.func.count())
            .where(_current(PersonMembership, on))
            .group_by(PersonMembership.body_id)
        ).all()
    )
    return [
        TreeRow(b, depth, seats.get(b.id, 0), people.get(b.id, 0)) for b, depth in tree_order(bodies)
    ]


def body_page(body_id: int) -> Body | None:
    """A body with everything its page shows, loaded up front."""
    return db.session.execute(
        db.select(Body)
        .where(Body.id == body_id)
        .options(
            joinedload(Body.parent),
            joinedload(Body.lead_organisation),
            joinedload(Body.secretariat_organisation),
            selectinload(Body.children),
            selectinload(Body.organisation_memberships)
            .joinedload(OrganisationMembership.organisation)
            .selectinload(Organisation.sector_links),
            selectinload(Body.person_memberships).options(
                joinedload(PersonMembership.person),
                joinedload(PersonMembership.organisation),
                joinedload(PersonMembership.alternate_for).joinedload(PersonMembership.person),
            ),
            selectinload(Body.charters).selectinload(Charter.signatories),
        )
    ).unique().scalar_one_or_none()


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


def adopted_charter(body: Body) -> Charter | None:
    """The body's adopted charter, from its loaded ``charters``."""
    return next((c for c in body.charters if c.status == CharterStatus.ADOPTED), None)


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


def tree_order(bodies: list[Body]) -> list[tuple[Body, int]]:
    """``bodies`` depth-first with their depth; one whose parent is absent starts a root."""
    ids = {b.id for b in bodies}
    children = defaultdict(list)
    for b in bodies:
        children[b.parent_id if b.parent_id in ids else None].append(b)
    ordered: list[tuple[Body, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for b in children[parent_id]:
            ordered.append((b, depth))
            walk(b.id, depth + 1)

    walk(None, 0)
    return ordered


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


def organisation_membership(body_id: int, membership_id: int) -> OrganisationMembership | None:
    m = db.session.get(OrganisationMembership, membership_id)
    return m if m is not None and m.body_id == body_id else None


def person_membership(body_id: int, membership_id: int) -> PersonMembership | None:
    m = db.session.get(PersonMembership, membership_id)
    return m if m is not None and m.body_id == body_id else None


def charter(body_id: int, charter_id: int) -> Charter | None:
    c = db.session.execute(
        db.select(Charter)
        .where(Charter.id == charter_id)
        .options(selectinload(Charter.signatories).joinedload(CharterSignatory.organisation))
    ).scalar_one_or_none()
    return c if c is not None and c.body_id == body_id else None


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
