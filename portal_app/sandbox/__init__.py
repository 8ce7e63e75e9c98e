"""The embedded Stripe-compatible sandbox: the default backend when no Stripe key is set.

Mounted at `/sandbox` (`build_sandbox_app` in `app.py`), so the stripe SDK's API base is
`settings.sandbox_url`. State lives in its own database (`database.py`:
`PORTAL_SANDBOX_DATABASE_URL`, else `sandbox.db` in the data directory), one JSON document per
Stripe object; the portal reaches it only over HTTP, like Stripe. Beside Stripe's `/v1/...`
endpoints, Stripe's test clocks included (`/v1/test_helpers/test_clocks`), it serves:

- `POST|GET|DELETE /v1/test_helpers/faults` (`mode=429|500|timeout`, `count` or `rate`,
  `path_prefix`, `delay_ms`)
- `GET|POST /v1/test_helpers/account` (`business_name`, `primary_color`, `logo_url`: the
  branding on invoices, hosted invoice pages and PDFs, as the Stripe Dashboard sets it)
- `POST /v1/test_helpers/deliver_events` (delivers pending webhooks now; answers how many)
- `GET /hosted/invoices/{id}/{token}[/pdf]` (the hosted invoice page and its PDF)

It is as strict as Stripe for the pinned `stripe` package's API version, derived from that
package: `schema.py` checks every request against the SDK's generated params `TypedDict` for
its route (unknown, missing, mistyped, out-of-enum and un-unsettable parameters, removed ones
with Stripe's own code), `schema_objects.py` checks `expand` paths against the resource
classes and shapes every response and webhook object to exactly its class's fields. Only
the test helpers above have hand-written specs (`SANDBOX_ROUTES`).
"""
