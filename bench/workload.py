"""Benchmark workload, built through the portal's own services (so it is shaped like real data).

One body with its members and an adopted charter; ``meetings`` meetings (one a day or one a
week, most in the past) with 8 agenda items each, attendance, minutes with decisions and
actions arising (approved and published for most past meetings); one regular series; a plan
of 4 axes × 5 objectives with ``items`` items in all, each action with progress reports.

    python -m bench.workload --meetings 500 --items 500 --out bench/out/workload.json

Uses DATABASE_URL (PostgreSQL) or the SQLite file given by --sqlite; the schema is dropped
and migrated first. Writes a JSON description (accounts, ids, URLs) for bench/run.py.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

PASSWORD = "bench-password-2026"  # noqa: S105 - throw-away benchmark accounts
TIMEZONE = "America/Port-au-Prince"
ORGS = [
    ("MSPP", "Ministry of Public Health"), ("MJSP", "Ministry of Justice"), ("MAST", "Ministry of Social Affairs"),
    ("MCF", "Ministry for the Status of Women"), ("MENFP", "Ministry of Education"), ("PN", "National Police"),
    ("INS", "National Statistics Institute"), ("OPC", "Citizen Protection Office"), ("RNAF", "Shelter Network"),
    ("UNW", "UN Women"),
]
AGENDA = ["Opening and adoption of the agenda", "Minutes of the previous meeting", "Progress of the plan",
          "Data: quarterly figures", "Shelters and referral", "Legal aid", "Awareness campaign", "Any other business"]


def _reset_schema(db) -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    else:  # a new file (drop_all trips over the foreign keys between tables)
        path = Path(db.engine.url.database or "")
        db.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def check_database(url: str) -> None:
    """The workload drops the schema first: refuse any database not named for benchmarks."""
    from sqlalchemy.engine import make_url

    name = make_url(url).database or "" if url else ""
    if "bench" not in Path(name).name:
        raise SystemExit(f"refusing to rebuild {name or 'the default database'!r}: "
                         "the benchmark database's name must contain 'bench' (see README, Benchmark)")


def build(meetings: int, items: int, seed: int = 2026) -> dict:
    """Create the workload in the current app's database; return its description."""
    from coordination.accounts.models import Role, User
    from coordination.accounts.services import hash_password
    from coordination.bodies import services as bodies
    from coordination.bodies.models import BodyKind, Visibility
    from coordination.calendar.services import regenerate_feed_token
    from coordination.charters import services as charters
    from coordination.charters.models import CharterStatus, QuorumRule
    from coordination.dates import local_today
    from coordination.extensions import db
    from coordination.meetings import agenda as meeting_agenda
    from coordination.meetings import attendance as meeting_attendance
    from coordination.meetings import services as meeting_services
    from coordination.meetings.models import Presence
    from coordination.memberships import services as memberships
    from coordination.memberships.models import SeatRole
    from coordination.minutes import services as minutes_services
    from coordination.organisations.models import Level, OrganisationKind
    from coordination.organisations.services import create_organisation
    from coordination.plans import services as plans
    from coordination.plans.models import ItemStatus, Priority

    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    today = local_today()
    orgs = [create_organisation({"name": name, "acronym": acronym, "kind": OrganisationKind.MINISTRY,
                                 "sectors": ["other"], "level": Level.NATIONAL}, actor=None) for acronym, name in ORGS]
    password = hash_password(PASSWORD)

    def user(email: str, name: str, org, role: Role) -> User:
        person = User(email=email, full_name=name, organisation=org, role=role, password_hash=password, language="en")
        db.session.add(person)
        return person

    secretary = user("bench-secretariat@example.org", "Bench Secretary", orgs[3], Role.SECRETARIAT)
    # Colleagues of the secretary: in the load test, different people edit the same record.
    secretariat = [secretary.email] + [user(f"bench-secretariat-{n}@example.org", f"Bench Secretary {n}", orgs[3],
                                            Role.SECRETARIAT).email for n in (2, 3)]
    evaluator = user("bench-evaluator@example.org", "Bench Evaluator", orgs[6], Role.EVALUATOR)
    members = [user(f"bench-member-{i}@example.org", f"Member {i}", org, Role.MEMBER) for i, org in enumerate(orgs)]
    db.session.flush()
    body = bodies.create_body({
        "name": "National Coordination Committee (benchmark)", "acronym": "CNB", "kind": BodyKind.COORDINATION_COMMITTEE,
        "parent_id": None, "level": Level.NATIONAL, "area": "National", "mandate": "Benchmark body.",
        "established_on": date(2005, 11, 25), "status": "active", "lead_organisation_id": orgs[3].id,
        "secretariat_organisation_id": orgs[3].id, "visibility": Visibility.RESTRICTED, "timezone": TIMEZONE,
    }, actor=None)
    for org in orgs:
        memberships.add_organisation_membership(body, {"organisation_id": org.id, "kind": "member",
                                                  "start_date": date(2005, 11, 25), "end_date": None}, actor=None)
    for person in members:
        memberships.add_person_membership(body, {"user_id": person.id, "organisation_id": person.organisation_id,
                                            "role": SeatRole.MEMBER, "start_date": date(2005, 11, 25),
                                            "alternate_for_id": None}, actor=None)
    charter = charters.create_charter(body, {"title": "Terms of reference", "quorum_rule": QuorumRule.MAJORITY},
                                    actor=None)
    charters.submit_for_review(charter, actor=None)
    charters.adopt_charter(charter, {"adopted_on": date(2006, 1, 10)}, actor=None)
    assert charter.status == CharterStatus.ADOPTED
    db.session.commit()
    body_id, secretary_id, member_ids = body.id, secretary.id, [m.id for m in members]
    evaluator_email = evaluator.email
    org_ids = [o.id for o in orgs]
    from coordination.bodies.models import Body

    def fresh() -> None:
        """Commit, forget the loaded objects (memory stays flat) and get the few we use again."""
        nonlocal body, secretary, members
        db.session.commit()
        db.session.expunge_all()
        body, secretary = db.session.get(Body, body_id), db.session.get(User, secretary_id)
        members = [db.session.get(User, i) for i in member_ids]

    # Meetings: one a week (500) or one a day (5,000), four fifths in the past.
    step = timedelta(days=7 if meetings <= 520 else 1)
    first = datetime.combine(today - step * int(meetings * 0.8), datetime.min.time()).replace(hour=10)
    created = []
    started = time.monotonic()
    for n in range(meetings):
        local = first + step * n
        meeting = meeting_services.create_meeting(body, {
            "title": f"Ordinary meeting {n + 1}", "kind": "ordinary", "status": "planned", "status_reason": "",
            "location": "Ministry for the Status of Women, conference room", "online_link": "",
            "start_local": local, "end_local": local + timedelta(hours=2), "timezone": TIMEZONE,
        }, actor=secretary)
        for position, title in enumerate(AGENDA, 1):
            meeting_agenda.add_agenda_item(meeting, {"title": title, "duration_minutes": 15,
                                                       "presenter_organisation_id": org_ids[position % len(orgs)]},
                                             actor=secretary)
        created.append(meeting.id)
        if n % 100 == 99:
            fresh()
            print(f"  {n + 1} meetings ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    db.session.commit()
    local = datetime.combine(today + timedelta(days=3), datetime.min.time()).replace(hour=15)
    meeting_services.create_series(body, {
        "title": "Monthly steering meeting", "kind": "ordinary", "start_local": local,
        "end_local": local + timedelta(hours=2), "timezone": TIMEZONE, "pattern": "monthly_weekday", "interval": 1,
        "count": 12, "location": "Conference room", "online_link": "https://meet.example.org/cnb",
    }, actor=secretary)
    db.session.commit()

    # Minutes for the past meetings: attendance, decisions, actions arising, approval.
    from coordination.meetings.models import Meeting
    from coordination.minutes.models import Minutes

    past = [i for i in created if i in set(created[: int(meetings * 0.8)])]
    previous = None
    for index, meeting_id in enumerate(past):
        meeting = db.session.get(Meeting, meeting_id)
        meeting_attendance.record_attendance(meeting, {
            i.id: Presence.PRESENT if rng.random() < 0.8 else Presence.EXCUSED for i in meeting.invitations
        }, actor=secretary)
        minutes = minutes_services.start_minutes(meeting, actor=secretary)
        for section in minutes.sections:
            section.summary = "Members exchanged views and agreed on next steps."
        for d in range(2):
            decision = minutes_services.add_decision(minutes, {"text": f"Decision {d + 1} of meeting {index + 1}."},
                                                     actor=secretary)
            if d == 0 and index % 5 == 0:
                minutes_services.action_from_decision(decision, {
                    "title": f"Follow-up of meeting {index + 1}", "lead_organisation_id": org_ids[index % len(orgs)],
                    "focal_person_id": None, "deadline": today + timedelta(days=30 + index % 200),
                    "priority": "medium", "weight": 1,
                }, actor=secretary)
        minutes_services.circulate(minutes, actor=secretary)
        if previous is not None and index % 10:
            minutes_services.approve(previous, meeting, actor=secretary)
            if index % 2:
                minutes_services.publish(previous, actor=secretary)
        previous = minutes
        if index % 100 == 99:
            previous_id = previous.id
            fresh()
            previous = db.session.get(Minutes, previous_id)
            print(f"  {index + 1} minutes ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    db.session.commit()

    # The plan: 4 axes × 5 objectives, then actions under the objectives.
    plan = plans.create_plan({"title": "National Plan of Action (benchmark)", "body_id": body.id,
                              "period_start": date(2022, 1, 1), "period_end": date(2030, 12, 31),
                              "description": "Benchmark plan."}, actor=None)
    objectives = []
    for a in range(4):
        axis = plans.create_item({"title": f"Strategic axis {a + 1}", "priority": Priority.HIGH, "weight": 1,
                                  "scope_national": True}, plan=plan, parent=None, actor=None)
        for o in range(5):
            objectives.append(plans.create_item({"title": f"Objective {a + 1}.{o + 1}", "priority": Priority.MEDIUM,
                                                 "weight": 1, "scope_national": True},
                                                plan=plan, parent=axis, actor=None))
    db.session.commit()
    plan_id, objective_ids = plan.id, [o.id for o in objectives]
    from coordination.plans.models import ActionItem

    for n in range(max(0, items - 24)):
        parent = db.session.get(ActionItem, objective_ids[n % len(objective_ids)])
        org_id = org_ids[n % len(orgs)]
        start = date(2022, 1, 1) + timedelta(days=n % 900)
        item = plans.create_item({
            "title": f"Action {n + 1}: strengthen referral and services", "lead_organisation_id": org_id,
            "start_date": start, "deadline": start + timedelta(days=200 + n % 800),
            "priority": rng.choice(list(Priority)), "weight": rng.choice([1, 1, 2]), "scope_national": True,
        }, plan=parent.plan, parent=parent, actor=None)
        reporter = members[n % len(members)]
        pct = rng.randint(0, 90)
        for when, status, value in ((start + timedelta(days=30), ItemStatus.IN_PROGRESS, pct // 2),
                                    (min(today, start + timedelta(days=120)), ItemStatus.IN_PROGRESS, pct)):
            if when <= today and when >= start:
                try:
                    plans.record_progress_update(item, {"update_date": when, "status": status, "progress": value,
                                                        "narrative": "Work is going on.", "indicator_values": {}},
                                                 actor=reporter)
                except Exception:  # noqa: BLE001,S110 - a date refused by the rules: skip it
                    pass
        if n % 200 == 199:
            fresh()
            print(f"  {n + 1} items ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    db.session.commit()

    # Calendar addresses for the member and the feeds' URLs.
    member = db.session.get(User, members[0].id)
    token = regenerate_feed_token(member, actor=member)
    db.session.commit()

    minutes_id = db.session.execute(
        db.select(Minutes.id).join(Meeting, Meeting.id == Minutes.meeting_id).where(Meeting.body_id == body.id, Minutes.status == "published")
        .order_by(Minutes.id.desc()).limit(1)).scalar_one()
    meeting_id = created[int(meetings * 0.8) - 1]
    item_id = db.session.execute(db.select(ActionItem.id).where(ActionItem.plan_id == plan_id,
                                                                ActionItem.depth == 2).limit(1)).scalar()
    circulated = list(db.session.execute(
        db.select(Minutes.id).join(Meeting, Meeting.id == Minutes.meeting_id)
        .where(Meeting.body_id == body.id, Minutes.status == "circulated").order_by(Minutes.id.desc()).limit(10)
    ).scalars())
    actions = list(db.session.execute(
        db.select(ActionItem.id, ActionItem.lead_organisation_id).where(ActionItem.plan_id == plan_id, ActionItem.depth == 2)
        .order_by(ActionItem.id.desc()).limit(200)).all())
    member_orgs = {m.email: m.organisation_id for m in members}
    return {
        "circulated_minutes": circulated,
        "items_by_member": {email: [i for i, org in actions if org == org_id][:20] for email, org_id in member_orgs.items()},
        "meetings": meetings, "items": items, "password": PASSWORD, "body_id": body.id, "plan_id": plan_id,
        "meeting_id": meeting_id, "minutes_id": minutes_id, "item_id": item_id, "feed_token": token,
        "member": members[0].email, "members": [m.email for m in members], "secretariat": secretary.email,
        "secretariat_accounts": secretariat,
        "evaluator": evaluator_email, "meeting_ids": created[: int(meetings * 0.8)][-50:] + created[int(meetings * 0.8):][:50],
        "built_in_seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=500)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    check_database(os.environ.get("DATABASE_URL", ""))
    from coordination import create_app
    from coordination.extensions import db

    app = create_app({"SERVER_NAME": None})
    with app.app_context():
        _reset_schema(db)
        from flask_migrate import upgrade

        upgrade()
        description = build(args.meetings, args.items)
        if db.engine.dialect.name == "postgresql":  # fresh statistics, as autovacuum would give
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(description, indent=2))
    print(f"workload: {args.meetings} meetings, {args.items} items in {description['built_in_seconds']} s "
          f"→ {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
