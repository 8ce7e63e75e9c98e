"""One app-server harness for the tests and the benchmarks (bench/_server.py imports it).

`AppServer` runs `cli init --demo`, then `reflex run --env prod --single-port` in its own
process group, with a temporary SQLite database, data dir and log in a work dir. Tests and
benchmarks reach what the server stores through typed calls, never through code strings:
`db()` is a SQLModel session on the server's database, `stripe()` a Stripe client on its
embedded sandbox. Nothing here imports `portal_app` at module level, so a benchmark can import
it before choosing its environment.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import stripe
    from sqlmodel import Session

    from portal_app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# Settings a test or bench server must not inherit from the shell (real Stripe, SMTP, Redis).
CLEARED = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "PORTAL_SMTP_HOST", "PORTAL_REDIS_URL")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_chromium() -> str | None:
    """Chromium from `PORTAL_CHROMIUM_PATH`, or the first one on PATH."""
    configured = os.environ.get("PORTAL_CHROMIUM_PATH")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class AppServer:
    """The whole portal built and served in production mode by `reflex run`, in a subprocess.

    `env` overrides the server's environment (e.g. its secret key, or an `PORTAL_INTERNAL_URL`
    through a counting proxy); `loglevel` is reflex's.
    """

    def __init__(
        self,
        port: int | None = None,
        workdir: Path | None = None,
        *,
        env: Mapping[str, str] | None = None,
        loglevel: str = "info",
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="portal-server-"))
        self.log_path = self.workdir / "app.log"
        self.loglevel = loglevel
        inherited = {k: v for k, v in os.environ.items() if k not in CLEARED}
        self.env = {
            **inherited,
            "PORTAL_DATABASE_URL": f"sqlite:///{self.workdir / 'app.db'}",
            "PORTAL_DATA_DIR": str(self.workdir / "data"),
            "PORTAL_INTERNAL_URL": self.url,
            "PORTAL_PUBLIC_URL": self.url,
            "PORTAL_CORS_ORIGINS": f'["http://localhost:{self.port}"]',
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300) -> None:
        """Load the demo, start the server, wait for its pages and for the demo's mirror."""
        self.cli("init", "--demo")
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    *("-m", "reflex", "run", "--env", "prod", "--single-port"),
                    *("--frontend-port", str(self.port), "--backend-host", "127.0.0.1"),
                    *("--loglevel", self.loglevel),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group, so `stop` ends the server's workers too.
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the app exited:\n" + self.log_path.read_text()[-4000:])
            try:
                if httpx.get(f"{self.url}/", timeout=2).status_code == 200 and self._mirrored():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise RuntimeError("the app did not start:\n" + self.log_path.read_text()[-4000:])

    def _mirrored(self) -> bool:
        """Every demo event delivered to the webhook, so the mirror knows the demo customers
        (tests would otherwise race the first deliveries). Asked of the sandbox over its
        Stripe API, as of Stripe: events whose webhook delivery has not succeeded yet."""
        response = httpx.get(
            f"{self.url}/sandbox/v1/events",
            params={"delivery_success": "false", "limit": 1},
            headers={"Authorization": f"Bearer {self.settings().sandbox_api_key}"},
            timeout=5,
        )
        return response.status_code == 200 and response.json()["data"] == []

    def settings(self) -> "Settings":
        """The server's settings, read from its environment (not this process's)."""
        from portal_app.settings import Settings

        names = {field.validation_alias for field in Settings.model_fields.values()}
        # Given as arguments, values are not JSON-decoded as pydantic-settings does for env.
        values: dict[str, Any] = {
            k: json.loads(v) if v[:1] in "[{" else v for k, v in self.env.items()
        }
        return Settings(**{k: v for k, v in values.items() if k in names})

    @contextmanager
    def db(self) -> Iterator["Session"]:
        """A SQLModel session on the server's database, committed when the block succeeds."""
        from sqlmodel import Session, create_engine

        url = self.env["PORTAL_DATABASE_URL"]
        args = {"timeout": 30} if url.startswith("sqlite") else {}
        engine = create_engine(url, connect_args=args)
        try:
            with Session(engine, expire_on_commit=False) as session:
                yield session
                session.commit()
        finally:
            engine.dispose()

    def stripe(self) -> "stripe.StripeClient":
        """A synchronous Stripe client on the server's embedded sandbox, with the key the
        server's gateway uses."""
        import stripe

        settings = self.settings()
        return stripe.StripeClient(
            settings.sandbox_api_key,
            base_addresses={"api": settings.sandbox_url},
            http_client=stripe.HTTPXClient(allow_sync_methods=True),
            max_network_retries=0,
        )

    def cli(self, *args: str) -> str:
        """Run `python -m portal_app.cli ARGS` against this server's database; its stdout."""
        done = subprocess.run(
            [sys.executable, "-m", "portal_app.cli", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def stop(self) -> None:
        """Stop the server's process group."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def error_lines_since(self, offset: int) -> list[str]:
        """Lines the app logged at ERROR (or tracebacks) after `offset` bytes of its log."""
        if not self.log_path.exists():
            return []
        with self.log_path.open("rb") as fh:
            fh.seek(offset)
            text = fh.read().decode(errors="replace")
        return [line for line in text.splitlines() if "ERROR" in line or "Traceback" in line]

    def __enter__(self) -> "AppServer":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.stop()
