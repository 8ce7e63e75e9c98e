"""The no-code login link: email → one-time code → portal session."""

import asyncio
import time
from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from portal_app.i18n.catalog import gettext
from portal_app.i18n.text import user_message
from portal_app.services.branding import BrandView, brand_for
from portal_app.services.configurations import configuration_for_login_token
from portal_app.services.login_codes import LoginError, request_code, verify_code
from portal_app.services.off_loop import in_session
from portal_app.state.brand import BrandState
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.i18n import locale_of

MAX_FIELD = 320
# Every code request answers after at least this long, so timing does not tell known emails.
SEND_ANSWER_SECONDS = 0.4


def _text(form_data: object, key: str) -> str:
    """A form field as bounded text, whatever the client sent."""
    value = form_data.get(key, "") if isinstance(form_data, dict) else ""
    return str(value)[:MAX_FIELD] if isinstance(value, str | int) else ""


def _verify_code(*, session: Session, email: str, code: str, client: str) -> str | LoginError:
    """The new portal session's id, or the refusal: returned, not raised, so that a wrong
    code's count is committed."""
    try:
        return verify_code(session=session, email=email, code=code, client=client).id
    except LoginError as exc:
        return exc


@dataclass(frozen=True)
class _LinkTarget:
    """What the login link's configuration gives the page."""

    configuration_id: str
    business_name: str
    brand: BrandView


def _link_target(*, session: Session, token: str) -> _LinkTarget | None:
    config = configuration_for_login_token(session=session, token=token)
    if config is None:
        return None
    return _LinkTarget(config.id, config.business_name, brand_for(config))


class LoginState(rx.State):
    """Two steps on one page; the configuration comes from the link's token, server-side."""

    step: str = "email"  # email, code or unavailable
    email: str = ""
    email_error: str = ""
    code_error: str = ""
    notice: str = ""
    _configuration_id: str = ""
    _business_name: str = ""

    def _token(self) -> str:
        return str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]

    @rx.event
    async def load(self) -> None:
        """Check the link is active, brand the page, prefill `?prefilled_email=`.

        Every websocket reconnect runs this again, also one that lands on another instance:
        a tab that already asked for a code with this link stays on the code step.
        """
        token = self._token()
        target = await in_session(lambda db: _link_target(session=db, token=token))
        if target is None:
            self.step = "unavailable"
            return
        resuming = self.step == "code" and self._configuration_id == target.configuration_id
        self._configuration_id = target.configuration_id
        self._business_name = target.business_name
        (await self.get_state(BrandState)).brand = target.brand
        prefilled = str(self.router.url.query_parameters.get("prefilled_email", ""))[:MAX_FIELD]
        if resuming and prefilled in ("", self.email):
            return
        self.email_error = self.code_error = self.notice = ""
        self.step = "email"
        self.email = prefilled

    @rx.event
    async def send_code(self, form_data: dict) -> None:
        """Send a code; the answer is the same whether or not the email is a customer's."""
        await self._send(_text(form_data, "email"))

    async def _send(self, email: str) -> None:
        locale = await locale_of(self)
        self.email_error = self.code_error = ""
        if not self._configuration_id:
            self.step = "unavailable"
            return
        started = time.monotonic()
        configuration_id, business_name = self._configuration_id, self._business_name
        client = self.router.session.client_ip or "unknown"
        try:
            sent = await in_session(
                lambda db: request_code(
                    session=db,
                    email=email,
                    configuration_id=configuration_id,
                    business_name=business_name,
                    client=client,
                    locale=locale,
                )
            )
        except LoginError as exc:
            self.email = email
            self.email_error = user_message(exc, locale)
            return
        finally:
            # Known and unknown emails answer after the same time, whatever the work took.
            await asyncio.sleep(max(0.0, SEND_ANSWER_SECONDS - (time.monotonic() - started)))
        self.email = sent.email
        self.step = "code"
        self.notice = gettext(
            "If {email} has an account, we sent it a 6-digit code.", locale=locale, email=sent.email
        )

    @rx.event
    async def resend(self) -> None:
        """Ask for a new code for the same email (the 60-second rule applies)."""
        await self._send(self.email)
        if self.email_error:
            self.code_error, self.email_error = self.email_error, ""
            self.step = "code"

    @rx.event
    def change_email(self) -> None:
        """Back to the email step."""
        self.step = "email"
        self.code_error = self.notice = ""

    @rx.event
    async def verify(self, form_data: dict):
        """Check the code and open the portal in this tab."""
        self.code_error = ""
        if not self._configuration_id or not self.email:
            self.step = "email"
            return None
        email, code = self.email, _text(form_data, "code")
        client = self.router.session.client_ip or "unknown"
        session_id = await in_session(
            lambda db: _verify_code(session=db, email=email, code=code, client=client)
        )
        if isinstance(session_id, LoginError):
            self.code_error = user_message(session_id, await locale_of(self))
            return None
        customer = await self.get_state(CustomerSessionState)
        return [customer._start_session(session_id), rx.redirect("/portal", replace=True)]
