"""Meetings and series, agenda items, attachments, invitations and attendance."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.dates import local_date
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
    from coordination.minutes.models import Minutes
    from coordination.organisations.models import Organisation


class MeetingKind(LabelledEnum):
    ORDINARY = "ordinary"
    EXTRAORDINARY = "extraordinary"
    WORKING_SESSION = "working_session"


class MeetingStatus(LabelledEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    HELD = "held"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


# The steps :func:`coordination.db.transition` allows. The secretariat may set any status (a
# postponed meeting planned again, a cancelled one revived, a held one corrected); what a status
# forbids is checked where it matters (no invitations for a cancelled meeting, no answer once over).
MEETING_STEPS = {status: frozenset(MeetingStatus) for status in MeetingStatus}


class Rsvp(LabelledEnum):
    NONE = "none"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"


class Presence(LabelledEnum):
    UNKNOWN = "unknown"
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"
    REPRESENTED = "represented"


set_labels(MeetingKind, {
    MeetingKind.ORDINARY: _l("Ordinary meeting"),
    MeetingKind.EXTRAORDINARY: _l("Extraordinary meeting"),
    MeetingKind.WORKING_SESSION: _l("Working session"),
})
set_labels(MeetingStatus, {
    MeetingStatus.PLANNED: _l("Planned"),
    MeetingStatus.CONFIRMED: _l("Confirmed"),
    MeetingStatus.HELD: _l("Held"),
    MeetingStatus.POSTPONED: _l("Postponed"),
    MeetingStatus.CANCELLED: _l("Cancelled"),
})
set_labels(Rsvp, {
    Rsvp.NONE: _l("No answer"),
    Rsvp.ACCEPTED: _l("Will attend"),
    Rsvp.DECLINED: _l("Will not attend"),
    Rsvp.TENTATIVE: _l("Maybe"),
})
set_labels(Presence, {
    Presence.UNKNOWN: _l("Not recorded"),
    Presence.PRESENT: _l("Present"),
    Presence.ABSENT: _l("Absent"),
    Presence.EXCUSED: _l("Excused"),
    Presence.REPRESENTED: _l("Represented by alternate"),
})


class MeetingSeries(TimestampMixin, db.Model):
    """A regular meeting: an RRULE over local times in the body's time zone.

    Occurrences are stored as meetings so each has its own page, invitees and minutes; the
    feed publishes the series as one event with RRULE, EXDATE and moved instances.
    """

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(120), unique=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    rrule: Mapped[str] = mapped_column(sa.String(300))
    first_start_local: Mapped[datetime] = mapped_column()  # naive, in ``timezone``
    duration_minutes: Mapped[int] = mapped_column()
    timezone: Mapped[str] = mapped_column(sa.String(64))
    sequence: Mapped[int] = mapped_column(default=0)
    # When the secretariat sent the series' invitations (then changes go out as updates).
    invitations_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    body: Mapped[Body] = relationship()
    meetings: Mapped[list[Meeting]] = relationship(back_populates="series", order_by="Meeting.start")


class Meeting(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "meetings"
    __audit_type__ = "meeting"
    __table_args__ = (sa.CheckConstraint("end_at > start_at", name="end_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(120), unique=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="RESTRICT"), index=True)
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting_series.id", ondelete="SET NULL"), index=True)
    # The occurrence's original local start in its series (iCalendar RECURRENCE-ID).
    original_start_local: Mapped[datetime | None] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind), default=MeetingKind.ORDINARY)
    start: Mapped[datetime] = mapped_column("start_at", UTCDateTime, index=True)
    end: Mapped[datetime] = mapped_column("end_at", UTCDateTime)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    online_link: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus), default=MeetingStatus.PLANNED)
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    sequence: Mapped[int] = mapped_column(default=0)
    # When the secretariat sent the invitations; before that nothing is mailed.
    invitations_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A change of text only (title, description) waits for the next real change or an explicit update.
    text_update_pending: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    body: Mapped[Body] = relationship()
    series: Mapped[MeetingSeries | None] = relationship(back_populates="meetings")
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    invitations: Mapped[list[Invitation]] = relationship(back_populates="meeting", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="meeting", order_by="Attachment.id")
    minutes: Mapped[list[Minutes]] = relationship(
        back_populates="meeting", order_by="Minutes.number", foreign_keys="Minutes.meeting_id"
    )

    @property
    def moved(self) -> bool:
        """An occurrence of a series whose time no longer follows the rule."""
        if self.series_id is None or self.original_start_local is None:
            return False
        return self.start.astimezone(ZoneInfo(self.timezone)).replace(tzinfo=None) != self.original_start_local

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def __str__(self) -> str:
        return f"{self.title} ({local_date(self).isoformat()})"


class AgendaItem(VersionedMixin, db.Model):
    """One item of a meeting's agenda; positions are unique per meeting (1, 2, …)."""

    __tablename__ = "agenda_items"
    # A unique index (not a constraint) so SQLite adds it without rebuilding the table.
    __table_args__ = (sa.Index("uq_agenda_items_meeting_id_position", "meeting_id", "position", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300))
    presenter_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    presenter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    duration_minutes: Mapped[int] = mapped_column(default=15)
    description: Mapped[str] = mapped_column(sa.Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    presenter_organisation: Mapped[Organisation | None] = relationship()
    presenter: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="agenda_item", order_by="Attachment.id")


class Attachment(db.Model):
    """A document for a meeting or one of its agenda items (stored outside the web root)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(255))
    mime: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="attachments")
    agenda_item: Mapped[AgendaItem | None] = relationship(back_populates="attachments")


class Invitation(db.Model):
    """An invitee: RSVP before the meeting, presence in the register after it."""

    __tablename__ = "invitations"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    # Whether the person's organisation counts for quorum (a member seat, not an observer).
    voting: Mapped[bool] = mapped_column(default=True)
    alternate: Mapped[bool] = mapped_column(default=False)
    guest: Mapped[bool] = mapped_column(default=False)
    rsvp: Mapped[Rsvp] = mapped_column(enum_column(Rsvp), default=Rsvp.NONE)
    presence: Mapped[Presence] = mapped_column(enum_column(Presence), default=Presence.UNKNOWN)
    # The SEQUENCE last mailed to this invitee (None: never invited by mail).
    sent_sequence: Mapped[int | None] = mapped_column()
    # The UID the invitee's calendar holds the meeting under: the series' (invited to the whole
    # series) or the meeting's own.
    sent_uid: Mapped[str | None] = mapped_column(sa.String(120))

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    person: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
