"""Merchant accounts: Argon2id passwords, throttled dashboard sign-in, dashboard sessions.

Failed attempts are counted per client (its address) in the database so that every worker
enforces the same delays: after a few free tries each further failure doubles the wait
before that client may try again. Nobody else is slowed, so a stranger cannot lock the
merchant out. Unknown emails cost the same Argon2 verification as known ones, and both get
the same message, so the form does not reveal which emails have accounts. Argon2 runs at most
`HASH_SLOTS` at a time (callers run it in worker threads, never on the event loop).
"""

import secrets
import threading
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal_app.i18n.text import Plural, Text
from portal_app.models.merchant import Merchant, MerchantLoginThrottle, MerchantSession
from portal_app.rules.email_address import EmailAddressInvalid, email_address

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
FREE_TRIES = 3
FIRST_DELAY = timedelta(seconds=2)
LONGEST_DELAY = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(minutes=15)
SESSION_IDLE_TTL = timedelta(hours=2)
SESSION_MAX_AGE = timedelta(hours=12)
HASH_SLOTS = 2

INCORRECT = Text("Email or password is incorrect.")
WAIT = Text("Too many attempts. Please try again later.")
SIGN_IN = Text("Please sign in.")

_hasher = PasswordHasher()  # argon2-cffi's defaults are Argon2id with RFC 9106 parameters
_hash_slots = threading.BoundedSemaphore(HASH_SLOTS)
_DUMMY_HASH = _hasher.hash("not-a-real-password-used-for-timing")


class MerchantAuthError(Exception):
    """Sign-in or session failure; the message (a `Text`) is fit to show on the login form."""


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; every stored value is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def normalize_email(email: str) -> str:
    """The email as stored: trimmed and lower-cased."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    with _hash_slots:
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the hash."""
    try:
        with _hash_slots:
            return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def throttle_key(client: str) -> str:
    """The throttle row of one client (the table's key column predates per-client counts)."""
    return f"client:{client[:200]}"


def retry_delay(failures: int) -> timedelta:
    """How long a client waits after its `failures`-th failure in a row: nothing for the first
    few, then 2 s, 4 s, 8 s, ... up to 15 minutes."""
    if failures < FREE_TRIES:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** (failures - FREE_TRIES), LONGEST_DELAY)


def create_merchant(*, session: Session, email: str, password: str) -> Merchant:
    """A new merchant account; raises ValueError with a readable message (a `Text`) when
    refused."""
    try:
        address = email_address(email)
    except EmailAddressInvalid as exc:
        raise ValueError(
            Text("That email address is not valid: {reason}", reason=exc.reason)
        ) from exc
    address = normalize_email(address)
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ValueError(
            Plural(
                "The password must have at least {count} character.",
                "The password must have at least {count} characters.",
                MIN_PASSWORD_LENGTH,
            )
        )
    if session.exec(select(Merchant).where(Merchant.email == address)).first() is not None:
        raise ValueError(Text("A merchant with that email already exists."))
    merchant = Merchant(email=address, password_hash=hash_password(password))
    session.add(merchant)
    session.flush()
    return merchant


def authenticate(
    *, session: Session, email: str, password: str, client: str, now: datetime | None = None
) -> Merchant:
    """The merchant with these credentials, or MerchantAuthError (a failure slows this client
    only; the caller commits even when it raises, so the count persists)."""
    now = now or datetime.now(UTC)
    address = normalize_email(email)[:320]
    throttle = session.get(MerchantLoginThrottle, throttle_key(client))
    # Refused before any hashing: a waiting client costs nothing.
    if throttle and throttle.locked_until and now < _aware(throttle.locked_until):
        raise MerchantAuthError(WAIT)
    merchant = session.exec(select(Merchant).where(Merchant.email == address)).first()
    candidate = password[:MAX_PASSWORD_LENGTH]
    ok = verify_password(merchant.password_hash if merchant else _DUMMY_HASH, candidate)
    if merchant is None or not ok:
        _record_failure(session=session, client=client, now=now)
        raise MerchantAuthError(INCORRECT)
    if throttle is not None:
        session.delete(throttle)
    if _hasher.check_needs_rehash(merchant.password_hash):
        merchant.password_hash = hash_password(candidate)
        session.add(merchant)
    session.flush()
    return merchant


def _record_failure(*, session: Session, client: str, now: datetime) -> None:
    key = throttle_key(client)
    throttle = session.get(MerchantLoginThrottle, key)
    if throttle is None:
        try:
            with session.begin_nested():
                session.add(MerchantLoginThrottle(email=key, window_start=now))
        except IntegrityError:
            pass  # a parallel failure from the same client made the row first: count on it
        throttle = session.get_one(MerchantLoginThrottle, key, populate_existing=True)
    if now - _aware(throttle.window_start) > FAILURE_WINDOW:
        throttle.failures = 0
        throttle.locked_until = None
    # The window runs from the latest failure: a slow, steady guesser keeps its delays.
    throttle.window_start = now
    throttle.failures += 1
    delay = retry_delay(throttle.failures)
    throttle.locked_until = now + delay if delay else None
    session.add(throttle)
    session.flush()


def start_session(*, session: Session, merchant: Merchant, now: datetime | None = None) -> str:
    """A new dashboard session for the merchant; returns its random id."""
    now = now or datetime.now(UTC)
    row = MerchantSession(
        id=secrets.token_urlsafe(32), merchant_id=merchant.id, created=now, last_activity_at=now
    )
    session.add(row)
    session.flush()
    return row.id


def active_merchant(
    *, session: Session, session_id: str | None, now: datetime | None = None
) -> Merchant:
    """The merchant of a live dashboard session (idle timer reset), or MerchantAuthError."""
    now = now or datetime.now(UTC)
    if not session_id or len(session_id) > 128:
        raise MerchantAuthError(SIGN_IN)
    row = session.get(MerchantSession, session_id)
    if row is None or row.ended_at is not None:
        raise MerchantAuthError(SIGN_IN)
    if (
        now - _aware(row.last_activity_at) > SESSION_IDLE_TTL
        or now - _aware(row.created) > SESSION_MAX_AGE
    ):
        raise MerchantAuthError(Text("Your session has expired. Please sign in again."))
    merchant = session.get(Merchant, row.merchant_id)
    if merchant is None:
        raise MerchantAuthError(SIGN_IN)
    row.last_activity_at = now
    session.add(row)
    session.flush()
    return merchant


def end_session(*, session: Session, session_id: str | None, now: datetime | None = None) -> None:
    """Sign out: the dashboard session can no longer be used."""
    if not session_id:
        return
    row = session.get(MerchantSession, session_id)
    if row is not None and row.ended_at is None:
        row.ended_at = now or datetime.now(UTC)
        session.add(row)
        session.flush()
