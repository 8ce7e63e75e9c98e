"""Stripe's Node SDK (the `stripe` npm package, pinned in scripts/test.sh) against the merchant API.

A merchant's Node backend must work as the Python one does: create, retrieve, update and
list (auto-paging) configurations, create a session with `expand`, and get Stripe's typed
errors. The script runs in `node` against the API server of the test run.
"""

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / ".tools" / "js" / "node_modules"
PINNED = "23.2.0"  # keep equal to STRIPE_NODE_VERSION in scripts/test.sh

SCRIPT = r"""
const Stripe = require("stripe");
const [key, base] = process.argv.slice(2);
const url = new URL(base);
const stripe = new Stripe(key, {
  host: url.hostname, port: Number(url.port), protocol: "http", maxNetworkRetries: 0,
});

(async () => {
  const out = {version: Stripe.PACKAGE_VERSION};
  const features = {
    invoice_history: {enabled: true},
    subscription_update: {
      enabled: true,
      default_allowed_updates: ["price", "quantity"],
      products: [{
        product: "prod_node",
        prices: ["price_node_month"],
        adjustable_quantity: {enabled: true, minimum: 2, maximum: 5},
      }],
    },
  };
  const first = await stripe.billingPortal.configurations.create({
    features, business_profile: {headline: "Node"}, x_portal: {business_name: "Node Co"},
  });
  const created = await stripe.billingPortal.configurations.create({
    features, metadata: {source: "node"}, x_portal: {business_name: "Node Co"},
  });
  out.created = created;
  out.retrieved = await stripe.billingPortal.configurations.retrieve(created.id);
  out.updated = await stripe.billingPortal.configurations.update(created.id, {
    name: "From Node", features: {invoice_history: {enabled: false}},
  });
  out.listed = [];
  for await (const config of stripe.billingPortal.configurations.list({limit: 1})) {
    out.listed.push(config.id);
  }
  out.first = first.id;
  out.session = await stripe.billingPortal.sessions.create({
    customer: "cus_node",
    configuration: created.id,
    expand: ["configuration"],
    flow_data: {type: "subscription_update", subscription_update: {subscription: "sub_node"}},
  });
  for (const [name, params] of [
    ["missing", {customer: "cus_missing"}],
    ["unknown", {customer: "cus_node", bogus: "1"}],
  ]) {
    try {
      await stripe.billingPortal.sessions.create(params);
      out[name] = null;
    } catch (error) {
      out[name] = {
        class: error.constructor.name, type: error.type, code: error.code,
        param: error.param, status: error.statusCode, requestId: error.requestId,
      };
    }
  }
  process.stdout.write(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(1); });
"""


def _node_result(api_server: str, api_key: str, tmp_path: Path) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "stripe").is_dir():
        pytest.skip("node and the stripe npm package are needed (scripts/test.sh installs them)")
    script = tmp_path / "merchant.cjs"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [node, str(script), api_key, api_server],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_node_sdk_drives_the_merchant_api(
    api_server: str,
    api_key: str,
    tmp_path: Path,
    add_customer: Callable[..., None],
    add_price: Callable[..., None],
) -> None:
    add_customer("cus_node", "node@example.com", "Node")
    add_price("price_node_month", "prod_node")
    out = _node_result(api_server, api_key, tmp_path)
    assert out["version"] == PINNED
    created = out["created"]
    assert created["object"] == "billing_portal.configuration"
    product = created["features"]["subscription_update"]["products"][0]
    assert product["adjustable_quantity"] == {"enabled": True, "minimum": 2, "maximum": 5}
    assert created["x_portal"]["business_name"] == "Node Co"
    assert created["metadata"] == {"source": "node"}
    assert out["retrieved"] == created
    assert out["updated"]["name"] == "From Node"
    assert out["updated"]["features"]["invoice_history"]["enabled"] is False
    assert out["updated"]["features"]["subscription_update"]["products"] == [product]
    # Auto-paging one at a time walked both configurations, newest first.
    assert out["listed"] == [created["id"], out["first"]]
    session = out["session"]
    assert session["object"] == "billing_portal.session" and session["customer"] == "cus_node"
    assert session["configuration"]["id"] == created["id"]
    assert session["flow"]["subscription_update"] == {"subscription": "sub_node"}
    assert out["missing"]["class"] == "StripeInvalidRequestError"
    assert (out["missing"]["status"], out["missing"]["code"], out["missing"]["param"]) == (
        400,
        "resource_missing",
        "customer",
    )
    assert out["missing"]["requestId"].startswith("req_")
    assert (out["unknown"]["code"], out["unknown"]["param"]) == ("parameter_unknown", "bogus")
