"""Demo evaluations: the committee's earlier plan (2005–2010) with its mid-term and final
evaluations, and a baseline and a draft mid-term review of the current plan.

Modelled on a real task force's "Mid-Term Evaluation, November 2005 – November 2008": the
plan and a "what to do" sheet on sexual assault were distributed, awareness campaigns held,
training of service providers and police begun, the ministry took the lead with a
secretariat, the financing strategy still depended on donors; the task force had no charter
and no legal status, and departmental coverage was weak. Two recommendations became action
items. Everything is fictional.
"""
from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

from coordination.accounts.models import User
from coordination.bodies.models import Body
from coordination.evaluations import queries, services
from coordination.evaluations.models import Evaluation, EvaluationKind, NoteKind
from coordination.extensions import db
from coordination.meetings.models import Invitation, Meeting, MeetingStatus, Presence
from coordination.minutes.models import Minutes, MinutesStatus
from coordination.organisations.models import Organisation
from coordination.plans import services as plans
from coordination.plans.models import ActionItem, ActionPlan, ItemStatus, Priority

START, END = date(2005, 11, 25), date(2010, 11, 25)
IP, D, C, X = ItemStatus.IN_PROGRESS, ItemStatus.DELAYED, ItemStatus.COMPLETED, ItemStatus.CANCELLED

# axis → objectives → actions: (title, lead, start, deadline, [(date, status, %, narrative)], created)
PLAN = [
    ("Partnerships between ministries, civil society and international agencies", [
        ("Share the plan with every partner", [
            ("Distribute the plan and a “what to do” sheet on sexual assault", "MCF", "2005-12-01", "2006-12-31", [
                ("2006-03-15", IP, 40, "Plan printed; distribution to ministries and departmental offices begun."),
                ("2006-09-30", C, 100, "Plan and the “what to do” sheet distributed to ministries, hospitals, "
                                       "police stations and women's organisations."),
            ]),
            ("Agree a financing strategy for the plan", "MCF", "2006-01-15", "2008-06-30", [
                ("2007-02-01", IP, 30, "Round table with donors held; pledges recorded."),
                ("2008-05-15", D, 45, "Financing still depends almost entirely on donors; no national budget line."),
                ("2010-03-01", D, 60, "A first contribution from the national budget; most funds still from donors."),
            ]),
        ]),
        ("Involve civil society", [
            ("Hold yearly awareness campaigns on 25 November", "MJSAC", "2006-01-01", "2010-11-25", [
                ("2006-11-30", IP, 20, "First national campaign held in the capital and two departments."),
                ("2007-11-30", IP, 45, "Campaign on radio and in schools with the women's organisations."),
                ("2008-11-28", IP, 65, "Third campaign; materials translated into Creole."),
                ("2010-11-20", C, 100, "Five campaigns held; an evaluation of their reach was published."),
            ]),
        ]),
    ]),
    ("Coordination mechanisms at national, departmental and regional level", [
        ("Lead and run the national committee", [
            ("Give the ministry the lead, with a permanent secretariat", "MCF", "2005-11-25", "2007-06-30", [
                ("2006-06-30", IP, 50, "The ministry chairs the committee; a focal person acts as secretary."),
                ("2007-05-31", C, 100, "Secretariat of two staff set up in the ministry."),
            ]),
        ]),
        ("Cover the departments", [
            ("Set up departmental coordination tables", "MICT", "2006-06-01", "2009-12-31", [
                ("2007-06-30", D, 10, "Consultations in three departments; no table yet."),
                ("2008-10-31", D, 15, "One department ready to start; the others lack staff and funds."),
                ("2010-06-30", D, 35, "The South-East table started in 2009; the other departments still have none."),
            ]),
            ("Pilot a referral pathway in the South-East", "MCF-SE", "2009-03-01", "2010-09-30", [
                ("2009-09-30", IP, 40, "Services mapped with the departmental table."),
                ("2010-09-15", C, 100, "Referral pathway in use by health, police and shelters."),
            ], "2009-03-01"),
            ("Link with regional mechanisms of neighbouring countries", "MCF", "2007-01-01", "2009-12-31", [
                ("2008-03-31", IP, 20, "First exchange visit."),
                ("2009-06-30", X, 20, "Cancelled by the committee: funds redirected to departmental tables."),
            ]),
        ]),
    ]),
    ("Better data and knowledge on violence against women", [
        ("Common data", [
            ("Agree common data collection forms", "INS", "2006-01-01", "2008-06-30", [
                ("2007-01-31", IP, 40, "Draft forms tested in two hospitals and two police stations."),
                ("2008-06-15", C, 100, "Forms adopted by health, police and justice."),
            ]),
            ("Set up a national data system", "INS", "2007-01-01", "2010-06-30", [
                ("2008-06-30", D, 20, "Software chosen; no budget yet for deployment."),
                ("2010-05-31", D, 50, "Deployed in the capital; departments to follow."),
            ]),
        ]),
    ]),
    ("A multisectoral approach with international and regional partnerships", [
        ("Train those who receive survivors", [
            ("Train health providers in care after sexual assault", "MSPP", "2006-06-01", "2009-12-31", [
                ("2007-03-31", IP, 25, "Training of service providers begun in four departmental hospitals."),
                ("2008-09-30", IP, 55, "Two hundred providers trained; protocol distributed."),
                ("2009-12-15", C, 100, "Providers of every departmental hospital trained."),
            ]),
            ("Train police officers in receiving complaints", "PN", "2006-09-01", "2009-12-31", [
                ("2007-06-30", IP, 20, "Training of police begun at the academy."),
                ("2008-11-15", IP, 40, "Women and minors unit trained in the capital."),
                ("2010-10-31", D, 70, "Training in the departments slowed by staff turnover."),
            ]),
            ("Equip departmental hospitals with care kits", "MSPP", "2007-01-01", "2008-12-31", [
                ("2008-06-30", IP, 50, "Kits delivered to five hospitals with UNFPA."),
                ("2010-06-30", D, 80, "Two hospitals still without kits."),
            ]),
        ]),
    ]),
]

MID_TERM_NOTES = [
    (NoteKind.FINDING, None, "The plan was adopted and distributed, and the committee met, but its work "
                             "rested on a few people in the women's ministry."),
    (NoteKind.FINDING, 0, "The financing strategy still depends on donors: no ministry has a budget line for "
                          "the plan."),
    (NoteKind.PROGRESS, 0, "Distribution of the plan and of a “what to do” sheet on sexual assault to "
                           "ministries, hospitals, police stations and women's organisations."),
    (NoteKind.PROGRESS, 0, "Awareness campaigns held each November with civil society."),
    (NoteKind.PROGRESS, 3, "Training of service providers and of the police has begun."),
    (NoteKind.PROGRESS, 1, "The ministry took the leadership of the committee and set up a secretariat."),
    (NoteKind.LESSON, None, "The task force has no charter and no legal status: it cannot sign grant "
                            "agreements with donors or receive funds in its own name."),
    (NoteKind.LESSON, 1, "Departmental coverage is weak: no department has a coordination table yet, so "
                         "survivors outside the capital are rarely referred."),
]
MID_TERM_RECOMMENDATIONS = [
    ("Adopt a charter for the committee and seek a legal status allowing it to sign agreements.", Priority.HIGH,
     "MCF", None),
    ("Set up coordination tables in the departments, starting with the South-East.", Priority.HIGH, "MICT", 1),
    ("Create a budget line for the plan in each ministry.", Priority.MEDIUM, "OPM", 0),
    ("Deploy the national data system beyond the capital.", Priority.MEDIUM, "INS", 2),
]
FINAL_NOTES = [
    (NoteKind.FINDING, None, "Most actions were completed; the committee adopted a protocol in 2009 but remains "
                             "an informal body that cannot sign agreements."),
    (NoteKind.PROGRESS, 1, "A first departmental table (South-East) and a referral pathway there."),
    (NoteKind.LESSON, None, "Plans need a costed financing strategy from the start."),
]
FINAL_RECOMMENDATIONS = [
    ("Obtain a decree constituting the committee.", Priority.HIGH, "OPM", None),
    ("Extend departmental tables to every department in the next plan.", Priority.HIGH, "MICT", 1),
]


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 14, tzinfo=UTC)


def _historic_meetings(committee: Body, people: dict[str, User]) -> None:
    """Quarterly-ish meetings of 2006–2010 with attendance and minutes, for governance health."""
    days = [date(2006, 2, 14), date(2006, 7, 11), date(2007, 1, 16), date(2007, 9, 18), date(2008, 4, 15),
            date(2008, 10, 14), date(2009, 6, 10), date(2009, 12, 8), date(2010, 6, 15), date(2010, 10, 12)]
    members = {m.organisation_id for m in committee.organisation_memberships if m.kind == "member"}
    voters = list({p.organisation_id: p for p in reversed(list(people.values())) if p.organisation_id in members}.values())
    meetings = []
    for n, day in enumerate(days):
        meeting = Meeting(body=committee, uid=f"{secrets.token_hex(12)}@demo", title="Ordinary meeting of the committee",
                          start=_at(day), end=_at(day) + timedelta(hours=3), timezone=committee.timezone,
                          status=MeetingStatus.HELD, location="Ministry for the Status of Women")
        present = 9 if n % 3 else 5  # every third meeting lacks quorum (7 of 13 member organisations)
        meeting.invitations = [
            Invitation(user_id=p.id, organisation_id=p.organisation_id, voting=True,
                       presence=Presence.PRESENT if i < present else Presence.EXCUSED)
            for i, p in enumerate(voters)
        ]
        db.session.add(meeting)
        meetings.append(meeting)
    db.session.flush()
    for meeting, following in zip(meetings, meetings[1:] + [None], strict=True):
        if following is None:
            continue  # the last minutes were never approved
        db.session.add(Minutes(meeting=meeting, number=1, status=MinutesStatus.APPROVED, summary="Minutes.",
                               approved_at_meeting=following, approved_on=following.start))
    db.session.flush()


def _old_plan(orgs: dict[str, Organisation], committee: Body, people: dict[str, User]) -> tuple[ActionPlan, list]:
    by_org = {p.organisation_id: p for p in reversed(list(people.values())) if p.organisation_id}
    plan = plans.create_plan(
        {"title": "National Plan of Action to Combat Violence against Women, November 2005 – November 2010",
         "body_id": committee.id, "period_start": START, "period_end": END,
         "description": "The committee's first five-year plan, on four strategies. Replaced by the 2022–2026 plan."},
        actor=None,
    )
    axes = []
    for axis_title, objectives in PLAN:
        axis = plans.create_item({"title": axis_title, "priority": Priority.HIGH, "weight": 1,
                                  "scope_national": True}, plan=plan, parent=None, actor=None)
        axes.append(axis)
        created = [axis]
        for objective_title, actions in objectives:
            objective = plans.create_item({"title": objective_title, "priority": Priority.MEDIUM, "weight": 1,
                                           "scope_national": True}, plan=plan, parent=axis, actor=None)
            created.append(objective)
            for title, lead, start, deadline, reports, *when in actions:
                focal = by_org.get(orgs[lead].id)
                departmental = lead == "MCF-SE"
                item = plans.create_item(
                    {"title": title, "lead_organisation_id": orgs[lead].id,
                     "focal_person_id": focal.id if focal else None, "start_date": _d(start),
                     "deadline": _d(deadline), "priority": Priority.HIGH, "weight": 1,
                     "scope_national": not departmental, "areas": ["South-East"] if departmental else []},
                    plan=plan, parent=objective, actor=None,
                )
                item.created_at = _at(_d(when[0]) if when else START)
                if "data system" in title:
                    plans.add_indicator(item, {"name": "Departments reporting data", "unit": "departments",
                                               "baseline": 0, "target": 10}, actor=None)
                for day, status, pct, narrative in reports:
                    values = {i.id: pct // 10 for i in item.indicators}
                    plans.record_progress_update(
                        item, {"update_date": _d(day), "status": status, "progress": pct, "narrative": narrative,
                               "indicator_values": values}, actor=focal)
        for node in created:
            node.created_at = _at(START)
    db.session.flush()
    return plan, axes


def _notes(evaluation: Evaluation, notes, recommendations, axes, orgs, evaluator: User) -> list:
    for kind, axis, text in notes:
        services.add_note(evaluation, {"kind": kind, "axis_id": axes[axis].id if axis is not None else None,
                                       "text": text}, actor=evaluator)
    return [
        services.add_recommendation(evaluation, {"text": text, "priority": priority, "addressee_id": orgs[to].id,
                                                 "axis_id": axes[axis].id if axis is not None else None},
                                    actor=evaluator)
        for text, priority, to, axis in recommendations
    ]


def _finalise(evaluation: Evaluation, evaluator: User, on: date) -> None:
    services.submit_for_review(evaluation, actor=evaluator)
    services.finalise(evaluation, queries.figures_of(evaluation), actor=evaluator)
    evaluation.finalised_at = _at(on)


def load_evaluations(orgs: dict[str, Organisation], people: dict[str, User], committee: Body) -> None:
    """Create the earlier plan, its evaluations, the follow-up items and the current plan's reviews."""
    evaluator = people["evaluator@example.org"]
    secretary = people["secretariat@example.org"]
    _historic_meetings(committee, people)
    plan, axes = _old_plan(orgs, committee, people)

    mid = services.create_evaluation(plan, {
        "title": "Mid-Term Evaluation, November 2005 – November 2008", "kind": EvaluationKind.MID_TERM,
        "period_start": START, "period_end": date(2008, 11, 30), "as_of": date(2008, 11, 30),
        "external_organisation": "Independent evaluation team (fictional)", "evaluator_ids": [evaluator.id],
        "summary": "Three years into the plan, awareness and training have begun and the ministry leads the "
                   "committee, but the committee has no charter or legal status, financing depends on donors "
                   "and the departments are hardly covered.",
    }, actor=evaluator)
    recs = _notes(mid, MID_TERM_NOTES, MID_TERM_RECOMMENDATIONS, axes, orgs, evaluator)
    _finalise(mid, evaluator, date(2009, 1, 20))

    # Two recommendations became action items (the secretariat's follow-up).
    charter_item = services.recommendation_to_item(recs[0], {
        "title": "Adopt the committee's charter and seek legal status", "parent_id": None,
        "lead_organisation_id": orgs["MCF"].id, "focal_person_id": secretary.id, "deadline": date(2009, 12, 31),
        "start_date": date(2009, 2, 1), "priority": Priority.HIGH}, actor=secretary)
    objective = next(i for i in plan.items if i.title == "Cover the departments")
    tables_item = services.recommendation_to_item(recs[1], {
        "title": "Open departmental tables, starting with the South-East", "parent_id": objective.id,
        "lead_organisation_id": orgs["MICT"].id, "deadline": date(2010, 11, 25), "start_date": date(2009, 2, 1),
        "priority": Priority.HIGH}, actor=secretary)
    for item in (charter_item, tables_item):
        item.created_at = _at(date(2009, 1, 28))
        assert item.indicators == []  # loaded now, so the reports below do not autoflush half-built rows
    plans.record_progress_update(charter_item, {"update_date": date(2009, 6, 10), "status": C, "progress": 100,
                                                "narrative": "Protocol adopted on 10 June 2009; legal status "
                                                             "still informal."}, actor=secretary)
    plans.record_progress_update(tables_item, {"update_date": date(2009, 6, 30), "status": IP, "progress": 30,
                                               "narrative": "South-East table constituted."}, actor=secretary)
    plans.record_progress_update(tables_item, {"update_date": date(2010, 9, 30), "status": D, "progress": 45,
                                               "narrative": "North and North-East tables prepared; no staff yet."},
                                 actor=secretary)

    final = services.create_evaluation(plan, {
        "title": "Final Evaluation, November 2005 – November 2010", "kind": EvaluationKind.FINAL,
        "period_start": START, "period_end": END, "as_of": END,
        "external_organisation": "Independent evaluation team (fictional)", "evaluator_ids": [evaluator.id],
        "summary": "The plan reached most of its targets; governance and departmental coverage remain weak.",
    }, actor=evaluator)
    _notes(final, FINAL_NOTES, FINAL_RECOMMENDATIONS, axes, orgs, evaluator)
    _finalise(final, evaluator, date(2011, 2, 15))

    # The current plan: its items were entered when it started.
    current = db.session.execute(db.select(ActionPlan).where(ActionPlan.id != plan.id, ActionPlan.body_id == committee.id)
                                 .order_by(ActionPlan.period_start.desc())).scalars().first()
    if current is None:
        return
    for item in db.session.execute(db.select(ActionItem).where(ActionItem.plan_id == current.id)).scalars():
        item.created_at = _at(current.period_start)
    db.session.flush()
    baseline = services.create_evaluation(current, {
        "title": "Baseline of the 2022–2026 plan", "kind": EvaluationKind.BASELINE,
        "period_start": current.period_start, "period_end": date(2022, 1, 31), "as_of": date(2022, 1, 31),
        "external_organisation": "", "evaluator_ids": [evaluator.id],
        "summary": "Where each action stood when the plan began.",
    }, actor=evaluator)
    current_axes = queries.plan_axes(current.id)
    services.add_note(baseline, {"kind": NoteKind.FINDING, "axis_id": None,
                                 "text": "Most actions had not started; the committee now works under a charter "
                                         "adopted in 2019 and constituted by decree."}, actor=evaluator)
    _finalise(baseline, evaluator, date(2022, 3, 1))
    review = services.create_evaluation(current, {
        "title": "Mid-term review of the 2022–2026 plan", "kind": EvaluationKind.MID_TERM,
        "period_start": current.period_start, "period_end": date(2024, 6, 30), "as_of": date(2024, 6, 30),
        "external_organisation": "", "evaluator_ids": [evaluator.id], "summary": "",
    }, actor=evaluator)
    services.add_note(review, {"kind": NoteKind.FINDING, "axis_id": current_axes[1].id if len(current_axes) > 1 else None,
                               "text": "Departmental tables still cover only one department."}, actor=evaluator)
    services.add_recommendation(review, {"text": "Staff the technical secretariat permanently.",
                                         "priority": Priority.HIGH, "addressee_id": orgs["MCF"].id,
                                         "axis_id": None}, actor=evaluator)
    db.session.flush()
