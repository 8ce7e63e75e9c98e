"""Shared column helpers: aware UTC timestamps and id generation."""

import secrets
from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    """A Stripe-style id such as `bpc_...` with 96 random bits."""
    return f"{prefix}_{secrets.token_hex(12)}"
