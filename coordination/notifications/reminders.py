"""Daily reminder digests (``flask notifications remind``): one mail per person per run.

What a person is reminded of, each once (the reminder log makes a second run the same day,
or any later run, send nothing already sent):

- action items of their organisation coming due in ``REMINDER_DUE_DAYS`` days (14 and 3 by
  default) — to the focal person and the lead organisation's people who sit on the owning body;
- overdue items, once a week, to the same people;
- meetings starting within ``REMINDER_RSVP_DAYS`` days that they have not answered (after the
  invitations went out);
- to the secretariat: minutes not approved ``REMINDER_MINUTES_DAYS`` days after their meeting,
  once a week.

People who turned reminders off in their profile receive none.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from coordination.accounts.models import Role, User
from coordination.bodies.models import PersonMembership
from coordination.dates import local_today
from coordination.extensions import db
from coordination.meetings.models import Invitation, Meeting, MeetingStatus, Rsvp
from coordination.minutes.models import Minutes, MinutesStatus
from coordination.notifications.message import Mail, link, render
from coordination.notifications.models import NotificationPreference, ReminderLog
from coordination.notifications.services import queue
from coordination.plans.models import ActionItem
from coordination.plans.progress import CLOSED, states_as_of


@dataclass
class Line:
    key: str
    section: str  # "due", "overdue", "rsvp", "minutes"
    title: str
    detail: str
    url: str
    sort: date


@dataclass
class Digest:
    lines: dict[str, Line] = field(default_factory=dict)

    def add(self, line: Line) -> None:
        self.lines.setdefault(line.key, line)


def _week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _item_people(items: list[ActionItem], today: date) -> dict[int, set[int]]:
    """For each item: its focal person and the lead organisation's people seated on its body."""
    pairs = {(i.body_id, i.lead_organisation_id) for i in items if i.lead_organisation_id}
    seated: dict[tuple[int, int], set[int]] = defaultdict(set)
    if pairs:
        rows = db.session.execute(
            db.select(PersonMembership.body_id, PersonMembership.organisation_id, PersonMembership.user_id).where(
                PersonMembership.body_id.in_({b for b, _o in pairs}),
                PersonMembership.organisation_id.in_({o for _b, o in pairs}),
                PersonMembership.start_date <= today,
                db.or_(PersonMembership.end_date.is_(None), PersonMembership.end_date >= today),
            )
        ).all()
        for body_id, organisation_id, user_id in rows:
            seated[(body_id, organisation_id)].add(user_id)
    people = {}
    for item in items:
        found = set(seated.get((item.body_id, item.lead_organisation_id), set()))
        if item.focal_person_id:
            found.add(item.focal_person_id)
        people[item.id] = found
    return people


def collect(today: date) -> dict[int, Digest]:
    """Everything each person should be reminded of today (before removing what was already sent)."""
    config = current_app.config
    digests: dict[int, Digest] = defaultdict(Digest)
    horizon = today + timedelta(days=max(config["REMINDER_DUE_DAYS"], default=0))
    items = list(db.session.execute(
        db.select(ActionItem).where(ActionItem.deadline.is_not(None), ActionItem.deadline <= horizon)
    ).scalars())
    states = states_as_of(ActionItem.id.in_([i.id for i in items]), today) if items else {}
    items = [i for i in items if i.id not in states or states[i.id].status not in CLOSED]
    people = _item_people(items, today)
    for item in items:
        url = link("plans.item", item_id=item.id)
        title = f"{item.code} {item.title}".strip()
        if item.deadline < today:
            line = Line(f"item:{item.id}:overdue:{_week(today)}", "overdue", title, item.deadline.isoformat(), url,
                        item.deadline)
            for user_id in people[item.id]:
                digests[user_id].add(line)
            continue
        for days in sorted(config["REMINDER_DUE_DAYS"]):
            if item.deadline <= today + timedelta(days=days):
                # One key per threshold and deadline: a moved deadline is reminded again.
                line = Line(f"item:{item.id}:due{days}:{item.deadline.isoformat()}", "due", title,
                            item.deadline.isoformat(), url, item.deadline)
                for user_id in people[item.id]:
                    digests[user_id].add(line)
    _meetings_unanswered(today, digests)
    _minutes_unapproved(today, digests)
    return digests


def _meetings_unanswered(today: date, digests: dict[int, Digest]) -> None:
    zone = ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])
    start = datetime.combine(today + timedelta(days=1), time.min, zone)
    end = datetime.combine(today + timedelta(days=current_app.config["REMINDER_RSVP_DAYS"] + 1), time.min, zone)
    rows = db.session.execute(
        db.select(Invitation.user_id, Meeting).join(Meeting, Meeting.id == Invitation.meeting_id).where(
            Meeting.start >= start, Meeting.start < end, Meeting.status != MeetingStatus.CANCELLED,
            Meeting.invitations_sent_at.is_not(None), Invitation.rsvp == Rsvp.NONE,
        )
    ).all()
    from coordination.dates import localtime

    for user_id, meeting in rows:
        digests[user_id].add(Line(f"rsvp:{meeting.id}", "rsvp", meeting.title,
                                  localtime(meeting.start, meeting.timezone),
                                  link("meetings.detail", meeting_id=meeting.id) + "#rsvp-title", meeting.start.date()))


def _minutes_unapproved(today: date, digests: dict[int, Digest]) -> None:
    cutoff = datetime.combine(today - timedelta(days=current_app.config["REMINDER_MINUTES_DAYS"]), time.max,
                              ZoneInfo(current_app.config["DEFAULT_TIMEZONE"]))
    approved = db.select(Minutes.meeting_id).where(Minutes.status.in_([MinutesStatus.APPROVED, MinutesStatus.PUBLISHED]))
    meetings = list(db.session.execute(
        db.select(Meeting).where(Meeting.status == MeetingStatus.HELD, Meeting.end <= cutoff,
                                 Meeting.id.not_in(approved)).order_by(Meeting.start)
    ).scalars())
    if not meetings:
        return
    staff = db.session.execute(
        db.select(User.id).where(User.role == Role.SECRETARIAT, User.active.is_(True))
    ).scalars().all()
    from coordination.dates import localtime

    for meeting in meetings:
        line = Line(f"minutes:{meeting.id}:{_week(today)}", "minutes", meeting.title,
                    localtime(meeting.start, meeting.timezone), link("meetings.detail", meeting_id=meeting.id) + "#minutes",
                    meeting.start.date())
        for user_id in staff:
            digests[user_id].add(line)


def send_reminders(today: date | None = None) -> int:
    """Queue today's digests (one per person with something new) and log what they remind of.

    Returns the number of digests queued. The caller commits.
    """
    today = today or local_today()
    digests = collect(today)
    if not digests:
        return 0
    users = {u.id: u for u in db.session.execute(
        db.select(User).where(User.id.in_(digests), User.active.is_(True))).scalars()}
    opted_out = set(db.session.execute(
        db.select(NotificationPreference.user_id).where(NotificationPreference.reminders.is_(False))).scalars())
    sent = {(u, k) for u, k in db.session.execute(
        db.select(ReminderLog.user_id, ReminderLog.key).where(ReminderLog.user_id.in_(digests))).all()}
    count = 0
    for user_id, digest in digests.items():
        user = users.get(user_id)
        if user is None or user_id in opted_out:
            continue
        fresh = [line for key, line in digest.lines.items() if (user_id, key) not in sent]
        if not fresh:
            continue
        _queue_digest(user, fresh, today)
        db.session.add_all(ReminderLog(user_id=user_id, key=line.key) for line in fresh)
        count += 1
    db.session.flush()
    return count


SECTIONS = ("overdue", "due", "rsvp", "minutes")


def _queue_digest(user: User, lines: list[Line], today: date) -> None:
    grouped = {s: sorted((x for x in lines if x.section == s), key=lambda x: (x.sort, x.title)) for s in SECTIONS}
    language = user.language if user.language in current_app.config["LANGUAGES"] else "en"
    with force_locale(language):
        subject = _("Concertation reminders: %(n)d to look at", n=len(lines))
    text, html = render("reminders", user.language, person=user, sections=grouped, today=today,
                        profile_url=link("accounts.profile") + "#mail-title")
    queue(Mail(kind="reminders", to_address=user.email, to_name=user.full_name, subject=subject, text=text,
               html=html, user_id=user.id))
