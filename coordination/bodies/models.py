"""Coordination bodies: a tree of committees, commissions and working groups.

A body's seats and charters are mapped in the domains above this one
(``coordination.memberships``, ``coordination.charters``); the relationships below name them
by string, and the imports under ``TYPE_CHECKING`` only serve the type annotations.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.db import (
    LabelledEnum,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    enum_column,
    set_labels,
)
from coordination.extensions import db
from coordination.organisations.models import Level, Organisation

if TYPE_CHECKING:
    from coordination.charters.models import Charter
    from coordination.memberships.models import OrganisationMembership, PersonMembership


class BodyKind(LabelledEnum):
    COORDINATION_COMMITTEE = "coordination_committee"
    STEERING_COMMITTEE = "steering_committee"
    TECHNICAL_COMMISSION = "technical_commission"
    SUB_COMMISSION = "sub_commission"
    WORKING_GROUP = "working_group"
    TASK_FORCE = "task_force"


class BodyStatus(LabelledEnum):
    ACTIVE = "active"
    DORMANT = "dormant"
    DISSOLVED = "dissolved"


class Visibility(LabelledEnum):
    INTERNAL = "internal"
    RESTRICTED = "restricted"


set_labels(BodyKind, {
    BodyKind.COORDINATION_COMMITTEE: _l("Coordination committee"),
    BodyKind.STEERING_COMMITTEE: _l("Steering committee"),
    BodyKind.TECHNICAL_COMMISSION: _l("Technical commission"),
    BodyKind.SUB_COMMISSION: _l("Sub-commission"),
    BodyKind.WORKING_GROUP: _l("Working group"),
    BodyKind.TASK_FORCE: _l("Task force"),
})

set_labels(BodyStatus, {
    BodyStatus.ACTIVE: _l("Active"),
    BodyStatus.DORMANT: _l("Dormant"),
    BodyStatus.DISSOLVED: _l("Dissolved"),
})

set_labels(Visibility, {
    Visibility.INTERNAL: _l("Internal (all portal users)"),
    Visibility.RESTRICTED: _l("Restricted to its members"),
})

class Body(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "bodies"
    __audit_type__ = "body"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    acronym: Mapped[str] = mapped_column(sa.String(20), default="")
    kind: Mapped[BodyKind] = mapped_column(enum_column(BodyKind))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bodies.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[Level] = mapped_column(enum_column(Level), default=Level.NATIONAL)
    area: Mapped[str] = mapped_column(sa.String(120), default="")
    mandate: Mapped[str] = mapped_column(sa.Text, default="")
    established_on: Mapped[date | None] = mapped_column()
    status: Mapped[BodyStatus] = mapped_column(enum_column(BodyStatus), default=BodyStatus.ACTIVE)
    lead_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    secretariat_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.INTERNAL
    )
    timezone: Mapped[str] = mapped_column(sa.String(64))
    # Moved by database triggers on every write to the body's meetings and series (migration
    # 7b1e0c4d9a20); read by the calendar feeds' validators, never written by the application.
    calendar_version: Mapped[int] = mapped_column(default=0, server_default="0")
    calendar_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parent: Mapped[Body | None] = relationship(
        back_populates="children", remote_side="Body.id", lazy="select"
    )
    children: Mapped[list[Body]] = relationship(back_populates="parent", order_by="Body.name")
    lead_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[lead_organisation_id]
    )
    secretariat_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[secretariat_organisation_id]
    )
    organisation_memberships: Mapped[list[OrganisationMembership]] = relationship(
        back_populates="body", order_by="OrganisationMembership.start_date"
    )
    person_memberships: Mapped[list[PersonMembership]] = relationship(
        back_populates="body", order_by="PersonMembership.start_date",
        foreign_keys="PersonMembership.body_id",
    )
    charters: Mapped[list[Charter]] = relationship(
        back_populates="body", order_by="Charter.number.desc()"
    )

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def __str__(self) -> str:
        return self.display_name
