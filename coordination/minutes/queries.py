"""Read-side queries for minutes, actions arising and a body's decision register."""
from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordination.db import contains, within
from coordination.extensions import db
from coordination.meetings.models import Meeting
from coordination.minutes.models import (
    Decision,
    DecisionText,
    Minutes,
    MinutesComment,
    MinutesStatus,
)


def minutes_page(minutes_id: int) -> Minutes | None:
    """One version of the minutes with what its page shows (meeting, sections, decisions, comments)."""
    return db.session.execute(_minutes_page_statement(), {"minutes_id": minutes_id}).unique().scalar_one_or_none()


@functools.cache
def _minutes_page_statement() -> Any:
    # Built once (the minutes page is a hot read): SQLAlchemy then reuses its cache key.
    return db.select(Minutes).where(Minutes.id == sa.bindparam("minutes_id")).options(
        joinedload(Minutes.meeting).joinedload(Meeting.body),
        selectinload(Minutes.sections), selectinload(Minutes.decisions),
        selectinload(Minutes.comments).joinedload(MinutesComment.author),
        joinedload(Minutes.approved_at_meeting), joinedload(Minutes.approved_by),
    )


def decision(minutes: Minutes, decision_id: int, **_url: Any) -> DecisionText | None:
    """The decision ``decision_id`` as written in these minutes (None: not in these minutes)."""
    return next((d for d in minutes.decisions if d.id == decision_id), None)


def _in_latest_approved_minutes() -> sa.ColumnElement[bool]:
    """The decision text is in its meeting's latest approved or published minutes: no such
    minutes of the meeting have a higher number (an anti-join the database can stop early
    on, walking a body's decisions newest first, where a grouped subquery ranks them all)."""
    later = sa.orm.aliased(Minutes)
    done = [MinutesStatus.APPROVED, MinutesStatus.PUBLISHED]
    return sa.and_(
        Minutes.status.in_(done),
        ~sa.exists().where(later.meeting_id == Minutes.meeting_id, later.status.in_(done), later.number > Minutes.number),
    )


def _register(*columns: Any) -> Any:
    """``columns`` of the register's decisions (those in their meeting's latest approved or
    published minutes), newest first."""
    return (
        db.select(*columns)
        .select_from(DecisionText)
        .join(Decision, Decision.id == DecisionText.decision_id)
        .join(Minutes, Minutes.id == DecisionText.minutes_id)
        .where(_in_latest_approved_minutes())
        .order_by(Decision.year.desc(), Decision.number.desc())
    )


def decision_register(body_ids: set[int] | None, year: int | None, search: str,
                      limit: int | None = None) -> list[tuple[DecisionText, Meeting]]:
    """Decisions in the latest approved or published minutes of each meeting of the bodies (None: all)."""
    stmt = (
        _register(DecisionText, Meeting)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .options(joinedload(Meeting.body))
        .where(within(Decision.body_id, body_ids))
    )
    if year:
        stmt = stmt.where(Decision.year == year)
    if search:
        stmt = stmt.where(contains(search, DecisionText.text, Decision.reference))
    if limit:
        stmt = stmt.limit(limit)
    return [(d, m) for d, m in db.session.execute(stmt).all()]


def latest_decisions(body_id: int, limit: int) -> list[Any]:
    """The body's ``limit`` latest decisions of the register (its page): reference and text only."""
    return list(db.session.execute(_latest_decisions_statement(limit), {"body_id": body_id}).all())


@functools.cache
def _latest_decisions_statement(limit: int) -> Any:
    # Built once: every body page runs it, and SQLAlchemy then reuses its cache key.
    return _register(Decision.reference, DecisionText.text).where(Decision.body_id == sa.bindparam("body_id")).limit(limit)


def decision_years(body_id: int) -> list[int]:
    """Years in which a body took decisions, newest first (the register's filter)."""
    return list(db.session.execute(
        db.select(Decision.year).where(Decision.body_id == body_id).distinct().order_by(Decision.year.desc())
    ).scalars())


def minutes_in_progress(statuses: list[MinutesStatus], body_ids: set[int] | None, limit: int) -> list[Minutes]:
    """Minutes in one of ``statuses`` of the given bodies (``None``: all), oldest meeting first."""
    stmt = (
        db.select(Minutes).join(Meeting, Meeting.id == Minutes.meeting_id)
        .where(Minutes.status.in_(statuses))
        .options(joinedload(Minutes.meeting).joinedload(Meeting.body))
        .order_by(Meeting.start, Minutes.number)
        .limit(limit)
    )
    stmt = stmt.where(within(Meeting.body_id, body_ids))
    return list(db.session.execute(stmt).scalars())
