"""Profile one page in-process with pyinstrument (the same workload as the benchmark).

    python -m bench.profile /meetings/42 --repeat 50 [--as member|secretariat|anonymous]

Uses DATABASE_URL and instance/bench-workload-*.json (the latest) for the accounts.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from bench.run import ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--as", dest="who", default="member")
    parser.add_argument("--workload", default=None)
    parser.add_argument("--html", action="store_true", help="write the profile as HTML next to the workload")
    args = parser.parse_args(argv)
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    from pyinstrument import Profiler

    from coordination import create_app

    files = sorted((ROOT / "instance").glob("bench-workload-*.json"), key=lambda p: p.stat().st_mtime)
    workload = json.loads(open(args.workload or files[-1]).read())
    app = create_app({"SERVER_NAME": None, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    if args.who != "anonymous":
        email = workload["member"] if args.who == "member" else workload[args.who]
        assert client.post("/accounts/login", data={"email": email, "password": workload["password"]}).status_code == 303
    first = client.get(args.path)
    print(f"{args.path}: {first.status_code}, {len(first.data)} bytes", file=sys.stderr)
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for _ in range(args.repeat):
            client.get(args.path)
    elapsed = (time.perf_counter() - started) / args.repeat
    print(f"{elapsed * 1000:.1f} ms per request (wall, profiled)", file=sys.stderr)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
