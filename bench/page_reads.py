"""What a portal home page costs: Stripe calls (goal: 0 reads) and time per view.

Builds a mirror in a temporary SQLite database (one customer with subscriptions, cards, tax
ids and a long invoice history, among many other customers), then renders the home page's
data with `customer_overview` and pages through the invoices. Every gateway call is counted
through a gateway whose client fails on use, so a page view that reached Stripe would show.

Run: `.venv/bin/python bench/page_reads.py`
"""

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

_TMP = Path(tempfile.mkdtemp(prefix="portal-bench-"))
os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{_TMP / 'bench.db'}"
os.environ["PORTAL_DATA_DIR"] = str(_TMP)

from sqlmodel import Session  # noqa: E402

from portal_app.billing.gateway import Gateway  # noqa: E402
from portal_app.billing.sync import record  # noqa: E402
from portal_app.billing.views import customer_overview, invoice_page  # noqa: E402
from portal_app.db import create_tables, get_engine  # noqa: E402
from portal_app.models.mirror import MirrorInvoice  # noqa: E402
from portal_app.models.mirror_columns import from_unix  # noqa: E402

CUSTOMER = "cus_bench"
OTHER_CUSTOMERS = 500
INVOICES_EACH = 20
HISTORY = 240
VIEWS = 200
START = 1_700_000_000


class _Refuse:
    """Stripe services that refuse every call: a page view must never need them."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a page view reached Stripe ({name})")


class _NoStripe:
    v1 = _Refuse()


def _customer_objects() -> list[dict[str, Any]]:
    product = {"id": "prod_team", "object": "product", "name": "Team", "unit_label": "seat"}
    price = {
        "id": "price_team",
        "object": "price",
        "product": "prod_team",
        "currency": "usd",
        "unit_amount": 1500,
        "recurring": {"interval": "month", "interval_count": 1},
    }
    objects: list[dict[str, Any]] = [
        product,
        price,
        {
            "id": CUSTOMER,
            "object": "customer",
            "email": "bench@example.com",
            "name": "Bench Customer",
            "invoice_settings": {"default_payment_method": "pm_bench_0"},
        },
    ]
    objects += [
        {
            "id": f"pm_bench_{n}",
            "object": "payment_method",
            "customer": CUSTOMER,
            "type": "card",
            "card": {"brand": "visa", "last4": f"424{n}", "exp_month": 1, "exp_year": 2030},
        }
        for n in range(3)
    ]
    objects += [
        {
            "id": f"txi_bench_{n}",
            "object": "tax_id",
            "customer": CUSTOMER,
            "type": "eu_vat",
            "value": f"DE00000000{n}",
        }
        for n in range(2)
    ]
    objects += [
        {
            "id": f"sub_bench_{n}",
            "object": "subscription",
            "customer": CUSTOMER,
            "status": "active",
            "created": START,
            "items": {
                "data": [
                    {
                        "id": f"si_bench_{n}",
                        "price": price,
                        "quantity": 3,
                        "current_period_start": START,
                        "current_period_end": START + 30 * 86400,
                    }
                ]
            },
        }
        for n in range(2)
    ]
    objects += [
        {
            "id": f"in_bench_{n:04d}",
            "object": "invoice",
            "customer": CUSTOMER,
            "status": "paid",
            "currency": "usd",
            "total": 4500,
            "created": START + n * 86400,
            "lines": {"data": [{"id": f"il_{n}", "amount": 4500, "description": "3 x Team"}]},
        }
        for n in range(HISTORY)
    ]
    return objects


def build_mirror() -> None:
    create_tables()
    with Session(get_engine()) as session:
        for obj in _customer_objects():
            record(session=session, obj=obj)
        # Other customers' invoices: the page's cost must not grow with them.
        session.add_all(
            MirrorInvoice(
                id=f"in_other_{c}_{n}",
                customer=f"cus_other_{c}",
                status="paid",
                currency="usd",
                total=1000,
                created=from_unix(START + n * 3600),
            )
            for c in range(OTHER_CUSTOMERS)
            for n in range(INVOICES_EACH)
        )
        session.commit()


def main() -> None:
    started = time.perf_counter()
    build_mirror()
    print(f"mirror built in {time.perf_counter() - started:.1f}s")
    gateway = Gateway(_NoStripe())  # type: ignore[arg-type]
    timings: list[float] = []
    with Session(get_engine()) as session:
        for _ in range(VIEWS):
            t0 = time.perf_counter()
            overview = customer_overview(session=session, customer_id=CUSTOMER)
            timings.append(time.perf_counter() - t0)
            session.expire_all()
        cursor, pages = overview.invoices.next_cursor, 1
        t0 = time.perf_counter()
        while cursor is not None:
            page = invoice_page(session=session, customer_id=CUSTOMER, starting_after=cursor)
            cursor, pages = page.next_cursor, pages + 1
        paging = time.perf_counter() - t0
    others = OTHER_CUSTOMERS * INVOICES_EACH
    print(
        f"home page: {len(overview.subscriptions)} subscriptions, "
        f"{len(overview.payment_methods)} cards, {len(overview.billing.tax_ids)} tax ids, "
        f"{len(overview.invoices.invoices)} of {HISTORY} invoices (mirror holds {others} more)"
    )
    print(
        f"per view: {gateway.stats.total_reads / VIEWS:.0f} Stripe reads, "
        f"{gateway.stats.total_writes / VIEWS:.0f} writes; "
        f"median {statistics.median(timings) * 1000:.2f} ms, "
        f"p95 {statistics.quantiles(timings, n=20)[-1] * 1000:.2f} ms over {VIEWS} views"
    )
    per_page = paging / pages * 1000
    print(f"invoice history: {pages} pages in {paging * 1000:.1f} ms ({per_page:.2f} ms/page)")
    assert gateway.stats.total_reads == 0 and gateway.stats.total_writes == 0


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(_TMP, ignore_errors=True)
