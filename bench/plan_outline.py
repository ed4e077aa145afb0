"""Time the plan page in-process, cold (its roll-up computed again) and warm: ms of CPU per request.

    SECRET_KEY=x DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \\
        python -m bench.plan_outline --repeat 20 [--as member] [--save DIR]

"Cold" is the first view after a change to the plan: the cache (the in-process SimpleCache) is
emptied before each request, so the roll-up over every item is computed again. "Unfold" opens
each objective in turn with the roll-up cached (each page's shape is not). Uses
instance/bench-workload-*.json (the latest) for the plan and the account, which logs in (the
only write). ``--save`` writes each page's HTML to DIR, form tokens blanked (to compare a change's output with the
previous one's).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

from bench.run import ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--as", dest="who", default="member")
    parser.add_argument("--workload", default=None)
    parser.add_argument("--save", type=Path, default=None, help="write each page's HTML into this folder")
    args = parser.parse_args(argv)
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    os.environ.setdefault("CACHE_TYPE", "SimpleCache")
    import sqlalchemy as sa

    from coordination import create_app
    from coordination.extensions import cache, db
    from coordination.plans.models import ActionItem

    files = sorted((ROOT / "instance").glob("bench-workload-*.json"), key=lambda p: p.stat().st_mtime)
    workload = json.loads(Path(args.workload or files[-1]).read_text())
    app = create_app({"SERVER_NAME": None, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    email = workload["member"] if args.who == "member" else workload[args.who]
    assert client.post("/accounts/login", data={"email": email, "password": workload["password"]}).status_code == 303
    queries = [0]
    plan = workload["plan_id"]
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *_a, **_k: queries.__setitem__(0, queries[0] + 1))
        objectives = db.session.execute(sa.select(ActionItem.id).where(ActionItem.plan_id == plan, ActionItem.depth == 1)
                                        .order_by(ActionItem.sort_key)).scalars().all()

    def timed(name: str, paths: list[str], cold: bool) -> None:
        wall, cpu = [], []
        for path in paths:
            if cold:
                cache.clear()
            queries[0] = 0
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200, (path, response.status_code)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            # The form tokens differ from one session to the next: blanked, two runs' pages compare.
            html = re.sub(rb'(name="csrf_token" value=")[^"]*', rb"\1", response.data)
            (args.save / f"{name.replace(' ', '-')}.html").write_bytes(html)
        print(f"{name:24s} {statistics.median(cpu) * 1000:6.1f} ms CPU, {statistics.median(wall) * 1000:6.1f} ms wall "
              f"(median of {len(paths)}); {len(response.data)} bytes, {queries[0]} queries")

    for suffix, when in (("", "today"), ("?as_of=2024-06-30", "2024-06-30")):
        outline = f"/plans/{plan}{suffix}"
        unfolded = f"/plans/{plan}{suffix}{'&' if suffix else '?'}open={objectives[0]}&page=2"
        client.get(outline)
        timed(f"cold, {when}", [outline] * args.repeat, cold=True)
        timed(f"warm, {when}", [outline] * args.repeat, cold=False)
        timed(f"cold unfolded, {when}", [unfolded] * args.repeat, cold=True)
        cache.clear()
        client.get(outline)
        timed(f"unfold, {when}", [f"/plans/{plan}{suffix}{'&' if suffix else '?'}open={o}" for o in objectives], cold=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
