"""Charters: versioned terms of reference of a body, and the organisations that signed them."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.bodies.models import Body
from coordination.db import LabelledEnum, TimestampMixin, VersionedMixin, enum_column, set_labels
from coordination.extensions import db
from coordination.organisations.models import Organisation


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
