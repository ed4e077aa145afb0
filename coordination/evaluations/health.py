"""Governance health of coordination bodies over a period, and coverage of the departments.

Everything here is computed from charters, seats, signatures, meetings, attendance, minutes
and action items; nothing is typed. The result is plain JSON-ready data so that a final
evaluation can store it with its other figures.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from coordination.bodies.models import Body, BodyStatus
from coordination.bodies.queries import tree_order
from coordination.charters.models import Charter, CharterStatus, LegalStatus, MeetingFrequency
from coordination.dates import to_local
from coordination.evaluations.figures import end_of_day_utc, latest_reports
from coordination.extensions import db
from coordination.meetings.attendance import required_for
from coordination.meetings.models import Meeting, MeetingStatus, Presence
from coordination.memberships.models import MembershipKind, OrganisationMembership
from coordination.minutes.models import Minutes
from coordination.organisations.models import Level
from coordination.plans import progress
from coordination.plans.models import ActionItem, ActionItemArea, ItemStatus

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


def body_health(
    bodies: list[Body], start: date, end: date, meetings: list[Meeting], minutes: list[Minutes],
    items: list[ActionItem], states: dict[int, progress.State],
) -> list[dict[str, Any]]:
    """Health figures of each body from loaded rows (no query)."""
    limit = approval_limit()
    meetings_by_body: dict[int, list[Meeting]] = defaultdict(list)
    for m in meetings:
        meetings_by_body[m.body_id].append(m)
    zones = {m.id: m.timezone for m in meetings}
    approvals: dict[int, date] = {}
    for m in minutes:
        # Minutes are approved at a later meeting: that meeting's day is the approval date
        # (``approved_on`` is when it was recorded in the portal).
        if m.approved_at_meeting is not None:
            day = to_local(m.approved_at_meeting.start, m.approved_at_meeting.timezone).date()
        elif m.approved_on is not None:
            day = to_local(m.approved_on, zones.get(m.meeting_id, "UTC")).date()
        else:
            continue
        if day <= end and (m.meeting_id not in approvals or day < approvals[m.meeting_id]):
            approvals[m.meeting_id] = day
    items_by_body: dict[int, list[ActionItem]] = defaultdict(list)
    for item in items:
        items_by_body[item.body_id].append(item)
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
                present = {
                    i.organisation_id for i in meeting.invitations
                    if i.voting and i.presence == Presence.PRESENT and i.organisation_id
                }
                judged += 1
                met += len(present) >= required_for(rule.quorum_rule, rule.quorum_value, total)
            approved = approvals.get(meeting.id)
            if approved is not None:
                delays.append((approved - day).days)
            elif (end - day).days > limit:
                late.append({"meeting": meeting.title, "date": day.isoformat(), "days": (end - day).days})
        expected = expected_meetings(charter, max(start, charter.adopted_on) if charter else start, end)
        own = [i for i in items_by_body.get(body.id, []) if i.lead_organisation_id in member_ids]
        overdue = sum(
            progress.is_overdue(i.deadline, states.get(i.id, progress.NOT_STARTED).status, end) for i in own
        )
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
            "member_items": len(own), "member_items_overdue": overdue, "overdue_share": _share(overdue, len(own)),
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


def governance_health(body_ids: list[int] | None, start: date, end: date, plan_id: int | None = None,
                      *, with_coverage: bool = True) -> dict[str, Any]:
    """Health of the given bodies (None: all) over ``start``–``end``, and coverage (a fixed number
    of queries); ``with_coverage=False`` leaves the department coverage out (the body page)."""
    stmt = db.select(Body).options(
        selectinload(Body.charters).selectinload(Charter.signatories),
        selectinload(Body.organisation_memberships).joinedload(OrganisationMembership.organisation),
    ).where(sa.or_(Body.established_on.is_(None), Body.established_on <= end)).order_by(Body.name)
    if body_ids is not None:
        stmt = stmt.where(Body.id.in_(body_ids))
    bodies = list(db.session.execute(stmt).scalars())
    bodies = [b for b, _depth in tree_order(bodies)]
    ids = [b.id for b in bodies]
    meetings = list(
        db.session.execute(
            db.select(Meeting).where(
                Meeting.body_id.in_(ids), Meeting.status == MeetingStatus.HELD,
                Meeting.start >= end_of_day_utc(start - timedelta(days=1)),
                Meeting.start < end_of_day_utc(end),
            ).options(selectinload(Meeting.invitations))
        ).scalars()
    ) if ids else []
    minutes = list(
        db.session.execute(
            db.select(Minutes).where(Minutes.meeting_id.in_([m.id for m in meetings]))
            .options(joinedload(Minutes.approved_at_meeting))
        ).scalars()
    ) if meetings else []
    kid = sa.orm.aliased(ActionItem)
    items = list(
        db.session.execute(
            db.select(ActionItem).where(
                ActionItem.body_id.in_(ids), ActionItem.created_at < end_of_day_utc(end),
                ~sa.exists().where(kid.parent_id == ActionItem.id),
            )
        ).scalars()
    ) if ids else []
    reports = latest_reports(
        sa.select(ActionItem.id).where(ActionItem.body_id.in_(ids)), end
    ) if items else {}
    states = {k: progress.State(ItemStatus(r.status), r.progress, r.update_date) for k, r in reports.items()}
    return {
        "period_start": start.isoformat(), "period_end": end.isoformat(),
        "bodies": body_health(bodies, start, end, meetings, minutes, items, states),
        "coverage": coverage(end, plan_id) if with_coverage else None,
    }
