"""Callable factories for test data; each flushes and returns the object."""
from __future__ import annotations

import itertools
from datetime import date, timedelta
from functools import cache

from coordination import dates
from coordination.accounts.models import Role, User
from coordination.accounts.services import hash_password
from coordination.bodies.models import Body, BodyKind, Visibility
from coordination.charters.models import Charter, CharterSignatory, CharterStatus, QuorumRule
from coordination.extensions import db
from coordination.memberships.models import (
    MembershipKind,
    OrganisationMembership,
    PersonMembership,
    SeatRole,
)
from coordination.organisations.models import (
    Level,
    Organisation,
    OrganisationKind,
    OrganisationSector,
)

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def _save(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def organisation(**kw) -> Organisation:
    n = next(_seq)
    sectors = kw.pop("sectors", ["health"])
    org = Organisation(
        name=kw.pop("name", f"Organisation {n}"),
        acronym=kw.pop("acronym", f"ORG{n}"),
        kind=kw.pop("kind", OrganisationKind.MINISTRY),
        level=kw.pop("level", Level.NATIONAL),
        **kw,
    )
    org.sector_links = [OrganisationSector(sector=s) for s in sectors]
    return _save(org)


def user(role: Role = Role.MEMBER, organisation: Organisation | None = None, **kw) -> User:
    n = next(_seq)
    return _save(
        User(
            email=kw.pop("email", f"user{n}@example.net"),
            full_name=kw.pop("full_name", f"Person {n}"),
            role=role,
            organisation=organisation,
            password_hash=kw.pop("password_hash", _password_hash()),
            **kw,
        )
    )


def body(**kw) -> Body:
    n = next(_seq)
    return _save(
        Body(
            name=kw.pop("name", f"Body {n}"),
            acronym=kw.pop("acronym", f"B{n}"),
            kind=kw.pop("kind", BodyKind.TECHNICAL_COMMISSION),
            timezone=kw.pop("timezone", "America/Port-au-Prince"),
            visibility=kw.pop("visibility", Visibility.INTERNAL),
            **kw,
        )
    )


def seat(body: Body, organisation: Organisation, kind=MembershipKind.MEMBER, **kw) -> OrganisationMembership:
    return _save(
        OrganisationMembership(
            body=body, organisation=organisation, kind=kind,
            start_date=kw.pop("start_date", date(2020, 1, 1)), **kw,
        )
    )


def person_seat(body: Body, person: User, role=SeatRole.MEMBER, **kw) -> PersonMembership:
    return _save(
        PersonMembership(
            body=body, person=person, organisation_id=kw.pop("organisation_id", person.organisation_id),
            role=role, start_date=kw.pop("start_date", date(2020, 1, 1)), **kw,
        )
    )


def charter(body: Body, status=CharterStatus.DRAFT, number: int | None = None, **kw) -> Charter:
    if number is None:
        number = (db.session.execute(db.select(db.func.max(Charter.number)).where(Charter.body_id == body.id)).scalar() or 0) + 1
    return _save(
        Charter(
            body=body, number=number, status=status, title=kw.pop("title", f"Charter v{number}"),
            quorum_rule=kw.pop("quorum_rule", QuorumRule.MAJORITY), **kw,
        )
    )


def signatory(charter: Charter, organisation: Organisation, **kw) -> CharterSignatory:
    return _save(
        CharterSignatory(
            charter=charter, organisation=organisation, signer_name=kw.pop("signer_name", "A. Signer"),
            signed_on=kw.pop("signed_on", date(2020, 2, 1)), **kw,
        )
    )


def plan(body: Body, **kw):
    from coordination.plans.models import ActionPlan

    n = next(_seq)
    return _save(ActionPlan(
        title=kw.pop("title", f"Plan {n}"), body=body,
        period_start=kw.pop("period_start", date(2022, 1, 1)), period_end=kw.pop("period_end", date(2026, 12, 31)), **kw,
    ))


def item(plan=None, parent=None, body=None, **kw):
    """An action item placed in the tree with the service's numbering."""
    from coordination.plans import services
    from coordination.plans.models import ActionItem

    data = {"title": kw.pop("title", f"Action {next(_seq)}"), "priority": kw.pop("priority", "medium"),
            "weight": kw.pop("weight", 1), "scope_national": kw.pop("scope_national", True), **kw}
    created = services.create_item(data, plan=plan, parent=parent, body_id=body.id if body else None, actor=None)
    return db.session.get(ActionItem, created.id)


def update(item, when: date, status: str, progress: int, **kw):
    from coordination.plans.models import ItemStatus, ProgressUpdate

    return _save(ProgressUpdate(item=item, update_date=when, status=ItemStatus(status), progress=progress, **kw))


def big_plan(body: Body, owner: Organisation, actions: int, today: date):
    """A plan of 2 axes × 5 objectives with ``actions`` actions spread under them, bulk-inserted."""
    from coordination.plans.models import ActionItem, ProgressUpdate

    p = plan(body)
    nodes = []
    for a in range(1, 3):
        axis = ActionItem(plan=p, body=body, number=a, depth=0, code=str(a), sort_key=f"{a:05d}", title=f"Axis {a}")
        nodes.append(axis)
        for o in range(1, 6):
            nodes.append(ActionItem(plan=p, body=body, parent=axis, number=o, depth=1, code=f"{a}.{o}",
                                    sort_key=f"{a:05d}.{o:05d}", title=f"Objective {a}.{o}"))
    db.session.add_all(nodes)
    objectives = [n for n in nodes if n.depth == 1]
    for i in range(actions):
        parent = objectives[i % len(objectives)]
        number = i // len(objectives) + 1
        act = ActionItem(plan=p, body=body, parent=parent, number=number, depth=2,
                         code=f"{parent.code}.{number}", sort_key=f"{parent.sort_key}.{number:05d}",
                         title=f"Action {i}", lead_organisation=owner,
                         deadline=today - timedelta(days=30) if i % 3 == 0 else today + timedelta(days=20 + i))
        db.session.add(act)
        db.session.add(ProgressUpdate(item=act, update_date=today - timedelta(days=60), status="in_progress", progress=i % 90))
    db.session.flush()
    return p


def meeting(body: Body, start=None, hours: int = 2, **kw):
    """A meeting (UTC ``start``), with the body's current members invited."""
    from datetime import UTC, datetime

    from coordination.meetings import services
    from coordination.meetings.models import Meeting

    start = start or datetime(2026, 3, 3, 15, tzinfo=UTC)
    local = dates.to_local(start, body.timezone)
    data = {"title": kw.pop("title", f"Meeting {next(_seq)}"), "kind": "ordinary", "status": kw.pop("status", "planned"),
            "status_reason": kw.pop("status_reason", ""), "location": kw.pop("location", "Room 1"), "online_link": "",
            "start_local": local, "end_local": local + timedelta(hours=hours), "timezone": body.timezone}
    created = services.create_meeting(body, data, actor=None)
    return db.session.get(Meeting, created.id)


def bulk_meetings(body: Body, n: int, first=None):
    """``n`` meetings of ``body`` one week apart, inserted directly (for query-count tests)."""
    import secrets
    from datetime import UTC, datetime

    from coordination.meetings.models import Meeting

    first = first or datetime(2025, 1, 7, 15, tzinfo=UTC)
    rows = [Meeting(body=body, uid=secrets.token_hex(8), title=f"Bulk meeting {i}", start=first + timedelta(weeks=i),
                    end=first + timedelta(weeks=i, hours=2), timezone=body.timezone) for i in range(n)]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def minutes(meeting, status: str = "draft"):
    from coordination.minutes.models import Minutes, MinutesStatus

    return _save(Minutes(meeting=meeting, number=1, status=MinutesStatus(status)))


def minutes_content(minutes, author, first: int, last: int):
    """Sections, decisions and comments numbered ``first``..``last`` on ``minutes``."""
    from coordination.minutes.models import (
        Decision,
        DecisionText,
        Minutes,
        MinutesComment,
        MinutesSection,
    )

    # Loaded again, not merged: merging a detached copy would write its old columns back
    # (the stamps that triggers keep, for one).
    minutes = db.session.get(Minutes, minutes.id)
    for n in range(first, last + 1):
        decision = Decision(body_id=minutes.meeting.body_id, meeting_id=minutes.meeting_id, year=2026, number=n,
                            reference=f"CN-2026-{n:03d}")
        db.session.add_all([
            MinutesSection(minutes=minutes, position=n, title=f"Item {n}", summary="Discussed."),
            DecisionText(minutes=minutes, decision=decision, text=f"Decision {n}."),
            MinutesComment(minutes=minutes, author_id=author.id, text=f"Comment {n}."),
        ])
    db.session.flush()


def decision(minutes, reference: str, text: str):
    """A decision recorded straight on ``minutes`` (for registers and search)."""
    from coordination.minutes.models import Decision, DecisionText, Minutes

    # Loaded again, not merged: merging a detached copy would write its old columns back
    # (the stamps that triggers keep, for one).
    minutes = db.session.get(Minutes, minutes.id)
    year, number = int(reference.split("-")[-2]), int(reference.split("-")[-1])
    decision = Decision(body_id=minutes.meeting.body_id, meeting_id=minutes.meeting_id, year=year, number=number,
                        reference=reference)
    return _save(DecisionText(minutes=minutes, decision=decision, text=text))
def evaluation(plan, author=None, **kw):
    """An evaluation of ``plan`` (a draft unless ``status`` says otherwise)."""
    from coordination.evaluations.models import Evaluation, EvaluationKind, EvaluationStatus
    from coordination.plans.models import ActionPlan

    plan = db.session.get(ActionPlan, plan.id)
    ev = Evaluation(
        plan=plan, title=kw.pop("title", f"Evaluation {next(_seq)}"), kind=kw.pop("kind", EvaluationKind.MID_TERM),
        period_start=kw.pop("period_start", plan.period_start), period_end=kw.pop("period_end", plan.period_end),
        as_of=kw.pop("as_of", plan.period_start), status=kw.pop("status", EvaluationStatus.DRAFT),
        created_by_id=author.id if author else None, **kw,
    )
    if author is not None:
        ev.evaluators = [db.session.get(User, author.id)]
    return _save(ev)


def recommendation(evaluation, text: str, **kw):
    from coordination.evaluations.models import Recommendation

    evaluation = db.session.get(type(evaluation), evaluation.id)
    number = len(evaluation.recommendations) + 1
    return _save(Recommendation(evaluation=evaluation, number=number, text=text, **kw))
