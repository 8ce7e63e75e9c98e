"""Every public handler of the customer portal, called as a hostile client would call it.

Customer A is signed in. Each handler gets customer B's ids, malformed values, and is also
called with no session and with an expired one. None may crash, none may reach Stripe, and
none may put B's data (or any secret) into the state the browser receives.
"""

import inspect
import itertools
import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from reflex.state import State
from sqlmodel import Session

from portal_app.db import get_engine
from portal_app.models.configuration import default_features
from portal_app.models.mirror import (
    MirrorInvoice,
    MirrorPaymentMethod,
    MirrorPrice,
    MirrorProduct,
    MirrorTaxId,
)
from portal_app.state import (
    customer_action,
)
from portal_app.state.billing_details import BillingDetailsState
from portal_app.state.cancel import CancelState
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.flow import FlowState
from portal_app.state.invoices import InvoicePaymentState
from portal_app.state.login import LoginState
from portal_app.state.payment_methods import PaymentMethodsState
from portal_app.state.plan_change import PlanChangeState
from portal_app.state.portal import PortalState
from portal_app.state.session_link import SessionLinkState
from tests import factories
from tests.support import substate

CUSTOMER_STATES = [
    PortalState,
    CancelState,
    PlanChangeState,
    PaymentMethodsState,
    BillingDetailsState,
    InvoicePaymentState,
    FlowState,
    LoginState,
    SessionLinkState,
]


class GatewayTrap:
    """Stands in for Stripe: any call is recorded (and fails), so a test can prove none came."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        async def record(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            raise AssertionError(f"hostile input reached Stripe: {name}")

        return record


@pytest.fixture
def world(db_tables: None) -> Iterator[dict[str, str]]:
    """Customers A and B, each with a subscription, card, invoice and tax ID; A signed in."""
    tag = secrets.token_hex(4)
    ids = {
        key: f"{prefix}_{key}{tag}"
        for key, prefix in [
            ("cus_a", "cus"),
            ("cus_b", "cus"),
            ("sub_a", "sub"),
            ("sub_b", "sub"),
            ("pm_a", "pm"),
            ("pm_b", "pm"),
            ("in_a", "in"),
            ("in_b", "in"),
            ("txi_b", "txi"),
            ("price", "price"),
            ("prod", "prod"),
        ]
    }
    now = datetime.now(UTC)
    with Session(get_engine()) as db:
        features = default_features()
        features["subscription_update"].update(
            enabled=True, products=[{"product": ids["prod"], "prices": [ids["price"]]}]
        )
        features["customer_update"]["allowed_updates"].append("tax_id")
        config = factories.configuration(db, id=f"bpc_{tag}", features=features)
        db.add(MirrorProduct(id=ids["prod"], name="Pro"))
        db.add(
            MirrorPrice(
                id=ids["price"],
                product=ids["prod"],
                currency="usd",
                unit_amount=1000,
                recurring_interval="month",
                recurring_interval_count=1,
            )
        )
        for who in ("a", "b"):
            cus, sub = ids[f"cus_{who}"], ids[f"sub_{who}"]
            factories.mirror_customer(
                db,
                customer_id=cus,
                email=f"{who}-{tag}@example.com",
                name=f"Secret {who}",
                default_payment_method=ids[f"pm_{who}"],
                created=now,
            )
            factories.mirror_subscription(
                db,
                customer=cus,
                subscription_id=sub,
                price=ids["price"],
                item_id=f"si_{who}{tag}",
                currency="usd",
                current_period_end=now + timedelta(days=10),
            )
            db.add(
                MirrorPaymentMethod(
                    id=ids[f"pm_{who}"],
                    customer=cus,
                    type="card",
                    card_brand="visa",
                    card_last4="4242" if who == "a" else "8431",
                )
            )
            db.add(
                MirrorInvoice(
                    id=ids[f"in_{who}"],
                    customer=cus,
                    status="open",
                    currency="usd",
                    total=1000,
                    amount_due=1000,
                    amount_remaining=1000,
                    created=now,
                )
            )
        db.add(MirrorTaxId(id=ids["txi_b"], customer=ids["cus_b"], type="eu_vat", value="DE999"))
        live = factories.live_portal_session(
            db, customer=ids["cus_a"], configuration_id=config.id, now=now
        )
        stale = factories.live_portal_session(
            db,
            customer=ids["cus_a"],
            configuration_id=config.id,
            now=now,
            redeemed_at=now - timedelta(hours=3),
            last_activity_at=now - timedelta(hours=2),
        )
        db.commit()
        ids.update(live=live.id, stale=stale.id)
    yield ids


def hostile_values(ids: dict[str, str]) -> list[Any]:
    return [
        ids["sub_b"],
        ids["pm_b"],
        ids["in_b"],
        ids["txi_b"],
        ids["cus_b"],
        None,
        12,
        -1,
        "",
        "x" * 5000,
        "sub_' OR 1=1 --",
        {"email": ids["cus_b"]},
        ["a"],
        {"price": [1]},
    ]


def handlers() -> Iterator[tuple[type, str, Any]]:
    for cls in CUSTOMER_STATES:
        for name, handler in cls.event_handlers.items():
            # `setvar` is Reflex's generic setter: checked on its own below.
            if not name.startswith("_") and name != "setvar":
                yield cls, name, handler


async def call(handler: Any, state: Any, args: tuple[Any, ...]) -> None:
    result = handler.fn(state, *args)
    if inspect.isasyncgen(result):
        async for _ in result:
            pass
    elif inspect.isawaitable(result):
        await result


def client_view(root: State) -> str:
    """Everything the browser would receive for this tab."""
    return json.dumps(root.dict(), default=str)


@pytest.mark.parametrize("session_key", ["live", "stale", "none"])
async def test_hostile_calls_change_nothing_and_leak_nothing(
    world: dict[str, str], monkeypatch: pytest.MonkeyPatch, session_key: str
) -> None:
    trap = GatewayTrap()
    monkeypatch.setattr(customer_action, "gateway", lambda: trap)
    values = hostile_values(world)
    calls = 0
    for cls, name, handler in handlers():
        arity = len(inspect.signature(handler.fn).parameters) - 1
        for args in itertools.islice(itertools.product(values, repeat=arity), 40):
            root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
            substate(root, CustomerSessionState)._session_id = world.get(session_key, "")
            state = substate(root, cls)
            await call(handler, state, args)
            calls += 1
            seen = client_view(root)
            for secret in ("cus_b", "sub_b", "pm_b", "in_b", "txi_b"):
                assert world[secret] not in seen, f"{cls.__name__}.{name}{args} leaked {secret}"
            assert "Secret b" not in seen and "8431" not in seen
            assert world["live"] not in seen, f"{cls.__name__}.{name} exposed the session id"
    assert trap.calls == []
    assert calls > 100


async def test_own_data_loads_and_session_id_stays_server_side(world: dict[str, str]) -> None:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    substate(root, CustomerSessionState)._session_id = world["live"]
    portal = substate(root, PortalState)
    await call(PortalState.load, portal, ())
    assert portal.signed_in
    assert [s.id for s in portal.subscriptions] == [world["sub_a"]]
    seen = client_view(root)
    assert world["sub_a"] in seen and world["live"] not in seen and world["sub_b"] not in seen


@pytest.mark.parametrize("cls", [*CUSTOMER_STATES, CustomerSessionState])
def test_no_var_can_be_set_from_the_browser(cls: type, world: dict[str, str]) -> None:
    """Without auto setters, Reflex's generic `setvar` event has nothing it may set."""
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = substate(root, cls)
    private = [n for n in getattr(cls, "__annotations__", {}) if n.startswith("_") and n[1] != "_"]
    if cls is CustomerSessionState:
        assert "_session_id" in private
    for name in [*cls.base_vars, *private]:
        before = getattr(state, name)
        with pytest.raises(AttributeError):
            cls.event_handlers["setvar"].fn(state, name, world["cus_b"])
        assert getattr(state, name) == before
