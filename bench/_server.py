"""A bench server: `cli init --demo` then `reflex run --env prod --single-port`, in a subprocess.

A trimmed copy of tests/conftest.py's AppServer: free port, temporary SQLite database and data
dir, log in the work dir. `internal_url` lets a bench route the gateway's sandbox calls through
a counting proxy (bench/stripe_calls.py).
"""

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEMO_EMAILS = [
    "jenny.rosen@example.com",
    "trial@example.com",
    "past.due@example.com",
    "canceling@example.com",
    "team@example.com",
]
CLEARED = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "PORTAL_SMTP_HOST", "PORTAL_REDIS_URL")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], pct: float) -> float:
    """The `pct` percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


CHROMIUM_ARGS = [  # as in tests/conftest.py
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """Chromium from `PORTAL_CHROMIUM_PATH`, or the first one on PATH (as tests/conftest.py)."""
    configured = os.environ.get("PORTAL_CHROMIUM_PATH")
    if configured:
        return configured
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)


def summary(values: list[float]) -> tuple[float, float]:
    """(median, p95) of `values` in milliseconds, from seconds."""
    return statistics.median(values) * 1000, percentile(values, 95) * 1000


class BenchServer:
    """The whole portal built and served by `reflex run --env prod --single-port`."""

    def __init__(self, *, internal_url: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        self.db_path = self.workdir / "app.db"
        self.log_path = self.workdir / "app.log"
        self.states_dir = self.workdir / "states"
        env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        self.env = {
            **env,
            "PORTAL_DATABASE_URL": f"sqlite:///{self.db_path}",
            "PORTAL_DATA_DIR": str(self.workdir / "data"),
            "PORTAL_SECRET_KEY": "bench-secret-key",
            "PORTAL_INTERNAL_URL": internal_url or self.url,
            "PORTAL_PUBLIC_URL": self.url,
            "PORTAL_CORS_ORIGINS": f'["http://localhost:{self.port}"]',
            "REFLEX_STATES_WORKDIR": str(self.states_dir),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 240) -> None:
        """Initialise the demo database, start the server, wait for it and the demo mirror."""
        self.cli("init", "--demo")
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    *("-m", "reflex", "run", "--env", "prod", "--single-port"),
                    *("--frontend-port", str(self.port), "--backend-host", "127.0.0.1"),
                    *("--loglevel", "warning"),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the app exited:\n" + self.log_path.read_text()[-3000:])
            try:
                if httpx.get(f"{self.url}/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            raise RuntimeError("the app did not start:\n" + self.log_path.read_text()[-3000:])
        self.wait_for_mirror(deadline)

    def wait_for_mirror(self, deadline: float) -> None:
        """The demo's webhooks fill the mirror after start-up; wait until a link can be made."""
        while time.monotonic() < deadline:
            try:
                self.session_link("team@example.com")
                return
            except subprocess.CalledProcessError:
                time.sleep(1)
        raise RuntimeError("the demo customers never reached the mirror")

    def cli(self, *args: str) -> str:
        """Run `python -m portal_app.cli ARGS` against this server's database; its stdout."""
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "portal_app.cli", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def python(self, code: str) -> str:
        """Run Python against this server's database and settings; its stdout."""
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def session_link(self, email: str) -> str:
        """A fresh one-time portal link for the customer with this email."""
        return self.cli("session-link", "--email", email).splitlines()[-1]

    def session_tokens(self, emails: list[str]) -> list[str]:
        """Fresh link tokens (the last path segment), made in one subprocess for speed."""
        code = (
            "import sys\n"
            "from portal_app.db import session_scope\n"
            "from portal_app.services.customers import customer_for_login\n"
            "from portal_app.services.portal_links import create_portal_link\n"
            "with session_scope() as s:\n"
            f"    for email in {emails!r}:\n"
            "        c = customer_for_login(session=s, email=email)\n"
            "        print(create_portal_link(session=s, customer=c.id, return_url=None).url)\n"
        )
        return [url.rstrip("/").rsplit("/", 1)[-1] for url in self.python(code).splitlines()]

    def seed_invoices(self, emails: list[str], count: int) -> None:
        """Give these customers `count` extra paid invoices in the mirror (for pagination)."""
        code = (
            "from datetime import UTC, datetime, timedelta\n"
            "from portal_app.db import session_scope\n"
            "from portal_app.models.mirror import MirrorInvoice\n"
            "from portal_app.services.customers import customer_for_login\n"
            "start = datetime(2020, 1, 1, tzinfo=UTC)\n"
            "with session_scope() as s:\n"
            f"    for email in {emails!r}:\n"
            "        c = customer_for_login(session=s, email=email).id\n"
            f"        for n in range({count}):\n"
            "            s.add(MirrorInvoice(id=f'in_seed_{c}_{n}', customer=c, status='paid',\n"
            "                currency='usd', total=1000, created=start + timedelta(days=n)))\n"
        )
        self.python(code)

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
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "BenchServer":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
