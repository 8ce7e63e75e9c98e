"""Sandbox latency: median and p95 of representative SDK calls against GET /healthz.

Run with `.venv/bin/python bench/sandbox_latency.py`: it serves the API in-process (uvicorn in a
thread, free port, temporary SQLite database) and prints a small table.
"""

import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _server import free_port

ROUNDS = 40


def _configure() -> str:
    tmp = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ.update(
        {
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "PORTAL_DATA_DIR": str(tmp / "data"),
            "PORTAL_INTERNAL_URL": base,
            "PORTAL_PUBLIC_URL": base,
        }
    )
    os.environ.pop("STRIPE_SECRET_KEY", None)
    return base


def _measure(call: Callable[[], object]) -> tuple[float, float]:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> int:
    base = _configure()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import httpx
    import stripe
    import uvicorn

    from portal_app.api import build_api
    from portal_app.db import create_tables
    from portal_app.settings import get_settings

    create_tables()
    server = uvicorn.Server(
        uvicorn.Config(build_api(), port=int(base.rsplit(":", 1)[1]), log_level="error")
    )
    threading.Thread(target=server.run, daemon=True).start()
    http = httpx.Client(timeout=10)
    for _ in range(100):
        try:
            if http.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    settings = get_settings()
    client = stripe.StripeClient(
        settings.sandbox_api_key,
        base_addresses={"api": settings.sandbox_url},
        http_client=stripe.HTTPXClient(allow_sync_methods=True),
    )
    customer = client.v1.customers.create(params={"email": "bench@example.com"})
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": pm.id}}
    )
    product = client.v1.products.create(params={"name": "Bench"})
    prices = [
        client.v1.prices.create(
            params={
                "product": product.id,
                "unit_amount": amount,
                "currency": "usd",
                "recurring": {"interval": "month"},
            }
        )
        for amount in (1000, 2000)
    ]
    sub = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": prices[0].id}]}
    )
    item_id = sub["items"].data[0].id
    calls: list[tuple[str, Callable[[], object]]] = [
        ("GET /healthz (baseline)", lambda: http.get(f"{base}/healthz")),
        ("customers.retrieve", lambda: client.v1.customers.retrieve(customer.id)),
        (
            "customers.update",
            lambda: client.v1.customers.update(
                customer.id, params={"metadata": {"n": str(time.time())}}
            ),
        ),
        (
            "subscriptions.retrieve +expand",
            lambda: client.v1.subscriptions.retrieve(
                sub.id, params={"expand": ["latest_invoice", "items.data.price.product"]}
            ),
        ),
        ("invoices.list", lambda: client.v1.invoices.list(params={"customer": customer.id})),
        (
            "invoices.create_preview",
            lambda: client.v1.invoices.create_preview(
                params={
                    "subscription": sub.id,
                    "subscription_details": {"items": [{"id": item_id, "price": prices[1].id}]},
                }
            ),
        ),
    ]
    rows = [(name, *_measure(call)) for name, call in calls]
    baseline = rows[0][1]
    print(f"{'call':34} {'median ms':>10} {'p95 ms':>8} {'vs baseline':>12}")
    for name, median, p95 in rows:
        print(f"{name:34} {median:10.1f} {p95:8.1f} {median / baseline:12.1f}")
    server.should_exit = True
    return 0


if __name__ == "__main__":
    sys.exit(main())
