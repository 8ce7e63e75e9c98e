"""The lean reads behind the portal's frequent events: the actor, the plan switch's choices
and blockers, and an invoice page. Each gives the answers the ORM reads gave, in the number
of statements the event's CPU budget allows (bench/RESULTS.md, issue 14)."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from portal_app.auth.portal_sessions import SessionError
from portal_app.billing.views import invoice_page
from portal_app.db import get_engine
from portal_app.models.configuration import default_features
from portal_app.models.mirror import (
    MirrorInvoice,
    MirrorPrice,
    MirrorProduct,
    MirrorSubscriptionItem,
    MirrorSubscriptionSchedule,
)
from portal_app.models.portal_session import PortalSession
from portal_app.services.actors import actor_for
from portal_app.services.customer_actions import ActionRefused
from portal_app.services.plan_change import plan_options
from portal_app.services.subscription_rules import update_blockers
from tests import factories


@contextmanager
def counted() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)


def price(db: Session, product: str, amount: int, **fields: Any) -> str:
    price_id = f"price_{secrets.token_hex(5)}"
    db.add(
        MirrorPrice(
            id=price_id,
            product=product,
            currency=fields.pop("currency", "usd"),
            unit_amount=amount,
            recurring_interval=fields.pop("interval", "month"),
            recurring_interval_count=1,
            **fields,
        )
    )
    return price_id


def product(db: Session, name: str, **fields: Any) -> str:
    product_id = f"prod_{secrets.token_hex(5)}"
    db.add(MirrorProduct(id=product_id, name=name, **fields))
    return product_id


@pytest.fixture
def shop(db_tables: None) -> Iterator[dict[str, Any]]:
    """A configuration offering five prices, a customer on the cheapest, a live session."""
    with Session(get_engine(), expire_on_commit=False) as db:
        pro, old, gone = product(db, "Pro"), product(db, "Old", active=False), "prod_missing"
        ids = {
            "basic": price(db, pro, 500),
            "pro": price(db, pro, 2000),
            "yearly": price(db, pro, 10000, interval="year"),
            "euro": price(db, pro, 1500, currency="eur"),
            "retired": price(db, pro, 900, active=False),
            "old_product": price(db, old, 700),
            "no_product": price(db, gone, 800),
        }
        features = default_features()
        features["subscription_update"].update(
            enabled=True,
            default_allowed_updates=["price"],
            products=[{"product": pro, "prices": list(ids.values())}],
        )
        config = factories.configuration(
            db, features=features, terms_of_service_url="https://acme.test/terms"
        )
        customer = factories.mirror_customer(db)
        sub = factories.mirror_subscription(
            db, customer=customer, price=ids["basic"], currency="usd"
        )
        session = factories.live_portal_session(db, customer=customer, configuration_id=config.id)
        db.commit()
        yield {
            "db": db,
            "config": config,
            "customer": customer,
            "sub": sub,
            "session": session,
            **ids,
        }


def test_the_actor_is_one_statement_and_keeps_the_session_checks(shop: dict[str, Any]) -> None:
    db, session = shop["db"], shop["session"]
    with counted() as statements:
        actor = actor_for(db, session.id, "fr")
    assert len(statements) == 1
    assert (actor.customer, actor.configuration_id, actor.locale) == (
        shop["customer"],
        shop["config"].id,
        "fr",
    )
    assert actor.features.subscription_update.enabled
    assert actor.terms_of_service_url == "https://acme.test/terms"

    shop["config"].active = False
    db.add(shop["config"])
    db.commit()
    with pytest.raises(SessionError, match="not available"):
        actor_for(db, session.id)
    with pytest.raises(SessionError, match="ended"):
        actor_for(db, "ps_unknown")
    with pytest.raises(SessionError, match="ended"):
        actor_for(db, "")


def test_the_actor_writes_activity_at_most_once_a_minute(shop: dict[str, Any]) -> None:
    db, session = shop["db"], shop["session"]
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    session.last_activity_at = earlier
    db.add(session)
    db.commit()
    with counted() as statements:
        actor_for(db, session.id)
    assert [s.split()[0] for s in statements] == ["SELECT", "UPDATE"]
    db.commit()
    db.expire_all()
    moved = db.get(PortalSession, session.id)
    assert moved is not None and moved.last_activity_at is not None
    assert moved.last_activity_at.replace(tzinfo=UTC) > earlier
    with counted() as statements:
        actor_for(db, session.id)
    assert len(statements) == 1  # touched a moment ago: no write

    session = db.get(PortalSession, session.id)
    assert session is not None
    session.last_activity_at = datetime.now(UTC) - timedelta(hours=2)
    db.add(session)
    db.commit()
    with pytest.raises(SessionError, match="expired"):
        actor_for(db, session.id)


def test_plan_options_show_what_the_orm_reads_showed_in_two_statements(
    shop: dict[str, Any],
) -> None:
    db = shop["db"]
    actor = actor_for(db, shop["session"].id)
    with counted() as statements:
        options = plan_options(session=db, actor=actor, subscription_id=shop["sub"])
    assert len(statements) == 2  # subscription with items and prices; the choices
    # Same currency, recurring, active (or current), product active or not mirrored;
    # cheapest per day first.
    assert [c.price_id for c in options.choices] == [
        shop["basic"],
        shop["no_product"],
        shop["yearly"],
        shop["pro"],
    ]
    basic = options.choices[0]
    assert (basic.product_name, basic.is_current, basic.unit_amount) == ("Pro", True, 500)
    assert options.choices[1].product_name == ""
    assert options.quantity == 1


def test_plan_options_refuse_what_the_customer_does_not_own(shop: dict[str, Any]) -> None:
    db = shop["db"]
    actor = actor_for(db, shop["session"].id)
    other = factories.mirror_subscription(
        db, customer=factories.mirror_customer(db), price=shop["basic"]
    )
    gone = factories.mirror_subscription(
        db, customer=shop["customer"], price=shop["basic"], deleted=True
    )
    db.commit()
    for subscription_id in (other, gone, "sub_unknown", "in_123", None, 12):
        with pytest.raises(ActionRefused) as refused:
            plan_options(session=db, actor=actor, subscription_id=subscription_id)
        assert refused.value.code == "resource_missing"


def test_blockers_read_the_stored_object_and_the_schedule(shop: dict[str, Any]) -> None:
    db, customer, basic = shop["db"], shop["customer"], shop["basic"]
    metered = price(db, "prod_x", 10, raw={"recurring": {"usage_type": "metered"}})
    subs = {
        "ok": shop["sub"],
        "metered": factories.mirror_subscription(db, customer=customer, price=metered),
        "by_invoice": factories.mirror_subscription(
            db, customer=customer, price=basic, raw={"collection_method": "send_invoice"}
        ),
        "two_items": factories.mirror_subscription(db, customer=customer, price=basic),
        "no_items": factories.mirror_subscription(db, customer=customer),
        "ended": factories.mirror_subscription(
            db, customer=customer, price=basic, status="canceled"
        ),
        "unmirrored_price": factories.mirror_subscription(
            db, customer=customer, price="price_unknown"
        ),
        "pending": factories.mirror_subscription(
            db, customer=customer, price=basic, schedule="sub_sched_unmirrored"
        ),
        "released": factories.mirror_subscription(
            db, customer=customer, price=basic, schedule="sub_sched_done"
        ),
    }
    db.add(
        MirrorSubscriptionItem(
            id=f"si_{secrets.token_hex(5)}", subscription=subs["two_items"], price=basic
        )
    )
    db.add(MirrorSubscriptionSchedule(id="sub_sched_done", customer=customer, status="released"))
    db.commit()
    reasons = {
        name: str(reason.msgid) if (reason := found.get(sub)) else None
        for found in [update_blockers(session=db, subscription_ids=list(subs.values()))]
        for name, sub in subs.items()
    }
    assert reasons == {
        "ok": None,
        "metered": "This subscription is billed by usage, so its plan cannot be changed here.",
        "by_invoice": "This subscription is paid by invoice, so its plan cannot be changed here.",
        "two_items": "This subscription has several products, so it can only be changed by us.",
        "no_items": "This subscription has several products, so it can only be changed by us.",
        "ended": "This subscription can no longer be changed.",
        "unmirrored_price": None,
        "pending": "A change is already scheduled for this subscription.",
        "released": None,
    }
    with counted() as statements:
        update_blockers(session=db, subscription_ids=[shop["sub"]])
    assert len(statements) == 1  # no schedule: none read


def test_an_invoice_page_is_one_statement_and_its_anchor_must_be_the_customers(
    shop: dict[str, Any],
) -> None:
    db, customer = shop["db"], shop["customer"]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(12):
        db.add(
            MirrorInvoice(
                id=f"in_{customer}_{n:02d}",
                customer=customer,
                subscription=shop["sub"],
                status="paid",
                currency="usd",
                total=500,
                created=start + timedelta(days=n),
                lines=[{"price": shop["basic"], "period_start": 1, "period_end": 2}],
            )
        )
    other = factories.mirror_customer(db)
    db.add(MirrorInvoice(id=f"in_{other}", customer=other, currency="usd", status="paid"))
    db.commit()
    with counted() as statements:
        first = invoice_page(session=db, customer_id=customer)
    assert len(statements) == 2  # the page; its lines' plans
    assert [i.id for i in first.invoices] == [f"in_{customer}_{n:02d}" for n in range(11, 1, -1)]
    assert first.invoices[0].purpose.plan == "Pro"
    second = invoice_page(session=db, customer_id=customer, starting_after=first.next_cursor)
    assert [i.id for i in second.invoices] == [f"in_{customer}_01", f"in_{customer}_00"]
    assert second.next_cursor is None
    for anchor in (f"in_{other}", "in_unknown"):
        page = invoice_page(session=db, customer_id=customer, starting_after=anchor)
        assert (page.invoices, page.next_cursor) == ([], None)
