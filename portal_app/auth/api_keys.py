"""Secret keys for the merchant API: shown once, stored as SHA-256 with a visible prefix.

The keys carry 256 random bits, so a fast hash is enough (no password stretching needed).
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from portal_app.models.merchant import Merchant, MerchantApiKey
from portal_app.rules.text import CONTROL_CHARACTERS, has_control_characters

KEY_PREFIX = "sk_portal_"
VISIBLE_CHARS = len(KEY_PREFIX) + 6
MAX_KEY_LENGTH = 128


def hash_key(secret: str) -> str:
    """The stored form of a secret key."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    *, session: Session, merchant_id: str, name: str = ""
) -> tuple[MerchantApiKey, str]:
    """A new key and its secret (the secret itself is never stored); ValueError (with a
    `Text`) when the name holds control characters."""
    if has_control_characters(name):
        raise ValueError(CONTROL_CHARACTERS)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = MerchantApiKey(
        merchant_id=merchant_id,
        name=name.strip()[:80],
        prefix=secret[:VISIBLE_CHARS],
        key_hash=hash_key(secret),
    )
    session.add(row)
    session.flush()
    return row, secret


def merchant_for_key(
    *, session: Session, secret: str, now: datetime | None = None
) -> Merchant | None:
    """The merchant owning this live key (its last use recorded), or None."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > MAX_KEY_LENGTH:
        return None
    digest = hash_key(secret)
    row = session.exec(select(MerchantApiKey).where(MerchantApiKey.key_hash == digest)).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.key_hash, digest):
        return None
    row.last_used_at = now or datetime.now(UTC)
    session.add(row)
    session.flush()
    return session.get(Merchant, row.merchant_id)


def list_api_keys(*, session: Session, merchant_id: str) -> list[MerchantApiKey]:
    """The merchant's keys, newest first, revoked ones included."""
    statement = (
        select(MerchantApiKey)
        .where(MerchantApiKey.merchant_id == merchant_id)
        .order_by(col(MerchantApiKey.created).desc())
    )
    return list(session.exec(statement))


def revoke_api_key(
    *, session: Session, merchant_id: str, key_id: str, now: datetime | None = None
) -> bool:
    """Revoke one of the merchant's own keys; False when it is not theirs or already revoked."""
    row = session.get(MerchantApiKey, key_id)
    if row is None or row.merchant_id != merchant_id or row.revoked_at is not None:
        return False
    row.revoked_at = now or datetime.now(UTC)
    session.add(row)
    session.flush()
    return True
