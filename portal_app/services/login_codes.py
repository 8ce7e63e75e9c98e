"""One-time email codes for the no-code login link.

Codes are 6 digits from `secrets`, kept only as an HMAC under the portal's secret key, valid
10 minutes, single use, void after 5 wrong tries, and re-sent no sooner than 60 seconds.
The answer never says whether an email belongs to a customer: a code row is made either way
and an email is sent only when a customer matches.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from portal_app.auth import rate_limit
from portal_app.auth.portal_sessions import start_code_session
from portal_app.i18n.text import Plural, Text
from portal_app.models.login_code import LoginCode
from portal_app.models.portal_session import PortalSession
from portal_app.rules.email_address import EmailAddressInvalid, email_address
from portal_app.services.customers import customer_for_login
from portal_app.services.email import configuration_brand, queue_rendered
from portal_app.services.email_templates import LOGIN_CODE
from portal_app.services.email_templates import login_code as login_code_email
from portal_app.settings import get_settings

CODE_TTL = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=60)
MAX_WRONG_TRIES = 5
WRONG_CODE = Text(
    "That code is incorrect or has expired. Check the latest email or send a new code."
)


class LoginError(Exception):
    """A refusal whose message is fit to show the person signing in."""

    def __init__(self, message: Text, *, field: str = "email") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CodeSent:
    """What the page may say after a send: the normalised email and when to allow a resend."""

    email: str
    resend_at: datetime


def normalise_email(raw: str) -> str:
    """The address in a canonical form, or a LoginError that says what is wrong with it."""
    try:
        return email_address(raw).lower()
    except EmailAddressInvalid as exc:
        reason = exc.reason
        raise LoginError(Text("Enter a valid email address ({reason}).", reason=reason)) from exc


def _hash(code: str, code_id: str) -> str:
    key = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(key, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def request_code(
    *,
    session: Session,
    email: str,
    configuration_id: str,
    business_name: str,
    client: str,
    locale: str = "en",
    now: datetime | None = None,
) -> CodeSent:
    """Make a new code for `email` and email it (in `locale`) when it belongs to a customer."""
    now = now or datetime.now(UTC)
    address = normalise_email(email)
    latest = session.exec(
        select(LoginCode).where(LoginCode.email == address).order_by(col(LoginCode.created).desc())
    ).first()
    if latest is not None and now - latest.created < RESEND_AFTER:
        wait = int((RESEND_AFTER - (now - latest.created)).total_seconds()) + 1
        raise LoginError(
            Plural(
                "Please wait {count} second before asking for another code.",
                "Please wait {count} seconds before asking for another code.",
                wait,
            )
        )
    if not rate_limit.allow(rate_limit.SEND_PER_EMAIL, "send-email", address) or not (
        rate_limit.allow(rate_limit.SEND_PER_CLIENT, "send-client", client)
    ):
        raise LoginError(Text("Too many codes were requested. Please try again later."))
    customer = customer_for_login(session=session, email=address)
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = LoginCode(
        email=address,
        configuration_id=configuration_id,
        customer=customer.id if customer else None,
        code_hash="",
        created=now,
        expires_at=now + CODE_TTL,
    )
    row.code_hash = _hash(code, row.id)
    session.add(row)
    # Rendered for unknown emails too, so both answers cost the same work (the page also
    # answers after a fixed time).
    message = login_code_email(
        brand=replace(
            configuration_brand(session=session, configuration_id=configuration_id),
            business_name=business_name,
        ),
        code=code,
        valid_minutes=int(CODE_TTL.total_seconds() // 60),
        locale=locale,
    )
    if customer is not None:
        queue_rendered(
            session=session, kind=LOGIN_CODE, to=address, email=message, expires_at=row.expires_at
        )
    session.flush()
    return CodeSent(email=address, resend_at=now + RESEND_AFTER)


def verify_code(
    *, session: Session, email: str, code: str, client: str, now: datetime | None = None
) -> PortalSession:
    """Exchange the latest code for a portal session, or raise with a message to show."""
    now = now or datetime.now(UTC)
    address = normalise_email(email)
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        raise LoginError(Text("Enter the 6-digit code from the email."), field="code")
    if not rate_limit.allow(rate_limit.VERIFY_PER_EMAIL, "verify-email", address) or not (
        rate_limit.allow(rate_limit.VERIFY_PER_CLIENT, "verify-client", client)
    ):
        raise LoginError(Text("Too many attempts. Please try again later."), field="code")
    row = session.exec(
        select(LoginCode).where(LoginCode.email == address).order_by(col(LoginCode.created).desc())
    ).first()
    usable = (
        row is not None
        and row.used_at is None
        and row.failed_attempts < MAX_WRONG_TRIES
        and now <= row.expires_at
    )
    if row is None or not usable:
        raise LoginError(WRONG_CODE, field="code")
    if not hmac.compare_digest(row.code_hash, _hash(code, row.id)) or row.customer is None:
        row.failed_attempts += 1
        session.add(row)
        session.flush()
        raise LoginError(WRONG_CODE, field="code")
    row.used_at = now
    session.add(row)
    return start_code_session(
        session=session, customer=row.customer, configuration_id=row.configuration_id, now=now
    )
