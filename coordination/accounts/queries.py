"""Read-side queries for accounts."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import joinedload

from coordination.accounts.models import User, UserSession
from coordination.db import contains
from coordination.extensions import db


def users_page(page: int, per_page: int, search: str = "", include_inactive: bool = True) -> Any:
    """A page of users with their organisation, sorted by name."""
    stmt = db.select(User).options(joinedload(User.organisation)).order_by(User.full_name)
    if search:
        stmt = stmt.where(contains(search, User.full_name, User.email))
    if not include_inactive:
        stmt = stmt.where(User.active.is_(True))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def active_people(organisation_id: int | None = None) -> list[User]:
    stmt = db.select(User).where(User.active.is_(True)).order_by(User.full_name)
    if organisation_id:
        stmt = stmt.where(User.organisation_id == organisation_id)
    return list(db.session.execute(stmt.options(joinedload(User.organisation))).scalars())


def get_user(user_id: int, **_child_ids: int) -> User | None:
    """The account ``user_id`` (routes about one of its sessions pass that id too)."""
    return db.session.get(User, user_id)


def session_of(user: User, session_id: int, **_ids: int) -> UserSession | None:
    """The log-in session ``session_id`` if it is one of ``user``'s."""
    row = db.session.get(UserSession, session_id)
    return row if row is not None and row.user_id == user.id else None


def organisations() -> list[Any]:
    """Every organisation by name, for a person's organisation field.

    Organisations sit above accounts, which does not import them: the model is the one
    ``User.organisation`` is mapped to.
    """
    organisation = User.organisation.property.mapper.class_
    return list(db.session.execute(db.select(organisation).order_by(organisation.name)).scalars())
