"""The embedded Stripe-compatible sandbox: the default backend when no Stripe key is set.

Mounted at `/sandbox` (`build_sandbox_app` in `app.py`), so the stripe SDK's API base is
`settings.sandbox_url`. State lives in its own database (`database.py`:
`PORTAL_SANDBOX_DATABASE_URL`, else `sandbox.db` in the data directory), one JSON document per
Stripe object; the portal reaches it only over HTTP, like Stripe. Beside Stripe's `/v1/...`
endpoints, Stripe's test clocks included (`/v1/test_helpers/test_clocks`), it serves:

- `POST|GET|DELETE /v1/test_helpers/faults` (`mode=429|500|timeout`, `count` or `rate`,
  `path_prefix`, `delay_ms`)
- `POST /v1/test_helpers/deliver_events` (delivers pending webhooks now; answers how many)
- `GET /hosted/invoices/{id}/{token}[/pdf]` (the hosted invoice page and its PDF)
"""
