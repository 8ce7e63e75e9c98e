"""The scale-out mode under a crowd: PostgreSQL, Redis and 2 workers, 400 customers.

Goal (issue 14): p95 of a portal event ≤ 1.5x the p95 of a trivial event in the same run.
The server is the one `event_roundtrip.py` measures, run as README "Scale out" describes:
its database and the sandbox's in scratch PostgreSQL databases, Reflex's per-tab state in a
scratch Redis database, `GRANIAN_WORKERS` worker processes. The customers and their clicks
are `event_roundtrip.py`'s (same kinds, same trivial baseline, same think time).

Run: `scripts/bench.sh scale_out [--customers 400] [--workers 2] [--think 1.0] [--rounds 3]`
"""

import argparse
import asyncio
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _server import DEMO_EMAILS, ROOT, BenchServer, summary
from event_roundtrip import KINDS, crowd_run, solo_run

sys.path.insert(0, str(ROOT / "tests" / "scale"))
from scale_support import scratch_database, scratch_redis_database

GOAL_RATIO = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time (s)")
    parser.add_argument("--rounds", type=int, default=3, help="clicks per kind per customer")
    args = parser.parse_args()
    with ExitStack() as stack:
        server = BenchServer()
        server.env.update(
            {
                "PORTAL_DATABASE_URL": stack.enter_context(scratch_database()),
                "PORTAL_SANDBOX_DATABASE_URL": stack.enter_context(scratch_database()),
                "PORTAL_REDIS_URL": stack.enter_context(scratch_redis_database()),
                "GRANIAN_WORKERS": str(args.workers),
            }
        )
        stack.enter_context(server)
        workers = len(server.pids()) - 1
        server.seed_invoices(DEMO_EMAILS, 60)
        emails = [DEMO_EMAILS[i % len(DEMO_EMAILS)] for i in range(args.customers + 1)]
        tokens = server.session_tokens(emails)
        print(
            f"server {server.url}: PostgreSQL, Redis, GRANIAN_WORKERS={args.workers} "
            f"({workers} child processes); {args.customers} customers; think time mean "
            f"{args.think}s; {args.rounds} clicks/kind"
        )
        # One customer alone first: what each kind costs without a queue (Redis and
        # PostgreSQL round trips included).
        solo = asyncio.run(solo_run(server, tokens.pop(), 100))
        print(f"{'event':<18} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'p95 / baseline':>14}")
        solo_p95 = summary(solo[KINDS[0]].timings)[1]
        for kind in KINDS:
            median, p95 = summary(solo[kind].timings)
            print(
                f"{kind:<18} {len(solo[kind].timings):>5} {median:>10.1f} {p95:>8.1f} "
                f"{p95 / solo_p95:>13.2f}x alone; server CPU {solo[kind].cpu_ms:.2f} ms/event"
            )
        timings, setup, cpu_ms = asyncio.run(crowd_run(server, tokens, args.think, args.rounds))
        base_median, base_p95 = summary(timings[KINDS[0]])
        for kind in KINDS:
            median, p95 = summary(timings[kind])
            ratio = p95 / base_p95
            goal = "" if kind == KINDS[0] else ("met" if ratio <= GOAL_RATIO else "missed")
            print(
                f"{kind:<18} {len(timings[kind]):>5} {median:>10.1f} {p95:>8.1f} "
                f"{ratio:>13.2f}x {goal}"
            )
        print(
            f"(redeem link + load home for all: {setup:.1f}s, baseline median "
            f"{base_median:.1f} ms; server CPU {cpu_ms:.1f} ms/event)"
        )


if __name__ == "__main__":
    main()
