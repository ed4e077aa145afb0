"""Time the calendar feeds built from scratch (no cache), in-process: ms per request and per build.

    SECRET_KEY=x DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \\
        python -m bench.ics_build --repeat 20 [--save DIR]

The cache is off (``CACHE_TYPE=NullCache``), so every request builds the whole file, as the
benchmark's "cold" feeds do. Uses instance/bench-workload-*.json (the latest) for the feed token
and body. Only reads the database: the session is opened read-only on PostgreSQL. ``--save``
writes each feed's bytes to DIR (to compare a change's output with the previous one's).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from bench.run import ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--workload", default=None)
    parser.add_argument("--save", type=Path, default=None, help="write each feed's bytes into this folder")
    args = parser.parse_args(argv)
    os.environ["CACHE_TYPE"] = "NullCache"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        os.environ["PGOPTIONS"] = "-c default_transaction_read_only=on"  # a measurement never writes
    # Imported here: the environment above must be set before the app reads its configuration.
    from coordination import create_app
    from coordination.calendar import feeds

    files = sorted((ROOT / "instance").glob("bench-workload-*.json"), key=lambda p: p.stat().st_mtime)
    workload = json.loads(Path(args.workload or files[-1]).read_text())
    app = create_app({"SERVER_NAME": None})
    client = app.test_client()
    token, body = workload["feed_token"], workload["body_id"]
    targets = {"body": f"/calendar/{token}/bodies/{body}.ics", "personal": f"/calendar/{token}/mine.ics"}

    builds: list[float] = []
    build = feeds.meetings_calendar

    def timed(*a, **k):
        started = time.process_time()
        try:
            return build(*a, **k)
        finally:
            builds.append(time.process_time() - started)

    feeds.meetings_calendar = timed
    for name, path in targets.items():
        first = client.get(path)
        assert first.status_code == 200, (path, first.status_code)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{name}.ics").write_bytes(first.data)
        builds.clear()
        wall, cpu = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200
        print(f"{name} feed ({len(first.data)} bytes, {first.data.count(b'BEGIN:VEVENT')} events): "
              f"request {statistics.median(wall) * 1000:.1f} ms wall, {statistics.median(cpu) * 1000:.1f} ms CPU; "
              f"build {statistics.median(builds) * 1000:.1f} ms CPU (median of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
