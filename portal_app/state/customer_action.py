"""The one path a customer action takes: actor, one service, refusals, follow-ups.

Every customer state mixes in `CustomerAction` and calls `_act`: the actor is re-read from
the database for the event, the synchronous database work runs in a worker thread (never on
the event loop) in one session, the gateway call (async) runs on the loop, and a refusal
becomes a translated message on the state, placed by its `field` where it has one.
"""

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from portal_app.auth.portal_sessions import SessionError
from portal_app.billing.errors import BillingError
from portal_app.billing.gateway import Gateway, get_gateway
from portal_app.i18n.text import user_message
from portal_app.services.customer_actions import ActionRefused, Actor
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.embed import embed_event
from portal_app.state.flow import FlowState
from portal_app.state.i18n import locale_of
from portal_app.state.portal import PortalState

# What a customer action may end in, each with a message fit to show: the session is over,
# the portal refuses, or Stripe refused or failed.
CUSTOMER_ERRORS = (SessionError, ActionRefused, BillingError)


@dataclass(frozen=True)
class Acted:
    """A finished action: what the database step returned, and what the service returned."""

    actor: Actor
    prepared: Any
    result: Any


def gateway() -> Gateway:
    """The gateway customer actions use (the one place tests replace it)."""
    return get_gateway()


def _nothing(_db: Session, _actor: Actor) -> None:
    return None


class CustomerAction(rx.State, mixin=True):
    """`error`/`notice`/`busy` and the intent nonce shared by the customer action states."""

    error: str = ""
    notice: str = ""
    busy: bool = False
    _nonce: str = ""
    # A refusal that names a field goes to that field's message var instead of `error`.
    _field_vars: dict[str, str] = {}

    def _new_nonce(self) -> None:
        """A new intent: the next write is a new change, not a retry of the last one."""
        self._nonce = secrets.token_hex(8)

    async def _act(
        self,
        prepare: Callable[[Session, Actor], Any] = _nothing,
        call: Callable[[Actor, Gateway, Any], Awaitable[Any]] | None = None,
        *,
        error_var: str = "error",
    ) -> Acted | None:
        """Run one action; None (and the message set) when it was refused or failed.

        `prepare(db, actor)` runs off the event loop in the session that re-read the actor;
        `call(actor, gateway, prepared)` is the service's gateway step, awaited on the loop.
        A refusal is shown in `error_var` unless it names a field the state maps.
        """
        locale = await locale_of(self)
        customer = await self.get_state(CustomerSessionState)
        try:
            actor, prepared = await customer._off_loop(prepare, locale)
            result = await call(actor, gateway(), prepared) if call is not None else None
        except CUSTOMER_ERRORS as exc:
            self._refused(exc, locale, error_var)
            return None
        return Acted(actor=actor, prepared=prepared, result=result)

    async def _one_click(
        self, write: Callable[..., Awaitable[Any]], subscription_id: str
    ) -> Acted | None:
        """A write one click makes on a subscription (renew, drop a scheduled change):
        `write(gateway=, actor=, subscription_id=, nonce=)` with a new intent each click."""
        self.error = self.notice = ""
        nonce = secrets.token_hex(8)
        return await self._act(
            call=lambda actor, gateway, _: write(
                gateway=gateway, actor=actor, subscription_id=subscription_id, nonce=nonce
            )
        )

    def _refused(self, exc: Exception, locale: str, error_var: str) -> None:
        """Show a refusal next to its field when the state has one, else in `error_var`."""
        field = exc.field if isinstance(exc, ActionRefused) else None
        setattr(self, self._field_vars.get(field or "", error_var), user_message(exc, locale))

    @staticmethod
    def _done(flow: str = "", embed: str = "", **detail: str) -> list[EventSpec | Any]:
        """The follow-ups of a change: reload the portal, end the flow, tell the framing page."""
        events: list[EventSpec | Any] = [PortalState.load]
        if flow:
            events.append(FlowState.complete(flow))
        if embed:
            events.append(embed_event(embed, **detail))
        return events
