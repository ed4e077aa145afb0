"""How long the Word progress report and the spreadsheet of an evaluation take to build.

Builds a throw-away database (SQLite in a temporary folder, or the database named by
BENCH_DATABASE_URL) with a plan of N actions (default 500) carrying 3 progress reports each,
then times, separately: computing the figures as of the date, the Word report (with charts)
and the spreadsheet. Not a test: run it by hand on the target machine.

    .venv/bin/python scripts/bench_reports.py [--actions 500] [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(actions: int):
    from coordination.accounts.models import Role, User
    from coordination.bodies.models import Body, BodyKind
    from coordination.charters.models import Charter, CharterStatus
    from coordination.evaluations.models import Evaluation, EvaluationKind, Recommendation
    from coordination.extensions import db
    from coordination.memberships.models import OrganisationMembership
    from coordination.organisations.models import Organisation, OrganisationKind
    from coordination.plans.models import ActionItem, ActionPlan, ItemStatus, ProgressUpdate

    orgs = [Organisation(name=f"Ministry {n}", acronym=f"M{n}", kind=OrganisationKind.MINISTRY) for n in range(8)]
    body = Body(name="Bench committee", acronym="BC", kind=BodyKind.COORDINATION_COMMITTEE, timezone="UTC")
    db.session.add_all([*orgs, body])
    db.session.flush()
    for org in orgs:
        db.session.add(OrganisationMembership(body=body, organisation=org, start_date=date(2020, 1, 1)))
    db.session.add(Charter(body=body, number=1, title="Charter", status=CharterStatus.ADOPTED, adopted_on=date(2020, 1, 1)))
    author = User(email="bench@example.org", full_name="Bench Evaluator", role=Role.EVALUATOR)
    plan = ActionPlan(title="Bench plan", body=body, period_start=date(2020, 1, 1), period_end=date(2026, 12, 31))
    db.session.add_all([author, plan])
    objectives = []
    for a in range(1, 5):
        axis = ActionItem(plan=plan, body=body, number=a, depth=0, code=str(a), sort_key=f"{a:05d}",
                          title=f"Strategic axis {a}")
        db.session.add(axis)
        for o in range(1, 6):
            objective = ActionItem(plan=plan, body=body, parent=axis, number=o, depth=1, code=f"{a}.{o}",
                                   sort_key=f"{a:05d}.{o:05d}", title=f"Objective {a}.{o}")
            db.session.add(objective)
            objectives.append(objective)
    statuses = [ItemStatus.IN_PROGRESS, ItemStatus.DELAYED, ItemStatus.COMPLETED]
    for i in range(actions):
        parent = objectives[i % len(objectives)]
        number = i // len(objectives) + 1
        item = ActionItem(plan=plan, body=body, parent=parent, number=number, depth=2, code=f"{parent.code}.{number}",
                          sort_key=f"{parent.sort_key}.{number:05d}", title=f"Action number {i} of the bench plan",
                          lead_organisation=orgs[i % len(orgs)], deadline=date(2023, 1, 1) + timedelta(days=i))
        db.session.add(item)
        for r in range(3):
            status = statuses[r] if i % 4 else ItemStatus.IN_PROGRESS
            db.session.add(ProgressUpdate(item=item, update_date=date(2021, 3, 1) + timedelta(days=200 * r + i % 90),
                                          status=status, progress=100 if status == ItemStatus.COMPLETED else 20 * (r + 1),
                                          narrative=f"Report {r + 1} on action {i}: work continues with the partners."))
    evaluation = Evaluation(plan=plan, title="Bench mid-term evaluation", kind=EvaluationKind.MID_TERM,
                            period_start=date(2020, 1, 1), period_end=date(2024, 6, 30), as_of=date(2024, 6, 30),
                            created_by=author)
    evaluation.evaluators = [author]
    db.session.add(evaluation)
    db.session.flush()
    for n in range(1, 6):
        db.session.add(Recommendation(evaluation=evaluation, number=n, text=f"Recommendation {n}."))
    db.session.commit()
    return evaluation.id


def timed(label: str, runs: int, fn):
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    print(f"{label:<34} median {statistics.median(times):6.3f} s   min {min(times):6.3f} s   max {max(times):6.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import os

    from coordination import create_app
    from coordination.extensions import db

    tmp = tempfile.mkdtemp(prefix="bench-reports-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "SERVER_NAME": "localhost", "UPLOAD_FOLDER": tmp})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        evaluation_id = build(args.actions)
    with app.test_request_context():
        from coordination.evaluations import queries
        from coordination.evaluations.labels import labels
        from coordination.evaluations.reports import recommendation_rows
        from coordination.exports.report_docx import evaluation_report_docx
        from coordination.exports.xlsx import evaluation_xlsx

        evaluation = queries.get_evaluation(evaluation_id)
        print(f"Plan of {args.actions} actions with 3 reports each, {args.runs} runs; database {url.split(':')[0]}")
        figures = timed("figures as of the date (queries)", args.runs, lambda: queries.figures_of(evaluation))
        L = labels()
        follow = queries.follow_up(evaluation.recommendations, date.today())
        from coordination.exports import charts

        def report(clear: bool):
            if clear:
                charts._png.cache_clear()
            return evaluation_report_docx(evaluation, figures, follow, None, L)

        timed("Word report, first in the process", 1, lambda: report(True))
        docx = timed("Word report (charts drawn)", args.runs, lambda: report(True))
        timed("Word report (charts cached)", args.runs, lambda: report(False))
        recs = recommendation_rows(evaluation, L)
        xlsx = timed("spreadsheet", args.runs, lambda: evaluation_xlsx(figures, recs, L))
        print(f"Word report {len(docx) / 1024:.0f} kB, spreadsheet {len(xlsx) / 1024:.0f} kB")
        db.session.remove()


if __name__ == "__main__":
    main()
