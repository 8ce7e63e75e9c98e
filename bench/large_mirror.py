"""Home page and invoice page cost with a large mirror vs a tiny one (goal: about 1x).

Builds two temporary SQLite mirrors with SQLAlchemy Core `executemany`: 10 customers, and
10,000 customers with 30,000 subscriptions (and their items) and 250,000 invoices. The
customer under test has the same 3 subscriptions, 1 card and 25 invoices in both. Times
`portal_home(...)` and `invoice_page(...)` (second page, by keyset cursor) in-process, then
prints SQLite's EXPLAIN QUERY PLAN for every statement the invoice page runs, and any full
table scan the home page makes.

Run: `.venv/bin/python bench/large_mirror.py`
"""

import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_TMP = Path(tempfile.mkdtemp(prefix="portal-bench-mirror-"))
os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{_TMP / 'unused.db'}"
os.environ["PORTAL_DATA_DIR"] = str(_TMP)
sys.path.insert(0, str(Path(__file__).parent))

from _server import summary  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session, SQLModel, create_engine  # noqa: E402

from portal_app.billing.views import invoice_page  # noqa: E402
from portal_app.models import PortalConfiguration, PortalSession  # noqa: E402
from portal_app.models.mirror import (  # noqa: E402
    MirrorCustomer,
    MirrorInvoice,
    MirrorPaymentMethod,
    MirrorPrice,
    MirrorProduct,
    MirrorSubscription,
    MirrorSubscriptionItem,
)
from portal_app.services.portal_view import portal_home  # noqa: E402

SUBS_EACH = 3
START = datetime(2024, 1, 1, tzinfo=UTC)
ROUNDS = 200
CHUNK = 20_000


def _row(object_id: str, created: datetime = START) -> dict[str, Any]:
    return {
        "id": object_id,
        "created": created,
        "stripe_updated": 0,
        "stripe_rank": 0,
        "deleted": False,
        "raw": {},
    }


def _insert(engine: Engine, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for at in range(0, len(rows), CHUNK):
            conn.execute(table.insert(), rows[at : at + CHUNK])


def build(path: Path, customers: int, invoices: int) -> Engine:
    """A mirror of `customers` customers with 3 subscriptions each and `invoices` invoices."""
    engine = create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    _insert(engine, MirrorProduct, [{**_row("prod_pro"), "name": "Pro", "active": True}])
    _insert(
        engine,
        MirrorPrice,
        [
            {
                **_row(f"price_pro_{n}"),
                "product": "prod_pro",
                "active": True,
                "currency": "usd",
                "unit_amount": 1000 * (n + 1),
                "type": "recurring",
                "recurring_interval": "month",
                "recurring_interval_count": 1,
            }
            for n in range(SUBS_EACH)
        ],
    )
    ids = [f"cus_{n:06d}" for n in range(customers)]
    _insert(
        engine,
        MirrorCustomer,
        [
            {
                **_row(c),
                "email": f"{c}@example.com",
                "name": c,
                "preferred_locales": [],
                "balance": 0,
                "default_payment_method": f"pm_{c}",
            }
            for c in ids
        ],
    )
    _insert(
        engine,
        MirrorPaymentMethod,
        [
            {
                **_row(f"pm_{c}"),
                "customer": c,
                "type": "card",
                "card_brand": "visa",
                "card_last4": "4242",
                "card_exp_month": 1,
                "card_exp_year": 2030,
            }
            for c in ids
        ],
    )
    period = {"current_period_start": START, "current_period_end": START + timedelta(days=30)}
    subs = [(f"sub_{c}_{n}", c, n) for c in ids for n in range(SUBS_EACH)]
    _insert(
        engine,
        MirrorSubscription,
        [
            {
                **_row(s),
                "customer": c,
                "status": "active",
                "currency": "usd",
                "cancel_at_period_end": False,
                "discounts": [],
                **period,
            }
            for s, c, _ in subs
        ],
    )
    _insert(
        engine,
        MirrorSubscriptionItem,
        [
            {
                **_row(f"si_{s}"),
                "subscription": s,
                "price": f"price_pro_{n}",
                "quantity": 1,
                **period,
            }
            for s, _, n in subs
        ],
    )
    _insert(
        engine,
        MirrorInvoice,
        [
            {
                **_row(f"in_{n:07d}", START + timedelta(hours=n)),
                "customer": ids[n % customers],
                "subscription": f"sub_{ids[n % customers]}_0",
                "status": "paid",
                "number": f"INV-{n}",
                "currency": "usd",
                "total": 1000,
                "amount_due": 1000,
                "amount_paid": 1000,
                "amount_remaining": 0,
                "subtotal": 1000,
                "lines": [{"description": "1 x Pro", "amount": 1000}],
            }
            for n in range(invoices)
        ],
    )
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return engine


def timings(engine: Engine, customer: str) -> dict[str, list[float]]:
    portal_session = PortalSession(customer=customer)
    config = PortalConfiguration(business_name="Bench")
    out: dict[str, list[float]] = {"portal_home": [], "invoice_page (page 2)": []}
    with Session(engine) as session:
        first = invoice_page(session=session, customer_id=customer)
        assert first.next_cursor, "the customer needs more than one page of invoices"
        for _ in range(ROUNDS):
            started = time.perf_counter()
            home = portal_home(
                session=session,
                customer_id=portal_session.customer,
                config=config,
                locale="en",
            )
            out["portal_home"].append(time.perf_counter() - started)
            session.expire_all()
            started = time.perf_counter()
            invoice_page(session=session, customer_id=customer, starting_after=first.next_cursor)
            out["invoice_page (page 2)"].append(time.perf_counter() - started)
            session.expire_all()
    assert len(home.subscriptions) == SUBS_EACH and len(home.invoices) == 10
    return out


def plans(engine: Engine, run: Any) -> list[tuple[str, list[str]]]:
    """Every SQL statement `run(session)` executes, with SQLite's query plan for it."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    with Session(engine) as session:
        run(session)
    event.remove(engine, "before_cursor_execute", capture)
    out = []
    with engine.connect() as conn:
        for statement, params in seen:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
            out.append((statement, [str(r[-1]) for r in rows]))
    return out


def main() -> None:
    started = time.perf_counter()
    small = build(_TMP / "small.db", customers=10, invoices=250)
    large = build(_TMP / "large.db", customers=10_000, invoices=250_000)
    print(
        f"built both mirrors in {time.perf_counter() - started:.0f}s "
        "(large: 10,000 customers, 30,000 subscriptions, 250,000 invoices)"
    )
    # Customer 5 has 25 invoices in both mirrors (invoice n belongs to customer n % count).
    small_t = timings(small, "cus_000005")
    large_t = timings(large, "cus_000005")
    print(f"{ROUNDS} rounds each")
    print(
        f"{'call':<24} {'10 cust. median':>15} {'p95':>7} {'10k cust. median':>16} {'p95':>7} "
        f"{'ratio':>6}"
    )
    for name in small_t:
        s_med, s_p95 = summary(small_t[name])
        l_med, l_p95 = summary(large_t[name])
        print(
            f"{name:<24} {s_med:>12.2f} ms {s_p95:>7.2f} {l_med:>13.2f} ms {l_p95:>7.2f} "
            f"{l_med / s_med:>5.2f}x"
        )
    cursor = invoice_page(session=Session(large), customer_id="cus_000005").next_cursor
    print("\nEXPLAIN QUERY PLAN, invoice_page (page 2) on the large mirror:")
    for statement, plan in plans(
        large, lambda s: invoice_page(session=s, customer_id="cus_000005", starting_after=cursor)
    ):
        print("  " + " ".join(statement.split())[:160] + " ...")
        for line in plan:
            print(f"    -> {line}")
    home_plans = plans(
        large,
        lambda s: portal_home(
            session=s,
            customer_id="cus_000005",
            config=PortalConfiguration(business_name="Bench"),
            locale="en",
        ),
    )
    scans = [
        (s, line)
        for s, plan in home_plans
        for line in plan
        if line.startswith("SCAN") and "CONSTANT ROW" not in line and "subquery" not in line
    ]
    print(f"\nportal_home: {len(home_plans)} SELECTs; table scans: {len(scans)}")
    for statement, line in scans:
        print(f"  {line}: {' '.join(statement.split())[:140]}")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(_TMP, ignore_errors=True)
