"""Sync: events and API responses converge on Stripe's newest state, whatever their order."""

from datetime import UTC, datetime

from sqlmodel import Session, select, text

from portal_app.billing.sync import apply_event, record, upsert
from portal_app.billing.views import customer_overview, invoice_page
from portal_app.models.mirror import (
    MirrorCustomer,
    MirrorInvoice,
    MirrorPaymentMethod,
    MirrorPrice,
    MirrorSubscription,
    MirrorSubscriptionItem,
    MirrorTaxId,
    ProcessedWebhookEvent,
)


def test_a_customer_snapshot_fills_the_mirror_with_aware_datetimes(session: Session, example):
    customer = example("customer", email="ada@example.com", name="Ada")
    customer["invoice_settings"]["default_payment_method"] = "pm_123"
    assert upsert(session=session, obj=customer, version=100)
    session.flush()
    session.expire_all()
    row = session.get(MirrorCustomer, customer["id"])
    assert row is not None
    assert (row.email, row.name, row.default_payment_method) == ("ada@example.com", "Ada", "pm_123")
    assert row.created == datetime.fromtimestamp(1234567890, UTC)
    assert row.created.tzinfo is not None
    assert row.raw["id"] == customer["id"]


def test_a_repeated_event_is_processed_once(session: Session, example, make_event):
    customer = example("customer", name="First")
    first = make_event("customer.created", customer, created=100)
    renamed = make_event("customer.updated", {**customer, "name": "Second"}, created=200)
    assert apply_event(session=session, event=first)
    assert apply_event(session=session, event=renamed)
    assert not apply_event(session=session, event=first)
    assert not apply_event(session=session, event=renamed)
    assert session.get(MirrorCustomer, customer["id"]).name == "Second"
    assert session.get(ProcessedWebhookEvent, first["id"]) is not None


def test_an_older_snapshot_after_a_newer_one_is_ignored(session: Session, example, make_event):
    customer = example("customer")
    newer = make_event("customer.updated", {**customer, "email": "new@example.com"}, created=200)
    older = make_event("customer.updated", {**customer, "email": "old@example.com"}, created=100)
    apply_event(session=session, event=newer)
    apply_event(session=session, event=older)
    assert session.get(MirrorCustomer, customer["id"]).email == "new@example.com"


def test_within_one_second_created_never_overwrites_updated(session, example, make_event):
    sub = example("subscription", status="incomplete", cancel_at_period_end=False)
    updated = {**sub, "status": "active"}
    apply_event(
        session=session, event=make_event("customer.subscription.updated", updated, created=300)
    )
    apply_event(
        session=session, event=make_event("customer.subscription.created", sub, created=300)
    )
    assert session.get(MirrorSubscription, sub["id"]).status == "active"


def test_within_one_second_a_paid_invoice_stays_paid(session, example, make_event):
    invoice = example("invoice", status="open")
    paid = {**invoice, "status": "paid", "amount_paid": 1000, "amount_remaining": 0}
    apply_event(session=session, event=make_event("invoice.paid", paid, created=400))
    apply_event(session=session, event=make_event("invoice.finalized", invoice, created=400))
    row = session.get(MirrorInvoice, invoice["id"])
    assert (row.status, row.amount_remaining) == ("paid", 0)


def test_a_deleted_subscription_stays_as_canceled(session, example, make_event):
    sub = example("subscription", status="active")
    apply_event(
        session=session, event=make_event("customer.subscription.created", sub, created=100)
    )
    canceled = {**sub, "status": "canceled"}
    apply_event(
        session=session, event=make_event("customer.subscription.deleted", canceled, created=200)
    )
    late = make_event("customer.subscription.updated", sub, created=150)
    apply_event(session=session, event=late)
    row = session.get(MirrorSubscription, sub["id"])
    assert (row.status, row.deleted) == ("canceled", False)


def test_a_detached_payment_method_leaves_the_customer(session, example, make_event):
    pm = example("payment_method", customer="cus_pm_owner")
    apply_event(session=session, event=make_event("payment_method.attached", pm, created=100))
    detached = {**pm, "customer": None}
    apply_event(session=session, event=make_event("payment_method.detached", detached, created=200))
    apply_event(session=session, event=make_event("payment_method.updated", pm, created=200))
    assert session.get(MirrorPaymentMethod, pm["id"]).customer is None


def test_a_deleted_tax_id_is_a_tombstone_a_late_create_cannot_revive(session, example, make_event):
    tax_id = example("tax_id")
    apply_event(session=session, event=make_event("customer.tax_id.created", tax_id, created=100))
    apply_event(session=session, event=make_event("customer.tax_id.deleted", tax_id, created=200))
    apply_event(session=session, event=make_event("customer.tax_id.updated", tax_id, created=150))
    assert session.get(MirrorTaxId, tax_id["id"]).deleted


def test_a_deleted_stub_from_the_api_marks_the_row_deleted(session, example):
    customer = example("customer")
    record(session=session, obj=customer)
    record(session=session, obj={"id": customer["id"], "object": "customer", "deleted": True})
    assert session.get(MirrorCustomer, customer["id"]).deleted


def test_a_write_response_beats_events_already_stored(session, example, make_event):
    customer = example("customer", name="From event")
    far_future = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())
    apply_event(session=session, event=make_event("customer.updated", customer, created=far_future))
    record(session=session, obj={**customer, "name": "From response"})
    assert session.get(MirrorCustomer, customer["id"]).name == "From response"


def test_an_event_older_than_a_write_response_is_ignored(session, example, make_event):
    customer = example("customer", name="Old")
    record(session=session, obj={**customer, "name": "New"})
    apply_event(session=session, event=make_event("customer.updated", customer, created=1000))
    assert session.get(MirrorCustomer, customer["id"]).name == "New"


def test_subscription_items_are_replaced_and_their_prices_kept(session, example):
    sub = example("subscription", status="active")
    item = sub["items"]["data"][0]
    price_id = f"price_{sub['id']}"
    item["price"] = {**item["price"], "id": price_id}
    record(session=session, obj=sub)
    items = session.exec(
        select(MirrorSubscriptionItem).where(MirrorSubscriptionItem.subscription == sub["id"])
    ).all()
    assert [(i.id, i.price, i.quantity) for i in items] == [(item["id"], price_id, 1)]
    assert session.get(MirrorPrice, price_id).unit_amount == 2000
    switched = {**item, "id": f"si_{sub['id']}", "quantity": 3}
    record(session=session, obj={**sub, "items": {**sub["items"], "data": [switched]}})
    items = session.exec(
        select(MirrorSubscriptionItem).where(MirrorSubscriptionItem.subscription == sub["id"])
    ).all()
    assert [(i.id, i.quantity) for i in items] == [(switched["id"], 3)]


def test_an_invoice_reads_its_subscription_from_the_new_parent_shape(session, example):
    invoice = example("invoice")
    invoice["parent"] = {
        "type": "subscription_details",
        "subscription_details": {"subscription": "sub_x"},
    }
    record(session=session, obj=invoice)
    row = session.get(MirrorInvoice, invoice["id"])
    assert row.subscription == "sub_x"
    assert row.lines[0]["amount"] == 1000
    assert row.lines[0]["proration"] is True


def test_objects_the_portal_does_not_mirror_are_ignored(session, make_event):
    plan_event = make_event("plan.created", {"id": "plan_1", "object": "plan"}, created=1)
    assert apply_event(session=session, event=plan_event)


def test_invoice_pages_walk_newest_first_without_overlap(session, example):
    customer = example("customer")
    record(session=session, obj=customer)
    created = 1_700_000_000
    for n in range(25):
        # Pairs share a second, so the id breaks the tie.
        record(
            session=session,
            obj=example(
                "invoice", customer=customer["id"], status="paid", created=created + n // 2
            ),
        )
    record(session=session, obj=example("invoice", customer=customer["id"], status="draft"))
    seen: list[str] = []
    cursor = None
    sizes = []
    while True:
        page = invoice_page(
            session=session, customer_id=customer["id"], limit=10, starting_after=cursor
        )
        sizes.append(len(page.invoices))
        seen += [invoice.id for invoice in page.invoices]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sizes == [10, 10, 5]
    assert len(set(seen)) == 25
    rows = {
        i.id: i
        for i in session.exec(select(MirrorInvoice).where(MirrorInvoice.customer == customer["id"]))
    }
    keys = [(rows[i].created, i) for i in seen]
    assert keys == sorted(keys, reverse=True)


def test_the_invoice_page_query_uses_the_customer_created_index(session: Session):
    plan = session.exec(  # type: ignore[call-overload]
        text(
            "EXPLAIN QUERY PLAN SELECT * FROM mirror_invoice WHERE customer = 'cus_x' "
            "AND status != 'draft' AND deleted = 0 ORDER BY created DESC, id DESC LIMIT 11"
        )
    ).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "ix_mirror_invoice_customer_created" in details
    assert "TEMP B-TREE" not in details


def test_the_overview_shows_plans_cards_details_and_invoices(session, example):
    customer = example("customer", name="Ada", email="ada@example.com")
    pm = example("payment_method", customer=customer["id"])
    customer["invoice_settings"]["default_payment_method"] = pm["id"]
    product = example("product", name="Pro", unit_label="seat")
    price = example("price", product=product["id"], unit_amount=1500)
    sub = example("subscription", customer=customer["id"], status="active", schedule=None)
    sub["items"]["data"][0]["price"] = price
    sub["items"]["data"][0]["quantity"] = 4
    for obj in (customer, pm, product, price, sub, example("tax_id", customer=customer["id"])):
        record(session=session, obj=obj)
    record(session=session, obj=example("invoice", customer=customer["id"], status="open"))
    overview = customer_overview(session=session, customer_id=customer["id"])
    [subscription] = overview.subscriptions
    [line] = subscription.items
    assert (line.plan.product_name, line.plan.unit_amount, line.plan.unit_label, line.quantity) == (
        "Pro",
        1500,
        "seat",
        4,
    )
    assert [(m.last4, m.is_default) for m in overview.payment_methods] == [("4242", True)]
    assert overview.billing.email == "ada@example.com"
    assert [t.value for t in overview.billing.tax_ids] == ["DE123456789"]
    [invoice] = overview.invoices.invoices
    # A manual invoice with no price and no description of its own: nothing to say (a line's
    # description is Stripe's English and is never shown).
    assert invoice.payable and invoice.purpose.kind == ""


def test_a_late_event_from_the_same_second_never_undoes_a_write(session, example, make_event):
    """Cancel then renew within one second: the cancel's webhook arrives after the renew's
    response was recorded, stamped with that very second, and must not win."""
    from portal_app.billing.sync import account_now

    sub = example("subscription", status="active", cancel_at_period_end=False)
    now = account_now(session)
    record(session=session, obj={**sub, "cancel_at_period_end": True})
    record(session=session, obj={**sub, "cancel_at_period_end": False})
    late = {**sub, "cancel_at_period_end": True}
    apply_event(
        session=session, event=make_event("customer.subscription.updated", late, created=now)
    )
    assert session.get(MirrorSubscription, sub["id"]).cancel_at_period_end is False


def test_expanded_discounts_survive_a_webhook_that_names_them_by_id(session, example, make_event):
    from portal_app.billing.sync import account_now

    sub = example("subscription", status="active")
    discount = {"id": "di_kept", "object": "discount", "source": {"coupon": "SAVE20_3M"}}
    record(session=session, obj={**sub, "discounts": [discount]})
    later = {**sub, "discounts": ["di_kept"], "metadata": {"seen": "yes"}}
    created = account_now(session) + 5
    apply_event(
        session=session, event=make_event("customer.subscription.updated", later, created=created)
    )
    stored = session.get(MirrorSubscription, sub["id"])
    assert stored.discounts == [discount]


def test_discount_events_describe_a_discount_added_outside_the_portal(session, example, make_event):
    """Stripe's `customer.discount.*` events carry the coupon the subscription names by id."""
    sub = example("subscription", status="active")
    apply_event(
        session=session,
        event=make_event("customer.subscription.created", {**sub, "discounts": []}, created=100),
    )
    discount = {
        "id": "di_outside",
        "object": "discount",
        "subscription": sub["id"],
        "source": {"coupon": "SAVE20_3M", "type": "coupon"},
        "end": None,
    }
    # The discount's event may land before or after the subscription's, in any order.
    apply_event(
        session=session, event=make_event("customer.discount.created", discount, created=200)
    )
    named = {**sub, "discounts": ["di_outside"]}
    apply_event(
        session=session, event=make_event("customer.subscription.updated", named, created=200)
    )
    stored = session.get(MirrorSubscription, sub["id"]).discounts
    assert stored == [discount]

    apply_event(
        session=session, event=make_event("customer.discount.deleted", discount, created=300)
    )
    assert session.get(MirrorSubscription, sub["id"]).discounts == []


def test_a_discount_event_for_an_unknown_subscription_changes_nothing(session, make_event):
    discount = {"id": "di_x", "object": "discount", "subscription": "sub_missing"}
    assert apply_event(
        session=session, event=make_event("customer.discount.created", discount, created=1)
    )
    assert session.get(MirrorSubscription, "sub_missing") is None
