"""The Stripe-style parameter module: form decoding and names checked against the pinned SDK."""

import pytest
from stripe.params.billing_portal._configuration_create_params import ConfigurationCreateParams
from stripe.params.billing_portal._session_create_params import SessionCreateParams

from portal_app.services.configuration_document import ConfigurationError
from portal_app.services.stripe_params import (
    MAX_DEPTH,
    ParamError,
    check_params,
    decode_form,
    sdk_fields,
)


def test_brackets_nest_and_numbered_or_empty_brackets_make_lists() -> None:
    decoded = decode_form(
        [
            ("features[subscription_update][products][0][product]", "prod_1"),
            ("features[subscription_update][products][0][prices][]", "price_a"),
            ("features[subscription_update][products][0][prices][]", "price_b"),
            ("expand[]", "configuration"),
            ("metadata[team]", ""),
        ]
    )
    assert decoded == {
        "features": {
            "subscription_update": {
                "products": [{"product": "prod_1", "prices": ["price_a", "price_b"]}]
            }
        },
        "expand": ["configuration"],
        "metadata": {"team": ""},
    }


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("", "parameter_unknown"),
        ("[a]", "parameter_unknown"),
        ("a[b", "parameter_unknown"),
        ("a[b]c", "parameter_unknown"),
        ("a[[b]]", "parameter_unknown"),
        ("a" + "[b]" * MAX_DEPTH, "parameter_unknown"),
        ("a" + "[b]" * 1100, "parameter_unknown"),
        ("a[1001]", "parameter_invalid_integer"),
        ("a[99999999999999999999]", "parameter_invalid_integer"),
    ],
)
def test_malformed_names_are_typed_refusals(key: str, code: str) -> None:
    with pytest.raises(ParamError) as caught:
        decode_form([(key, "1")])
    assert caught.value.code == code


def test_a_name_used_as_value_and_object_is_refused_either_way() -> None:
    for pairs in ([("a", "1"), ("a[b]", "2")], [("a[b]", "2"), ("a", "1")]):
        with pytest.raises(ParamError) as caught:
            decode_form(pairs)
        assert caught.value.param == "a"


def test_names_come_from_the_sdk_without_request_options() -> None:
    assert set(sdk_fields(SessionCreateParams)) == {
        "after_expiration",
        "configuration",
        "customer",
        "customer_account",
        "expand",
        "flow_data",
        "locale",
        "on_behalf_of",
        "return_url",
    }
    assert "idempotency_key" not in sdk_fields(ConfigurationCreateParams)


def test_unknown_and_missing_names_are_found_at_any_depth() -> None:
    good = {
        "features": {
            "subscription_update": {
                "enabled": "true",
                "products": [
                    {
                        "product": "p",
                        "prices": ["x"],
                        "adjustable_quantity": {"enabled": "true", "maximum": "3"},
                    }
                ],
            }
        },
        "metadata": {"anything": "goes"},
    }
    check_params(good, ConfigurationCreateParams)
    bad = {"features": {"subscription_update": {"enabled": "true", "products": [{"x": "1"}]}}}
    with pytest.raises(ParamError) as caught:
        check_params(bad, ConfigurationCreateParams)
    assert (caught.value.code, caught.value.param) == (
        "parameter_unknown",
        "features[subscription_update][products][0][x]",
    )
    with pytest.raises(ParamError) as caught:
        check_params({"metadata": {}}, ConfigurationCreateParams)
    assert (caught.value.code, caught.value.param) == ("parameter_missing", "features")


def test_the_configuration_services_refusals_are_typed_param_errors() -> None:
    error = ConfigurationError("No such configuration: 'bpc_x'", "configuration")
    assert isinstance(error, ParamError) and error.code == "parameter_invalid"
    missing = ConfigurationError("x", "configuration", code="resource_missing")
    assert missing.code == "resource_missing"
