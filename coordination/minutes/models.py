"""Minutes of a meeting (versioned), their sections, numbered decisions and comments."""
from __future__ import annotations

from datetime import datetime
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
    utcnow,
)
from coordination.extensions import db

if TYPE_CHECKING:
    from coordination.accounts.models import User
    from coordination.meetings.models import Meeting


class MinutesStatus(LabelledEnum):
    DRAFT = "draft"
    CIRCULATED = "circulated"
    APPROVED = "approved"
    PUBLISHED = "published"


set_labels(MinutesStatus, {
    MinutesStatus.DRAFT: _l("Draft"),
    MinutesStatus.CIRCULATED: _l("Circulated for comment"),
    MinutesStatus.APPROVED: _l("Approved"),
    MinutesStatus.PUBLISHED: _l("Published"),
})


# The steps :func:`coordination.db.transition` allows: a draft is circulated for comment, then
# approved at a later meeting, then published. A correction is a new draft version, not a step back.
MINUTES_STEPS = {
    MinutesStatus.DRAFT: {MinutesStatus.CIRCULATED},
    MinutesStatus.CIRCULATED: {MinutesStatus.APPROVED},
    MinutesStatus.APPROVED: {MinutesStatus.PUBLISHED},
}


class Minutes(VersionedMixin, TimestampMixin, db.Model):
    """One version of a meeting's minutes. Approved versions are locked; corrections are new versions."""

    __tablename__ = "minutes"
    __audit_type__ = "minutes"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[MinutesStatus] = mapped_column(enum_column(MinutesStatus), default=MinutesStatus.DRAFT)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    correction_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    approved_at_meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="RESTRICT"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    approved_on: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="minutes", foreign_keys=[meeting_id])
    approved_at_meeting: Mapped[Meeting | None] = relationship(foreign_keys=[approved_at_meeting_id])
    approved_by: Mapped[User | None] = relationship()
    sections: Mapped[list[MinutesSection]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="MinutesSection.position"
    )
    decisions: Mapped[list[DecisionText]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="DecisionText.decision_id"
    )
    comments: Mapped[list[MinutesComment]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="MinutesComment.id"
    )

    @property
    def locked(self) -> bool:
        return self.status in (MinutesStatus.APPROVED, MinutesStatus.PUBLISHED)

    def __str__(self) -> str:
        return f"Minutes v{self.number} — {self.meeting}"


class MinutesSection(db.Model):
    """The summary of one agenda item in one version of the minutes."""

    __tablename__ = "minutes_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text, default="")

    minutes: Mapped[Minutes] = relationship(back_populates="sections")


class Decision(db.Model):
    """A decision's identity: numbered once per body and year (e.g. CN-2026-014), never renumbered.

    The number comes from :class:`DecisionCounter` (allocated atomically) and the database
    refuses a second decision with the same body, year and number. Its wording lives in one
    :class:`DecisionText` per version of the minutes, so a corrected version keeps the
    decision (and the action items arising from it) and versions only the text.
    """

    __tablename__ = "decisions"
    __table_args__ = (sa.UniqueConstraint("body_id", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="RESTRICT"), index=True)
    # The meeting that took the decision (whose minutes record it, in every version).
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    reference: Mapped[str] = mapped_column(sa.String(40), index=True)

    texts: Mapped[list[DecisionText]] = relationship(back_populates="decision", passive_deletes="all")


class DecisionText(db.Model):
    """A decision as worded in one version of the minutes (text and vote tally)."""

    __tablename__ = "decision_texts"
    __table_args__ = (sa.UniqueConstraint("minutes_id", "decision_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions.id", ondelete="RESTRICT"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    votes_for: Mapped[int | None] = mapped_column()
    votes_against: Mapped[int | None] = mapped_column()
    abstentions: Mapped[int | None] = mapped_column()

    minutes: Mapped[Minutes] = relationship(back_populates="decisions")
    decision: Mapped[Decision] = relationship(back_populates="texts", lazy="joined", innerjoin=True)

    @property
    def reference(self) -> str:
        return self.decision.reference

    @property
    def body_id(self) -> int:
        return self.decision.body_id

    @property
    def year(self) -> int:
        return self.decision.year

    @property
    def number(self) -> int:
        return self.decision.number

    @property
    def tally(self) -> str:
        if self.votes_for is None and self.votes_against is None and self.abstentions is None:
            return ""
        return f"{self.votes_for or 0}–{self.votes_against or 0}–{self.abstentions or 0}"


class DecisionCounter(db.Model):
    """The last decision number given per body and year; incremented atomically (no MAX + 1)."""

    __tablename__ = "decision_counters"

    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class MinutesComment(db.Model):
    __tablename__ = "minutes_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[Minutes] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
