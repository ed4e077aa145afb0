"""Load test runner (make load): 50 simulated users for 60 s on PostgreSQL, then the checks.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_load python -m bench.load

Builds a workload (200 meetings, 300 items by default), picks the objects the secretariat will
edit together (two circulated minutes, three meetings, an agenda item of each) and notes their
version, edited field and the last audit entry; serves the workload with gunicorn (2 sync
workers, as in the benchmark), runs bench/locustfile.py headless and then checks the journal
of writes against the database:

1. concurrent edits happened: at least ``--min-stale`` saves carried a version that another
   accepted save had already used (and each kind of edit form had one), and every one of them
   was refused with 409 — no other answer, and no 409 for a save of the current version;
2. no lost update: no two accepted saves of an object carried the same version, the version
   moved by exactly the number of accepted saves, and the audit log shows each accepted save
   made over the one before it (its old value is the previous save's new value);
3. every accepted write is in the database with the posted content (progress reports,
   comments and agenda items by their marker, once each; edits through the audit log and the
   object's final value), and no refused write left a trace;
4. no response ≥ 500 and no other unexpected answer (log-in included).

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
from collections import Counter, defaultdict
from pathlib import Path

from bench.run import PYTHON, ROOT, _env, _server

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench"
# Edited field of each edit form of the locustfile, and where the audit log records its saves.
EDITED = {"minutes": ("summary", "update"), "meeting": ("location", "update"), "agenda_item": ("title", "agenda_edit")}


def _app(database_url: str):
    from coordination import create_app

    return create_app({"SERVER_NAME": None})


def _models() -> dict:
    from coordination.meetings.models import AgendaItem, Meeting
    from coordination.minutes.models import Minutes

    return {"minutes": Minutes, "meeting": Meeting, "agenda_item": AgendaItem}


def _audit_key(kind: str, obj) -> tuple[str, int, str]:
    """The (object type, object id, action) of the audit entries recording saves of ``obj``."""
    from coordination.audit import object_type

    if kind == "agenda_item":  # recorded in its meeting's history
        return object_type(_models()["meeting"]), obj.meeting_id, EDITED[kind][1]
    return object_type(obj), obj.id, EDITED[kind][1]


def prepare(database_url: str, workload: dict) -> tuple[dict, dict]:
    """The objects edited together (for the locustfile) and their state before the run."""
    os.environ.update({"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key"})  # read on import
    from coordination.audit import AuditEntry
    from coordination.extensions import db
    from coordination.meetings.models import AgendaItem

    app = _app(database_url)
    with app.app_context():
        meetings = workload["meeting_ids"][-3:]
        first_items: dict[int, AgendaItem] = {}
        for item in db.session.execute(db.select(AgendaItem).where(AgendaItem.meeting_id.in_(meetings))
                                       .order_by(AgendaItem.meeting_id, AgendaItem.position)).scalars():
            first_items.setdefault(item.meeting_id, item)
        targets = {"minutes": [{"id": i} for i in workload["circulated_minutes"][:2]],
                   "meeting": [{"id": i} for i in meetings],
                   "agenda_item": [{"id": item.id, "meeting": item.meeting_id} for item in first_items.values()]}
        before = {"audit": db.session.execute(db.select(db.func.coalesce(db.func.max(AuditEntry.id), 0))).scalar_one(),
                  "objects": {}}
        for kind, listed in targets.items():
            for target in listed:
                obj = db.session.get(_models()[kind], target["id"])
                before["objects"][f"{kind}:{target['id']}"] = {"version": obj.version,
                                                               "value": getattr(obj, EDITED[kind][0])}
        db.engine.dispose()
    return targets, before


def check_writes(journal: list[dict]) -> tuple[list[str], list[str]]:
    """Progress reports, comments and agenda items: each accepted one present once, as posted."""
    from coordination.extensions import db
    from coordination.meetings.models import AgendaItem
    from coordination.minutes.models import MinutesComment
    from coordination.plans.models import ItemComment, ProgressUpdate

    kinds = {  # journal kind → (label, model, marker column, {journal key: row attribute})
        "progress": ("progress reports", ProgressUpdate, "narrative",
                     {"item_id": "item_id", "progress": "progress", "item_status": "status"}),
        "item_comment": ("comments on items", ItemComment, "text", {"item_id": "item_id"}),
        "minutes_comment": ("comments on minutes", MinutesComment, "text", {"minutes_id": "minutes_id"}),
        "agenda_item": ("agenda items added", AgendaItem, "title",
                        {"meeting_id": "meeting_id", "duration_minutes": "duration_minutes"}),
    }
    problems, lines = [], []
    for kind, (label, model, marker, expected) in kinds.items():
        entries = {e["marker"]: e for e in journal if e["kind"] == kind}
        column, rows = getattr(model, marker), defaultdict(list)
        values = sorted(entries)
        for start in range(0, len(values), 500):
            for row in db.session.execute(db.select(model).where(column.in_(values[start:start + 500]))).scalars():
                rows[getattr(row, marker)].append(row)
        accepted = [e for e in entries.values() if e["status"] == 303]
        found = wrong = 0
        for e in accepted:
            matching = rows.get(e["marker"], [])
            if len(matching) != 1:
                problems.append(f"{kind} {e['marker']}: accepted, {len(matching)} rows in the database")
                continue
            row = matching[0]
            differ = {key: (e[key], getattr(row, attribute)) for key, attribute in expected.items()
                      if str(getattr(getattr(row, attribute), "value", getattr(row, attribute))) != str(e[key])}
            if differ:
                wrong += 1
                problems.append(f"{kind} {e['marker']}: stored differently from what was posted {differ}")
            else:
                found += 1
        refused = [e for e in entries.values() if e["status"] != 303]
        traces = [e["marker"] for e in refused if rows.get(e["marker"])]
        if traces:
            problems.append(f"{len(traces)} refused {kind} writes are in the database, e.g. {traces[:3]}")
        if entries and not accepted:  # a kind of write that never went through proves nothing
            problems.append(f"no {label} accepted out of {len(entries)} sent")
        answers = Counter(str(e["status"]) for e in refused)
        lines.append(f"  {label:22} {len(accepted):5} accepted, {found} found once as posted; "
                     f"{len(refused)} not accepted {dict(answers) or ''}".rstrip())
    return problems, lines


def judge_saves(key: str, saves: list[dict], start: int, now: int, initial: str, final: str,
                recorded: list[tuple[str, str]]) -> tuple[list[str], list[dict], str]:
    """Judge the saves of one object: its problems, its stale saves and a summary line.

    ``saves`` are the journal's saves of the object answered 303 or 409, each with the
    ``base`` version its form carried and the ``value`` it posted; ``start``/``initial`` and
    ``now``/``final`` are the object's version and edited field before and after the run;
    ``recorded`` the (old, new) values the audit log holds for that field since the run began.
    A save is stale when its version was already used up by another accepted save: as every
    accepted save raises the version by one, those are the saves of a version below ``now``
    that were not the accepted one.
    """
    problems = []
    accepted = sorted((e for e in saves if e["status"] == 303), key=lambda e: e["base"])
    refused = [e for e in saves if e["status"] == 409]
    bases = Counter(e["base"] for e in accepted)
    twice = sorted(b for b, n in bases.items() if n > 1)
    if twice:
        problems.append(f"{key}: lost update — two accepted saves carried version {twice}")
    if sorted(bases) != list(range(start, start + len(accepted))) or now != start + len(accepted):
        problems.append(f"{key}: version {start} → {now} with {len(accepted)} accepted saves of versions "
                        f"{[e['base'] for e in accepted]}: an accepted save was not applied, or something else "
                        "moved the version")
    # The audit log: each accepted save, once, made over the previous one.
    by_new = defaultdict(list)
    for old, new in recorded:
        by_new[new].append(old)
    previous = initial
    for e in accepted:
        olds = by_new.get(e["value"], [])
        if len(olds) != 1:
            problems.append(f"{key}: accepted save {e['value']!r} is in the audit log {len(olds)} times")
        elif olds[0] != previous:
            problems.append(f"{key}: lost update — save {e['value']!r} replaced {olds[0]!r}, "
                            f"not the previous accepted save {previous!r}")
        previous = e["value"]
    if final != previous:
        problems.append(f"{key}: holds {final!r}, not the last accepted save {previous!r}")
    left = [e["value"] for e in refused if e["value"] in by_new or e["value"] == final]
    if left:
        problems.append(f"{key}: refused saves left a trace: {left[:3]}")
    stale = [e for e in refused if start <= e["base"] < now]
    false = [e for e in refused if e["base"] >= now]
    if false:
        problems.append(f"{key}: {len(false)} saves of the current version {now} were refused (false conflict)")
    if any(e["base"] < start for e in saves):
        problems.append(f"{key}: saves carried a version older than the one before the run ({start})")
    winner = {e["base"]: e for e in accepted}
    overlapping = sum(1 for e in stale if e["base"] in winner and e["sent"] < winner[e["base"]]["answered"]
                      and winner[e["base"]]["sent"] < e["answered"])
    line = (f"  {key:18} {len(saves):4} saves: {len(accepted):3} accepted (version {start} → {now}), "
            f"{len(refused):3} refused with 409, {len(stale)} of them stale "
            f"({overlapping} sent while the winning save was in flight)")
    return problems, stale, line


def check_edits(journal: list[dict], before: dict, min_stale: int) -> tuple[list[str], list[str]]:
    """The edits made together: stale saves refused with 409, no lost update, audit chain intact."""
    from coordination.audit import AuditEntry
    from coordination.extensions import db

    problems, lines = [], []
    audit = db.session.execute(db.select(AuditEntry).where(AuditEntry.id > before["audit"])
                               .order_by(AuditEntry.id)).scalars().all()
    edits = [e for e in journal if e["kind"] == "edit"]
    odd = Counter(f"{e['object']} {e['id']}: {e['status']}" for e in edits if e["status"] not in (303, 409, None))
    for what, times in odd.items():
        problems.append(f"{what} × {times} (an edit must be saved, 303, or refused with 409)")
    per_kind = Counter()
    for key, state in before["objects"].items():
        kind, object_id = key.split(":")[0], int(key.split(":")[1])
        field = EDITED[kind][0]
        obj = db.session.get(_models()[kind], object_id)
        owner = _audit_key(kind, obj)
        recorded = [tuple(a.changes[field]) for a in audit
                    if (a.object_type, a.object_id, a.action) == owner and field in (a.changes or {})]
        saves = [e for e in edits if e["object"] == kind and e["id"] == object_id and e["status"] in (303, 409)]
        found, stale, line = judge_saves(key, saves, state["version"], obj.version, state["value"],
                                         getattr(obj, field), recorded)
        problems += found
        per_kind[kind] += len(stale)
        lines.append(line)
    stale_total = sum(per_kind.values())
    clashes = defaultdict(list)
    for e in edits:
        clashes[e["clash"]].append(e)
    sizes = Counter(len(saves) for saves in clashes.values())
    between = sum(len({e.get("who") for e in saves}) > 1 for saves in clashes.values())
    lines.insert(0, f"  {len(clashes)} times users opened one edit form together: "
                    + ", ".join(f"{n} × {users} users" for users, n in sorted(sizes.items(), reverse=True))
                    + f"; {between} of them between different secretaries")
    lines.append(f"  stale-version saves: {stale_total}, every one refused with 409 unless listed under FAIL "
                 f"({', '.join(f'{k} {per_kind[k]}' for k in EDITED)})")
    problems += enough_collisions(per_kind, min_stale)
    return problems, lines


def enough_collisions(stale_per_kind: Counter, min_stale: int) -> list[str]:
    """The run fails unless the 409 path was taken: ``min_stale`` stale saves (at least one),
    and one at least for each kind of edit form."""
    problems = []
    total = sum(stale_per_kind.values())
    if total < max(1, min_stale):
        problems.append(f"only {total} stale-version saves (at least {max(1, min_stale)} wanted): "
                        "the 409 path was not exercised enough")
    problems += [f"no stale save on the {kind} edit form: its 409 path went untested"
                 for kind in EDITED if not stale_per_kind[kind]]
    return problems


def check(journal: list[dict], database_url: str, before: dict, min_stale: int) -> tuple[list[str], list[str]]:
    """The problems found comparing the journal of writes with the database, and a summary."""
    os.environ.update({"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key"})  # read on import
    from coordination.extensions import db

    problems: list[str] = []
    cut = [e for e in journal if e["status"] is None]
    if cut:
        problems.append(f"{len(cut)} writes have no answer (cut off at the end of the run): their outcome is unknown")
    app = _app(database_url)
    with app.app_context():
        write_problems, write_lines = check_writes(journal)
        edit_problems, edit_lines = check_edits(journal, before, min_stale)
        db.engine.dispose()
    lines = ["\nwrites:", *write_lines, "\nconcurrent edits (several secretariat users save the same form at once):",
             *edit_lines]
    return problems + write_problems + edit_problems, lines


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
    parser.add_argument("--min-stale", type=int, default=10,
                        help="fail unless at least this many saves carried a stale version (never fewer than 1)")
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
    workload = json.loads(described.read_text())
    targets, before = prepare(database_url, workload)
    with tempfile.TemporaryDirectory() as tmp:
        journal_path, prefix = Path(tmp) / "journal.json", Path(tmp) / "locust"
        given, server_log = Path(tmp) / "workload.json", Path(tmp) / "server.log"
        given.write_text(json.dumps({**workload, "targets": targets}))
        with _server("app:app", _env(database_url), log=server_log) as (port, _pid):
            env = _env(database_url, LOAD_WORKLOAD=str(given), LOAD_JOURNAL=str(journal_path))
            # --stop-timeout: users finish the request they are in when time is up, so that every
            # write sent has its answer in the journal.
            subprocess.run([PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",  # noqa: S603
                            "-u", str(args.users), "-r", str(max(1, args.users // 5)), "-t", f"{args.seconds}s",
                            "--stop-timeout", "60", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
                            "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
                           cwd=ROOT, env=env, check=True)
        failures = print_stats(Path(f"{prefix}_stats.csv"))
        errors = list(csv.DictReader(Path(f"{prefix}_failures.csv").open()))
        journal = json.loads(journal_path.read_text()) if journal_path.exists() else []
        logged = server_log.read_text(errors="replace").splitlines()
    problems, lines = check(journal, database_url, before, args.min_stale)
    for line in lines:
        print(line)
    # The server's own account: each stale save it refused is logged, and so is any error.
    errors_logged = [line for line in logged if re.search(r"\b(ERROR|CRITICAL)\b|^Traceback", line)]
    stale_logged = sum("stale update refused" in line for line in logged)
    print(f"\nserver log: {stale_logged} saves refused as stale, {len(errors_logged)} errors")
    for line in errors_logged[:5]:
        print(f"  {line[:200]}")
    refused_edits = sum(e["kind"] == "edit" and e["status"] == 409 for e in journal)
    if stale_logged != refused_edits:
        problems.append(f"{refused_edits} edits were answered 409 but the server refused {stale_logged} as stale")
    print(f"\n{len(journal)} writes journaled: {sum(e['status'] == 303 for e in journal)} accepted, "
          f"{sum(e['status'] == 409 for e in journal)} refused with 409, "
          f"{sum(e['status'] not in (303, 409) for e in journal)} other; {failures} failed requests")
    for e in errors:
        print(f"  failure: {e.get('Method')} {e.get('Name')}: {e.get('Error')} × {e.get('Occurrences')}")
    server_errors = sum(int(e.get("Occurrences") or 1) for e in errors if re.search(r"\b5\d\d\b", e.get("Error", "")))
    if server_errors:
        problems.append(f"{server_errors} responses ≥ 500")
    if failures > server_errors:
        problems.append(f"{failures - server_errors} unexpected answers or connection errors (see failures above)")
    for p in problems:
        print(f"FAIL: {p}")
    print("load test: " + ("FAILED" if problems else "passed (0 responses ≥ 500, every accepted write present as "
                                                   "posted, every stale save refused with 409, no lost update)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
