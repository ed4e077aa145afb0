"""Evaluations of a plan (baseline, reviews, mid-term, final), their narrative and frozen figures."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

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
from coordination.plans.models import Priority

if TYPE_CHECKING:
    from coordination.accounts.models import User
    from coordination.organisations.models import Organisation
    from coordination.plans.models import ActionItem, ActionPlan


class EvaluationKind(LabelledEnum):
    BASELINE = "baseline"
    ANNUAL_REVIEW = "annual_review"
    MID_TERM = "mid_term"
    FINAL = "final"
    AD_HOC = "ad_hoc"


class EvaluationStatus(LabelledEnum):
    DRAFT = "draft"
    UNDER_REVIEW = "under_review"
    FINAL = "final"


class NoteKind(LabelledEnum):
    FINDING = "finding"
    PROGRESS = "progress"
    LESSON = "lesson"


class AttachmentKind(LabelledEnum):
    REPORT = "report"
    TERMS_OF_REFERENCE = "terms_of_reference"
    OTHER = "other"


set_labels(EvaluationKind, {
    EvaluationKind.BASELINE: _l("Baseline"),
    EvaluationKind.ANNUAL_REVIEW: _l("Annual review"),
    EvaluationKind.MID_TERM: _l("Mid-term evaluation"),
    EvaluationKind.FINAL: _l("Final evaluation"),
    EvaluationKind.AD_HOC: _l("Ad hoc evaluation"),
})

set_labels(EvaluationStatus, {
    EvaluationStatus.DRAFT: _l("Draft"),
    EvaluationStatus.UNDER_REVIEW: _l("Under review"),
    EvaluationStatus.FINAL: _l("Final"),
})

set_labels(NoteKind, {
    NoteKind.FINDING: _l("Finding"),
    NoteKind.PROGRESS: _l("Area of progress"),
    NoteKind.LESSON: _l("Lesson learned"),
})

set_labels(AttachmentKind, {
    AttachmentKind.REPORT: _l("Evaluation report"),
    AttachmentKind.TERMS_OF_REFERENCE: _l("Terms of reference"),
    AttachmentKind.OTHER: _l("Other document"),
})


evaluation_evaluators = sa.Table(
    "evaluation_evaluators",
    db.metadata,
    sa.Column("evaluation_id", sa.ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True),
)


class Evaluation(VersionedMixin, TimestampMixin, db.Model):
    """An evaluation of a plan as of a date. While not final its figures are computed live;
    finalising stores them in ``figures`` so the evaluation never changes afterwards."""

    __tablename__ = "evaluations"
    __audit_type__ = "evaluation"
    __table_args__ = (
        sa.CheckConstraint("period_end >= period_start", name="period_ordered"),
        sa.CheckConstraint("status != 'final' OR figures IS NOT NULL", name="final_has_figures"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("action_plans.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[EvaluationKind] = mapped_column(enum_column(EvaluationKind))
    period_start: Mapped[date] = mapped_column()
    period_end: Mapped[date] = mapped_column()
    as_of: Mapped[date] = mapped_column()
    status: Mapped[EvaluationStatus] = mapped_column(
        enum_column(EvaluationStatus), default=EvaluationStatus.DRAFT, index=True
    )
    external_organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    # The frozen figures (see evaluations.figures): written once, when the evaluation becomes final.
    figures: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, deferred=True)

    plan: Mapped[ActionPlan] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    finalised_by: Mapped[User | None] = relationship(foreign_keys=[finalised_by_id])
    evaluators: Mapped[list[User]] = relationship(secondary=evaluation_evaluators, order_by="User.full_name")
    notes: Mapped[list[EvaluationNote]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="EvaluationNote.id"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="Recommendation.number"
    )
    attachments: Mapped[list[EvaluationAttachment]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="EvaluationAttachment.id"
    )

    @property
    def is_final(self) -> bool:
        return self.status == EvaluationStatus.FINAL

    def is_author(self, user: Any) -> bool:
        """The creator or one of the evaluators named on it."""
        uid = getattr(user, "id", None)
        return uid is not None and (self.created_by_id == uid or any(u.id == uid for u in self.evaluators))

    def __str__(self) -> str:
        return self.title


class EvaluationNote(db.Model):
    """A finding, an area of progress or a lesson learned, on one strategic axis or overall."""

    __tablename__ = "evaluation_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NoteKind] = mapped_column(enum_column(NoteKind))
    # None: the note is about the plan overall.
    axis_id: Mapped[int | None] = mapped_column(sa.ForeignKey("action_items.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)

    evaluation: Mapped[Evaluation] = relationship(back_populates="notes")
    axis: Mapped[ActionItem | None] = relationship()


class Recommendation(db.Model):
    """A recommendation with its priority and addressee; it may become an action item."""

    __tablename__ = "evaluation_recommendations"
    __table_args__ = (sa.UniqueConstraint("evaluation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    axis_id: Mapped[int | None] = mapped_column(sa.ForeignKey("action_items.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.MEDIUM)
    addressee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    action_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("action_items.id", ondelete="SET NULL"), unique=True
    )

    evaluation: Mapped[Evaluation] = relationship(back_populates="recommendations")
    axis: Mapped[ActionItem | None] = relationship(foreign_keys=[axis_id])
    addressee: Mapped[Organisation | None] = relationship()
    action_item: Mapped[ActionItem | None] = relationship(foreign_keys=[action_item_id])

    def __str__(self) -> str:
        return f"R{self.number} — {self.evaluation.title}"


class EvaluationAttachment(db.Model):
    """The evaluation report, its terms of reference or another document (upload rules apply)."""

    __tablename__ = "evaluation_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind), default=AttachmentKind.REPORT)
    path: Mapped[str] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(255))
    mime: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    evaluation: Mapped[Evaluation] = relationship(back_populates="attachments")
