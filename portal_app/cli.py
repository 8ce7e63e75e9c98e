"""Operator commands: `python -m portal_app.cli init [--demo]` and friends."""

import argparse
import sys

from sqlmodel import select

from portal_app.db import migrate, session_scope
from portal_app.models import PortalConfiguration
from portal_app.settings import DEVELOPMENT_SECRET_KEY, get_settings


def init(*, demo: bool) -> None:
    """Apply the migrations, then create once a default configuration (and the demo data)."""
    migrate()
    with session_scope() as session:
        if session.exec(select(PortalConfiguration)).first() is None:
            session.add(
                PortalConfiguration(
                    is_default=True,
                    business_name="Acme Cloud" if demo else "My Business",
                    terms_of_service_url="https://example.com/terms" if demo else "",
                    privacy_policy_url="https://example.com/privacy" if demo else "",
                )
            )
            print("Created the default portal configuration.")
    # The demo (its merchant has a published password) belongs to the sandbox only: with a
    # real Stripe key, create accounts with `create-merchant`.
    if demo and get_settings().sandbox_mode:
        from portal_app.sandbox.demo import load_demo

        _create_demo_merchant()
        catalogue = load_demo()
        if catalogue is not None:
            print("Loaded the sandbox demo customers, catalogue and coupons.")
            _configure_demo_portal(prices=catalogue)


def _configure_demo_portal(*, prices: dict[str, list[str]]) -> None:
    """Let demo customers switch between the demo plans, with promotion codes and quantities."""
    from portal_app.services.configurations import default_configuration, update_configuration

    with session_scope() as session:
        config = default_configuration(session=session)
        if config is None:
            return
        update = {
            "enabled": True,
            "default_allowed_updates": ["price", "quantity", "promotion_code"],
            "proration_behavior": "always_invoice",
            "products": [
                {"product": product, "prices": prices[product]}
                for product in ("prod_starter", "prod_pro", "prod_enterprise", "prod_team_seats")
                if product in prices
            ],
            "schedule_at_period_end": {
                "conditions": [{"type": "decreasing_item_amount"}, {"type": "shortening_interval"}]
            },
            "quantity": {"minimum": 1, "maximum": 50},
        }
        # The mirror is empty until the server delivers the sandbox's events, so the catalogue
        # checks that read it are skipped for this one-off set-up.
        update_configuration(
            session=session,
            configuration_id=config.id,
            fields={"features": {"subscription_update": update}},
            price_lookup=None,
        )


DEMO_MERCHANT_EMAIL = "merchant@example.com"
DEMO_MERCHANT_PASSWORD = "demo-merchant-password"  # noqa: S105  (the documented demo login)


def _create_demo_merchant() -> None:
    from portal_app.auth.merchants import create_merchant
    from portal_app.models import Merchant

    with session_scope() as session:
        if session.exec(select(Merchant).where(Merchant.email == DEMO_MERCHANT_EMAIL)).first():
            return
        create_merchant(session=session, email=DEMO_MERCHANT_EMAIL, password=DEMO_MERCHANT_PASSWORD)
        print(f"Created the demo merchant {DEMO_MERCHANT_EMAIL}.")


def create_merchant_account(*, email: str, password: str | None) -> int:
    """Create a dashboard account; the password is prompted for when not given."""
    import getpass

    from portal_app.auth.merchants import create_merchant

    migrate()
    if password is None:
        password = getpass.getpass("Password (12+ characters): ")
        if getpass.getpass("Repeat the password: ") != password:
            print("The passwords differ.", file=sys.stderr)
            return 1
    try:
        with session_scope() as session:
            merchant = create_merchant(session=session, email=email, password=password)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Created the merchant {merchant.email}; sign in at /dashboard/login.")
    return 0


def session_link(*, customer: str, email: str | None, return_url: str | None) -> int:
    """Print a one-time portal link for a customer (by id, or the customer an email signs in as)."""
    from portal_app.services.configuration_document import ConfigurationError
    from portal_app.services.customers import customer_for_login
    from portal_app.services.portal_links import create_portal_link

    with session_scope() as session:
        if email:
            found = customer_for_login(session=session, email=email)
            if found is None:
                print(f"No customer has the email {email}.", file=sys.stderr)
                return 1
            customer = found.id
        try:
            link = create_portal_link(session=session, customer=customer, return_url=return_url)
        except ConfigurationError as exc:
            print(exc, file=sys.stderr)
            return 1
    print(link.url)
    return 0


def doctor() -> int:
    """Check the Stripe account (or the sandbox) against what the portal needs; 1 if not."""
    import asyncio

    from portal_app.billing.gateway import Gateway, build_client
    from portal_app.services.doctor import report, run_checks

    migrate()
    settings = get_settings()
    gateway = Gateway(build_client(settings=settings, max_network_retries=0))
    with session_scope() as session:
        findings = asyncio.run(run_checks(settings=settings, gateway=gateway, session=session))
    text, status = report(findings)
    print(text)
    return status


def banner() -> None:
    """Print where the portal answers and, in sandbox mode, how to sign in to the demo."""
    settings = get_settings()
    url = settings.public_url.rstrip("/")
    mode = "sandbox (no Stripe key set)" if settings.sandbox_mode else "live Stripe account"
    lines = [
        f"Billing portal starting in production mode ({mode}); the first build takes a minute.",
        f"  Merchant dashboard:  {url}/dashboard/login",
        f"  Customer portal:     {url}/  (customers arrive by a session link or login link)",
        f"  Health check:        {url}/healthz",
    ]
    if settings.secret_key.get_secret_value() == DEVELOPMENT_SECRET_KEY:
        lines.append(
            "  Warning:             PORTAL_SECRET_KEY is the development value: the portal "
            "refuses to listen beyond loopback or to use a real Stripe key with it."
        )
    if settings.sandbox_mode:
        lines += [
            f"  Demo merchant:       {DEMO_MERCHANT_EMAIL} / {DEMO_MERCHANT_PASSWORD}",
            "  Demo customer link:  .venv/bin/python -m portal_app.cli session-link "
            "--email jenny.rosen@example.com",
            "  Demo customers:      jenny.rosen@, trial@, past.due@, canceling@, team@example.com",
        ]
    if settings.dev_outbox and settings.sandbox_mode and settings.outbox_mode:
        lines.append(f"  Emails (codes):      {url}/dev/outbox  (signed-in merchants only)")
    print("\n" + "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal_app.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    init_cmd = commands.add_parser("init", help="create the database (idempotent)")
    init_cmd.add_argument("--demo", action="store_true", help="load the demo data once")
    commands.add_parser("banner", help="print the URLs to open and the demo logins")
    merchant_cmd = commands.add_parser("create-merchant", help="create a dashboard account")
    merchant_cmd.add_argument("--email", required=True)
    merchant_cmd.add_argument("--password", help="prompted for when omitted")
    link_cmd = commands.add_parser("session-link", help="print a one-time portal link")
    link_cmd.add_argument("--customer", default="", help="a customer id (cus_...)")
    link_cmd.add_argument("--email", help="or the email the customer signs in with")
    link_cmd.add_argument("--return-url")
    commands.add_parser("sync", help="copy every Stripe object the portal shows into the mirror")
    commands.add_parser("doctor", help="check the Stripe account's set-up for the portal")
    args = parser.parse_args(argv)
    if args.command == "init":
        init(demo=args.demo)
    elif args.command == "banner":
        banner()
    elif args.command == "create-merchant":
        return create_merchant_account(email=args.email, password=args.password)
    elif args.command == "session-link":
        return session_link(customer=args.customer, email=args.email, return_url=args.return_url)
    elif args.command == "doctor":
        return doctor()
    elif args.command == "sync":
        from portal_app.billing.sync import run_full_sync

        counts = run_full_sync()
        print(
            "Synced "
            + (", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
