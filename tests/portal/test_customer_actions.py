"""Customer actions against a recording gateway: ownership, audit entries, confirmation emails."""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from portal_app.db import get_engine, session_scope
from portal_app.models import AuditEntry, CancellationFeedback, OutboxEmail
from portal_app.models.configuration import ConfigurationFeatures
from portal_app.models.mirror import (
    MirrorPrice,
    MirrorProduct,
    MirrorSubscription,
)
from portal_app.services.customer_actions import (
    ActionRefused,
    Actor,
    cancel_subscription,
    renew_subscription,
)
from portal_app.services.email import update_email_settings
from tests import factories


class RecordingGateway:
    """Answers like Stripe would for the few calls these tests make, and remembers them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def cancel_subscription(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("cancel", kwargs))
        end = int((datetime.now(UTC) + timedelta(days=9)).timestamp())
        return {
            "id": kwargs["subscription_id"],
            "object": "subscription",
            "status": "active",
            "cancel_at_period_end": True,
            "current_period_end": end,
            "cancel_at": end,
        }

    async def renew_subscription(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("renew", kwargs))
        return {
            "id": kwargs["subscription_id"],
            "object": "subscription",
            "status": "active",
            "cancel_at_period_end": False,
        }


@pytest.fixture
def customer(db_tables: None) -> dict[str, str]:
    tag = secrets.token_hex(4)
    ids = {
        "cus": f"cus_act{tag}",
        "sub": f"sub_act{tag}",
        "other": f"sub_oth{tag}",
        "email": f"act-{tag}@example.com",
    }
    with Session(get_engine()) as db:
        db.add(MirrorProduct(id=f"prod_{tag}", name="Pro"))
        db.add(
            MirrorPrice(
                id=f"price_{tag}",
                product=f"prod_{tag}",
                currency="usd",
                unit_amount=2900,
                recurring_interval="month",
            )
        )
        factories.mirror_customer(db, customer_id=ids["cus"], email=ids["email"])
        factories.mirror_subscription(
            db,
            customer=ids["cus"],
            subscription_id=ids["sub"],
            price=f"price_{tag}",
            item_id=f"si_{tag}",
        )
        factories.mirror_subscription(db, customer="cus_someone_else", subscription_id=ids["other"])
        db.commit()
    return ids


def actor_for(ids: dict[str, str]) -> Actor:
    return Actor(session_id="bps_test", customer=ids["cus"], features=ConfigurationFeatures())


def set_cancel_emails(on: bool) -> None:
    with session_scope() as db:
        update_email_settings(
            session=db,
            sender_name="Acme",
            sender_address="billing@example.com",
            send_subscription_updated=False,
            send_subscription_canceled=on,
            send_payment_method_updated=False,
        )


async def test_cancel_records_reason_audit_and_confirmation(customer: dict[str, str]) -> None:
    set_cancel_emails(True)
    gateway = RecordingGateway()
    await cancel_subscription(
        gateway=gateway,
        actor=actor_for(customer),  # type: ignore[arg-type]
        subscription_id=customer["sub"],
        reason="too_expensive",
        comment="  pricey  ",
        nonce="n1",
    )
    ((kind, call),) = gateway.calls
    assert kind == "cancel"
    assert call["at_period_end"] and call["feedback"] == "too_expensive"
    assert call["intent"] == f"bps_test:{customer['sub']}:cancel:n1"
    with Session(get_engine()) as db:
        mirror = db.get(MirrorSubscription, customer["sub"])
        assert mirror is not None and mirror.cancel_at_period_end
        feedback = db.exec(
            select(CancellationFeedback).where(CancellationFeedback.subscription == customer["sub"])
        ).one()
        assert (feedback.reason, feedback.comment) == ("too_expensive", "pricey")
        entry = db.exec(select(AuditEntry).where(AuditEntry.target == customer["sub"])).one()
        assert entry.before["cancel_at_period_end"] is False and entry.after["cancel_at_period_end"]
        mail = db.exec(select(OutboxEmail).where(OutboxEmail.to_address == customer["email"])).one()
        assert "Pro" in mail.text_body


async def test_no_confirmation_when_the_merchant_turned_it_off(customer: dict[str, str]) -> None:
    set_cancel_emails(False)
    await cancel_subscription(
        gateway=RecordingGateway(),
        actor=actor_for(customer),  # type: ignore[arg-type]
        subscription_id=customer["sub"],
        nonce="n2",
    )
    with Session(get_engine()) as db:
        assert (
            db.exec(select(OutboxEmail).where(OutboxEmail.to_address == customer["email"])).first()
            is None
        )


@pytest.mark.parametrize("bad", ["other", "sub_missing", None, 5, {"id": "x"}])
async def test_someone_elses_or_malformed_ids_are_refused(
    customer: dict[str, str], bad: Any
) -> None:
    gateway = RecordingGateway()
    target = customer.get(bad, bad) if isinstance(bad, str) else bad
    with pytest.raises(ActionRefused, match="not found"):
        await cancel_subscription(
            gateway=gateway,
            actor=actor_for(customer),  # type: ignore[arg-type]
            subscription_id=target,
            nonce="n3",
        )
    assert gateway.calls == []


async def test_bad_reason_and_renew_rules(customer: dict[str, str]) -> None:
    gateway = RecordingGateway()
    with pytest.raises(ActionRefused, match="reasons listed"):
        await cancel_subscription(
            gateway=gateway,
            actor=actor_for(customer),  # type: ignore[arg-type]
            subscription_id=customer["sub"],
            reason="hacker",
            nonce="n4",
        )
    with pytest.raises(ActionRefused, match="not set to cancel"):
        await renew_subscription(
            gateway=gateway,
            actor=actor_for(customer),  # type: ignore[arg-type]
            subscription_id=customer["sub"],
            nonce="n5",
        )
    assert gateway.calls == []
