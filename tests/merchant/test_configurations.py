"""Portal configuration rules: Stripe's defaults, validation, the default, the login link."""

from collections.abc import Callable

import pytest
from sqlmodel import Session

from portal_app.services import configurations as svc
from portal_app.services.branding import button_contrast_warning, contrast_ratio
from portal_app.services.configuration_document import ConfigurationError
from portal_app.services.configuration_views import ConfigurationView


def create(db: Session, **fields: object) -> ConfigurationView:
    return svc.create_configuration(session=db, fields={"business_name": "Acme", **fields})


def features_with(subscription_update: dict[str, object]) -> dict[str, object]:
    return {"features": {"subscription_update": subscription_update}}


def test_new_configuration_has_stripes_defaults(db: Session) -> None:
    view = create(db)
    features = view.features
    assert view.id.startswith("bpc_") and view.is_default and view.active and not view.livemode
    assert features.subscription_update.enabled is False
    assert features.subscription_update.default_allowed_updates == [
        "price",
        "quantity",
        "promotion_code",
    ]
    assert features.subscription_update.proration_behavior == "none"
    assert features.subscription_update.trial_update_behavior == "end_trial"
    assert (
        features.subscription_cancel.enabled
        and features.subscription_cancel.mode == "at_period_end"
    )
    assert features.subscription_cancel.cancellation_reason.enabled
    assert len(features.subscription_cancel.cancellation_reason.options) == 8
    assert features.subscription_cancel.retention.enabled is False
    assert features.customer_update.allowed_updates == ["name", "email", "address", "phone"]
    assert features.payment_method_update.enabled and features.invoice_history.enabled
    assert view.login_page.enabled is False and view.login_page.url is None


@pytest.mark.parametrize(
    ("fields", "param", "message"),
    [
        ({"business_name": "  "}, "business_name", "business name"),
        ({"default_return_url": "javascript:alert(1)"}, "default_return_url", "http"),
        (
            {"business_profile": {"privacy_policy_url": "ftp://x"}},
            "business_profile[privacy_policy_url]",
            "http",
        ),
        ({"branding": {"button_color": "blue"}}, "branding[button_color]", "#rrggbb"),
        ({"branding": {"font": "comic"}}, "branding[font]", "font"),
        ({"branding": {"shape": "blob"}}, "branding[shape]", "shape"),
        ({"business_profile": {"headline": "x" * 61}}, "business_profile[headline]", "60"),
        (
            {"features": {"subscription_cancel": {"mode": "someday"}}},
            "features[subscription_cancel][mode]",
            "Invalid value",
        ),
        ({"features": {"bogus": {}}}, "features[bogus]", "unknown parameter"),
        ({"surprise": "1"}, "surprise", "unknown parameter"),
        (
            {"features": {"subscription_update": {"enabled": "true"}}},
            "features[subscription_update][products]",
            "at least one product",
        ),
        (
            {"features": {"subscription_cancel": {"retention": {"enabled": "true"}}}},
            "features[subscription_cancel][retention][coupon]",
            "coupon",
        ),
        (
            {"features": {"subscription_update": {"quantity": {"minimum": "5", "maximum": "2"}}}},
            "features[subscription_update][quantity][maximum]",
            "maximum",
        ),
    ],
)
def test_invalid_fields_are_refused_with_their_param(
    db: Session, fields: dict[str, object], param: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        create(db, **fields)
    assert caught.value.param == param


def test_one_price_per_interval_and_currency(db: Session, add_price: Callable[..., None]) -> None:
    add_price("price_month", "prod_a")
    add_price("price_month_2", "prod_a")
    add_price("price_year", "prod_a", interval="year")
    add_price("price_month_eur", "prod_a", currency="eur")
    ok = {
        "products": [
            {"product": "prod_a", "prices": ["price_month", "price_year", "price_month_eur"]}
        ]
    }
    view = create(db, features={"subscription_update": {"enabled": True, **ok}})
    assert view.features.subscription_update.products[0].prices == [
        "price_month",
        "price_year",
        "price_month_eur",
    ]
    clash = {"products": [{"product": "prod_a", "prices": ["price_month", "price_month_2"]}]}
    with pytest.raises(
        ConfigurationError, match="at most one price per billing interval"
    ) as caught:
        svc.update_configuration(
            session=db,
            configuration_id=view.id,
            fields={"features": {"subscription_update": clash}},
        )
    assert caught.value.param == "features[subscription_update][products][0][prices]"
    unknown = {"products": [{"product": "prod_a", "prices": ["price_nope"]}]}
    with pytest.raises(ConfigurationError, match="No such price"):
        svc.update_configuration(
            session=db,
            configuration_id=view.id,
            fields={"features": {"subscription_update": unknown}},
        )


def test_updates_merge_nested_objects_and_unset_with_empty_strings(db: Session) -> None:
    view = create(
        db,
        default_return_url="https://example.com/account",
        metadata={"team": "billing", "tier": "gold"},
    )
    updated = svc.update_configuration(
        session=db,
        configuration_id=view.id,
        fields={
            "features": {"subscription_cancel": {"mode": "immediately"}},
            "default_return_url": "",
            "metadata": {"tier": ""},
        },
    )
    assert updated.features.subscription_cancel.mode == "immediately"
    assert updated.features.subscription_cancel.enabled is True
    assert updated.default_return_url is None
    assert updated.metadata == {"team": "billing"}


def test_one_default_at_a_time_and_default_stays_active(db: Session) -> None:
    first = create(db)
    second = create(db)
    assert first.is_default and not second.is_default
    svc.make_default(session=db, configuration_id=second.id)
    defaults, _ = svc.list_configurations(session=db, is_default=True)
    assert [view.id for view in defaults] == [second.id]
    with pytest.raises(ConfigurationError, match="cannot be deactivated"):
        svc.update_configuration(session=db, configuration_id=second.id, fields={"active": False})
    svc.update_configuration(session=db, configuration_id=first.id, fields={"active": False})
    with pytest.raises(ConfigurationError, match="Activate"):
        svc.make_default(session=db, configuration_id=first.id)


def test_contrast_warning_is_a_warning_not_an_error(db: Session) -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert button_contrast_warning("#0f62fe") is None
    warning = button_contrast_warning("#ffd700")
    assert warning is not None and "contrast ratio" in warning
    assert create(db, branding={"button_color": "#FFD700"}).branding.button_color == "#ffd700"


def test_login_link_switches_on_and_off_at_once(db: Session) -> None:
    view = create(db)
    on = svc.set_login_link(session=db, enabled=True)
    assert on.login_page.enabled and on.login_page.url
    token = on.login_page.url.rsplit("/", 1)[1]
    found = svc.configuration_for_login_token(session=db, token=token)
    assert found is not None and found.id == view.id
    off = svc.set_login_link(session=db, enabled=False)
    assert off.login_page.url is None
    assert svc.configuration_for_login_token(session=db, token=token) is None
    assert svc.set_login_link(session=db, enabled=True).login_page.url == on.login_page.url
    assert svc.configuration_for_login_token(session=db, token="nope") is None


def test_list_pages_newest_first(db: Session) -> None:
    ids = [create(db).id for _ in range(5)]
    page, more = svc.list_configurations(session=db, limit=2)
    assert [v.id for v in page] == ids[::-1][:2] and more
    page2, more2 = svc.list_configurations(session=db, limit=2, starting_after=page[-1].id)
    assert [v.id for v in page2] == ids[::-1][2:4] and more2
    back, _ = svc.list_configurations(session=db, limit=2, ending_before=page2[0].id)
    assert [v.id for v in back] == [v.id for v in page]


def test_the_dashboards_product_list_keeps_what_the_api_set_per_product(db: Session) -> None:
    view = create(db)
    with_limits = {
        "enabled": False,
        "products": [
            {
                "product": "prod_a",
                "prices": ["price_a"],
                "adjustable_quantity": {"enabled": True, "minimum": 2, "maximum": 8},
            }
        ],
    }
    svc.update_configuration(
        session=db,
        configuration_id=view.id,
        fields=features_with(with_limits),
        price_lookup=None,
    )
    # The dashboard's form sends products and prices only.
    form = {"products": [{"product": "prod_a", "prices": ["price_a", "price_b"]}]}
    again = svc.update_configuration(
        session=db, configuration_id=view.id, fields=features_with(form), price_lookup=None
    )
    product = again.features.subscription_update.products[0]
    assert product.prices == ["price_a", "price_b"]
    assert (product.adjustable_quantity.enabled, product.adjustable_quantity.maximum) == (True, 8)
    reset = {
        "products": [
            {"product": "prod_a", "prices": ["price_a"], "adjustable_quantity": {"enabled": False}}
        ]
    }
    cleared = svc.update_configuration(
        session=db, configuration_id=view.id, fields=features_with(reset), price_lookup=None
    )
    assert cleared.features.subscription_update.products[0].adjustable_quantity.enabled is False
