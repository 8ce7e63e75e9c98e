"""Event round trips over the websocket with 50 and 200 concurrent customers (goal p95 < 150 ms).

Each simulated customer is its own tab: its own Reflex client token and its own portal
session, redeemed through the real `/session/[token]` on_load (hydrate, redirect, then the
`/portal` on_load) over the socket. The five demo customers are shared (each tab has its own
session); every demo customer gets 60 extra mirrored invoices so "view more" walks real
keyset pages. Customers click with a random think time (mean 1 s) and measure, per event,
the time from sending it to the update that answers it. Baseline: `PlanChangeState.close`,
a handler that touches neither the DB nor Stripe. A first serial pass (one customer, events
back to back) also reports the server's CPU time per event of each kind, which the machine's
other load disturbs far less than latency; with crowds, CPU per event is for the mix. The
serial CPU figure counts only the server's CPU while each event is in flight: the home
reloads between exhausted invoice histories are another event (`load`), shown beside it.

Run: `.venv/bin/python bench/event_roundtrip.py [--think 1.0] [--rounds 6]`
(`--serial-only [--serial-events 300]`: just the serial pass, with more events).
"""

import argparse
import asyncio
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _reflex_ws import PLAN_STATE, PORTAL_STATE, ReflexSocket, open_portal
from _server import DEMO_EMAILS, BenchServer, summary

CROWDS = (50, 200)
CONNECT_PARALLEL = 20
GOAL_MS = 150
SOLO_EVENTS = 100


class Customer:
    """One tab on the portal home page."""

    def __init__(self, sock: ReflexSocket, home: dict[str, Any]) -> None:
        self.sock = sock
        self.subscription = home[PORTAL_STATE]["subscriptions_rx_state_"][0]["id"]
        self.cursor = home[PORTAL_STATE]["invoices_cursor_rx_state_"]

    async def timed(self, state: str, handler: str, payload: dict[str, Any]) -> float:
        """Send one event; seconds until the update carrying `state`'s delta arrives."""
        started = time.perf_counter()
        await self.sock.emit(f"{state}.{handler}", payload, "/portal")
        update = await self.sock.until(lambda u: state in u.get("delta", {}))
        elapsed = time.perf_counter() - started
        if handler == "more_invoices":
            self.cursor = update["delta"][state].get("invoices_cursor_rx_state_", self.cursor)
        return elapsed

    async def ready(self, kind: str, settle: bool = False) -> bool:
        """Reload the home page when the invoice history is exhausted (not timed); True when
        it did. `settle`: also wait for the load's follow-up events (they run after it
        reports hydrated) with a trivial event answered in turn, so that their CPU is not
        counted as the next event's."""
        if kind != "more invoices" or self.cursor:
            return False
        home = await self.sock.load("/portal")
        self.cursor = home[PORTAL_STATE]["invoices_cursor_rx_state_"]
        if settle:
            await self.timed(PLAN_STATE, "close", {})
        return True

    async def step(self, kind: str) -> float:
        await self.ready(kind)
        if kind == "baseline: close":
            return await self.timed(PLAN_STATE, "close", {})
        if kind == "open plan switch":
            return await self.timed(PLAN_STATE, "open", {"subscription_id": self.subscription})
        return await self.timed(PORTAL_STATE, "more_invoices", {})


KINDS = ("baseline: close", "open plan switch", "more invoices")


async def connect_all(port: int, tokens: list[str]) -> list[Customer]:
    gate = asyncio.Semaphore(CONNECT_PARALLEL)

    async def one(token: str) -> Customer:
        async with gate:
            return Customer(*await open_portal("127.0.0.1", port, token))

    return await asyncio.gather(*(one(t) for t in tokens))


def cpu_seconds(server: BenchServer) -> float:
    """CPU seconds the server's processes have used so far, to the nanosecond from each one's
    CPU clock (Linux; ended threads included). psutil's figures move in 10 ms ticks, about
    one tick per ten events, so they are the fallback only."""
    try:
        # clock_getcpuclockid(pid): the process's CPU-time clock, as glibc builds it.
        return sum(time.clock_gettime((~pid << 3) | 2) for pid in server.pids())
    except OSError:
        return server.cpu_seconds()


@dataclass
class Solo:
    """One kind's serial pass: latencies, and server CPU ms per event without and with the
    home reloads between invoice pages (the event measured is `more_invoices`, not `load`)."""

    timings: list[float]
    cpu_ms: float
    cpu_ms_with_reloads: float
    reloads: int


async def solo_run(server: BenchServer, token: str, events: int) -> dict[str, Solo]:
    """One customer, events back to back: latency and server CPU ms per event, per kind."""
    customer = (await connect_all(server.port, [token]))[0]
    out = {}
    for kind in KINDS:
        timings, event_cpu, reloads = [], 0.0, 0
        started = cpu_seconds(server)
        for _ in range(events):
            reloads += await customer.ready(kind, settle=True)
            cpu = cpu_seconds(server)
            timings.append(await customer.step(kind))
            event_cpu += cpu_seconds(server) - cpu
        total = cpu_seconds(server) - started
        out[kind] = Solo(timings, event_cpu / events * 1000, total / events * 1000, reloads)
    await customer.sock.close()
    return out


async def crowd_run(
    server: BenchServer, tokens: list[str], think: float, rounds: int
) -> tuple[dict[str, list[float]], float, float]:
    """Connect every customer, then let each click `rounds` times per kind, interleaved.

    Returns the timings, the set-up time and the server's CPU ms per event while browsing.
    """
    started = time.perf_counter()
    customers = await connect_all(server.port, tokens)
    setup = time.perf_counter() - started
    timings: dict[str, list[float]] = defaultdict(list)
    cpu = server.cpu_seconds()

    async def browse(customer: Customer) -> None:
        plan = [kind for _ in range(rounds) for kind in KINDS]
        random.shuffle(plan)
        for kind in plan:
            await asyncio.sleep(random.expovariate(1 / think) if think else 0)
            timings[kind].append(await customer.step(kind))

    try:
        await asyncio.wait_for(asyncio.gather(*(browse(c) for c in customers)), 150)
    finally:
        await asyncio.gather(*(c.sock.close() for c in customers))
    events = sum(len(t) for t in timings.values())
    return timings, setup, (server.cpu_seconds() - cpu) / events * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--think", type=float, default=1.0, help="mean think time (s)")
    parser.add_argument("--rounds", type=int, default=6, help="clicks per kind per customer")
    parser.add_argument(
        "--serial-only", action="store_true", help="only the serial pass (server CPU per event)"
    )
    parser.add_argument(
        "--serial-events", type=int, default=SOLO_EVENTS, help="events per kind, serial pass"
    )
    args = parser.parse_args()
    crowds = () if args.serial_only else CROWDS
    with BenchServer() as server:
        server.seed_invoices(DEMO_EMAILS, 60)
        emails = [DEMO_EMAILS[i % len(DEMO_EMAILS)] for i in range(1 + sum(crowds))]
        tokens = server.session_tokens(emails)
        print(f"server {server.url}; think time mean {args.think}s; {args.rounds} clicks/kind")
        print(
            f"{'customers':>9} {'event':<18} {'n':>5} {'median ms':>10} {'p95 ms':>8} "
            f"{'p95 / baseline':>14} {'goal':>6}"
        )
        solo = asyncio.run(solo_run(server, tokens.pop(), args.serial_events))
        base_p95 = summary(solo[KINDS[0]].timings)[1]
        for kind, run in solo.items():
            median, p95 = summary(run.timings)
            reloads = (
                f" ({run.cpu_ms_with_reloads:.1f} with {run.reloads} home reloads)"
                if run.reloads
                else ""
            )
            print(
                f"{'1 serial':>9} {kind:<18} {len(run.timings):>5} {median:>10.1f} {p95:>8.1f} "
                f"{p95 / base_p95:>13.2f}x {'':>6} server CPU {run.cpu_ms:.2f} ms/event{reloads}"
            )
        for crowd in crowds:
            batch, tokens = tokens[:crowd], tokens[crowd:]
            timings, setup, cpu_ms = asyncio.run(crowd_run(server, batch, args.think, args.rounds))
            base_median, base_p95 = summary(timings[KINDS[0]])
            for kind in KINDS:
                median, p95 = summary(timings[kind])
                goal = "" if kind == KINDS[0] else ("met" if p95 < GOAL_MS else "missed")
                print(
                    f"{crowd:>9} {kind:<18} {len(timings[kind]):>5} {median:>10.1f} "
                    f"{p95:>8.1f} {p95 / base_p95:>13.2f}x {goal:>6}"
                )
            print(
                f"{crowd:>9} (redeem link + load home for all: {setup:.1f}s, "
                f"baseline median {base_median:.1f} ms; server CPU {cpu_ms:.1f} ms/event)"
            )


if __name__ == "__main__":
    main()
