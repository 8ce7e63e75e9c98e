"""Dashboard sign-in: the merchant's session id lives only in a backend var."""

import asyncio
import functools
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

import reflex as rx
from reflex.istate.manager import StateManager
from reflex.state import _substate_key
from reflex_base.event import EventSpec
from sqlmodel import Session

from portal_app.auth import rate_limit
from portal_app.auth.merchants import (
    HASH_SLOTS,
    MAX_PASSWORD_LENGTH,
    WAIT,
    MerchantAuthError,
    active_merchant,
    authenticate,
    end_session,
    start_session,
)
from portal_app.i18n.catalog import gettext
from portal_app.i18n.text import user_message
from portal_app.services.off_loop import in_session
from portal_app.state.i18n import locale_of

CLIENT_TOKEN = re.compile(r"[0-9a-fA-F-]{36}")
LOGIN_ROUTE = "/dashboard/login"
HOME_ROUTE = "/dashboard"


@dataclass(frozen=True)
class SignedInMerchant:
    """Who is signed in, as handlers need it (never sent to the browser)."""

    id: str
    email: str


def _sign_in(
    *, session: Session, email: str, password: str, client: str
) -> tuple[str, str] | MerchantAuthError:
    """The merchant's email and a new session id, or the refusal: returned, not raised, so
    that the failure's count is committed."""
    try:
        merchant = authenticate(session=session, email=email, password=password, client=client)
    except MerchantAuthError as exc:
        return exc
    return merchant.email, start_session(session=session, merchant=merchant)


def _merchant_of(*, session: Session, session_id: str) -> SignedInMerchant | None:
    try:
        merchant = active_merchant(session=session, session_id=session_id)
    except MerchantAuthError:
        return None
    return SignedInMerchant(id=merchant.id, email=merchant.email)


_semaphores: "WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = WeakKeyDictionary()


def _hashing() -> asyncio.Semaphore:
    """Sign-ins wait here, on the event loop, rather than in threads the pool needs."""
    loop = asyncio.get_running_loop()
    if loop not in _semaphores:
        _semaphores[loop] = asyncio.Semaphore(HASH_SLOTS)
    return _semaphores[loop]


class DashboardAuthState(rx.State):
    """The signed-in merchant; every dashboard handler re-validates the session."""

    _merchant_session_id: str = ""
    merchant_email: str = ""
    login_error: str = ""

    async def _current(self) -> SignedInMerchant | None:
        session_id = self._merchant_session_id
        return await in_session(lambda db: _merchant_of(session=db, session_id=session_id))

    @rx.event
    async def log_in(self, form_data: dict[str, Any]) -> EventSpec | None:
        """Check the credentials (throttled per client) and start a dashboard session."""
        locale = await locale_of(self)
        email, password = form_data.get("email"), form_data.get("password")
        if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
            self.login_error = gettext("Enter your email and password.", locale=locale)
            return None
        client = self.router.session.client_ip or "unknown"
        # Counted before any hashing, so a flood from one client never reaches Argon2; in a
        # worker thread, as with Redis configured the count is a network round trip.
        if not await asyncio.to_thread(
            rate_limit.allow, rate_limit.SIGN_IN_PER_CLIENT, "merchant-sign-in", client
        ):
            self.login_error = user_message(MerchantAuthError(WAIT), locale)
            return None
        # Argon2 in a worker thread, a few at a time: the event loop keeps serving others.
        async with _hashing():
            signed_in = await in_session(
                lambda db: _sign_in(
                    session=db,
                    email=email[:320],
                    password=password[:MAX_PASSWORD_LENGTH],
                    client=client,
                )
            )
        if isinstance(signed_in, MerchantAuthError):
            self.login_error = user_message(signed_in, locale)
            return None
        self.merchant_email, self._merchant_session_id = signed_in
        self.login_error = ""
        return rx.redirect(HOME_ROUTE)

    @rx.event
    async def log_out(self) -> EventSpec:
        """End the dashboard session."""
        session_id = self._merchant_session_id
        await in_session(lambda db: end_session(session=db, session_id=session_id))
        self._merchant_session_id = ""
        self.merchant_email = ""
        return rx.redirect(LOGIN_ROUTE)

    @rx.event
    async def require_merchant(self) -> EventSpec | None:
        """On every dashboard page load: back to the login form unless signed in."""
        merchant = await self._current()
        if merchant is None:
            self._merchant_session_id = ""
            self.merchant_email = ""
            return rx.redirect(LOGIN_ROUTE)
        self.merchant_email = merchant.email
        return None

    @rx.event
    async def skip_login_when_signed_in(self) -> EventSpec | None:
        """On the login page: a signed-in merchant goes straight to the dashboard."""
        self.login_error = ""
        return rx.redirect(HOME_ROUTE) if await self._current() is not None else None


async def signed_in_merchant(state: rx.State) -> SignedInMerchant | None:
    """The merchant behind this browser tab, re-validated against the database."""
    auth = await state.get_state(DashboardAuthState)
    return await auth._current()


async def token_has_merchant(state_manager: StateManager, token: str) -> bool:
    """True when the browser tab with this Reflex client token has a live dashboard session
    (for routes outside the event socket, such as uploads)."""
    if not CLIENT_TOKEN.fullmatch(token):
        return False
    root = await state_manager.get_state(_substate_key(token, DashboardAuthState))
    auth = await root.get_state(DashboardAuthState)
    return await auth._current() is not None


P = ParamSpec("P")
S = TypeVar("S", bound=rx.State)
R = TypeVar("R")
_merchant: ContextVar[SignedInMerchant | None] = ContextVar("dashboard_merchant", default=None)


def merchant_only(
    handler: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[S, P], Awaitable[R | EventSpec]]:
    """Guard a dashboard event handler: without a live merchant session the tab goes to the
    login form and the handler does not run; inside it, `current_merchant()` is that merchant."""

    @functools.wraps(handler)
    async def guarded(self: S, *args: P.args, **kwargs: P.kwargs) -> R | EventSpec:
        merchant = await signed_in_merchant(self)
        if merchant is None:
            return rx.redirect(LOGIN_ROUTE)
        token = _merchant.set(merchant)
        try:
            return await handler(self, *args, **kwargs)
        finally:
            _merchant.reset(token)

    guarded.merchant_only = True  # type: ignore[attr-defined]  # read by the guard's test
    return guarded


def current_merchant() -> SignedInMerchant:
    """The merchant a `merchant_only` handler was called for."""
    merchant = _merchant.get()
    if merchant is None:
        raise RuntimeError("current_merchant() outside a merchant_only handler")
    return merchant
