"""Typed reads and writes on an app server's database and sandbox, for end-to-end tests.

Each helper opens the server's own database with SQLModel (`AppServer.db()`) and calls the
portal's services or reads its models, so a test arranges and checks through the same types
the app uses, never through Python passed as a string to another process.
"""

import datetime
import re
from collections.abc import Callable, Mapping
from typing import Any

from limits.storage import Storage, storage_from_string
from sqlmodel import col, select

from portal_app.models import AuditEntry, CancellationFeedback, OutboxEmail
from portal_app.models.mirror import (
    MirrorCustomer,
    MirrorInvoice,
    MirrorPrice,
    MirrorSubscription,
    MirrorSubscriptionItem,
)
from portal_app.services.configurations import (
    default_configuration,
    set_login_link,
    update_configuration,
)
from portal_app.services.customers import customer_for_login
from portal_app.services.email import queue_email
from portal_app.services.portal_links import create_portal_link
from tests.harness import AppServer

# What a flow link's `flow_data` is built from: the customer's first subscription, its first
# item and the demo's Team seats price.
FlowData = Callable[[str, str, str], Mapping[str, Any]]


def configure(server: AppServer, fields: Mapping[str, Any]) -> None:
    """Update the server's default portal configuration with `fields` (as the API would)."""
    with server.db() as s:
        config = default_configuration(session=s)
        assert config is not None, "the demo has a default configuration"
        update_configuration(session=s, configuration_id=config.id, fields=fields)


def login_page_token(server: AppServer) -> str:
    """Turn the no-code login link on; its token."""
    with server.db() as s:
        set_login_link(session=s, enabled=True)
        config = default_configuration(session=s)
        assert config is not None and config.login_page_token
        return config.login_page_token


def latest_login_code(server: AppServer, email: str) -> str:
    """The six-digit code of the newest email the outbox holds for `email`."""
    with server.db() as s:
        mail = s.exec(
            select(OutboxEmail)
            .where(OutboxEmail.to_address == email)
            .order_by(col(OutboxEmail.created).desc())
        ).first()
        assert mail is not None, f"no email to {email} in the outbox"
        found = re.search(r"\b\d{6}\b", mail.text_body)
        assert found, mail.text_body
        return found.group()


def queue_outbox_email(server: AppServer, *, kind: str, to: str, subject: str, text: str) -> None:
    """Queue an email in the server's outbox."""
    with server.db() as s:
        queue_email(session=s, kind=kind, to=to, subject=subject, text=text)


def customer(server: AppServer, email: str) -> MirrorCustomer:
    """The mirrored customer `email` signs in as."""
    with server.db() as s:
        found = customer_for_login(session=s, email=email)
        assert found is not None, f"no customer {email} in the mirror"
        return found


def first_subscription(server: AppServer, customer_id: str) -> MirrorSubscription:
    """The customer's first mirrored subscription."""
    with server.db() as s:
        sub = s.exec(
            select(MirrorSubscription).where(MirrorSubscription.customer == customer_id)
        ).first()
        assert sub is not None, f"{customer_id} has no subscription in the mirror"
        return sub


def latest_invoice(server: AppServer, customer_id: str) -> MirrorInvoice | None:
    """The customer's newest mirrored invoice."""
    with server.db() as s:
        return s.exec(
            select(MirrorInvoice)
            .where(MirrorInvoice.customer == customer_id)
            .order_by(col(MirrorInvoice.created).desc())
        ).first()


def add_paid_invoices(server: AppServer, customer_id: str, count: int, total: int) -> list[str]:
    """`count` old paid invoices of `total` minor units (USD) in the customer's mirror, one a
    day from 1 January 2020; their ids, newest first."""
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    ids = [f"in_e2e_{customer_id}_{n:02d}" for n in range(count)]
    with server.db() as s:
        for n, invoice_id in enumerate(ids):
            s.add(
                MirrorInvoice(
                    id=invoice_id,
                    customer=customer_id,
                    status="paid",
                    currency="usd",
                    total=total,
                    created=start + datetime.timedelta(days=n),
                )
            )
    return ids[::-1]


def invoice(server: AppServer, invoice_id: str) -> MirrorInvoice | None:
    """A mirrored invoice by id."""
    with server.db() as s:
        return s.get(MirrorInvoice, invoice_id)


def cancellation_feedback(server: AppServer) -> CancellationFeedback | None:
    """The first cancellation feedback stored."""
    with server.db() as s:
        return s.exec(select(CancellationFeedback)).first()


def audit_actions(server: AppServer) -> list[str]:
    """Every audited action, sorted."""
    with server.db() as s:
        return sorted(e.action for e in s.exec(select(AuditEntry)).all())


def portal_link(
    server: AppServer,
    email: str,
    *,
    locale: str | None = None,
    flow_data: FlowData | None = None,
) -> str:
    """A fresh one-time portal link for `email`, in `locale`, opening on `flow_data(sub, item,
    price)` when given."""
    with server.db() as s:
        found = customer_for_login(session=s, email=email)
        assert found is not None, f"no customer {email} in the mirror"
        flow = None
        if flow_data is not None:
            sub = s.exec(
                select(MirrorSubscription).where(MirrorSubscription.customer == found.id)
            ).first()
            price = s.exec(
                select(MirrorPrice).where(MirrorPrice.lookup_key == "team_seats_monthly")
            ).first()
            assert sub is not None and price is not None
            item = s.exec(
                select(MirrorSubscriptionItem).where(MirrorSubscriptionItem.subscription == sub.id)
            ).first()
            assert item is not None
            flow = dict(flow_data(sub.id, item.id, price.id))
        link = create_portal_link(session=s, customer=found.id, locale=locale, flow_data=flow)
    # The link's address is built from this process's settings: the token is what counts.
    token = link.url.rstrip("/").rsplit("/", 1)[-1]
    return f"{server.env['PORTAL_PUBLIC_URL'].rstrip('/')}/session/{token}"


def reset_rate_limits(server: AppServer) -> None:
    """Forget the login rate limits the server counts in its Redis."""
    storage = storage_from_string(server.env["PORTAL_REDIS_URL"])
    assert isinstance(storage, Storage)
    storage.reset()
