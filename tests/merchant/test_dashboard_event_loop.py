"""The dashboard never makes the event loop wait on the database or on password hashing
(issue 14): a merchant's visit, driven through the handlers with every SQL statement made
slow, logs no slow callback (`tests/loop_watch.py`). The sign-in's Argon2 check (~140 ms
here) outlasts a statement's wait too, so it would show if it ran on the loop."""

from typing import Any
from urllib.parse import urlsplit

import pytest
from reflex.state import State
from sqlmodel import Session

from portal_app.billing.gateway import Gateway
from portal_app.models import Merchant
from portal_app.services.configurations import create_configuration, set_login_link
from portal_app.state.brand import BrandState
from portal_app.state.dashboard_api_keys import DashboardApiKeysState
from portal_app.state.dashboard_auth import DashboardAuthState
from portal_app.state.dashboard_branding import DashboardBrandingState
from portal_app.state.dashboard_catalogue import DashboardCatalogueState
from portal_app.state.dashboard_configurations import DashboardConfigurationsState
from portal_app.state.dashboard_customers import DashboardCustomersState
from portal_app.state.dashboard_email import DashboardEmailState
from portal_app.state.dashboard_login_link import DashboardLoginLinkState
from portal_app.state.login import LoginState
from tests.loop_watch import blocking_calls
from tests.support import substate, tab_at

# The stripe SDK's request to the sandbox (as in the catalogue's own tests).
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

# The new-configuration form as the browser submits it (ticked boxes send "on").
NEW_CONFIGURATION = {
    "business_name": "Acme",
    "active": "on",
    "cancel_mode": "at_period_end",
    "cancel_proration": "none",
    "update_proration": "none",
    "trial_update_behavior": "end_trial",
}


async def _visit(root: State, email: str, password: str) -> dict[str, Any]:
    """Sign in, open and save each page, sign out; what the pages showed."""
    auth = substate(root, DashboardAuthState)
    signed_in = await DashboardAuthState.log_in.fn(auth, {"email": email, "password": password})
    assert "/dashboard" in str(signed_in), auth.login_error
    assert await DashboardAuthState.require_merchant.fn(auth) is None

    configs = substate(root, DashboardConfigurationsState)
    await DashboardConfigurationsState.load.fn(configs)
    await DashboardConfigurationsState.save.fn(configs, NEW_CONFIGURATION)
    assert configs.notice == "Saved.", configs.errors

    customers = substate(root, DashboardCustomersState)
    await DashboardCustomersState.load.fn(customers)
    await DashboardCustomersState.search.fn(customers, {"query": "nobody"})

    keys = substate(root, DashboardApiKeysState)
    await DashboardApiKeysState.load.fn(keys)
    await DashboardApiKeysState.create.fn(keys, {"name": "ci"})
    await DashboardApiKeysState.revoke.fn(keys, keys.keys[0].id)

    branding = substate(root, DashboardBrandingState)
    await DashboardBrandingState.load.fn(branding)
    await DashboardBrandingState.save.fn(branding)

    email = substate(root, DashboardEmailState)
    await DashboardEmailState.load.fn(email)

    catalogue = substate(root, DashboardCatalogueState)
    await DashboardCatalogueState.load.fn(catalogue)
    await DashboardCatalogueState.new_product.fn(catalogue)
    await DashboardCatalogueState.save_product.fn(catalogue, {"name": "Loop plan"})

    link = substate(root, DashboardLoginLinkState)
    await DashboardLoginLinkState.activate.fn(link)

    assert "/dashboard/login" in str(await DashboardAuthState.log_out.fn(auth))
    return {
        "keys": [(k.name, k.revoked) for k in keys.keys],
        "brand": branding.notice,
        "product": catalogue.notice,
        "login_link": link.enabled,
    }


async def test_a_merchant_visit_keeps_the_loop_free(
    merchant: Merchant, password: str, gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    email = merchant.email  # read here: the fixture's row would load it on the loop
    async with blocking_calls(caplog) as slow:
        seen = await _visit(tab_at("/dashboard"), email, password)
    assert slow == [], slow
    assert seen["keys"] == [("ci", True)]
    assert seen["brand"].startswith("Saved.") and seen["product"].startswith("Product created")
    assert seen["login_link"] is True and gateway.stats.total_writes == 1


async def test_the_login_link_page_keeps_the_loop_free(
    db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    """The page a customer opens from the merchant's login link, with the shell's brand."""
    create_configuration(session=db, fields={"business_name": "Acme"}, price_lookup=None)
    url = set_login_link(session=db, enabled=True).login_page.url
    db.commit()
    assert url
    root = tab_at(urlsplit(url).path)
    page = substate(root, LoginState)
    async with blocking_calls(caplog) as slow:
        await BrandState.load_brand.fn(substate(root, BrandState))
        await LoginState.load.fn(page)
    assert slow == [], slow
    assert page.step == "email" and page._business_name == "Acme"
    assert substate(root, BrandState).brand.business_name == "Acme"
