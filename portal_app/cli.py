"""Operator commands: `python -m portal_app.cli init [--demo]` and friends."""

import argparse
import sys

from sqlmodel import select

from portal_app.db import create_tables, session_scope
from portal_app.models import PortalConfiguration
from portal_app.settings import get_settings


def init(*, demo: bool) -> None:
    """Create the schema and, once, a default configuration (and the demo data when asked)."""
    create_tables()
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


def banner() -> None:
    """Print where the portal answers and how to sign in to the demo."""
    settings = get_settings()
    url = settings.public_url.rstrip("/")
    mode = "sandbox (no Stripe key set)" if settings.sandbox_mode else "live Stripe account"
    print(f"""
Billing portal starting in production mode ({mode}); the first build takes a minute.
  Customer portal:   {url}/
  Health check:      {url}/healthz
""")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal_app.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    init_cmd = commands.add_parser("init", help="create the database (idempotent)")
    init_cmd.add_argument("--demo", action="store_true", help="load the demo data once")
    commands.add_parser("banner", help="print the URLs to open and the demo logins")
    args = parser.parse_args(argv)
    if args.command == "init":
        init(demo=args.demo)
    elif args.command == "banner":
        banner()
    return 0


if __name__ == "__main__":
    sys.exit(main())
