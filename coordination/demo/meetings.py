"""Demo meetings: the committee's monthly series over the past year and the next three months.

Held meetings have attendance and minutes (approved at the following meeting, with decisions
and actions arising); the latest minutes circulate for comment; one occurrence was
cancelled and one is moved.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from coordination import dates
from coordination.accounts.models import User
from coordination.bodies.models import Body
from coordination.dates import local_today
from coordination.db import utcnow
from coordination.meetings import agenda, attendance
from coordination.meetings import services as meetings
from coordination.meetings.models import MeetingStatus, Presence
from coordination.minutes import services as minutes_services
from coordination.organisations.models import Organisation

AGENDA = [
    ("Adoption of the agenda and of the previous minutes", "MCF", 10),
    ("Progress of the national plan: reports from the ministries", "MCF", 45),
    ("Data: quarterly figures from the statistics institute", "INS", 30),
    ("Any other business", None, 15),
]
DECISIONS = [
    ("The committee asks each ministry to update the progress of its actions before the next meeting.", "MCF"),
    ("The referral protocol is sent to the departmental tables for comment within one month.", "MSPP"),
    ("A working group prepares the November awareness campaign.", "MJSAC"),
    ("The statistics institute publishes the annual bulletin after validation by the data commission.", "INS"),
    ("The secretariat drafts terms of reference for the donor coordination group.", "MCF"),
    ("The justice ministry reports on the specialised prosecution units at the next meeting.", "MJSP"),
]


def _first_tuesday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def load_meetings(orgs: dict[str, Organisation], people: dict[str, User], committee: Body) -> None:
    rng = random.Random(2025)  # noqa: S311 - demo data
    today = local_today()
    start_month = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    first = datetime.combine(_first_tuesday(start_month.year, start_month.month), datetime.min.time()).replace(hour=10)
    secretary = people["secretariat@example.org"]
    series = meetings.create_series(
        committee,
        {"title": "Monthly meeting of the national committee", "kind": "ordinary", "start_local": first,
         "end_local": first + timedelta(hours=2), "timezone": committee.timezone, "pattern": "monthly_weekday",
         "interval": 1, "count": 16, "location": "Ministry for the Status of Women, conference room",
         "online_link": "https://meet.example.org/cn-monthly"},
        actor=secretary,
    )
    occurrences = sorted(series.meetings, key=lambda m: m.start)
    now = utcnow()
    past = [m for m in occurrences if m.end < now]
    upcoming = [m for m in occurrences if m.end >= now]
    cancelled = past[3]
    meetings.set_status(cancelled, MeetingStatus.CANCELLED, "Cancelled: national day of mourning.", actor=secretary)
    if upcoming:
        moved = upcoming[1] if len(upcoming) > 1 else upcoming[0]
        meetings.update_meeting(moved, {
            "title": moved.title, "kind": moved.kind, "location": moved.location, "online_link": moved.online_link,
            "status": MeetingStatus.CONFIRMED, "status_reason": "", "timezone": moved.timezone,
            "start_local": dates.to_local(moved.start, moved.timezone) + timedelta(days=1),
            "end_local": dates.to_local(moved.end, moved.timezone) + timedelta(days=1),
        }, actor=secretary)
    for meeting in occurrences:
        for title, presenter, minutes in AGENDA:
            agenda.add_agenda_item(meeting, {"title": title, "duration_minutes": minutes,
                                               "presenter_organisation_id": orgs[presenter].id if presenter else None},
                                     actor=secretary)
    if upcoming:
        # The series' invitations went out (see the outbox, and instance/mail/ once sent).
        meetings.send_invitations(upcoming[0], actor=secretary)
    held = [m for m in past if m is not cancelled]
    decisions = iter(DECISIONS * 3)
    for index, meeting in enumerate(held):
        presence = {}
        for invitation in meeting.invitations:
            roll = rng.random()
            presence[invitation.id] = (Presence.PRESENT if roll < (0.45 if index == 2 else 0.8)
                                       else Presence.EXCUSED if roll < 0.9 else Presence.ABSENT)
        attendance.record_attendance(meeting, presence, actor=secretary)
        minutes = minutes_services.start_minutes(meeting, actor=secretary)
        for section in minutes.sections:
            section.summary = rng.choice([
                "The chair opened the item; members exchanged views and agreed on next steps.",
                "The ministries presented their progress; delays were explained and discussed.",
                "The statistics institute presented the figures; members asked for a breakdown by department.",
            ])
        for _ in range(rng.randint(1, 2)):
            text, owner = next(decisions)
            decision = minutes_services.add_decision(minutes, {"text": text}, actor=secretary)
            if rng.random() < 0.7:
                local = dates.to_local(meeting.start, meeting.timezone).date()
                focal = next((p for p in people.values() if p.organisation_id == orgs[owner].id), None)
                minutes_services.action_from_decision(decision, {
                    "title": text.split(".")[0][:120], "lead_organisation_id": orgs[owner].id,
                    "focal_person_id": focal.id if focal else None, "deadline": local + timedelta(days=60),
                    "priority": "medium", "weight": 1,
                }, actor=secretary)
        minutes_services.circulate(minutes, actor=secretary)
        minutes_services.comment(minutes, "Please add that the health ministry asked for a follow-up.",
                         actor=people["member@example.org"])
        later = [m for m in held if m.start > meeting.start]
        if later:
            minutes_services.approve(minutes, later[0], actor=secretary)
            if index % 2 == 0:
                minutes_services.publish(minutes, actor=secretary)
            elif index == 1:
                # A corrected version: the same decisions (numbers, actions arising), reworded.
                corrected = minutes_services.correct(minutes, "The health ministry's follow-up request was missing.",
                                                     actor=secretary)
                corrected.summary = "Corrected version: adds the health ministry's follow-up request."
