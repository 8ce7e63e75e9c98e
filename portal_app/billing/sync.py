"""Keeping the mirror current: webhook events, the responses of the portal's writes, full sync.

Convergence rule: each row remembers the version of the snapshot it holds, as the pair
(`stripe_updated`, `stripe_rank`). An event's version is its `created` second; within one
second the rank breaks ties, so a `*.created` snapshot never overwrites an `*.updated` one and
a status never moves backwards (an `open` invoice does not replace a `paid` one). A snapshot
older than the stored one is ignored, so late, reordered and repeated webhooks converge.
An API response is the newest state there is when it arrives, so it is always applied and
stamped with at least the current time, which makes older events still in flight lose.
"""

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any, Literal

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from portal_app.billing.gateway import Gateway, get_gateway
from portal_app.billing.shapes import MIRRORED, ref
from portal_app.db import create_tables, session_scope
from portal_app.models.lifecycle import CustomerChange
from portal_app.models.mirror import (
    MirrorCustomer,
    MirrorPrice,
    MirrorSubscription,
    MirrorSubscriptionItem,
    MirrorTestClock,
    ProcessedWebhookEvent,
)
from portal_app.models.mirror_columns import MirrorRow, from_unix

logger = logging.getLogger(__name__)

Kind = Literal["created", "updated", "deleted"]
KIND_RANK: dict[Kind, int] = {"created": 0, "updated": 1, "deleted": 2}
TOMBSTONE_RANK = 1_000

# How far along its life an object is: within one second, a later stage wins.
STATUS_RANK: dict[str, dict[str, int]] = {
    "subscription": {
        "incomplete": 0,
        "trialing": 1,
        "active": 2,
        "past_due": 2,
        "unpaid": 2,
        "paused": 2,
        "incomplete_expired": 4,
        "canceled": 4,
    },
    "invoice": {"draft": 0, "open": 1, "uncollectible": 2, "paid": 3, "void": 3},
    "subscription_schedule": {
        "not_started": 0,
        "active": 1,
        "completed": 2,
        "released": 2,
        "canceled": 2,
    },
}


def rank(*, obj: dict[str, Any], kind: Kind) -> int:
    """The tie-breaker for two snapshots of one object taken in the same second."""
    status_rank = STATUS_RANK.get(obj.get("object", ""), {}).get(obj.get("status") or "", 0)
    return status_rank * len(KIND_RANK) + KIND_RANK[kind]


def keep_expanded(incoming: list[Any], stored: list[Any]) -> list[Any]:
    """Webhooks name a subscription's discounts by id; a write's response has them expanded
    (with their coupon). Keep the expanded form for discounts that are still there."""
    known = {d["id"]: d for d in stored if isinstance(d, dict) and "id" in d}
    return [known.get(d, d) if isinstance(d, str) else d for d in incoming]


def account_now(session: Session, *, customer_id: str | None = None) -> int:
    """Now on the clock a customer's objects live on, the one their events are stamped with:
    the frozen time of the Stripe test clock the customer is on (as mirrored), else real time."""
    customer = session.get(MirrorCustomer, customer_id) if customer_id else None
    return _clock_now(session, ref((customer.raw if customer else {}).get("test_clock")))


def _clock_now(session: Session, clock_id: str | None) -> int:
    clock = session.get(MirrorTestClock, clock_id) if clock_id else None
    if clock is None or clock.deleted:
        return int(time.time())
    return clock.frozen_time


def _response_now(session: Session, obj: dict[str, Any]) -> int:
    """Now for an API response: its own test clock's time (objects name it), else the
    customer's clock; a test clock's own snapshot is as new as its frozen time."""
    if obj.get("object") == "test_helpers.test_clock":
        return int(obj.get("frozen_time") or 0)
    if obj.get("test_clock"):
        return _clock_now(session, ref(obj["test_clock"]))
    owner = obj["id"] if obj.get("object") == "customer" else ref(obj.get("customer"))
    return account_now(session, customer_id=owner)


def upsert(
    *, session: Session, obj: dict[str, Any], version: int | None = None, kind: Kind = "updated"
) -> bool:
    """Store a snapshot taken at `version` (an event's `created`) unless a newer one is stored.

    `version=None` means an API response (a write's answer, a full-sync read): nothing stored
    can be newer, so it always applies, stamped no older than now so that events generated
    before it and still in flight lose when they land. Returns whether the mirror changed;
    objects the portal does not mirror are ignored. A change raises the owning customer's
    change counter, which tells their open tabs to reload.
    """
    mirrored = MIRRORED.get(obj.get("object", ""))
    if mirrored is None:
        return False
    owner = _owner(session=session, model=mirrored[0], obj=obj)
    changed = _upsert(session=session, obj=obj, version=version, kind=kind)
    if changed and owner:
        touch_customer(session=session, customer_id=owner)
    return changed


def _owner(*, session: Session, model: type[MirrorRow], obj: dict[str, Any]) -> str | None:
    """The customer whose page shows this object (a detached card names none: the stored row
    still knows whose it was)."""
    if obj.get("object") == "customer":
        return str(obj["id"])
    customer = ref(obj.get("customer"))
    if customer:
        return customer
    stored = session.get(model, obj["id"])
    return getattr(stored, "customer", None) if stored is not None else None


def touch_customer(*, session: Session, customer_id: str) -> None:
    """Raise the customer's change counter (an atomic upsert: concurrent writers both count)."""
    table = CustomerChange.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(customer=customer_id, version=1)
        .on_conflict_do_update(index_elements=["customer"], set_={"version": table.c.version + 1})
    )
    session.connection().execute(statement)


def customer_version(*, session: Session, customer_id: str) -> int:
    """How often the mirror has changed this customer's objects (0 when never)."""
    row = session.get(CustomerChange, customer_id, populate_existing=True)
    return row.version if row is not None else 0


def _upsert(*, session: Session, obj: dict[str, Any], version: int | None, kind: Kind) -> bool:
    model, fields_of = MIRRORED[obj["object"]]
    # A response is newer than every event its own write produced, and those are stamped
    # with the same second at the latest: one second ahead, a late one can never tie it.
    stamp = _response_now(session, obj) + 1 if version is None else version
    if obj.get("deleted"):
        row = _locked_row(session=session, model=model, object_id=obj["id"])
        return _tombstone(session=session, row=row, version=stamp)
    snapshot_rank = rank(obj=obj, kind=kind)
    values = {
        **fields_of(obj),
        "created": from_unix(obj.get("created")),
        "stripe_updated": stamp,
        "stripe_rank": snapshot_rank,
        "deleted": False,
        "raw": obj,
    }
    if not _insert_if_absent(session=session, row=model(id=obj["id"], **values)):
        row = _locked_row(session=session, model=model, object_id=obj["id"])
        if row is None:
            raise LookupError(f"{obj['id']} was deleted from the mirror while being stored")
        stored = (row.stripe_updated, row.stripe_rank)
        if version is None:
            stamp = max(stamp, stored[0])
            if (stamp, snapshot_rank) < stored:
                # Same second as a later-stage snapshot: lift the response just past it.
                stamp += 1
            values["stripe_updated"] = stamp
        elif (version, snapshot_rank) < stored:
            if version >= stored[0] - 1:
                # Within a second of the stored snapshot (a write's response is stamped one
                # second ahead): which came first cannot be told, so the object is read again.
                session.info.setdefault(_UNORDERED, set()).add((obj["object"], obj["id"]))
            return False
        if model is MirrorSubscription:
            values["discounts"] = keep_expanded(values["discounts"], row.discounts)  # type: ignore[attr-defined]
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
    if model is MirrorSubscription:
        _replace_items(session=session, subscription=obj, version=stamp)
    return True


_UNORDERED = "mirror_unordered_events"


def unordered_objects(session: Session) -> set[tuple[str, str]]:
    """(object type, id) of the events this session set aside because they carried the same
    second as the stored snapshot: the caller reads those objects again and records them."""
    return set(session.info.get(_UNORDERED, set()))


def record(*, session: Session, obj: dict[str, Any]) -> None:
    """Store what the API just returned: what services call after each gateway write."""
    upsert(session=session, obj=obj)


def _insert_if_absent(*, session: Session, row: MirrorRow) -> bool:
    """Insert the row unless its id exists; True when inserted.

    An insert that yields on conflict, rather than read-then-insert, so a webhook and a
    write's response storing the same new object at once cannot both try to create it.
    On SQLite it also opens the write transaction first, so the reads after it are current.
    """
    session.flush()
    table = type(row).__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(row.model_dump()).on_conflict_do_nothing(index_elements=["id"])
    result = session.connection().execute(statement)
    return bool(result.rowcount == 1)


def _locked_row(*, session: Session, model: type[MirrorRow], object_id: str) -> MirrorRow | None:
    # FOR UPDATE serialises two writers of one row on PostgreSQL; SQLite has one writer anyway.
    return session.get(model, object_id, with_for_update=True, populate_existing=True)


def _tombstone(*, session: Session, row: MirrorRow | None, version: int) -> bool:
    # A deleted object keeps a row marked deleted, so a late "updated" cannot bring it back.
    if row is None or (row.deleted and row.stripe_updated >= version):
        return False
    row.deleted = True
    row.stripe_updated = max(row.stripe_updated, version)
    row.stripe_rank = TOMBSTONE_RANK
    session.add(row)
    return True


def _replace_items(*, session: Session, subscription: dict[str, Any], version: int) -> None:
    items = (subscription.get("items") or {}).get("data") or []
    current_ids = {item["id"] for item in items}
    stored = session.exec(
        select(MirrorSubscriptionItem).where(
            MirrorSubscriptionItem.subscription == subscription["id"]
        )
    ).all()
    for stored_item in stored:
        if stored_item.id not in current_ids:
            session.delete(stored_item)
    for item in items:
        row = session.get(MirrorSubscriptionItem, item["id"]) or MirrorSubscriptionItem(
            id=item["id"], subscription=subscription["id"], price=""
        )
        price = item.get("price")
        row.subscription = subscription["id"]
        row.price = ref(price) or ""
        row.quantity = item.get("quantity") or 1
        row.current_period_start = from_unix(item.get("current_period_start"))
        row.current_period_end = from_unix(item.get("current_period_end"))
        row.created = from_unix(item.get("created"))
        row.stripe_updated = version
        row.raw = item
        session.add(row)
        if isinstance(price, dict) and session.get(MirrorPrice, price["id"]) is None:
            # A price seen first inside a subscription; its own events keep it current later.
            upsert(session=session, obj=price, version=0, kind="created")


def _describe_discount(*, session: Session, discount: dict[str, Any], removed: bool) -> bool:
    """`customer.discount.*` events carry the whole discount, which the subscription's own
    events name only by id: keep it (with its coupon) on the subscription's row, or drop it."""
    subscription_id = ref(discount.get("subscription"))
    row = (
        _locked_row(session=session, model=MirrorSubscription, object_id=subscription_id)
        if subscription_id
        else None
    )
    if not isinstance(row, MirrorSubscription) or row.deleted:
        return False  # the subscription's own events bring it, naming the discount
    stored = list(row.discounts or [])
    ids = [d.get("id") if isinstance(d, dict) else d for d in stored]
    if removed:
        kept = [d for d, known in zip(stored, ids, strict=True) if known != discount["id"]]
    elif discount["id"] in ids:
        kept = [
            discount if known == discount["id"] else d for d, known in zip(stored, ids, strict=True)
        ]
    else:
        kept = [*stored, discount]
    if kept == stored:
        return False
    row.discounts = kept
    session.add(row)
    touch_customer(session=session, customer_id=row.customer)
    return True


def event_kind(event_type: str) -> Kind:
    """Where in an object's life an event type sits, for same-second tie-breaks."""
    if event_type.endswith(".created"):
        return "created"
    if event_type.endswith((".deleted", ".detached")):
        return "deleted"
    return "updated"


def apply_event(*, session: Session, event: dict[str, Any]) -> bool:
    """Apply one Stripe event to the mirror, once per event id; True when it was new."""
    event_id = event["id"]
    if session.get(ProcessedWebhookEvent, event_id) is not None:
        return False
    session.add(
        ProcessedWebhookEvent(id=event_id, type=event["type"], created=int(event["created"]))
    )
    obj = dict(event["data"]["object"])
    kind = event_kind(event["type"])
    if obj.get("object") == "discount":
        changed = _describe_discount(session=session, discount=obj, removed=kind == "deleted")
        logger.info("stripe event %s %s applied=%s", event_id, event["type"], changed)
        session.flush()
        return True
    if kind == "deleted" and obj.get("object") not in ("subscription", "payment_method"):
        # `customer.deleted`, `customer.tax_id.deleted`, ... carry the full object, not a stub.
        obj["deleted"] = True
    changed = upsert(session=session, obj=obj, version=int(event["created"]), kind=kind)
    logger.info("stripe event %s %s applied=%s", event_id, event["type"], changed)
    session.flush()
    return True


async def full_sync(*, session: Session, gateway: Gateway) -> Counter[str]:
    """Read every mirrored object from Stripe into the mirror; returns counts per type.

    Commits after each kind of object, so webhooks arriving meanwhile wait for one batch,
    not for the whole sync (on SQLite, a writer holds the only write lock).
    """
    counts: Counter[str] = Counter()

    async def keep_all(objects: AsyncIterator[dict[str, Any]]) -> list[str]:
        ids = []
        async for obj in objects:
            record(session=session, obj=obj)
            counts[obj.get("object", "?")] += 1
            ids.append(obj["id"])
        session.commit()
        return ids

    customer_ids = await keep_all(gateway.iter_customers())
    await keep_all(gateway.iter_products())
    await keep_all(gateway.iter_prices())
    await keep_all(gateway.iter_coupons())
    await keep_all(gateway.iter_promotion_codes())
    await keep_all(gateway.iter_subscriptions(status="all"))
    await keep_all(gateway.iter_subscription_schedules())
    await keep_all(gateway.iter_invoices())
    for customer_id in customer_ids:
        await keep_all(gateway.iter_cards(customer_id=customer_id))
        await keep_all(gateway.iter_tax_ids(customer_id=customer_id))
    return counts


def run_full_sync() -> Counter[str]:
    """`python -m portal_app.cli sync`: create the schema, then copy every mirrored object."""
    create_tables()
    with session_scope() as session:
        return asyncio.run(full_sync(session=session, gateway=get_gateway()))
