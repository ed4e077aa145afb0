"""Governance health of coordination bodies over a period, and coverage of the departments.

Everything here is computed from charters, seats, signatures, meetings, attendance, minutes
and action items; nothing is typed. The result is plain JSON-ready data so that a final
evaluation can store it with its other figures.
"""
from __future__ import annotations

import functools
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from coordination.bodies.models import Body, BodyStatus
from coordination.bodies.queries import tree_order
from coordination.charters.models import Charter, CharterStatus, LegalStatus, MeetingFrequency
from coordination.dates import to_local
from coordination.evaluations.figures import end_of_day_utc
from coordination.extensions import db
from coordination.meetings.attendance import required_for
from coordination.meetings.models import Invitation, Meeting, MeetingStatus, Presence
from coordination.memberships.models import MembershipKind, OrganisationMembership
from coordination.minutes.models import Minutes
from coordination.organisations.models import Level
from coordination.plans import progress
from coordination.plans.models import ActionItem, ActionItemArea

# Flags a body can raise, in the order they are reported.
FLAGS = ("no_charter", "cannot_sign", "unsigned", "frequency", "quorum", "minutes", "overdue")


def _value(member: Any) -> str:
    """An enum's value (objects fresh from a service may still hold the plain string)."""
    return getattr(member, "value", member)


def approval_limit() -> int:
    """Days after a meeting beyond which unapproved minutes are reported."""
    return int(current_app.config.get("MINUTES_APPROVAL_DAYS", 60))


def charter_in_force(charters: list[Charter], on: date) -> Charter | None:
    """The latest charter adopted on or before ``on`` (from loaded ``charters``)."""
    adopted = [
        c for c in charters
        if c.status in (CharterStatus.ADOPTED, CharterStatus.SUPERSEDED) and c.adopted_on and c.adopted_on <= on
    ]
    return max(adopted, key=lambda c: (c.adopted_on, c.number)) if adopted else None


def _member_orgs(body: Body, on: date) -> list[OrganisationMembership]:
    return [m for m in body.organisation_memberships if m.kind == MembershipKind.MEMBER and m.is_current(on)]


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def expected_meetings(charter: Charter | None, start: date, end: date) -> int | None:
    """Meetings the charter's frequency asks for between ``start`` and ``end`` (None: no rhythm)."""
    if charter is None:
        return None
    per_year = MeetingFrequency(charter.meeting_frequency).meetings_per_year
    if per_year is None:
        return None
    return round(per_year * ((end - start).days + 1) / 365.25)


@dataclass(frozen=True)
class HeldMeeting:
    """A meeting held in the period, as the health figures need it."""

    id: int
    body_id: int
    title: str
    start: datetime
    timezone: str
    present: int  # member organisations with a voting invitee present


def body_health(
    bodies: list[Body], start: date, end: date, meetings: list[HeldMeeting], approvals: dict[int, date],
    items: dict[tuple[int, int | None], tuple[int, int]],
) -> list[dict[str, Any]]:
    """Health figures of each body from loaded rows (no query): the meetings held, the day each
    meeting's minutes were first approved, and (items, overdue) per (body, lead organisation)."""
    limit = approval_limit()
    meetings_by_body: dict[int, list[HeldMeeting]] = defaultdict(list)
    for m in meetings:
        meetings_by_body[m.body_id].append(m)
    result = []
    for body in bodies:
        charter = charter_in_force(body.charters, end)
        members = _member_orgs(body, end)
        member_ids = {m.organisation_id for m in members}
        signed = {s.organisation_id for s in charter.signatories} if charter else set()
        unsigned = sorted(m.organisation.short_name for m in members if m.organisation_id not in signed)
        held = sorted(meetings_by_body.get(body.id, []), key=lambda m: m.start)
        judged = met = 0
        delays: list[int] = []
        late: list[dict[str, Any]] = []
        for meeting in held:
            day = to_local(meeting.start, meeting.timezone).date()
            rule = charter_in_force(body.charters, day)
            if rule is not None:
                total = len(_member_orgs(body, day))
                judged += 1
                met += meeting.present >= required_for(rule.quorum_rule, rule.quorum_value, total)
            approved = approvals.get(meeting.id)
            if approved is not None:
                delays.append((approved - day).days)
            elif (end - day).days > limit:
                late.append({"meeting": meeting.title, "date": day.isoformat(), "days": (end - day).days})
        expected = expected_meetings(charter, max(start, charter.adopted_on) if charter else start, end)
        own = overdue = 0
        for org_id in member_ids:
            counted, late_items = items.get((body.id, org_id), (0, 0))
            own += counted
            overdue += late_items
        legal = _value(charter.legal_status) if charter else None
        row = {
            "body_id": body.id, "name": body.name, "acronym": body.acronym, "level": _value(body.level),
            "area": body.area, "status": _value(body.status),
            "charter": {"id": charter.id, "number": charter.number, "title": charter.title,
                        "adopted_on": charter.adopted_on.isoformat()} if charter else None,
            "legal_status": legal,
            "can_sign": legal == LegalStatus.LEGAL_ENTITY.value,
            "members": len(members), "unsigned": unsigned if charter else [],
            "frequency": _value(charter.meeting_frequency) if charter else None,
            "meetings_held": len(held), "meetings_expected": expected,
            "quorum_judged": judged, "quorum_met": met, "quorum_share": _share(met, judged),
            "minutes_approved": len(delays),
            "median_days_to_approval": round(statistics.median(delays), 1) if delays else None,
            "approval_limit_days": limit, "minutes_late": late,
            "member_items": own, "member_items_overdue": overdue, "overdue_share": _share(overdue, own),
        }
        flags = []
        if charter is None:
            flags.append("no_charter")
        elif not row["can_sign"]:
            flags.append("cannot_sign")
        if charter is not None and unsigned:
            flags.append("unsigned")
        if expected is not None and len(held) < expected:
            flags.append("frequency")
        if judged and met < judged:
            flags.append("quorum")
        if late:
            flags.append("minutes")
        if overdue:
            flags.append("overdue")
        row["flags"] = flags
        result.append(row)
    return result


def coverage(end: date, plan_id: int | None = None) -> list[dict[str, Any]]:
    """Per department/area: the active bodies that cover it and the actions that target it (2 queries)."""
    areas = list(current_app.config["GEOGRAPHIC_AREAS"])
    bodies = db.session.execute(
        sa.select(Body.acronym, Body.name, Body.area).where(
            Body.level != Level.NATIONAL, Body.status == BodyStatus.ACTIVE,
            sa.or_(Body.established_on.is_(None), Body.established_on <= end),
        ).order_by(Body.name)
    ).all()
    kid = sa.orm.aliased(ActionItem)
    counts_stmt = (
        sa.select(ActionItemArea.area, sa.func.count())
        .join(ActionItem, ActionItem.id == ActionItemArea.item_id)
        .where(ActionItem.created_at < end_of_day_utc(end), ~sa.exists().where(kid.parent_id == ActionItem.id))
        .group_by(ActionItemArea.area)
    )
    if plan_id is not None:
        counts_stmt = counts_stmt.where(ActionItem.plan_id == plan_id)
    counts = dict(db.session.execute(counts_stmt).all())
    by_area: dict[str, list[str]] = defaultdict(list)
    for b in bodies:
        by_area[b.area].append(b.acronym or b.name)
    return [{"area": a, "bodies": by_area.get(a, []), "actions": counts.get(a, 0)} for a in areas]


def governance_health(body_ids: list[int] | None, start: date, end: date, plan_id: int | None = None) -> dict[str, Any]:
    """Health of the given bodies (None: all) over ``start``–``end``, and coverage (a fixed number
    of queries, whatever the number of meetings and items)."""
    stmt = db.select(Body).options(
        selectinload(Body.charters).selectinload(Charter.signatories),
        selectinload(Body.organisation_memberships).joinedload(OrganisationMembership.organisation),
    ).where(sa.or_(Body.established_on.is_(None), Body.established_on <= end)).order_by(Body.name)
    if body_ids is not None:
        stmt = stmt.where(Body.id.in_(body_ids))
    bodies = [b for b, _depth in tree_order(list(db.session.execute(stmt).scalars()))]
    return {
        "period_start": start.isoformat(), "period_end": end.isoformat(),
        "bodies": bodies_health(bodies, start, end),
        "coverage": coverage(end, plan_id),
    }


def bodies_health(bodies: list[Body], start: date, end: date) -> list[dict[str, Any]]:
    """Health rows of ``bodies`` (loaded with their charters and signatories, and their seats with
    the organisations) over ``start``–``end``: two queries, whatever the number of meetings and items."""
    ids = [b.id for b in bodies]
    if not ids:
        return []
    meetings, approvals = _held_meetings(ids, start, end)
    return body_health(bodies, start, end, meetings, approvals, _member_items(ids, end))


@functools.cache
def _held_meetings_statement() -> sa.Select:
    # Built once: a hot read (every body page) whose values are all bind parameters, so
    # SQLAlchemy reuses its cache key and compiled form instead of rebuilding them per request.
    present = (
        sa.select(sa.func.count(sa.distinct(Invitation.organisation_id)))
        .where(Invitation.meeting_id == Meeting.id, Invitation.voting.is_(True),
               Invitation.presence == Presence.PRESENT, Invitation.organisation_id.is_not(None))
        .scalar_subquery()
    )
    approving = sa.orm.aliased(Meeting)
    return (
        sa.select(
            Meeting.id, Meeting.body_id, Meeting.title, Meeting.start, Meeting.timezone, present.label("present"),
            Minutes.id.label("minutes_id"), Minutes.approved_on,
            approving.start.label("approved_at"), approving.timezone.label("approved_zone"),
        )
        .outerjoin(Minutes, Minutes.meeting_id == Meeting.id)
        .outerjoin(approving, approving.id == Minutes.approved_at_meeting_id)
        .where(
            Meeting.body_id.in_(sa.bindparam("ids", expanding=True)), Meeting.status == MeetingStatus.HELD,
            Meeting.start >= sa.bindparam("after", type_=Meeting.start.type),
            Meeting.start < sa.bindparam("before", type_=Meeting.start.type),
        )
        .order_by(Meeting.start, Meeting.id)
    )


def _held_meetings(ids: list[int], start: date, end: date) -> tuple[list[HeldMeeting], dict[int, date]]:
    """The meetings held in the period with the organisations present, and per meeting the day its
    minutes were first approved (on or before ``end``), in one query."""
    rows = db.session.execute(_held_meetings_statement(), {
        "ids": ids, "after": end_of_day_utc(start - timedelta(days=1)), "before": end_of_day_utc(end),
    }).all()
    meetings: dict[int, HeldMeeting] = {}
    approvals: dict[int, date] = {}
    for r in rows:
        if r.id not in meetings:
            meetings[r.id] = HeldMeeting(r.id, r.body_id, r.title, r.start, r.timezone, r.present)
        if r.minutes_id is None:
            continue
        # Minutes are approved at a later meeting: that meeting's day is the approval date
        # (``approved_on`` is when it was recorded in the portal).
        if r.approved_at is not None:
            day = to_local(r.approved_at, r.approved_zone).date()
        elif r.approved_on is not None:
            day = to_local(r.approved_on, r.timezone).date()
        else:
            continue
        if day <= end and (r.id not in approvals or day < approvals[r.id]):
            approvals[r.id] = day
    return list(meetings.values()), approvals


@functools.cache
def _member_items_statement() -> sa.Select:
    # Built once, like _held_meetings_statement. A leaf is an item no other item names as parent.
    ids = sa.bindparam("ids", expanding=True)
    end = sa.bindparam("end", type_=sa.Date)
    latest = progress.latest_updates_subquery(end, ActionItem.body_id.in_(ids))
    overdue = sa.case(
        (sa.and_(ActionItem.deadline.is_not(None), ActionItem.deadline < end,
                 sa.or_(latest.c.status.is_(None), latest.c.status.not_in(progress.CLOSED))), 1),
        else_=0,
    )
    parents = sa.select(ActionItem.parent_id).where(ActionItem.parent_id.is_not(None))
    return (
        sa.select(ActionItem.body_id, ActionItem.lead_organisation_id, sa.func.count(), sa.func.sum(overdue))
        .outerjoin(latest, latest.c.item_id == ActionItem.id)
        .where(ActionItem.body_id.in_(ids), ActionItem.created_at < sa.bindparam("before", type_=ActionItem.created_at.type),
               ActionItem.id.not_in(parents))
        .group_by(ActionItem.body_id, ActionItem.lead_organisation_id)
    )


def _member_items(ids: list[int], end: date) -> dict[tuple[int, int | None], tuple[int, int]]:
    """Per (body, lead organisation): the items (leaves that existed on ``end``) and how many of
    them were overdue on ``end`` by their latest report, counted in the database (one query)."""
    rows = db.session.execute(_member_items_statement(), {"ids": ids, "end": end, "before": end_of_day_utc(end)}).all()
    return {(body_id, org_id): (int(n), int(late or 0)) for body_id, org_id, n, late in rows}
