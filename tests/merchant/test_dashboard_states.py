"""Dashboard handlers called directly, as a hostile client could call them."""

from dataclasses import asdict

import pytest
from reflex.state import State
from sqlmodel import Session, select

from portal_app.auth.api_keys import create_api_key
from portal_app.auth.merchants import create_merchant
from portal_app.models import Merchant, PortalConfiguration
from portal_app.services.configurations import create_configuration
from portal_app.state.dashboard_api_keys import DashboardApiKeysState
from portal_app.state.dashboard_auth import DashboardAuthState
from portal_app.state.dashboard_branding import DashboardBrandingState
from portal_app.state.dashboard_configurations import DashboardConfigurationsState
from portal_app.state.dashboard_customers import DashboardCustomersState
from portal_app.state.dashboard_embed import DashboardEmbedState
from tests.support import substate


def to_login(spec: object) -> bool:
    return "/dashboard/login" in str(spec)


@pytest.fixture
def root() -> State:
    return State(_reflex_internal_init=True)  # type: ignore[call-arg]


@pytest.fixture
async def signed_in(root: State, merchant: Merchant, password: str) -> State:
    auth = substate(root, DashboardAuthState)
    result = await DashboardAuthState.log_in.fn(
        auth, {"email": merchant.email, "password": password}
    )
    assert "/dashboard" in str(result) and auth._merchant_session_id
    return root


async def test_log_in_is_generic_and_keeps_the_session_server_side(
    root: State, merchant: Merchant, password: str
) -> None:
    auth = substate(root, DashboardAuthState)
    for form in ({"email": merchant.email, "password": "wrong"}, {"email": ["x"], "password": 1}):
        assert await DashboardAuthState.log_in.fn(auth, form) is None
        assert auth._merchant_session_id == ""
    assert auth.login_error == "Enter your email and password."
    await DashboardAuthState.log_in.fn(auth, {"email": merchant.email, "password": password})
    assert auth._merchant_session_id and "_merchant_session_id" not in auth.get_delta().get(
        auth.get_full_name(), {}
    )
    assert to_login(await DashboardAuthState.log_out.fn(auth))
    assert to_login(await DashboardAuthState.require_merchant.fn(auth))


async def test_handlers_refuse_without_a_session(root: State) -> None:
    keys = substate(root, DashboardApiKeysState)
    assert to_login(await DashboardApiKeysState.create.fn(keys, {"name": "x"}))
    assert keys.new_secret == ""
    branding = substate(root, DashboardBrandingState)
    assert to_login(await DashboardBrandingState.save.fn(branding))
    configs = substate(root, DashboardConfigurationsState)
    assert to_login(await DashboardConfigurationsState.save.fn(configs, {}))


async def test_api_keys_show_the_secret_once_and_only_own_keys_revoke(
    signed_in: State, db: Session, password: str
) -> None:
    keys = substate(signed_in, DashboardApiKeysState)
    await DashboardApiKeysState.create.fn(keys, {"name": "backend"})
    secret = keys.new_secret
    assert secret.startswith("sk_portal_")
    assert all(secret not in str(asdict(row)) for row in keys.keys)
    other = create_merchant(session=db, email="other@example.com", password=password)
    other_key, _ = create_api_key(session=db, merchant_id=other.id)
    db.commit()
    await DashboardApiKeysState.revoke.fn(keys, other_key.id)
    db.refresh(other_key)
    assert other_key.revoked_at is None
    await DashboardApiKeysState.load.fn(keys)
    assert keys.new_secret == ""


async def test_branding_ignores_unknown_fields_and_refusals_change_nothing(
    signed_in: State, db: Session
) -> None:
    view = create_configuration(session=db, fields={"business_name": "Acme"}, price_lookup=None)
    db.commit()
    branding = substate(signed_in, DashboardBrandingState)
    await DashboardBrandingState.load.fn(branding)
    await DashboardBrandingState.set_field.fn(branding, "_configuration_id", "bpc_other")
    await DashboardBrandingState.set_field.fn(branding, "headline", {"not": "text"})
    assert branding._configuration_id == view.id and branding.draft.headline == ""
    await DashboardBrandingState.set_field.fn(branding, "button_color", "#ffd700")
    assert "contrast ratio" in branding.contrast_warning
    await DashboardBrandingState.set_field.fn(branding, "background_color", "red")
    await DashboardBrandingState.save.fn(branding)
    assert branding.errors == {
        "background_color": "Enter a colour as #rrggbb, for example #0f62fe."
    }
    db.expire_all()
    stored = db.get(PortalConfiguration, view.id)
    assert stored is not None and stored.button_color == "#0f62fe"


async def test_ids_from_the_client_must_be_listed(signed_in: State, db: Session) -> None:
    create_configuration(session=db, fields={"business_name": "Acme"}, price_lookup=None)
    db.commit()
    configs = substate(signed_in, DashboardConfigurationsState)
    await DashboardConfigurationsState.load.fn(configs)
    opened = configs.selected_id
    await DashboardConfigurationsState.select.fn(configs, "bpc_not_listed")
    assert configs.selected_id == opened
    customers = substate(signed_in, DashboardCustomersState)
    await DashboardCustomersState.load.fn(customers)
    await DashboardCustomersState.choose.fn(customers, "cus_not_listed")
    assert customers.customer_id == ""
    await DashboardCustomersState.create_link.fn(
        customers, {"customer": "cus_not_in_mirror", "flow_type": "teleport"}
    )
    assert customers.errors == {"flow_type": "Choose one of the listed flows."}
    assert customers.link_url == ""


@pytest.mark.parametrize(
    ("origins", "says"),
    [
        ("https://a.example'", "is not an origin"),
        ("https://*.example", "is not an origin"),
        ("https://a.example:99999", "from 1 to 65535"),
        ("https://ok.example\nhttps://user@a.example", "is not an origin"),
    ],
)
async def test_embed_origins_are_refused_with_a_message_not_an_exception(
    signed_in: State, db: Session, origins: str, says: str
) -> None:
    create_configuration(session=db, fields={"business_name": "Acme"})
    db.commit()
    embed = substate(signed_in, DashboardEmbedState)
    await DashboardEmbedState.save.fn(embed, {"origins": origins})
    assert says in embed.error and embed.notice == ""
    assert embed.origins == origins  # kept for the merchant to correct
    stored = db.exec(select(PortalConfiguration)).one()
    db.refresh(stored)
    assert stored.frame_origins == []


async def test_embed_origins_are_normalised(signed_in: State, db: Session) -> None:
    create_configuration(session=db, fields={"business_name": "Acme"})
    db.commit()
    embed = substate(signed_in, DashboardEmbedState)
    await DashboardEmbedState.save.fn(
        embed, {"origins": "HTTPS://App.Example:8443/, http://[::1]:3000 https://b.example:443"}
    )
    assert embed.error == ""
    assert embed.origins == "https://app.example:8443\nhttp://[::1]:3000\nhttps://b.example"
