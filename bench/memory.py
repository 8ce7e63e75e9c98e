"""Server memory per connected customer (goal < 1 MB) and state size per session (goal < 50 KB).

RSS (and USS, which does not count shared pages twice) of the server's process tree with the
warmed-up server idle, then with N customers connected over websockets, each with its own
session and the portal home loaded (10 invoices on the first page: every demo customer gets
60 extra mirrored invoices). State size: what Reflex's disk state manager pickled into the
server's own `REFLEX_STATES_WORKDIR` for those sessions (one file per token and substate).

Run: `.venv/bin/python bench/memory.py [--customers 200]`
"""

import argparse
import asyncio
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))

from _reflex_ws import ReflexSocket, open_portal
from _server import DEMO_EMAILS, BenchServer

WARM_UP = 10
SETTLE_SECONDS = 3
MB = 1024 * 1024


def tree_memory(server: BenchServer) -> tuple[int, int]:
    """(RSS, USS) in bytes summed over the server's process tree."""
    rss = uss = 0
    for pid in server.pids():
        try:
            info = psutil.Process(pid).memory_full_info()
        except psutil.NoSuchProcess:
            continue
        rss, uss = rss + info.rss, uss + info.uss
    return rss, uss


async def connect(port: int, tokens: list[str]) -> list[ReflexSocket]:
    gate = asyncio.Semaphore(20)

    async def one(token: str) -> ReflexSocket:
        async with gate:
            sock, _ = await open_portal("127.0.0.1", port, token)
            return sock

    return await asyncio.gather(*(one(t) for t in tokens))


def state_files(server: BenchServer, since: float) -> list[int]:
    return [p.stat().st_size for p in server.states_dir.glob("*.pkl") if p.stat().st_mtime >= since]


async def measure(server: BenchServer, crowd: int) -> None:
    emails = [DEMO_EMAILS[i % len(DEMO_EMAILS)] for i in range(WARM_UP + crowd)]
    tokens = server.session_tokens(emails)
    warm = await connect(server.port, tokens[:WARM_UP])
    await asyncio.gather(*(s.close() for s in warm))
    await asyncio.sleep(SETTLE_SECONDS)
    idle_rss, idle_uss = tree_memory(server)
    since = time.time()
    socks = await connect(server.port, tokens[WARM_UP:])
    await asyncio.sleep(SETTLE_SECONDS)
    busy_rss, busy_uss = tree_memory(server)
    await asyncio.gather(*(s.close() for s in socks))
    sizes = state_files(server, since)
    print(f"server processes: {len(server.pids())}; customers connected: {crowd}")
    print(f"{'':<28} {'idle MB':>8} {'loaded MB':>10} {'per customer KB':>16} {'goal':>8}")
    for label, idle, busy in (("RSS", idle_rss, busy_rss), ("USS", idle_uss, busy_uss)):
        per = (busy - idle) / crowd / 1024
        verdict = "met" if per < 1024 else "missed"
        print(
            f"{label:<28} {idle / MB:>8.1f} {busy / MB:>10.1f} {per:>16.1f} "
            f"{'< 1024 ' + verdict:>8}"
        )
    per_session = sum(sizes) / crowd / 1024
    verdict = "met" if per_session < 50 else "missed"
    print(
        f"state on disk: {len(sizes)} files, {sum(sizes) / 1024:.0f} KB, "
        f"{per_session:.1f} KB per session (largest file {max(sizes) / 1024:.1f} KB); "
        f"goal < 50 KB: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    args = parser.parse_args()
    with BenchServer() as server:
        server.seed_invoices(DEMO_EMAILS, 60)
        asyncio.run(measure(server, args.customers))


if __name__ == "__main__":
    main()
