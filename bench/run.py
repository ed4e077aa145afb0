"""The benchmark: build a workload, serve it with gunicorn, load every target and a bare ceiling.

    python -m bench.run                       # 500 meetings, 500 items (make bench)
    python -m bench.run --meetings 5000 --items 5000   # make bench-large

Database: BENCH_DATABASE_URL, else DATABASE_URL when it points at PostgreSQL, else a SQLite
file under instance/. The workload drops that database's schema first, so its name must
contain "bench" (e.g. ``postgresql://postgres@127.0.0.1:5432/bench``).

Three gunicorn servers run side by side with the same settings (2 sync workers): the portal,
the portal without any cache (the "cold" feeds and the "uncached" pages: every request builds
its answer from scratch)
and a bare Flask app returning 20 KB (the ceiling). Targets are loaded with wrk in
interleaved rounds — every target once per round, the ceiling included — so that a noisy
machine slows them all alike; each figure is also given as a share of the ceiling. SQL
queries per request and the bytes of each answer are measured once in-process. The worker
RSS is read at the end. Results go to bench/results/<date>-<meetings>x<items>.json, and the
previous run of the same size is shown beside this one.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
GUNICORN = [PYTHON, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync", "--timeout", "120",
            "--log-level", "warning"]


@dataclass
class Target:
    name: str
    path: str
    server: str = "portal"  # portal | cold | bare
    session: bool = True
    conditional: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    queries: int | None = None
    bytes: int | None = None
    status: int | None = None
    rounds: list[dict] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(meetings: int, items: int) -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or ""
    if not url and os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")):
        url = os.environ["DATABASE_URL"]
    return url or f"sqlite:///{ROOT / 'instance' / f'bench-{meetings}x{items}.db'}"


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_REDIS_URL",)}
    # Production settings, except that the servers answer plain HTTP on loopback: the session
    # cookie is not marked Secure (a client would not send it back) and no role needs a second
    # factor (the simulated people log in with a password).
    env.update({"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key", "CONCERTATION_ENV": "production",
                "SESSION_COOKIE_SECURE": "0", "MFA_REQUIRED_ROLES": "", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


@contextmanager
def _server(app: str, env: dict[str, str], ready: str = "/health", log: Path | None = None):
    """Serve ``app`` with gunicorn on a free port; its log goes to ``log`` when given."""
    port = _free_port()
    stderr = log.open("w") if log else None
    proc = subprocess.Popen([*GUNICORN, "--bind", f"127.0.0.1:{port}", app], cwd=ROOT, env=env,  # noqa: S603
                            start_new_session=True, stderr=stderr)
    try:
        import urllib.request

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the workers have booted once both answer
            try:
                for _ in range(4):
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=30):  # noqa: S310
                        pass
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise SystemExit(f"{app} did not start")
        yield port, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if stderr:
            stderr.close()


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of the gunicorn master's workers, in MB."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master_pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            found.append(round(int(match.group(1)) / 1024, 1))
    return sorted(found)


def _login(base: str, email: str, password: str) -> str:
    """Log in like a browser; return the Cookie header."""
    import requests

    s = requests.Session()
    page = s.get(f"{base}/accounts/login", timeout=30).text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    answer = s.post(f"{base}/accounts/login", data={"email": email, "password": password, "csrf_token": token},
                    allow_redirects=False, timeout=30)
    if answer.status_code != 303:
        raise SystemExit(f"log-in failed for {email}: {answer.status_code}")
    # A browser then opens the page it is sent to, whose answer gives the session its CSRF secret
    # (part of a kept page's key: without it no page would ever be served from the page cache).
    s.get(f"{base}{answer.headers['Location']}", allow_redirects=False, timeout=30)
    return "; ".join(f"{c.name}={c.value}" for c in s.cookies)


def _targets(w: dict) -> list[Target]:
    token, body = w["feed_token"], w["body_id"]
    body_feed, mine = f"/calendar/{token}/bodies/{body}.ics", f"/calendar/{token}/mine.ics"
    return [
        Target("bare ceiling (20 KB)", "/", server="bare", session=False),
        Target("meeting page", f"/meetings/{w['meeting_id']}"),
        Target("minutes page", f"/minutes/{w['minutes_id']}"),
        Target("body page", f"/bodies/{body}"),
        Target("dashboard", "/dashboard"),
        Target("plan page", f"/plans/{w['plan_id']}"),
        Target("action list", f"/plans/items?plan={w['plan_id']}"),
        Target("body feed, cached", body_feed, session=False),
        Target("body feed, conditional (304)", body_feed, session=False, conditional=True),
        Target("body feed, cold (no cache)", body_feed, server="cold", session=False),
        Target("personal feed, cached", mine, session=False),
        Target("personal feed, conditional (304)", mine, session=False, conditional=True),
        Target("personal feed, cold (no cache)", mine, server="cold", session=False),
        *(Target(f"{name}, uncached", path, server="cold") for name, path in (
            ("meeting page", f"/meetings/{w['meeting_id']}"), ("minutes page", f"/minutes/{w['minutes_id']}"),
            ("body page", f"/bodies/{body}"), ("dashboard", "/dashboard"), ("plan page", f"/plans/{w['plan_id']}"),
            ("action list", f"/plans/items?plan={w['plan_id']}"))),
        Target("meeting .ics", f"/meetings/{w['meeting_id']}.ics"),
        Target("minutes .docx", f"/minutes/{w['minutes_id']}.docx"),
        *([Target("progress report .docx", w["progress_report"])] if w.get("progress_report") else []),
    ]


def probe(database_url: str, workload: dict, targets: list[Target]) -> None:
    """SQL statements, status and bytes of one request to each target (in-process, warm)."""
    os.environ.update({"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key"})
    import sqlalchemy as sa

    from coordination import create_app
    from coordination.extensions import db

    clients = {}
    for server, settings in (("portal", {}), ("cold", {"CACHE_TYPE": "NullCache"})):  # as the servers run
        app = create_app({"SERVER_NAME": None, "WTF_CSRF_ENABLED": False, **settings})
        client = app.test_client()
        assert client.post("/accounts/login", data={"email": workload["member"], "password": workload["password"]}
                           ).status_code == 303
        with app.app_context():
            clients[server] = (client, app.test_client(), db.engine)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    for target in targets:
        if target.server == "bare":
            continue
        signed_in, anonymous, engine = clients[target.server]
        who = signed_in if target.session else anonymous
        first = who.get(target.path)
        headers = {"If-None-Match": first.headers.get("ETag", "")} if target.conditional else {}
        who.get(target.path, headers=headers)  # warm
        sa.event.listen(engine, "before_cursor_execute", count)
        statements.clear()
        answer = who.get(target.path, headers=headers)
        sa.event.remove(engine, "before_cursor_execute", count)
        target.queries, target.bytes, target.status = len(statements), len(answer.data), answer.status_code


def _get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Status and headers of a GET (a 304 included)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=600) as answer:  # noqa: S310
            answer.read()
            return answer.status, dict(answer.headers)
    except urllib.error.HTTPError as error:  # urllib raises for 304 as for any status it does not follow
        return error.code, dict(error.headers)


def conditional_headers(url: str) -> dict[str, str]:
    """The ``If-None-Match`` that the server at ``url`` answers with 304.

    Asked of the server itself: the validator depends on the address the feed links to, so an
    ETag read in-process (another host name) would get 200s and measure the cached body instead."""
    status, headers = _get(url, {})
    etag = headers.get("ETag", "")
    again, _headers = _get(url, {"If-None-Match": etag})
    if status != 200 or not etag or again != 304:
        raise SystemExit(f"{url} answered {status} then {again} to its own ETag {etag!r}, not 304")
    return {"If-None-Match": etag}


WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> dict:
    command = ["wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    latency = {p: float(v) * UNITS[u] for p, v, u in WRK_LATENCY.findall(out)}
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "requests": requests,
            "p50_ms": latency.get("50"), "p99_ms": latency.get("99"), "non_2xx_3xx": int(bad.group(1)) if bad else 0}


def _median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None


def summarise(targets: list[Target]) -> list[dict]:
    ceiling = _median([r["rps"] for r in targets[0].rounds])
    rows = []
    for t in targets:
        rps = _median([r["rps"] for r in t.rounds])
        rows.append({"target": t.name, "path": re.sub(r"/calendar/[^/]+/", "/calendar/***/", t.path),
                     "rps": rps, "p50_ms": _median([r["p50_ms"] for r in t.rounds]),
                     "p99_ms": _median([r["p99_ms"] for r in t.rounds]), "queries": t.queries, "bytes": t.bytes,
                     "status": t.status, "errors": sum(r["non_2xx_3xx"] for r in t.rounds),
                     "share_of_ceiling": round(100 * rps / ceiling, 2) if rps and ceiling else None})
    return rows


def _previous(size: str, current: Path) -> dict | None:
    runs = sorted(p for p in RESULTS.glob(f"*-{size}.json") if p != current)
    return json.loads(runs[-1].read_text()) if runs else None


def print_table(result: dict, previous: dict | None) -> None:
    before = {r["target"]: r for r in (previous or {}).get("rows", [])}
    print(f"\n{result['meetings']} meetings, {result['items']} items · {result['database']} · "
          f"{result['machine']} · {result['rounds']} rounds × {result['seconds']} s, {result['connections']} connections")
    head = f"{'target':36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'SQL':>4} {'bytes':>9} {'% ceiling':>9}"
    if previous:
        head += f" {'(before)':>9}"
    print(head)
    for r in result["rows"]:
        line = (f"{r['target']:36} {r['rps'] or 0:8.1f} {r['p50_ms'] or 0:8.1f} {r['p99_ms'] or 0:8.1f} "
                f"{'' if r['queries'] is None else r['queries']:>4} {r['bytes'] or '':>9} {r['share_of_ceiling'] or 0:8.2f}%")
        if previous:
            old = before.get(r["target"], {}).get("share_of_ceiling")
            line += f" {'' if old is None else f'{old:.2f}%':>9}"
        if r["errors"] or (r["status"] and r["status"] >= 400):
            line += f"  ! status {r['status']}, {r['errors']} non-2xx/3xx"
        print(line)
    print(f"worker RSS at the end (MB): portal {result['rss_mb']['portal']}, "
          f"portal without cache {result['rss_mb']['cold']}, bare {result['rss_mb']['bare']}")


def markdown(result: dict) -> str:
    """A results file as a Markdown table (for the README)."""
    lines = [f"{result['meetings']} meetings, {result['items']} items, {result['database']}, {result['date']} — "
             f"{result['machine']}; {result['rounds']} rounds × {result['seconds']} s, {result['connections']} connections; "
             f"worker RSS at the end: {max(result['rss_mb']['portal'] or [0])} MB (portal), "
             f"{max(result['rss_mb']['cold'] or [0])} MB (no cache), {max(result['rss_mb']['bare'] or [0])} MB (bare).", "",
             "| target | req/s | p50 ms | p99 ms | SQL | bytes | share of the ceiling |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in result["rows"]:
        lines.append(f"| {r['target']} | {r['rps'] or 0:.1f} | {r['p50_ms'] or 0:.0f} | {r['p99_ms'] or 0:.0f} | "
                     f"{'' if r['queries'] is None else r['queries']} | {r['bytes'] or ''} | {r['share_of_ceiling'] or 0:.2f} % |")
    return "\n".join(lines)


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024 // 1024
    return f"{os.cpu_count()} × {cpu}, {memory} GB, load {os.getloadavg()[0]:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Concertation benchmark (see bench/run.py).")
    parser.add_argument("--meetings", type=int, default=500)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3, help="wrk duration of each target in each round")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="keep the workload of an earlier run of this size")
    parser.add_argument("--markdown", type=Path, help="print a results file as a Markdown table and stop")
    parser.add_argument("--only", default="", help="measure only the targets whose name holds this text "
                        "(the ceiling is always measured); a quick check, not a result to compare")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return 0
    if not shutil.which("wrk"):  # installed as root with apt-get, else an explanation (as in make bench)
        subprocess.run(["sh", str(ROOT / "bench" / "need-wrk.sh")], check=False)  # noqa: S603,S607
        if not shutil.which("wrk"):
            return 1
    size = f"{args.meetings}x{args.items}"
    database_url = _database_url(args.meetings, args.items)
    described = ROOT / "instance" / f"bench-workload-{size}.json"
    if not (args.reuse and described.exists()):
        subprocess.run([PYTHON, "-m", "bench.workload", "--meetings", str(args.meetings), "--items", str(args.items),  # noqa: S603
                        "--out", str(described)], cwd=ROOT, env=_env(database_url), check=True)
    workload = json.loads(described.read_text())
    targets = [t for t in _targets(workload) if t.server == "bare" or args.only in t.name]
    probe(database_url, workload, targets)
    with _server("app:app", _env(database_url)) as (portal, portal_pid), \
            _server("app:app", _env(database_url, CACHE_TYPE="NullCache")) as (cold, cold_pid), \
            _server("bench.bare:app", _env(database_url), ready="/") as (bare, bare_pid):
        ports = {"portal": portal, "cold": cold, "bare": bare}
        cookie = _login(f"http://127.0.0.1:{portal}", workload["member"], workload["password"])
        for target in targets:
            if target.conditional:
                target.headers.update(conditional_headers(f"http://127.0.0.1:{ports[target.server]}{target.path}"))
        for target in targets:  # warm every worker's caches and connections, one request at a time
            headers = {**target.headers, **({"Cookie": cookie} if target.session else {})}
            for _ in range(2 if target.server == "cold" else 4):
                _get(f"http://127.0.0.1:{ports[target.server]}{target.path}", headers)
        for n in range(args.rounds):
            print(f"round {n + 1}/{args.rounds}", file=sys.stderr)
            for target in targets:
                headers = {**target.headers, **({"Cookie": cookie} if target.session else {})}
                target.rounds.append(wrk(f"http://127.0.0.1:{ports[target.server]}{target.path}", headers,
                                         args.seconds, args.connections))
                # Requests still queued when wrk stops must not slow the next target down.
                for _ in range(args.connections):
                    _get(f"http://127.0.0.1:{ports[target.server]}" + ("/" if target.server == "bare" else "/health"), {})
        rss = {"portal": worker_rss_mb(portal_pid), "cold": worker_rss_mb(cold_pid), "bare": worker_rss_mb(bare_pid)}
    result = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "meetings": args.meetings, "items": args.items,
              "database": database_url.split(":", 1)[0], "machine": _machine(), "rounds": args.rounds,
              "seconds": args.seconds, "connections": args.connections, "rss_mb": rss, "rows": summarise(targets),
              "raw": [asdict(t) | {"path": None, "headers": None} for t in targets]}
    if args.only:  # a partial run is not kept: the next full run compares with a full one
        print_table(result, None)
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{size}.json"
    out.write_text(json.dumps(result, indent=2))
    print_table(result, _previous(size, out))
    print(f"\nresults: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
