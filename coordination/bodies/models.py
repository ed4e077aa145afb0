"""Coordination bodies (a tree), institutional and personal memberships, versioned charters."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.db import LabelledEnum, TimestampMixin, VersionedMixin, enum_column, set_labels
from coordination.extensions import db
from coordination.organisations.models import Level, Organisation

if TYPE_CHECKING:
    from coordination.accounts.models import User


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


class CharterStatus(LabelledEnum):
    DRAFT = "draft"
    UNDER_REVIEW = "under_review"
    ADOPTED = "adopted"
    SUPERSEDED = "superseded"


class QuorumRule(LabelledEnum):
    MAJORITY = "majority"
    FIXED = "fixed"
    PERCENTAGE = "percentage"


class DecisionRule(LabelledEnum):
    CONSENSUS = "consensus"
    SIMPLE_MAJORITY = "simple_majority"
    TWO_THIRDS = "two_thirds"


class MeetingFrequency(LabelledEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    AS_NEEDED = "as_needed"

    @property
    def meetings_per_year(self) -> int | None:
        """How many meetings a year the frequency asks for (None: no fixed rhythm)."""
        return MEETINGS_PER_YEAR[self]


class LegalStatus(LabelledEnum):
    INFORMAL = "informal"
    DECREE = "decree"
    LEGAL_ENTITY = "legal_entity"


MEETINGS_PER_YEAR = {
    MeetingFrequency.WEEKLY: 52,
    MeetingFrequency.FORTNIGHTLY: 26,
    MeetingFrequency.MONTHLY: 12,
    MeetingFrequency.BIMONTHLY: 6,
    MeetingFrequency.QUARTERLY: 4,
    MeetingFrequency.SEMIANNUAL: 2,
    MeetingFrequency.ANNUAL: 1,
    MeetingFrequency.AS_NEEDED: None,
}

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

set_labels(CharterStatus, {
    CharterStatus.DRAFT: _l("Draft"),
    CharterStatus.UNDER_REVIEW: _l("Under review"),
    CharterStatus.ADOPTED: _l("Adopted"),
    CharterStatus.SUPERSEDED: _l("Superseded"),
})

set_labels(QuorumRule, {
    QuorumRule.MAJORITY: _l("Majority of member organisations"),
    QuorumRule.FIXED: _l("Fixed number of member organisations"),
    QuorumRule.PERCENTAGE: _l("Percentage of member organisations"),
})

set_labels(DecisionRule, {
    DecisionRule.CONSENSUS: _l("Consensus"),
    DecisionRule.SIMPLE_MAJORITY: _l("Simple majority"),
    DecisionRule.TWO_THIRDS: _l("Two-thirds majority"),
})

set_labels(MeetingFrequency, {
    MeetingFrequency.WEEKLY: _l("Weekly"),
    MeetingFrequency.FORTNIGHTLY: _l("Every two weeks"),
    MeetingFrequency.MONTHLY: _l("Monthly"),
    MeetingFrequency.BIMONTHLY: _l("Every two months"),
    MeetingFrequency.QUARTERLY: _l("Quarterly"),
    MeetingFrequency.SEMIANNUAL: _l("Twice a year"),
    MeetingFrequency.ANNUAL: _l("Once a year"),
    MeetingFrequency.AS_NEEDED: _l("As needed"),
})

set_labels(LegalStatus, {
    LegalStatus.INFORMAL: _l("Informal"),
    LegalStatus.DECREE: _l("Formally constituted by decree"),
    LegalStatus.LEGAL_ENTITY: _l("Legal entity (can sign agreements)"),
})


def _is_current(start: date | None, end: date | None, on: date) -> bool:
    return (start is None or start <= on) and (end is None or end >= on)


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


class Charter(VersionedMixin, TimestampMixin, db.Model):
    """One version of a body's terms of reference. Adopted versions are immutable."""

    __tablename__ = "charters"
    __audit_type__ = "charter"
    __table_args__ = (sa.UniqueConstraint("body_id", "number"),)

    # Fields that make up the text of a charter (compared between versions, frozen on adoption).
    CONTENT_FIELDS = (
        "title", "mandate", "objectives", "composition_rule", "quorum_rule", "quorum_value",
        "decision_rule", "meeting_frequency", "legal_status",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(200))
    mandate: Mapped[str] = mapped_column(sa.Text, default="")
    objectives: Mapped[str] = mapped_column(sa.Text, default="")
    composition_rule: Mapped[str] = mapped_column(sa.Text, default="")
    quorum_rule: Mapped[QuorumRule] = mapped_column(
        enum_column(QuorumRule), default=QuorumRule.MAJORITY
    )
    quorum_value: Mapped[int | None] = mapped_column()
    decision_rule: Mapped[DecisionRule] = mapped_column(
        enum_column(DecisionRule), default=DecisionRule.CONSENSUS
    )
    meeting_frequency: Mapped[MeetingFrequency] = mapped_column(
        enum_column(MeetingFrequency), default=MeetingFrequency.MONTHLY
    )
    legal_status: Mapped[LegalStatus] = mapped_column(
        enum_column(LegalStatus), default=LegalStatus.INFORMAL
    )
    status: Mapped[CharterStatus] = mapped_column(
        enum_column(CharterStatus), default=CharterStatus.DRAFT
    )
    adopted_on: Mapped[date | None] = mapped_column()
    adopted_at_meeting: Mapped[str] = mapped_column(sa.String(200), default="")
    based_on_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("charters.id", ondelete="SET NULL")
    )

    body: Mapped[Body] = relationship(back_populates="charters")
    based_on: Mapped[Charter | None] = relationship(remote_side="Charter.id")
    signatories: Mapped[list[CharterSignatory]] = relationship(
        back_populates="charter", cascade="all, delete-orphan", order_by="CharterSignatory.signed_on"
    )

    @property
    def is_locked(self) -> bool:
        """Adopted and superseded versions cannot be edited."""
        return self.status in (CharterStatus.ADOPTED, CharterStatus.SUPERSEDED)

    @property
    def quorum_description(self) -> str:
        if self.quorum_rule == QuorumRule.FIXED:
            return ngettext("%(num)d member organisation", "%(num)d member organisations", self.quorum_value or 0)
        if self.quorum_rule == QuorumRule.PERCENTAGE:
            return str(_l("%(n)s%% of member organisations", n=self.quorum_value))
        return str(self.quorum_rule.label)

    def __str__(self) -> str:
        return f"{self.body.acronym or self.body.name} — v{self.number} {self.title}"


class CharterSignatory(db.Model):
    __tablename__ = "charter_signatories"
    __table_args__ = (sa.UniqueConstraint("charter_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    charter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("charters.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    signer_name: Mapped[str] = mapped_column(sa.String(200))
    signer_title: Mapped[str] = mapped_column(sa.String(200), default="")
    signed_on: Mapped[date] = mapped_column()

    charter: Mapped[Charter] = relationship(back_populates="signatories")
    organisation: Mapped[Organisation] = relationship()
