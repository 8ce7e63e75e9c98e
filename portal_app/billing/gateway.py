"""The gateway: the one place that talks to Stripe (or the embedded sandbox).

Every call is async, returns plain dicts, is counted in `Gateway.stats`, and turns Stripe's
errors into the portal's own (`portal_app.billing.errors`). Every write carries an
idempotency key derived from the caller's `intent`, so a double click or a retry after a
timeout makes one change. The SDK retries network failures and 5xx (honouring
`Stripe-Should-Retry`) with backoff and the same idempotency key; card errors and invalid
requests are never retried.
"""

import hashlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from typing import Any, Literal

import stripe

from portal_app.billing.errors import (
    AuthenticationFailed,
    BillingError,
    CardDeclined,
    InvalidRequest,
    RateLimited,
    StripeUnavailable,
    WebhookSignatureInvalid,
)
from portal_app.i18n.billing_errors import card_refusal
from portal_app.settings import Settings, get_settings

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 10.0
MAX_NETWORK_RETRIES = 2
WEBHOOK_TOLERANCE_SECONDS = 300
PAGE_SIZE = 100

CUSTOMER_FIELDS = frozenset({"name", "email", "address", "phone", "shipping", "preferred_locales"})
PRODUCT_FIELDS = frozenset(
    {
        "name",
        "description",
        "active",
        "images",
        "tax_code",
        "statement_descriptor",
        "unit_label",
        "metadata",
        "default_price",
    }
)
PRICE_FIELDS = frozenset({"active", "nickname", "lookup_key", "metadata", "tax_behavior"})

ProrationBehavior = Literal["create_prorations", "none", "always_invoice"]
Kind = Literal["read", "write"]


@dataclass
class GatewayStats:
    """How many Stripe calls this process made, per operation, split into reads and writes."""

    reads: Counter[str] = field(default_factory=Counter)
    writes: Counter[str] = field(default_factory=Counter)

    @property
    def total_reads(self) -> int:
        return sum(self.reads.values())

    @property
    def total_writes(self) -> int:
        return sum(self.writes.values())

    def reset(self) -> None:
        self.reads.clear()
        self.writes.clear()


def idempotency_key(*, operation: str, intent: str) -> str:
    """The Idempotency-Key for one intended change: the same intent always maps to one key."""
    digest = hashlib.sha256(f"{operation}\n{intent}".encode()).hexdigest()
    return f"portal-{digest}"


# The API version the portal is written and tested for (the pinned SDK's own version), sent
# explicitly so an account's default version never changes what the portal receives.
API_VERSION = "2026-10-28.endive"
APP_NAME = "portal-app"


def _app_version() -> str:
    try:
        return metadata.version(APP_NAME)
    except metadata.PackageNotFoundError:
        return "0"


def build_client(
    *,
    settings: Settings | None = None,
    timeout: float = REQUEST_TIMEOUT_SECONDS,
    max_network_retries: int = MAX_NETWORK_RETRIES,
) -> stripe.StripeClient:
    """A Stripe client for real Stripe when a secret key is set, else for the sandbox."""
    settings = settings or get_settings()
    # Stripe's SDK keeps app info process-wide (StripeClient has no option for it); it goes
    # into every request's User-Agent so Stripe can tell the portal's traffic apart.
    stripe.set_app_info(APP_NAME, version=_app_version())
    http_client = stripe.HTTPXClient(timeout=timeout)
    if settings.stripe_secret_key is not None:
        return stripe.StripeClient(
            settings.stripe_secret_key.get_secret_value(),
            stripe_version=API_VERSION,
            http_client=http_client,
            max_network_retries=max_network_retries,
        )
    return stripe.StripeClient(
        settings.sandbox_api_key,
        stripe_version=API_VERSION,
        base_addresses={"api": settings.sandbox_url},
        http_client=http_client,
        max_network_retries=max_network_retries,
    )


def uses_payment_element(settings: Settings | None = None) -> bool:
    """Whether browsers collect cards with Stripe.js's Payment Element (real Stripe), rather
    than the embedded sandbox's own card fields (Stripe.js cannot talk to the sandbox). The
    one difference pages must know; decided here, beside the choice of API base."""
    return (settings or get_settings()).stripe_secret_key is not None


def portal_error(error: stripe.StripeError) -> BillingError:
    """The portal's error for a Stripe error; messages never carry keys or request ids."""
    detail = f"{type(error).__name__} (HTTP {error.http_status}, code {error.code})"
    if isinstance(error, stripe.CardError):
        body = error.error
        decline_code = getattr(body, "decline_code", None) if body else None
        return CardDeclined(
            f"{detail}: {error.user_message}",
            # Worded from the codes: the issuer's text can be long, technical or English.
            user_message=card_refusal(error.code, decline_code),
            decline_code=decline_code,
        )
    if isinstance(error, stripe.IdempotencyError):
        return InvalidRequest(
            detail,
            user_message="This change was already requested with other details. Start again.",
        )
    if isinstance(error, stripe.InvalidRequestError):
        return InvalidRequest(f"{detail}: {error.user_message}", param=error.param, code=error.code)
    if isinstance(error, stripe.RateLimitError):
        return RateLimited(detail)
    if isinstance(error, stripe.APIConnectionError | stripe.APIError):
        return StripeUnavailable(detail)
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        # Stripe's message for a bad key quotes part of it; keep it out of logs and screens.
        return AuthenticationFailed(detail)
    return BillingError(detail)


def verify_webhook(
    *,
    payload: bytes,
    signature: str | None,
    secret: str,
    tolerance: int = WEBHOOK_TOLERANCE_SECONDS,
) -> dict[str, Any]:
    """The event in a webhook body after checking its `Stripe-Signature` and its age (and
    that a live event is not dated beyond `tolerance` ahead of now)."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance)
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureInvalid(str(error)) from error
    except ValueError as error:
        raise WebhookSignatureInvalid("the body is not a JSON event") from error
    # Stripe's check bounds only the past: an event dated ahead would outrank later genuine
    # updates in the mirror, so a live event dated beyond the tolerance is refused. Test-mode
    # events may be: objects on a test clock live at the clock's time, which can be ahead.
    data = plain(event)
    created = data.get("created")
    if not isinstance(created, int) or (
        data.get("livemode") is not False and created > time.time() + tolerance
    ):
        raise WebhookSignatureInvalid("the event's created time is missing or in the future")
    return data


def plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as plain JSON-ready data."""
    if isinstance(obj, stripe.StripeObject):
        return obj.to_dict(for_json=True)
    return dict(obj)


class Gateway:
    """The operations the portal needs from Stripe, each one async and counted."""

    def __init__(self, client: stripe.StripeClient, *, stats: GatewayStats | None = None) -> None:
        self._v1 = client.v1
        self.stats = stats or GatewayStats()

    async def _send(self, operation: str, kind: Kind, call: Awaitable[Any]) -> dict[str, Any]:
        (self.stats.reads if kind == "read" else self.stats.writes)[operation] += 1
        try:
            return plain(await call)
        except stripe.StripeError as error:
            mapped = portal_error(error)
            # A warning, not an error: declines and outages are expected and shown to the user.
            logger.warning("stripe %s failed: %s", operation, mapped)
            raise mapped from error

    async def _read(self, operation: str, call: Awaitable[Any]) -> dict[str, Any]:
        return await self._send(operation, "read", call)

    async def _write(
        self,
        operation: str,
        intent: str,
        call: Callable[[stripe.RequestOptions], Awaitable[Any]],
    ) -> dict[str, Any]:
        options: stripe.RequestOptions = {
            "idempotency_key": idempotency_key(operation=operation, intent=intent)
        }
        return await self._send(operation, "write", call(options))

    async def _pages(
        self,
        operation: str,
        fetch: Callable[[Any], Awaitable[Any]],
        params: Mapping[str, Any],
    ) -> AsyncIterator[dict[str, Any]]:
        starting_after: str | None = None
        while True:
            page_params = {**params, "limit": PAGE_SIZE}
            if starting_after:
                page_params["starting_after"] = starting_after
            page = await self._read(operation, fetch(page_params))
            items: list[dict[str, Any]] = page.get("data", [])
            for item in items:
                yield item
            if not page.get("has_more") or not items:
                return
            starting_after = items[-1]["id"]

    # Customers

    async def retrieve_customer(self, *, customer_id: str) -> dict[str, Any]:
        return await self._read(
            "customers.retrieve", self._v1.customers.retrieve_async(customer_id)
        )

    async def update_customer(
        self, *, customer_id: str, changes: Mapping[str, Any], intent: str
    ) -> dict[str, Any]:
        """Change billing details: any of name, email, address, phone, shipping, locales."""
        unknown = set(changes) - CUSTOMER_FIELDS
        if unknown:
            raise ValueError(f"not customer fields the portal may change: {sorted(unknown)}")
        params: Any = dict(changes)
        return await self._write(
            "customers.update",
            intent,
            lambda options: self._v1.customers.update_async(customer_id, params, options),
        )

    async def set_default_payment_method(
        self, *, customer_id: str, payment_method_id: str, intent: str
    ) -> dict[str, Any]:
        return await self._write(
            "customers.update.default_payment_method",
            intent,
            lambda options: self._v1.customers.update_async(
                customer_id,
                {"invoice_settings": {"default_payment_method": payment_method_id}},
                options,
            ),
        )

    async def find_customers_by_email(self, *, email: str) -> list[dict[str, Any]]:
        page = await self._read(
            "customers.list", self._v1.customers.list_async({"email": email, "limit": 10})
        )
        return list(page.get("data", []))

    def iter_customers(self) -> AsyncIterator[dict[str, Any]]:
        return self._pages("customers.list", self._v1.customers.list_async, {})

    async def add_tax_id(
        self, *, customer_id: str, type: str, value: str, intent: str
    ) -> dict[str, Any]:
        params: Any = {"type": type, "value": value}
        return await self._write(
            "customers.tax_ids.create",
            intent,
            lambda options: self._v1.customers.tax_ids.create_async(customer_id, params, options),
        )

    def iter_tax_ids(self, *, customer_id: str) -> AsyncIterator[dict[str, Any]]:
        return self._pages(
            "customers.tax_ids.list",
            lambda params: self._v1.customers.tax_ids.list_async(customer_id, params),
            {},
        )

    async def remove_tax_id(self, *, customer_id: str, tax_id: str, intent: str) -> dict[str, Any]:
        return await self._write(
            "customers.tax_ids.delete",
            intent,
            lambda options: self._v1.customers.tax_ids.delete_async(
                customer_id, tax_id, None, options
            ),
        )

    # Products and prices

    def iter_products(self, *, active: bool | None = None) -> AsyncIterator[dict[str, Any]]:
        params = {} if active is None else {"active": active}
        return self._pages("products.list", self._v1.products.list_async, params)

    async def create_product(self, *, name: str, intent: str, **fields: Any) -> dict[str, Any]:
        """A product; `fields` may set description, images, tax_code, statement_descriptor..."""
        unknown = set(fields) - PRODUCT_FIELDS
        if unknown:
            raise ValueError(f"not product fields: {sorted(unknown)}")
        params: Any = {"name": name, **fields}
        return await self._write(
            "products.create",
            intent,
            lambda options: self._v1.products.create_async(params, options),
        )

    async def update_product(
        self, *, product_id: str, changes: Mapping[str, Any], intent: str
    ) -> dict[str, Any]:
        unknown = set(changes) - PRODUCT_FIELDS
        if unknown:
            raise ValueError(f"not product fields: {sorted(unknown)}")
        params: Any = dict(changes)
        return await self._write(
            "products.update",
            intent,
            lambda options: self._v1.products.update_async(product_id, params, options),
        )

    async def archive_product(self, *, product_id: str, intent: str) -> dict[str, Any]:
        return await self.update_product(
            product_id=product_id, changes={"active": False}, intent=intent
        )

    def iter_prices(
        self, *, product_id: str | None = None, active: bool | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        params: dict[str, Any] = {}
        if product_id is not None:
            params["product"] = product_id
        if active is not None:
            params["active"] = active
        return self._pages("prices.list", self._v1.prices.list_async, params)

    async def create_price(
        self,
        *,
        product_id: str,
        unit_amount: int,
        currency: str,
        intent: str,
        interval: str | None = None,
        interval_count: int = 1,
        nickname: str | None = None,
        lookup_key: str | None = None,
    ) -> dict[str, Any]:
        """A price in minor units; recurring when `interval` (day/week/month/year) is given."""
        params: dict[str, Any] = {
            "product": product_id,
            "unit_amount": unit_amount,
            "currency": currency,
        }
        if interval is not None:
            params["recurring"] = {"interval": interval, "interval_count": interval_count}
        if nickname is not None:
            params["nickname"] = nickname
        if lookup_key is not None:
            params["lookup_key"] = lookup_key
        typed: Any = params
        return await self._write(
            "prices.create", intent, lambda options: self._v1.prices.create_async(typed, options)
        )

    async def update_price(
        self, *, price_id: str, changes: Mapping[str, Any], intent: str
    ) -> dict[str, Any]:
        unknown = set(changes) - PRICE_FIELDS
        if unknown:
            raise ValueError(f"not price fields Stripe lets you change: {sorted(unknown)}")
        params: Any = dict(changes)
        return await self._write(
            "prices.update",
            intent,
            lambda options: self._v1.prices.update_async(price_id, params, options),
        )

    async def archive_price(self, *, price_id: str, intent: str) -> dict[str, Any]:
        return await self.update_price(price_id=price_id, changes={"active": False}, intent=intent)

    # Subscriptions and schedules

    def iter_subscriptions(
        self, *, customer_id: str | None = None, status: str = "all"
    ) -> AsyncIterator[dict[str, Any]]:
        # Discounts expanded, so the mirror can say what each one takes off.
        params: dict[str, Any] = {"status": status, "expand": ["data.discounts"]}
        if customer_id is not None:
            params["customer"] = customer_id
        return self._pages("subscriptions.list", self._v1.subscriptions.list_async, params)

    async def retrieve_subscription(self, *, subscription_id: str) -> dict[str, Any]:
        return await self._read(
            "subscriptions.retrieve", self._v1.subscriptions.retrieve_async(subscription_id)
        )

    async def update_subscription_item(
        self,
        *,
        subscription_id: str,
        item_id: str,
        price_id: str,
        quantity: int,
        proration_behavior: ProrationBehavior,
        intent: str,
        proration_date: int | None = None,
        promotion_code_id: str | None = None,
        end_trial: bool = False,
        reset_billing_cycle: bool = False,
    ) -> dict[str, Any]:
        """Switch one item's price and/or quantity now, optionally applying a promotion code,
        ending a trial (`trial_end=now`) or restarting the cycle (`billing_cycle_anchor=now`)."""
        params: dict[str, Any] = {
            "items": [{"id": item_id, "price": price_id, "quantity": quantity}],
            "proration_behavior": proration_behavior,
            "expand": ["discounts"],
        }
        if proration_date is not None:
            params["proration_date"] = proration_date
        if end_trial:
            params["trial_end"] = "now"
        if reset_billing_cycle:
            params["billing_cycle_anchor"] = {"type": "now"}
        if promotion_code_id is not None:
            params["discounts"] = [{"promotion_code": promotion_code_id}]
        typed: Any = params
        return await self._write(
            "subscriptions.update",
            intent,
            lambda options: self._v1.subscriptions.update_async(subscription_id, typed, options),
        )

    async def cancel_subscription(
        self,
        *,
        subscription_id: str,
        intent: str,
        at_period_end: bool,
        feedback: str | None = None,
        comment: str | None = None,
        proration_behavior: str = "none",
    ) -> dict[str, Any]:
        """Cancel now, or at the end of the period, recording the customer's reason.

        Cancelling now credits the unused time when `proration_behavior` says so, and
        `always_invoice` settles that credit on a final invoice at once."""
        details: dict[str, Any] = {}
        if feedback:
            details["feedback"] = feedback
        if comment:
            details["comment"] = comment
        if at_period_end:
            params: Any = {"cancel_at_period_end": True, "cancellation_details": details}
            return await self._write(
                "subscriptions.update.cancel_at_period_end",
                intent,
                lambda options: self._v1.subscriptions.update_async(
                    subscription_id, params, options
                ),
            )
        cancel_params: Any = {"cancellation_details": details}
        if proration_behavior in ("create_prorations", "always_invoice"):
            cancel_params["prorate"] = True
        if proration_behavior == "always_invoice":
            cancel_params["invoice_now"] = True
        return await self._write(
            "subscriptions.cancel",
            intent,
            lambda options: self._v1.subscriptions.cancel_async(
                subscription_id, cancel_params, options
            ),
        )

    async def apply_coupon(
        self, *, subscription_id: str, coupon_id: str, intent: str
    ) -> dict[str, Any]:
        """Add a coupon to a subscription (a retention offer the customer accepted)."""
        params: Any = {
            "discounts": [{"coupon": coupon_id}],
            "proration_behavior": "none",
            "expand": ["discounts"],
        }
        return await self._write(
            "subscriptions.update.discounts",
            intent,
            lambda options: self._v1.subscriptions.update_async(subscription_id, params, options),
        )

    async def set_subscription_payment_method(
        self, *, subscription_id: str, payment_method_id: str, intent: str
    ) -> dict[str, Any]:
        """Charge this card for the subscription's invoices (it overrides the customer's)."""
        return await self._write(
            "subscriptions.update.default_payment_method",
            intent,
            lambda options: self._v1.subscriptions.update_async(
                subscription_id, {"default_payment_method": payment_method_id}, options
            ),
        )

    async def renew_subscription(self, *, subscription_id: str, intent: str) -> dict[str, Any]:
        """Undo a pending cancellation at period end."""
        return await self._write(
            "subscriptions.update.renew",
            intent,
            lambda options: self._v1.subscriptions.update_async(
                subscription_id, {"cancel_at_period_end": False}, options
            ),
        )

    def iter_subscription_schedules(
        self, *, customer_id: str | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        params = {} if customer_id is None else {"customer": customer_id}
        return self._pages(
            "subscription_schedules.list", self._v1.subscription_schedules.list_async, params
        )

    async def schedule_change_at_period_end(
        self,
        *,
        subscription_id: str,
        price_id: str,
        quantity: int,
        interval: str,
        interval_count: int,
        intent: str,
        schedule_id: str | None = None,
    ) -> dict[str, Any]:
        """Keep the current phase to its end, then switch to `price_id` x `quantity`.

        Uses the subscription's schedule when it has one (`schedule_id`), else makes one from
        the subscription; then sets its phases. The next phase lasts one billing interval of
        the new price, after which the schedule releases the subscription, which carries on
        with the new price.
        """
        if schedule_id is None:
            schedule = await self._write(
                "subscription_schedules.create",
                intent,
                lambda options: self._v1.subscription_schedules.create_async(
                    {"from_subscription": subscription_id}, options
                ),
            )
        else:
            schedule = await self._read(
                "subscription_schedules.retrieve",
                self._v1.subscription_schedules.retrieve_async(schedule_id),
            )
        current = _current_phase(schedule)
        current_items = [
            {"price": _id_of(item["price"]), "quantity": item.get("quantity", 1)}
            for item in current["items"]
        ]
        params: Any = {
            "end_behavior": "release",
            "phases": [
                {
                    "items": current_items,
                    "start_date": current["start_date"],
                    "end_date": current["end_date"],
                },
                {
                    "items": [{"price": price_id, "quantity": quantity}],
                    "duration": {"interval": interval, "interval_count": interval_count},
                },
            ],
        }
        return await self._write(
            "subscription_schedules.update",
            intent,
            lambda options: self._v1.subscription_schedules.update_async(
                schedule["id"], params, options
            ),
        )

    async def release_schedule(self, *, schedule_id: str, intent: str) -> dict[str, Any]:
        """Detach a schedule, keeping the subscription as it is now (drops a scheduled change)."""
        return await self._write(
            "subscription_schedules.release",
            intent,
            lambda options: self._v1.subscription_schedules.release_async(
                schedule_id, None, options
            ),
        )

    async def cancel_schedule(self, *, schedule_id: str, intent: str) -> dict[str, Any]:
        """Cancel a schedule and the subscription it manages."""
        return await self._write(
            "subscription_schedules.cancel",
            intent,
            lambda options: self._v1.subscription_schedules.cancel_async(
                schedule_id, None, options
            ),
        )

    # Invoices

    def iter_invoices(self, *, customer_id: str | None = None) -> AsyncIterator[dict[str, Any]]:
        params = {} if customer_id is None else {"customer": customer_id}
        return self._pages("invoices.list", self._v1.invoices.list_async, params)

    async def retrieve_invoice(self, *, invoice_id: str) -> dict[str, Any]:
        return await self._read("invoices.retrieve", self._v1.invoices.retrieve_async(invoice_id))

    async def preview_subscription_change(
        self,
        *,
        customer_id: str,
        subscription_id: str,
        item_id: str,
        price_id: str,
        quantity: int,
        proration_behavior: ProrationBehavior,
        proration_date: int | None = None,
        promotion_code_id: str | None = None,
        end_trial: bool = False,
        reset_billing_cycle: bool = False,
    ) -> dict[str, Any]:
        """The invoice a plan or quantity change would produce, prorations included.

        Stripe previews the invoice made at once when the change bills now (`always_invoice`,
        a new interval), else the upcoming renewal. Pass the same `proration_date` and
        promotion code to `update_subscription_item` so the charge matches. Discounts come
        expanded, so a caller can tell which of them last.
        """
        details: dict[str, Any] = {
            "items": [{"id": item_id, "price": price_id, "quantity": quantity}],
            "proration_behavior": proration_behavior,
        }
        if proration_date is not None:
            details["proration_date"] = proration_date
        if end_trial:
            details["trial_end"] = "now"
        if reset_billing_cycle:
            details["billing_cycle_anchor"] = {"type": "now"}
        params: Any = {
            "customer": customer_id,
            "subscription": subscription_id,
            "subscription_details": details,
            "expand": ["discounts"],
        }
        if promotion_code_id is not None:
            params["discounts"] = [{"promotion_code": promotion_code_id}]
        # A POST, but it changes nothing: counted as a read, no idempotency key needed.
        return await self._read(
            "invoices.create_preview", self._v1.invoices.create_preview_async(params)
        )

    async def pay_invoice(
        self, *, invoice_id: str, payment_method_id: str, intent: str
    ) -> dict[str, Any]:
        return await self._write(
            "invoices.pay",
            intent,
            lambda options: self._v1.invoices.pay_async(
                invoice_id, {"payment_method": payment_method_id}, options
            ),
        )

    # Payment methods

    async def create_setup_intent(self, *, customer_id: str, intent: str) -> dict[str, Any]:
        """A SetupIntent for saving a card for future off-session payments."""
        params: Any = {
            "customer": customer_id,
            "usage": "off_session",
            # The portal's card form saves cards only. `payment_method_types` was removed in
            # API 2026-09-30; `allowed_payment_method_types` is its replacement.
            "allowed_payment_method_types": ["card"],
        }
        return await self._write(
            "setup_intents.create",
            intent,
            lambda options: self._v1.setup_intents.create_async(params, options),
        )

    async def retrieve_setup_intent(self, *, setup_intent_id: str) -> dict[str, Any]:
        """A SetupIntent with its payment method expanded (to check what the browser did)."""
        return await self._read(
            "setup_intents.retrieve",
            self._v1.setup_intents.retrieve_async(setup_intent_id, {"expand": ["payment_method"]}),
        )

    def iter_cards(self, *, customer_id: str) -> AsyncIterator[dict[str, Any]]:
        return self._pages(
            "payment_methods.list",
            self._v1.payment_methods.list_async,
            {"customer": customer_id, "type": "card"},
        )

    async def detach_payment_method(self, *, payment_method_id: str, intent: str) -> dict[str, Any]:
        return await self._write(
            "payment_methods.detach",
            intent,
            lambda options: self._v1.payment_methods.detach_async(payment_method_id, None, options),
        )

    # Coupons and promotion codes

    async def retrieve_coupon(self, *, coupon_id: str) -> dict[str, Any]:
        return await self._read("coupons.retrieve", self._v1.coupons.retrieve_async(coupon_id))

    def iter_coupons(self) -> AsyncIterator[dict[str, Any]]:
        return self._pages("coupons.list", self._v1.coupons.list_async, {})

    async def find_promotion_code(self, *, code: str) -> dict[str, Any] | None:
        """The active promotion code a customer typed, or None."""
        page = await self._read(
            "promotion_codes.list",
            self._v1.promotion_codes.list_async({"code": code, "active": True, "limit": 1}),
        )
        found = page.get("data", [])
        return found[0] if found else None

    def iter_promotion_codes(self) -> AsyncIterator[dict[str, Any]]:
        return self._pages("promotion_codes.list", self._v1.promotion_codes.list_async, {})

    # The account's set-up, as `cli doctor` checks it

    def iter_webhook_endpoints(self) -> AsyncIterator[dict[str, Any]]:
        return self._pages("webhook_endpoints.list", self._v1.webhook_endpoints.list_async, {})

    async def retrieve_price(self, *, price_id: str) -> dict[str, Any]:
        return await self._read("prices.retrieve", self._v1.prices.retrieve_async(price_id))

    async def retrieve_mirrored(self, *, object_type: str, object_id: str) -> dict[str, Any]:
        """The current state of an object the mirror keeps, by its `object` type (for an
        event whose order against the stored snapshot cannot be told)."""
        services: dict[str, Any] = {
            "customer": self._v1.customers,
            "subscription": self._v1.subscriptions,
            "subscription_schedule": self._v1.subscription_schedules,
            "invoice": self._v1.invoices,
            "payment_method": self._v1.payment_methods,
            "product": self._v1.products,
            "price": self._v1.prices,
            "coupon": self._v1.coupons,
            "promotion_code": self._v1.promotion_codes,
            "test_helpers.test_clock": self._v1.test_helpers.test_clocks,
        }
        service = services.get(object_type)
        if service is None:
            raise InvalidRequest(f"{object_type} objects are not read back one by one")
        params: dict[str, Any] = {"expand": ["discounts"]} if object_type == "subscription" else {}
        return await self._read(
            f"{object_type}.retrieve", service.retrieve_async(object_id, params or None)
        )


def _current_phase(schedule: Mapping[str, Any]) -> dict[str, Any]:
    """The phase in force now (the first phase of a schedule that has not started)."""
    started = (schedule.get("current_phase") or {}).get("start_date")
    phases: list[dict[str, Any]] = schedule["phases"]
    return next((p for p in phases if p["start_date"] == started), phases[0])


def _id_of(value: Any) -> str:
    """An id from a field Stripe returns either as an id or as an expanded object."""
    return value["id"] if isinstance(value, dict) else str(value)


@lru_cache
def get_gateway() -> Gateway:
    """The process-wide gateway built from settings (tests build their own)."""
    return Gateway(build_client())
