"""Deep-link flows: a session made with `flow_data` opens straight on one task, without the
rest of the portal, and after it redirects, confirms, or shows the portal home."""

import reflex as rx

from portal_app.auth.portal_sessions import SessionError
from portal_app.db import session_scope
from portal_app.services.flows import after_completion, flow_start
from portal_app.state.customer_session import CustomerSessionState


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
            with session_scope() as db:
                start = flow_start(customer._flow(db))
        except SessionError:
            return None
        self._started = True
        if start is None:
            return None
        self.kind = start.kind
        # Imported here: those states import this one to report completion.
        from portal_app.state.cancel import CancelState
        from portal_app.state.payment_methods import PaymentMethodsState
        from portal_app.state.plan_change import PlanChangeState

        if start.kind == "payment_method_update":
            return PaymentMethodsState.open_add
        if start.kind == "subscription_cancel":
            return CancelState.open(start.subscription_id)
        if start.kind == "subscription_update":
            return PlanChangeState.open(start.subscription_id)
        return PlanChangeState.open_confirm(
            start.subscription_id, start.price_id, start.quantity, start.promotion_code_id
        )

    @rx.event
    async def complete(self, kind: str):
        """The flow's task is done: do what the session's `after_completion` asks."""
        if not self.kind or not self.kind.startswith(str(kind)):
            return None
        customer = await self.get_state(CustomerSessionState)
        try:
            with session_scope() as db:
                action, value = after_completion(customer._flow(db), locale=customer._locale)
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
