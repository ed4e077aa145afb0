"""Demo national plan of action 2022–2026: four axes, about forty actions, histories over years.

Histories are generated from a fixed seed so every demo database is the same: some actions
finish on time, some run late, a few are cancelled, some have not started.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from coordination.accounts.models import User
from coordination.bodies.models import Body
from coordination.dates import local_today
from coordination.organisations.models import Organisation
from coordination.plans import services as plans
from coordination.plans.models import ItemStatus, Priority

# axis → objectives → actions: (title, lead, supporters, start, deadline, priority, profile)
# profile: "done" on time, "late" finished or running late, "running", "cancelled", "future".
PLAN = [
    ("Partnerships between ministries, civil society and international agencies", [
        ("Formalise the partnership framework", [
            ("Sign a cooperation protocol between the committee's ministries", "MCF", ["MJSP", "MSPP"], "2022-01-15", "2022-12-31", "high", "done"),
            ("Agree a memorandum with the shelter and legal aid networks", "MCF", ["RNAF", "RAJ"], "2022-03-01", "2023-06-30", "high", "done"),
            ("Set up a joint donor coordination group", "MCF", ["UNW", "AECID", "CANCOOP"], "2022-06-01", "2023-03-31", "medium", "late"),
        ]),
        ("Mobilise resources for the plan", [
            ("Cost the national plan of action", "MCF", ["UNW"], "2022-02-01", "2022-09-30", "high", "done"),
            ("Hold an annual round table with partners", "MCF", ["UNW", "UNFPA", "AECID"], "2022-09-01", "2026-12-31", "medium", "running"),
            ("Create a budget line for violence prevention in each ministry", "OPM", ["MCF"], "2023-01-01", "2024-12-31", "high", "late"),
        ]),
        ("Involve civil society in monitoring", [
            ("Publish a yearly civil-society shadow report", "CONAP", ["RNAF"], "2023-01-01", "2026-06-30", "medium", "running"),
            ("Train network members on the plan's indicators", "RNAF", ["INS"], "2023-04-01", "2024-03-31", "low", "done"),
        ]),
    ]),
    ("Coordination mechanisms at national, departmental and regional level", [
        ("Strengthen the national committee", [
            ("Adopt revised terms of reference for the committee", "MCF", [], "2022-01-01", "2022-06-30", "high", "done"),
            ("Hold monthly committee meetings with minutes", "MCF", [], "2022-01-01", "2026-12-31", "high", "running"),
            ("Staff a permanent technical secretariat", "MCF", ["UNW"], "2022-04-01", "2023-12-31", "high", "late"),
        ]),
        ("Create departmental coordination tables", [
            ("Set up the South-East departmental table", "MCF-SE", ["AFSE"], "2022-05-01", "2023-05-31", "high", "done"),
            ("Set up tables in the North and North-East", "MICT", ["MCF"], "2023-01-01", "2024-12-31", "medium", "late"),
            ("Set up tables in the remaining departments", "MICT", ["MCF"], "2025-01-01", "2026-12-31", "medium", "future"),
            ("Build a regional exchange with neighbouring countries' mechanisms", "MCF", ["UNW"], "2022-06-01", "2023-12-31", "low", "cancelled"),
        ]),
        ("Link local services through referral pathways", [
            ("Map services in each department", "MAST", ["RNAF", "UNICEF"], "2022-03-01", "2023-02-28", "high", "done"),
            ("Adopt a national referral protocol", "MSPP", ["MJSP", "MAST"], "2022-09-01", "2024-06-30", "high", "late"),
            ("Train referral focal points in the police", "PN", ["MJSP", "UNFPA"], "2023-06-01", "2025-06-30", "medium", "done"),
        ]),
    ]),
    ("Better data and knowledge", [
        ("Build a national data system", [
            ("Agree common data collection forms across sectors", "INS", ["MSPP", "PN", "MJSP"], "2022-02-01", "2022-12-31", "high", "done"),
            ("Deploy a shared data platform in the ministries", "INS", ["UNFPA"], "2023-01-01", "2024-12-31", "high", "late"),
            ("Publish a yearly statistical bulletin", "INS", ["MCF"], "2023-01-01", "2026-12-31", "medium", "running"),
            ("Digitise historical police records", "PN", ["INS"], "2022-06-01", "2023-12-31", "low", "cancelled"),
        ]),
        ("Produce research and surveys", [
            ("Run a national prevalence survey", "INS", ["UNFPA", "MSPP"], "2023-03-01", "2025-03-31", "high", "done"),
            ("Study the costs of violence for the economy", "MCF", ["AECID"], "2024-01-01", "2025-06-30", "medium", "late"),
            ("Evaluate prevention campaigns in schools", "MENFP", ["UNICEF"], "2025-01-01", "2026-09-30", "low", "running"),
        ]),
        ("Share knowledge", [
            ("Open a documentation centre at the women's ministry", "MCF", [], "2022-09-01", "2023-12-31", "low", "done"),
            ("Publish the plan's progress online each year", "MCF", ["INS"], "2023-01-01", "2026-12-31", "medium", "running"),
        ]),
    ]),
    ("A multisectoral approach with regional partners", [
        ("Health care", [
            ("Train health staff in clinical care after violence", "MSPP", ["UNFPA"], "2022-03-01", "2024-03-31", "high", "done"),
            ("Equip departmental hospitals with care kits", "MSPP", ["UNFPA"], "2022-06-01", "2023-06-30", "high", "done"),
            ("Open a 24-hour care unit in each departmental hospital", "MSPP", [], "2023-06-01", "2025-12-31", "high", "late"),
            ("Roll out the clinical care protocol in health centres", "MSPP", ["UNFPA", "RNAF"], "2025-01-01", "2026-12-31", "medium", "running"),
        ]),
        ("Justice and protection", [
            ("Create specialised units in the prosecution offices", "MJSP", ["RAJ"], "2022-06-01", "2024-06-30", "high", "late"),
            ("Extend legal aid to the ten departments", "RAJ", ["MJSP", "AECID"], "2022-09-01", "2025-12-31", "medium", "running"),
            ("Train judges on the law on violence against women", "MJSP", ["OPC"], "2023-01-01", "2024-12-31", "medium", "done"),
            ("Monitor complaints handling with the citizen protection office", "OPC", ["PN"], "2023-06-01", "2026-06-30", "medium", "running"),
        ]),
        ("Social protection and prevention", [
            ("Open two new shelters", "MAST", ["RNAF", "CANCOOP"], "2022-06-01", "2024-12-31", "high", "late"),
            ("Include prevention in the school curriculum", "MENFP", ["UNICEF"], "2022-09-01", "2025-06-30", "medium", "done"),
            ("Run a national awareness campaign each November", "MJSAC", ["MCF", "CONAP"], "2022-09-01", "2026-12-31", "medium", "running"),
            ("Set up a free national helpline", "MAST", ["UNW"], "2023-01-01", "2024-06-30", "high", "cancelled"),
            ("Exchange practice with regional partners on shelters", "MAST", ["UNW"], "2026-06-01", "2026-12-31", "low", "future"),
        ]),
    ]),
]

NARRATIVES = {
    ItemStatus.IN_PROGRESS: [
        "Work under way; the lead ministry reported to the committee.",
        "Terms of reference agreed; first activities carried out.",
        "Partners confirmed their contribution; activities continue.",
    ],
    ItemStatus.DELAYED: [
        "Delayed: funds not yet released by the ministry of finance.",
        "Delayed by the security situation in some departments.",
        "Delayed: the focal person changed and the file was handed over late.",
    ],
    ItemStatus.COMPLETED: ["Completed; report shared with the committee."],
    ItemStatus.CANCELLED: ["Cancelled by decision of the committee: priorities revised."],
}


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _history(rng: random.Random, start: date, deadline: date, profile: str, today: date):
    """(date, status, progress) reports for one action, dated no later than ``today``."""
    if profile == "future" or start > today:
        return []
    span = max((deadline - start).days, 60)
    reports, when, pct = [], start + timedelta(days=rng.randint(20, 60)), 0
    finish = {
        "done": deadline - timedelta(days=rng.randint(0, span // 5)),
        "late": deadline + timedelta(days=rng.randint(90, 500)),
        "running": None,
        "cancelled": start + timedelta(days=int(span * rng.uniform(0.3, 0.6))),
    }[profile]
    while when <= today:
        if finish and when >= finish:
            if profile == "cancelled":
                reports.append((when, ItemStatus.CANCELLED, pct))
            else:
                reports.append((when, ItemStatus.COMPLETED, 100))
            break
        end = finish or deadline
        expected = min(95, int(100 * (when - start).days / max((end - start).days, 1)))
        pct = max(pct + 5, min(95, expected + rng.randint(-10, 5)))
        pct = min(pct, 95)
        late = profile == "late" and when > deadline - timedelta(days=120)
        status = ItemStatus.DELAYED if late or (profile == "running" and rng.random() < 0.15) else ItemStatus.IN_PROGRESS
        reports.append((when, status, pct))
        when += timedelta(days=rng.randint(110, 200))
    return reports


def load_plan(orgs: dict[str, Organisation], people: dict[str, User], committee: Body) -> None:
    """Create the plan, its tree and the progress histories."""
    rng = random.Random(20220101)  # noqa: S311 - demo data, not security
    today = local_today()
    plan = plans.create_plan(
        {"title": "National Plan of Action against Violence against Women 2022–2026", "body_id": committee.id,
         "period_start": date(2022, 1, 1), "period_end": date(2026, 12, 31),
         "description": "Five-year plan adopted by the national committee. Four strategic axes; each "
                        "ministry leads the actions of its sector and reports progress in the portal."},
        actor=None,
    )
    by_org: dict[int, User] = {}
    for person in people.values():
        if person.organisation_id and person.organisation_id not in by_org:
            by_org[person.organisation_id] = person
    for axis_title, objectives in PLAN:
        axis = plans.create_item({"title": axis_title, "priority": Priority.HIGH, "weight": 1, "scope_national": True},
                                 plan=plan, parent=None, actor=None)
        for objective_title, actions in objectives:
            objective = plans.create_item({"title": objective_title, "priority": Priority.MEDIUM, "weight": 1,
                                           "scope_national": True}, plan=plan, parent=axis, actor=None)
            for title, lead, supporters, start, deadline, priority, profile in actions:
                focal = by_org.get(orgs[lead].id)
                departmental = lead in ("MCF-SE",) or "South-East" in title
                item = plans.create_item(
                    {"title": title, "lead_organisation_id": orgs[lead].id,
                     "supporter_ids": [orgs[s].id for s in supporters],
                     "focal_person_id": focal.id if focal else None, "start_date": _d(start),
                     "deadline": _d(deadline), "priority": Priority(priority),
                     "weight": 2 if priority == "high" else 1,
                     "scope_national": not departmental, "areas": ["South-East"] if departmental else [],
                     "budget_amount": rng.choice([None, 25000, 60000, 150000]), "budget_currency": "USD",
                     "funding_source": rng.choice(["National budget", "UN Women", "Spanish cooperation", ""])},
                    plan=plan, parent=objective, actor=None,
                )
                if item.budget_amount is None:
                    item.budget_currency = ""
                if "survey" in title or "bulletin" in title:
                    plans.add_indicator(item, {"name": "Departments covered", "unit": "departments",
                                               "baseline": 0, "target": 10}, actor=None)
                for when, status, pct in _history(rng, _d(start), _d(deadline), profile, today):
                    values = {i.id: min(10, pct // 10) for i in item.indicators}
                    plans.record_progress_update(
                        item,
                        {"update_date": when, "status": status, "progress": pct,
                         "narrative": rng.choice(NARRATIVES[status]), "indicator_values": values},
                        actor=focal,
                    )
