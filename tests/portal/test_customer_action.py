"""The one customer-action path (`CustomerAction._act`) and the flow openers' registry."""

import ast
import secrets
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from reflex.state import State
from sqlmodel import Session

from portal_app.db import session_scope
from portal_app.i18n.catalog import gettext
from portal_app.models.configuration import PortalConfiguration
from portal_app.models.portal_session import PortalSession
from portal_app.services import off_loop
from portal_app.services.actors import actor_for
from portal_app.services.customer_actions import ActionRefused, Actor
from portal_app.services.flows import FLOW_KINDS, FlowStart
from portal_app.services.off_loop import in_session
from portal_app.services.plan_change import PromotionCodeRefused
from portal_app.state import customer_action, customer_session
from portal_app.state import payment_methods as _registers_its_opener  # noqa: F401
from portal_app.state.cancel import CancelState
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.flow import _OPENERS
from portal_app.state.plan_change import PlanChangeState

ROOT = Path(__file__).resolve().parents[2]


def tab(*, ended: bool = False) -> State:
    """A tab signed in as a new customer (its session already ended when `ended`)."""
    now = datetime.now(UTC)
    with session_scope() as db:
        config = PortalConfiguration(id=f"bpc_{secrets.token_hex(4)}", business_name="Acme")
        db.add(config)
        live = PortalSession(
            customer=f"cus_{secrets.token_hex(4)}",
            configuration_id=config.id,
            link_expires_at=now,
            redeemed_at=now,
            last_activity_at=now - (timedelta(days=1) if ended else timedelta()),
        )
        db.add(live)
        db.flush()
        session_id = live.id
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    root.get_substate(CustomerSessionState.get_full_name().split(".")[1:])._session_id = session_id
    return root


def substate(root: State, cls: Any) -> Any:
    return root.get_substate(cls.get_full_name().split(".")[1:])


async def test_the_actor_is_re_read_and_an_ended_session_runs_nothing(db_tables: None) -> None:
    state = substate(tab(ended=True), CancelState)
    ran: list[Actor] = []
    acted = await state._act(lambda db, actor: ran.append(actor))
    assert acted is None and ran == []
    assert state.error == gettext("Your session has expired. Please sign in again.", locale="en")


async def test_the_database_step_runs_off_the_event_loop_in_one_session(
    db_tables: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = substate(tab(), CancelState)
    opened: list[Session] = []

    @contextmanager
    def counted() -> Any:
        with session_scope() as db:
            opened.append(db)
            yield db

    monkeypatch.setattr(off_loop, "session_scope", counted)
    loop_thread = threading.get_ident()
    seen: dict[str, Any] = {}

    def prepare(db: Session, actor: Actor) -> str:
        seen["thread"], seen["db"] = threading.get_ident(), db
        return actor.customer

    calls: list[tuple[Actor, object, str]] = []

    async def service(actor: Actor, gateway: object, prepared: str) -> str:
        calls.append((actor, gateway, prepared))
        return "done"

    trap = object()
    monkeypatch.setattr(customer_action, "gateway", lambda: trap)
    acted = await state._act(prepare, service)
    assert acted is not None and acted.result == "done"
    assert seen["thread"] != loop_thread  # sync DB work never blocks the loop
    assert opened == [seen["db"]]  # the actor and the step share the one session
    assert calls == [(acted.actor, trap, acted.actor.customer)]
    assert acted.actor.session_id == substate(state.parent_state, CustomerSessionState)._session_id


async def test_a_refusal_goes_to_its_field_or_to_the_error(db_tables: None) -> None:
    state = substate(tab(), PlanChangeState)

    def refuse(exc: Exception) -> Any:
        def prepare(db: Session, actor: Actor) -> None:
            raise exc

        return prepare

    await state._act(refuse(PromotionCodeRefused("That promotion code is not valid.")))
    assert state.promotion_error == gettext("That promotion code is not valid.", locale="en")
    assert state.error == ""
    state.promotion_error = ""
    await state._act(refuse(ActionRefused("That subscription was not found.", code="missing")))
    assert state.error == gettext("That subscription was not found.", locale="en")
    assert state.promotion_error == ""
    state.error = ""
    await state._act(refuse(ActionRefused("Choose one of the plans listed.", field="price")))
    assert state.error == gettext(
        "Choose one of the plans listed.", locale="en"
    )  # no var for that field


def test_refusals_carry_a_code_and_a_field() -> None:
    plain = ActionRefused("x")
    assert (plain.code, plain.field) == ("refused", None)
    promo = PromotionCodeRefused("x")
    assert (promo.code, promo.field) == ("promotion_code_invalid", "promotion_code")


async def test_an_ended_session_is_refused_by_actor_for(db_tables: None) -> None:
    root = tab(ended=True)
    session_id = substate(root, CustomerSessionState)._session_id
    with session_scope() as db, pytest.raises(customer_session.SessionError):
        actor_for(db, session_id)
    with session_scope() as db, pytest.raises(customer_session.SessionError):
        actor_for(db, "")


def test_every_flow_kind_has_a_registered_opener() -> None:
    assert sorted(_OPENERS) == sorted(FLOW_KINDS)
    start = FlowStart("subscription_cancel", "sub_1", "", 0, "")
    assert _OPENERS["subscription_cancel"](start) is not None


def test_flow_imports_no_action_state() -> None:
    tree = ast.parse((ROOT / "portal_app/state/flow.py").read_text())
    imported = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    actions = {"cancel", "plan_change", "payment_methods", "billing_details", "invoices"}
    assert not {m for m in imported if m.rsplit(".", 1)[-1] in actions}


def test_no_customer_state_opens_its_own_database_session() -> None:
    """Customer action states reach the database only through `_act` (off the loop)."""
    for name in ("cancel", "plan_change", "payment_methods", "billing_details", "invoices"):
        source = (ROOT / f"portal_app/state/{name}.py").read_text()
        assert "session_scope" not in source, name
        assert "get_gateway" not in source, name


async def test_service_database_work_runs_off_the_loop(db_tables: None) -> None:
    loop_thread = threading.get_ident()
    assert await in_session(lambda db: threading.get_ident()) != loop_thread
    for name in ("customer_actions", "payment_methods", "plan_change", "invoices"):
        source = (ROOT / f"portal_app/services/{name}.py").read_text()
        assert "session_scope" not in source, name  # every block goes through `in_session`
    assert "session_scope" not in (ROOT / "portal_app/services/billing_details.py").read_text()
