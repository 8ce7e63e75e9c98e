"""The demo loader (in its own database) and concurrent writes from many clients."""

import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import stripe

ROOT = Path(__file__).resolve().parents[2]

_DEMO_SCRIPT = """
import json
from sqlalchemy import inspect
from sqlmodel import Session, select
from portal_app.db import create_tables, get_engine
from portal_app.sandbox.database import get_sandbox_engine
from portal_app.sandbox.demo import load_demo
from portal_app.sandbox.models import SandboxEvent, SandboxObject

create_tables()
first, second = load_demo(), load_demo()
with Session(get_sandbox_engine()) as session:
    rows = session.exec(select(SandboxObject)).all()
    subs = {
        next(c.data["email"] for c in rows if c.id == r.customer): r.status
        for r in rows if r.object == "subscription"
    }
    pending = len(session.exec(select(SandboxEvent).where(SandboxEvent.status == "pending")).all())
    jenny = [r for r in rows if r.object == "customer" and r.lookup == "jenny.rosen@example.com"]
    open_invoices = sorted(
        r.data["customer_email"] for r in rows if r.object == "invoice" and r.status == "open"
    )
    clocks = [r.data for r in rows if r.object == "test_helpers.test_clock"]
    on_clock = {r.data["test_clock"] for r in rows if r.object in ("customer", "subscription")}
print(json.dumps({"first": sorted(first or {}), "second": second, "subs": subs, "pending": pending,
                  "jenny": len(jenny), "open": open_invoices, "clocks": clocks,
                  "on_clock": sorted(on_clock),
                  "portal_tables": inspect(get_engine()).get_table_names(),
                  "sandbox_url": str(get_sandbox_engine().url)}))
"""


def test_demo_loads_once_with_the_documented_customers() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="sandbox-demo-"))
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'demo.db'}",
        "PORTAL_DATA_DIR": str(tmp),
    }
    env.pop("PORTAL_SANDBOX_DATABASE_URL", None)
    started = int(time.time())
    result = subprocess.run(
        [sys.executable, "-c", _DEMO_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["first"] == [
        "prod_enterprise",
        "prod_pro",
        "prod_starter",
        "prod_team_seats",
    ]
    assert summary["second"] is None
    assert summary["subs"] == {
        "jenny.rosen@example.com": "active",
        "past.due@example.com": "past_due",
        "team@example.com": "active",
        "trial@example.com": "trialing",
        "canceling@example.com": "active",
    }
    assert summary["jenny"] == 2
    assert "jenny.rosen@example.com" in summary["open"]
    assert "past.due@example.com" in summary["open"]
    assert summary["pending"] > 50
    # One test clock holds every demo customer and stands at the moment the demo loaded.
    [clock] = summary["clocks"]
    assert (clock["name"], clock["status"]) == ("Demo", "ready")
    assert started <= clock["frozen_time"] <= int(time.time())
    assert summary["on_clock"] == [clock["id"]]
    # The sandbox keeps its own database beside the portal's, which has no sandbox table.
    assert summary["sandbox_url"] == f"sqlite:///{tmp / 'sandbox.db'}"
    assert "mirror_customer" in summary["portal_tables"]
    assert not [t for t in summary["portal_tables"] if t.startswith("sandbox")]


def test_concurrent_writes_and_one_idempotency_key(client: stripe.StripeClient) -> None:
    email = "concurrent@example.com"
    with ThreadPoolExecutor(max_workers=8) as pool:
        created = list(
            pool.map(lambda n: client.v1.customers.create(params={"email": email}).id, range(16))
        )
        same_key = list(
            pool.map(
                lambda _: (
                    client.v1.customers.create(
                        params={"email": "same-key@example.com"},
                        options={"idempotency_key": "concurrent-key"},
                    ).id
                ),
                range(8),
            )
        )
    assert len(set(created)) == 16
    assert len(set(same_key)) == 1
    listed = client.v1.customers.list(params={"email": "same-key@example.com"})
    assert len(listed.data) == 1
