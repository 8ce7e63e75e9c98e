"""Stripe's `products[][adjustable_quantity]` bounds the quantity a customer may choose."""

import secrets

import pytest
from sqlmodel import Session

from portal_app.db import get_engine
from portal_app.models.configuration import ConfigurationFeatures
from portal_app.models.mirror import (
    MirrorPrice,
    MirrorProduct,
)
from portal_app.services.customer_actions import ActionRefused, Actor
from portal_app.services.plan_change import check_change
from tests import factories


def features(adjustable: dict[str, object] | None) -> ConfigurationFeatures:
    product: dict[str, object] = {"product": "prod_seats", "prices": ["price_seats"]}
    if adjustable is not None:
        product["adjustable_quantity"] = adjustable
    return ConfigurationFeatures.model_validate(
        {
            "subscription_update": {
                "enabled": True,
                "default_allowed_updates": ["price", "quantity"],
                "products": [product],
                "quantity": {"minimum": 1, "maximum": 50},
            }
        }
    )


def test_the_products_limits_win_over_the_portal_wide_ones() -> None:
    update = features({"enabled": True, "minimum": 3, "maximum": 7}).subscription_update
    assert update.quantity_limits("prod_seats") == (3, 7)
    assert update.quantity_limits("prod_other") == (1, 50)
    off = features({"enabled": False, "minimum": 3, "maximum": 7}).subscription_update
    assert off.quantity_limits("prod_seats") == (1, 50)


@pytest.fixture
def subscription(db_tables: None) -> dict[str, str]:
    tag = secrets.token_hex(4)
    ids = {"cus": f"cus_q{tag}", "sub": f"sub_q{tag}"}
    with Session(get_engine()) as db:
        if db.get(MirrorProduct, "prod_seats") is None:
            db.add(MirrorProduct(id="prod_seats", name="Seats"))
        if db.get(MirrorPrice, "price_seats") is None:
            db.add(
                MirrorPrice(
                    id="price_seats",
                    product="prod_seats",
                    currency="usd",
                    unit_amount=500,
                    recurring_interval="month",
                )
            )
        factories.mirror_customer(db, customer_id=ids["cus"], email=f"q{tag}@example.com")
        factories.mirror_subscription(
            db,
            customer=ids["cus"],
            subscription_id=ids["sub"],
            price="price_seats",
            quantity=4,
            item_id=f"si_q{tag}",
        )
        db.commit()
    return ids


@pytest.mark.parametrize(("quantity", "allowed"), [(2, False), (3, True), (7, True), (8, False)])
def test_a_change_outside_the_products_limits_is_refused(
    subscription: dict[str, str], quantity: int, allowed: bool
) -> None:
    actor = Actor(
        session_id="bps_q",
        customer=subscription["cus"],
        features=features({"enabled": True, "minimum": 3, "maximum": 7}),
    )
    with Session(get_engine()) as db:
        if allowed:
            request = check_change(
                session=db,
                actor=actor,
                subscription_id=subscription["sub"],
                price_id="price_seats",
                quantity=quantity,
            )
            assert request.quantity == quantity
        else:
            with pytest.raises(ActionRefused, match="from 3 to 7"):
                check_change(
                    session=db,
                    actor=actor,
                    subscription_id=subscription["sub"],
                    price_id="price_seats",
                    quantity=quantity,
                )
