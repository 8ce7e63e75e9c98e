"""A bench server: the tests' AppServer (tests/harness.py) with a bench's extras.

`cli init --demo` then `reflex run --env prod --single-port` in a subprocess, with a
temporary SQLite database, data dir, Reflex state files and log in a work dir. Setting
`env["PORTAL_INTERNAL_URL"]` before `start` routes the gateway's sandbox calls through a
counting proxy (bench/stripe_calls.py).
"""

import shutil
import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bench scripts run as `python bench/NAME.py` (scripts/bench.sh): the harness is in tests/.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.harness import CHROMIUM_ARGS, AppServer, find_chromium, free_port  # noqa: E402

__all__ = [
    "CHROMIUM_ARGS",
    "DEMO_EMAILS",
    "BenchServer",
    "find_chromium",
    "free_port",
    "percentile",
    "summary",
]

DEMO_EMAILS = [
    "jenny.rosen@example.com",
    "trial@example.com",
    "past.due@example.com",
    "canceling@example.com",
    "team@example.com",
]


def percentile(values: list[float], pct: float) -> float:
    """The `pct` percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(values: list[float]) -> tuple[float, float]:
    """(median, p95) of `values` in milliseconds, from seconds."""
    return statistics.median(values) * 1000, percentile(values, 95) * 1000


class BenchServer(AppServer):
    """The whole portal built and served by `reflex run --env prod --single-port`."""

    def __init__(self) -> None:
        super().__init__(loglevel="warning")
        self.states_dir = self.workdir / "states"
        self.env.update(
            {
                "PORTAL_SECRET_KEY": "bench-secret-key",
                "REFLEX_STATES_WORKDIR": str(self.states_dir),
            }
        )

    def session_link(self, email: str) -> str:
        """A fresh one-time portal link for the customer with this email."""
        return self.cli("session-link", "--email", email).splitlines()[-1]

    def session_tokens(self, emails: list[str]) -> list[str]:
        """Fresh link tokens (the last path segment of a portal link), one per email."""
        from portal_app.auth.portal_sessions import create_session
        from portal_app.services.configurations import default_configuration
        from portal_app.services.customers import customer_for_login

        tokens = []
        with self.db() as s:
            config = default_configuration(session=s)
            assert config is not None, "the demo has a default configuration"
            for email in emails:
                customer = customer_for_login(session=s, email=email)
                assert customer is not None, f"no customer {email} in the mirror"
                _row, token = create_session(
                    session=s, customer=customer.id, configuration_id=config.id
                )
                tokens.append(token)
        return tokens

    def seed_invoices(self, emails: list[str], count: int) -> None:
        """Give these customers `count` extra paid invoices in the mirror (for pagination)."""
        from portal_app.models.mirror import MirrorInvoice
        from portal_app.services.customers import customer_for_login

        start = datetime(2020, 1, 1, tzinfo=UTC)
        with self.db() as s:
            for email in emails:
                customer = customer_for_login(session=s, email=email)
                assert customer is not None, f"no customer {email} in the mirror"
                for n in range(count):
                    s.add(
                        MirrorInvoice(
                            id=f"in_seed_{customer.id}_{n}",
                            customer=customer.id,
                            status="paid",
                            currency="usd",
                            total=1000,
                            created=start + timedelta(days=n),
                        )
                    )

    def pids(self) -> list[int]:
        """The server's process tree (reflex, granian/uvicorn workers)."""
        import psutil

        if self.process is None:
            return []
        root = psutil.Process(self.process.pid)
        return [root.pid, *(p.pid for p in root.children(recursive=True))]

    def cpu_seconds(self) -> float:
        """User + system CPU time the server's process tree has used so far."""
        import psutil

        total = 0.0
        for pid in self.pids():
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def stop(self) -> None:
        """Stop the server's process group and remove the work dir."""
        super().stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
