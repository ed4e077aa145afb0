"""Seats on bodies: an organisation's seat (institutional) and a person's seat held on its behalf."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.bodies.models import Body
from coordination.db import LabelledEnum, TimestampMixin, VersionedMixin, enum_column, set_labels
from coordination.extensions import db
from coordination.organisations.models import Organisation

if TYPE_CHECKING:
    from coordination.accounts.models import User


class MembershipKind(LabelledEnum):
    MEMBER = "member"
    OBSERVER = "observer"
    PARTNER = "partner"


class SeatRole(LabelledEnum):
    CHAIR = "chair"
    CO_CHAIR = "co_chair"
    SECRETARY = "secretary"
    MEMBER = "member"
    ALTERNATE = "alternate"
    OBSERVER = "observer"


set_labels(MembershipKind, {
    MembershipKind.MEMBER: _l("Member"),
    MembershipKind.OBSERVER: _l("Observer"),
    MembershipKind.PARTNER: _l("Partner"),
})

set_labels(SeatRole, {
    SeatRole.CHAIR: _l("Chair"),
    SeatRole.CO_CHAIR: _l("Co-chair"),
    SeatRole.SECRETARY: _l("Secretary"),
    SeatRole.MEMBER: _l("Member"),
    SeatRole.ALTERNATE: _l("Alternate"),
    SeatRole.OBSERVER: _l("Observer"),
})


def _is_current(start: date | None, end: date | None, on: date) -> bool:
    return (start is None or start <= on) and (end is None or end >= on)


class OrganisationMembership(VersionedMixin, TimestampMixin, db.Model):
    """An organisation's seat on a body. Ending it sets ``end_date``; the row stays."""

    __tablename__ = "organisation_memberships"
    __audit_type__ = "organisation_membership"
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[MembershipKind] = mapped_column(
        enum_column(MembershipKind), default=MembershipKind.MEMBER
    )
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    notes: Mapped[str] = mapped_column(sa.String(500), default="")

    body: Mapped[Body] = relationship(back_populates="organisation_memberships")
    organisation: Mapped[Organisation] = relationship()

    def is_current(self, on: date) -> bool:
        return _is_current(self.start_date, self.end_date, on)

    def __str__(self) -> str:
        return f"{self.organisation.short_name} @ {self.body.acronym or self.body.name}"


class PersonMembership(VersionedMixin, TimestampMixin, db.Model):
    """A person holding a seat on a body on behalf of an organisation."""

    __tablename__ = "person_memberships"
    __audit_type__ = "person_membership"
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[SeatRole] = mapped_column(enum_column(SeatRole), default=SeatRole.MEMBER)
    alternate_for_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person_memberships.id", ondelete="SET NULL")
    )
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()

    body: Mapped[Body] = relationship(back_populates="person_memberships", foreign_keys=[body_id])
    person: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()
    alternate_for: Mapped[PersonMembership | None] = relationship(remote_side="PersonMembership.id")

    def is_current(self, on: date) -> bool:
        return _is_current(self.start_date, self.end_date, on)

    def __str__(self) -> str:
        return f"{self.person.full_name} @ {self.body.acronym or self.body.name}"
