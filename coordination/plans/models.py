"""Action plans, action items (one tree per plan), indicators and append-only progress updates."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
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
    from coordination.bodies.models import Body
    from coordination.organisations.models import Organisation


class ItemStatus(LabelledEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DELAYED = "delayed"
    CANCELLED = "cancelled"


class Priority(LabelledEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Origin(LabelledEnum):
    PLAN = "plan"
    MEETING_DECISION = "meeting_decision"
    EVALUATION = "evaluation"
    OTHER = "other"


set_labels(ItemStatus, {
    ItemStatus.NOT_STARTED: _l("Not started"),
    ItemStatus.IN_PROGRESS: _l("In progress"),
    ItemStatus.COMPLETED: _l("Completed"),
    ItemStatus.DELAYED: _l("Delayed"),
    ItemStatus.CANCELLED: _l("Cancelled"),
})

set_labels(Priority, {
    Priority.LOW: _l("Low"),
    Priority.MEDIUM: _l("Medium"),
    Priority.HIGH: _l("High"),
})

set_labels(Origin, {
    Origin.PLAN: _l("Action plan"),
    Origin.MEETING_DECISION: _l("Meeting decision"),
    Origin.EVALUATION: _l("Evaluation recommendation"),
    Origin.OTHER: _l("Other"),
})

# Names of the tree levels by depth; deeper levels are sub-actions.
LEVEL_NAMES = (_l("Strategic axis"), _l("Objective"), _l("Action"))


class ActionPlan(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "action_plans"
    __audit_type__ = "action_plan"
    __table_args__ = (
        sa.CheckConstraint("period_end >= period_start", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300), unique=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="RESTRICT"), index=True)
    period_start: Mapped[date] = mapped_column()
    period_end: Mapped[date] = mapped_column()
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Moved by database triggers on every write to the plan's items and their progress reports
    # (migration 7b1e0c4d9a20): the plan page's roll-up is cached under it; never written here.
    items_version: Mapped[int] = mapped_column(default=0, server_default="0")

    body: Mapped[Body] = relationship()
    items: Mapped[list[ActionItem]] = relationship(back_populates="plan", order_by="ActionItem.sort_key")

    def __str__(self) -> str:
        return self.title


action_item_supporters = sa.Table(
    "action_item_supporters",
    db.metadata,
    sa.Column("item_id", sa.ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id", ondelete="RESTRICT"), primary_key=True),
)


class ActionItem(VersionedMixin, TimestampMixin, db.Model):
    """A node of a plan's tree (axis, objective, action) or an item standing outside a plan.

    ``number`` is the position among siblings, given once and never reused, so codes such
    as ``2.1.3`` stay stable when siblings are added. Status and progress are not stored
    here: they come from the latest progress update (see ``plans.progress``).
    """

    __tablename__ = "action_items"
    __audit_type__ = "action_item"
    __table_args__ = (
        sa.CheckConstraint("deadline IS NULL OR start_date IS NULL OR deadline >= start_date", name="dates_ordered"),
        sa.CheckConstraint("weight >= 1", name="weight_positive"),
        sa.UniqueConstraint("plan_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("action_plans.id", ondelete="RESTRICT"), index=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="RESTRICT"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("action_items.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    depth: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(sa.String(40))
    sort_key: Mapped[str] = mapped_column(sa.String(120), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    lead_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    focal_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    focal_is_guest: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date | None] = mapped_column()
    deadline: Mapped[date | None] = mapped_column(index=True)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.MEDIUM)
    weight: Mapped[int] = mapped_column(default=1)
    scope_national: Mapped[bool] = mapped_column(default=True)
    budget_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(16, 2))
    budget_currency: Mapped[str] = mapped_column(sa.String(3), default="")
    funding_source: Mapped[str] = mapped_column(sa.String(200), default="")
    origin: Mapped[Origin] = mapped_column(enum_column(Origin), default=Origin.PLAN)
    origin_note: Mapped[str] = mapped_column(sa.String(300), default="")
    # For items arising from a meeting: the meeting and the decision reference (e.g. CN-2026-014).
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    decision_reference: Mapped[str] = mapped_column(sa.String(40), default="", server_default="", index=True)
    # The decision it arises from (the reference above is kept for display and search).
    decision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decisions.id", ondelete="RESTRICT"), index=True)

    plan: Mapped[ActionPlan | None] = relationship(back_populates="items")
    body: Mapped[Body] = relationship()
    parent: Mapped[ActionItem | None] = relationship(back_populates="children", remote_side="ActionItem.id")
    children: Mapped[list[ActionItem]] = relationship(back_populates="parent", order_by="ActionItem.sort_key")
    lead_organisation: Mapped[Organisation | None] = relationship()
    focal_person: Mapped[User | None] = relationship()
    supporters: Mapped[list[Organisation]] = relationship(secondary=action_item_supporters, order_by="Organisation.name")
    areas: Mapped[list[ActionItemArea]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ActionItemArea.area"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Indicator.id"
    )
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="item", order_by="(ProgressUpdate.update_date, ProgressUpdate.id)",
        foreign_keys="ProgressUpdate.item_id",
    )
    comments: Mapped[list[ItemComment]] = relationship(back_populates="item", order_by="ItemComment.id")

    @property
    def level_name(self) -> str:
        return str(LEVEL_NAMES[min(self.depth, len(LEVEL_NAMES) - 1)])

    @property
    def area_names(self) -> list[str]:
        return [a.area for a in self.areas]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ActionItemArea(db.Model):
    """A department or area an item covers (when it is not national)."""

    __tablename__ = "action_item_areas"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[str] = mapped_column(sa.String(120), primary_key=True, index=True)

    item: Mapped[ActionItem] = relationship(back_populates="areas")


class Indicator(db.Model):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(50), default="")
    baseline: Mapped[Decimal | None] = mapped_column(sa.Numeric(16, 2))
    target: Mapped[Decimal | None] = mapped_column(sa.Numeric(16, 2))

    item: Mapped[ActionItem] = relationship(back_populates="indicators")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name


class ProgressUpdate(db.Model):
    """One report on an item. Append-only: never edited or deleted; corrections are new rows."""

    __tablename__ = "progress_updates"
    __audit_type__ = "progress_update"
    __table_args__ = (
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        sa.Index("ix_progress_updates_item_date", "item_id", "update_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="RESTRICT"))
    update_date: Mapped[date] = mapped_column()
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus))
    progress: Mapped[int] = mapped_column()
    narrative: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_url: Mapped[str] = mapped_column(sa.String(500), default="")
    evidence_name: Mapped[str] = mapped_column(sa.String(255), default="")
    evidence_path: Mapped[str] = mapped_column(sa.String(100), default="")
    evidence_type: Mapped[str] = mapped_column(sa.String(100), default="")
    evidence_size: Mapped[int] = mapped_column(default=0)
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_updates.id", ondelete="RESTRICT"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[ActionItem] = relationship(back_populates="updates", foreign_keys=[item_id])
    author: Mapped[User | None] = relationship()
    corrects: Mapped[ProgressUpdate | None] = relationship(remote_side="ProgressUpdate.id")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="update", cascade="all, delete-orphan", order_by="IndicatorValue.indicator_id"
    )

    def __str__(self) -> str:
        return f"{self.update_date.isoformat()} {self.status.value} {self.progress}%"


class IndicatorValue(db.Model):
    __tablename__ = "indicator_values"

    update_id: Mapped[int] = mapped_column(sa.ForeignKey("progress_updates.id", ondelete="CASCADE"), primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[Decimal] = mapped_column(sa.Numeric(16, 2))

    update: Mapped[ProgressUpdate] = relationship(back_populates="values")
    indicator: Mapped[Indicator] = relationship()


class ItemComment(db.Model):
    """A comment on an item, e.g. from a supporting organisation (which cannot change status)."""

    __tablename__ = "item_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[ActionItem] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
