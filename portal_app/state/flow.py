"""Deep-link flows: a session made with `flow_data` opens straight on one task, without the
rest of the portal, and after it redirects, confirms, or shows the portal home."""

from collections.abc import Callable
from typing import Any

import reflex as rx

from portal_app.auth.portal_sessions import SessionError
from portal_app.services.actors import flow_of
from portal_app.services.flows import FLOW_KINDS, FlowStart, after_completion, flow_start
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.i18n import locale_of

# The event that opens each flow kind, registered by the state that handles it (so this
# module imports none of them: they import it to report completion).
_OPENERS: dict[str, Callable[[FlowStart], Any]] = {}


def register_opener(kind: str, opener: Callable[[FlowStart], Any]) -> None:
    """Open flows of `kind` with `opener(start)` (an event spec)."""
    if kind not in FLOW_KINDS:
        raise ValueError(f"unknown flow kind {kind!r}")
    _OPENERS[kind] = opener


class FlowState(rx.State):
    """`kind` is the open flow ("" shows the whole portal); `done_message` ends a flow."""

    kind: str = ""
    done_message: str = ""
    _started: bool = False

    @rx.event
    async def begin(self):
        """Open the session's flow once per tab (a reload after it ends shows the portal)."""
        if self._started:
            return None
        customer = await self.get_state(CustomerSessionState)
        try:
            _, start = await customer._off_loop(lambda db, actor: flow_start(flow_of(db, actor)))
        except SessionError:
            return None
        self._started = True
        if start is None:
            return None
        self.kind = start.kind
        opener = _OPENERS.get(start.kind)
        return opener(start) if opener is not None else None

    @rx.event
    async def complete(self, kind: str):
        """The flow's task is done: do what the session's `after_completion` asks."""
        if not self.kind or not self.kind.startswith(str(kind)):
            return None
        locale = await locale_of(self)
        customer = await self.get_state(CustomerSessionState)
        try:
            _, (action, value) = await customer._off_loop(
                lambda db, actor: after_completion(flow_of(db, actor), locale=locale)
            )
        except SessionError:
            return None
        if action == "redirect":
            self.kind = ""
            return rx.redirect(value)
        if action == "hosted_confirmation":
            self.done_message = value
            return None
        self.kind = ""
        return None

    @rx.event
    def leave(self) -> None:
        """Show the whole portal (after a confirmation, or to abandon the flow)."""
        self.kind = self.done_message = ""
