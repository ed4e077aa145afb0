"""Load test runner (make load): 50 simulated users for 60 s on PostgreSQL, then the checks.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python -m bench.load

Builds a workload (200 meetings, 300 items by default), serves it with gunicorn (2 sync
workers, as in the benchmark), runs bench/locustfile.py headless, then checks:

* no response ≥ 500;
* every accepted write is in the database: progress reports, comments and agenda items by
  their marker; for minutes and meetings, accepted edits started from distinct versions (two
  accepted edits of the same version would be a lost update) and the object holds the last one;
* every refused edit was refused with 409.

Prints p50/p95/p99 per request type. Exit status 1 when a check fails.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from bench.run import PYTHON, ROOT, _env, _server

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench"


def check(journal: list[dict], database_url: str) -> list[str]:
    """The problems found comparing the journal of writes with the database."""
    os.environ.update({"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key"})
    from coordination import create_app
    from coordination.extensions import db
    from coordination.meetings.models import AgendaItem, Meeting
    from coordination.minutes.models import Minutes, MinutesComment
    from coordination.plans.models import ItemComment, ProgressUpdate

    problems: list[str] = []
    app = create_app({"SERVER_NAME": None})
    with app.app_context():
        def present(column, markers: set[str]) -> set[str]:
            found: set[str] = set()
            values = sorted(markers)
            for start in range(0, len(values), 500):
                found.update(db.session.execute(db.select(column).where(column.in_(values[start:start + 500]))).scalars())
            return found

        for kind, column in (("progress", ProgressUpdate.narrative), ("item_comment", ItemComment.text),
                             ("minutes_comment", MinutesComment.text), ("agenda_item", AgendaItem.title)):
            accepted = {e["marker"] for e in journal if e["kind"] == kind and e["status"] == 303}
            missing = accepted - present(column, accepted)
            if missing:
                problems.append(f"{len(missing)} accepted {kind} writes are missing, e.g. {sorted(missing)[:3]}")
        for kind, model, key, read in (("minutes_edit", Minutes, "minutes", lambda o: o.summary),
                                       ("meeting_edit", Meeting, "meeting", lambda o: o.location)):
            by_object: dict[int, list[dict]] = defaultdict(list)
            for entry in journal:
                if entry["kind"] == kind:
                    by_object[entry[key]].append(entry)
            for object_id, entries in by_object.items():
                accepted = [e for e in entries if e["status"] == 303]
                bases = [e["base"] for e in accepted]
                if len(bases) != len(set(bases)):
                    problems.append(f"{kind} {object_id}: two edits of the same version were both accepted")
                if accepted:
                    last = max(accepted, key=lambda e: e["base"])
                    value = read(db.session.get(model, object_id))
                    if last["marker"] not in value:
                        problems.append(f"{kind} {object_id}: holds {value!r}, not the last accepted edit")
                odd = [e["status"] for e in entries if e["status"] not in (303, 409)]
                if odd:
                    problems.append(f"{kind} {object_id}: refused with {sorted(set(odd))}, not 409")
    return problems


def print_stats(stats_csv: Path) -> int:
    """p50/p95/p99 per request type; returns the number of failures locust counted."""
    rows = list(csv.DictReader(stats_csv.open()))
    print(f"\n{'request':34} {'n':>6} {'fail':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7}")
    failures = 0
    for r in rows:
        name = r["Name"] if r["Name"] != "Aggregated" else "all requests"
        print(f"{(r['Type'] + ' ' + name)[:34]:34} {r['Request Count']:>6} {r['Failure Count']:>5} {r['50%']:>8} "
              f"{r['95%']:>8} {r['99%']:>8} {float(r['Requests/s']):7.1f}")
        if r["Name"] == "Aggregated":
            failures = int(r["Failure Count"])
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Concertation load test (see bench/load.py).")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="keep the workload already in the database")
    args = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not database_url.startswith(("postgres://", "postgresql")):
        raise SystemExit("the load test runs on PostgreSQL: set BENCH_DATABASE_URL (its name must contain 'bench')")
    described = ROOT / "instance" / f"load-workload-{args.meetings}x{args.items}.json"
    if args.reuse and not described.exists():  # the benchmark's workload of that size will do
        described = ROOT / "instance" / f"bench-workload-{args.meetings}x{args.items}.json"
    if not (args.reuse and described.exists()):
        subprocess.run([PYTHON, "-m", "bench.workload", "--meetings", str(args.meetings), "--items", str(args.items),  # noqa: S603
                        "--out", str(described)], cwd=ROOT, env=_env(database_url), check=True)
    with tempfile.TemporaryDirectory() as tmp:
        journal_path, prefix = Path(tmp) / "journal.json", Path(tmp) / "locust"
        with _server("app:app", _env(database_url)) as (port, _pid):
            env = _env(database_url, LOAD_WORKLOAD=str(described), LOAD_JOURNAL=str(journal_path))
            subprocess.run([PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",  # noqa: S603
                            "-u", str(args.users), "-r", str(max(1, args.users // 5)), "-t", f"{args.seconds}s",
                            "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                            "--loglevel", "WARNING", "--exit-code-on-error", "0"], cwd=ROOT, env=env, check=True)
        failures = print_stats(Path(f"{prefix}_stats.csv"))
        errors = list(csv.DictReader(Path(f"{prefix}_failures.csv").open()))
        journal = json.loads(journal_path.read_text()) if journal_path.exists() else []
    problems = check(journal, database_url)
    server_errors = [e for e in errors if re.search(r"\b5\d\d\b", e.get("Error", ""))]
    accepted = sum(e["status"] == 303 for e in journal)
    refused = sum(e["status"] == 409 for e in journal)
    print(f"\nwrites: {accepted} accepted, {refused} refused with 409, "
          f"{sum(e['status'] not in (303, 409) for e in journal)} other; {failures} failed requests")
    for e in errors:
        print(f"  failure: {e.get('Method')} {e.get('Name')}: {e.get('Error')} × {e.get('Occurrences')}")
    if server_errors:
        problems.append(f"{len(server_errors)} kinds of responses ≥ 500")
    for p in problems:
        print(f"FAIL: {p}")
    print("load test: " + ("FAILED" if problems else "passed (0 responses ≥ 500, every accepted write present, "
                                                   "every refused edit a 409)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
