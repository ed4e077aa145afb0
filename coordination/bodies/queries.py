"""Read-side queries for bodies: visibility, the tree, the body page."""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordination.bodies import page
from coordination.bodies.models import Body, Visibility
from coordination.extensions import db
from coordination.organisations.queries import add_reference


def visible_body_ids(sat_on: set[int]) -> set[int]:
    """Bodies visible to a member sitting on ``sat_on`` (see the rule in permissions.py)."""
    return _visible(db.session.execute(db.select(Body.id, Body.parent_id, Body.visibility)).all(), sat_on)


def seats_and_visible_bodies(sat_on: Any, params: dict[str, Any]) -> tuple[set[int], set[int]]:
    """(bodies sat on, bodies visible) in one query; ``sat_on`` selects the ids of the bodies
    the member sits on (a statement run inside this one, with ``params``)."""
    rows = db.session.execute(_seats_and_visible_statement(sat_on), params).all()
    return seats_and_visible(rows)


def seats_and_visible(rows: list) -> tuple[set[int], set[int]]:
    """(bodies sat on, bodies visible) from every body's ``id``, ``parent_id``, ``visibility``
    and ``sat`` (whether the member sits on it)."""
    seats = {r.id for r in rows if r.sat}
    return seats, _visible(rows, seats)


@functools.lru_cache(maxsize=16)
def _seats_and_visible_statement(sat_on: Any) -> Any:
    # Kept per inner statement (those are built once per shape): every page of a member runs it.
    return db.select(Body.id, Body.parent_id, Body.visibility, Body.id.in_(sat_on).label("sat"))


def _visible(rows: list, sat_on: set[int]) -> set[int]:
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
    """Ids of every body below ``body_id`` in the tree."""
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
    """Every body by name (for choice lists)."""
    return list(db.session.execute(db.select(Body).order_by(Body.name)).scalars())


def get_body(body_id: int, **_url: object) -> Body | None:
    """One body, or None (other URL arguments, such as a seat's id, are its children's)."""
    return db.session.get(Body, body_id)


def name_taken(name: str, exclude_id: int | None = None) -> bool:
    """Whether another body (not ``exclude_id``) has this name, ignoring case."""
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
    ordered = _in_tree_order(visible, joinedload(Body.lead_organisation), selectinload(Body.organisation_memberships),
                             selectinload(Body.person_memberships))
    return [
        TreeRow(b, depth, _current_count(b.organisation_memberships, on), _current_count(b.person_memberships, on))
        for b, depth in ordered
    ]


def _in_tree_order(visible: set[int] | None, *options: Any) -> list[tuple[Body, int]]:
    """The visible bodies (loaded with ``options``) in tree order, each with its depth."""
    bodies = list(db.session.execute(db.select(Body).options(*options).order_by(Body.name)).scalars())
    if visible is not None:
        bodies = [b for b in bodies if b.id in visible]
    return tree_order(bodies)


class OutlineRow(NamedTuple):
    body: Body
    depth: int


def body_outline(visible: set[int] | None) -> list[OutlineRow]:
    """Visible bodies in tree order with their depth, as :func:`body_tree` orders them, without
    the seat counts (one query: for a page that lists the structure only)."""
    return [OutlineRow(b, depth) for b, depth in _in_tree_order(visible)]


def _current_count(seats: list, on: date) -> int:
    return sum(1 for seat in seats if seat.is_current(on))


def body_page(body_id: int) -> Body | None:
    """A body with everything its page shows, loaded up front."""
    statement = _body_page_statement(page.option_sources())
    return db.session.execute(statement, {"body_id": body_id}).unique().scalar_one_or_none()


@functools.cache
def _body_page_statement(sources: tuple) -> Any:
    # Built once per set of sections: the body page is a hot read, and SQLAlchemy then
    # reuses the statement's cache key instead of rebuilding every loader option per request.
    return (
        db.select(Body)
        .where(Body.id == sa.bindparam("body_id"))
        .options(
            joinedload(Body.parent),
            joinedload(Body.lead_organisation),
            joinedload(Body.secretariat_organisation),
            joinedload(Body.children),  # a few rows: one round trip less
            *page.load_options(sources),
        )
    )


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


add_reference(lambda org_id: db.select(Body.id).where(
    db.or_(Body.lead_organisation_id == org_id, Body.secretariat_organisation_id == org_id)
))
