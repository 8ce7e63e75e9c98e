"""Dashboard sign-in: the merchant's session id lives only in a backend var."""

from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from portal_app.auth.merchants import (
    MAX_PASSWORD_LENGTH,
    MerchantAuthError,
    active_merchant,
    authenticate,
    end_session,
    start_session,
)
from portal_app.db import session_scope
from portal_app.i18n.catalog import gettext
from portal_app.i18n.text import user_message
from portal_app.state.customer_session import locale_of

LOGIN_ROUTE = "/dashboard/login"
HOME_ROUTE = "/dashboard"


@dataclass(frozen=True)
class SignedInMerchant:
    """Who is signed in, as handlers need it (never sent to the browser)."""

    id: str
    email: str


class DashboardAuthState(rx.State):
    """The signed-in merchant; every dashboard handler re-validates the session."""

    _merchant_session_id: str = ""
    merchant_email: str = ""
    login_error: str = ""

    def _current(self) -> SignedInMerchant | None:
        with session_scope() as session:
            try:
                merchant = active_merchant(session=session, session_id=self._merchant_session_id)
            except MerchantAuthError:
                return None
            return SignedInMerchant(id=merchant.id, email=merchant.email)

    @rx.event
    async def log_in(self, form_data: dict[str, Any]) -> EventSpec | None:
        """Check the credentials (throttled per email) and start a dashboard session."""
        locale = await locale_of(self)
        email, password = form_data.get("email"), form_data.get("password")
        if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
            self.login_error = gettext("Enter your email and password.", locale=locale)
            return None
        with session_scope() as session:
            # Caught inside the scope so that a failed attempt's count is committed.
            try:
                merchant = authenticate(
                    session=session, email=email[:320], password=password[:MAX_PASSWORD_LENGTH]
                )
                session_id = start_session(session=session, merchant=merchant)
            except MerchantAuthError as exc:
                self.login_error = user_message(exc, locale)
                return None
            self.merchant_email = merchant.email
        self._merchant_session_id = session_id
        self.login_error = ""
        return rx.redirect(HOME_ROUTE)

    @rx.event
    def log_out(self) -> EventSpec:
        """End the dashboard session."""
        with session_scope() as session:
            end_session(session=session, session_id=self._merchant_session_id)
        self._merchant_session_id = ""
        self.merchant_email = ""
        return rx.redirect(LOGIN_ROUTE)

    @rx.event
    def require_merchant(self) -> EventSpec | None:
        """On every dashboard page load: back to the login form unless signed in."""
        merchant = self._current()
        if merchant is None:
            self._merchant_session_id = ""
            self.merchant_email = ""
            return rx.redirect(LOGIN_ROUTE)
        self.merchant_email = merchant.email
        return None

    @rx.event
    def skip_login_when_signed_in(self) -> EventSpec | None:
        """On the login page: a signed-in merchant goes straight to the dashboard."""
        self.login_error = ""
        return rx.redirect(HOME_ROUTE) if self._current() is not None else None


async def signed_in_merchant(state: rx.State) -> SignedInMerchant | None:
    """The merchant behind this browser tab, re-validated against the database."""
    auth = await state.get_state(DashboardAuthState)
    return auth._current()
