"""Every public dashboard handler is guarded: without a signed-in merchant a hostile client
gets the login redirect and changes nothing, neither in the tab's state nor in the database."""

import copy
import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from reflex.state import BaseState, State
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

import portal_app.state
from portal_app.models import Merchant
from portal_app.services.configurations import create_configuration
from portal_app.state.dashboard_auth import DashboardAuthState

# Reflex's own handlers (setvar) and the sign-in state's handlers are not dashboard handlers.
NOT_DASHBOARD = {"setvar"}


def _dashboard_states() -> list[type[State]]:
    states = []
    for info in pkgutil.iter_modules(portal_app.state.__path__):
        if info.name.startswith("dashboard_") or info.name == "dev_outbox":
            module = importlib.import_module(f"portal_app.state.{info.name}")
            states += [
                cls
                for _, cls in inspect.getmembers(module, inspect.isclass)
                if issubclass(cls, State) and cls.__module__ == module.__name__
            ]
    return [cls for cls in states if cls is not DashboardAuthState]


def _handlers() -> list[tuple[type[State], str]]:
    return [
        (cls, name)
        for cls in sorted(_dashboard_states(), key=lambda c: c.get_full_name())
        for name in sorted(cls.event_handlers)
        if name not in NOT_DASHBOARD
    ]


HANDLERS = _handlers()

# Arguments that would do something if the guard let them through.
HOSTILE: dict[str, Any] = {
    "name": "hostile",
    "origins": "https://evil.example",
    "query": "a",
    "sender_name": "Evil",
    "sender_address": "evil@example.com",
    "business_name": "Evil",
    "customer_id": "cus_x",
}


def _hostile(annotation: object) -> object:
    text = str(annotation)
    if "dict" in text:
        return dict(HOSTILE)
    if "list" in text:
        return []
    return "x"


def _snapshot(state: BaseState) -> dict[str, Any]:
    """Every field of the state's own, backend-only ones included."""
    cls = type(state)
    owned = [name for name, field in cls.__fields__.items() if field._owner is cls]
    return copy.deepcopy({name: getattr(state, name) for name in owned})


def _row_counts(db: Session) -> dict[str, int]:
    db.expire_all()
    return {
        table.name: db.exec(select(func.count()).select_from(table)).one()
        for table in SQLModel.metadata.sorted_tables
    }


def test_the_dashboard_has_handlers_to_guard() -> None:
    names = {f"{cls.__name__}.{name}" for cls, name in HANDLERS}
    assert len(HANDLERS) >= 30
    assert {"DashboardApiKeysState.create", "DevOutboxState.load"} <= names


@pytest.mark.parametrize(
    ("cls", "name"), HANDLERS, ids=[f"{cls.__name__}.{name}" for cls, name in HANDLERS]
)
async def test_every_dashboard_handler_redirects_a_signed_out_tab(
    cls: type[State], name: str, db: Session, merchant: Merchant
) -> None:
    create_configuration(session=db, fields={"business_name": "Acme"}, price_lookup=None)
    db.commit()
    fn = cls.event_handlers[name].fn
    assert getattr(fn, "merchant_only", False), f"{cls.__name__}.{name} is not merchant_only"
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    params = list(inspect.signature(fn).parameters.values())[1:]
    args = [_hostile(param.annotation) for param in params]
    before, rows = _snapshot(state), _row_counts(db)
    result = await fn(state, *args)
    assert "/dashboard/login" in str(result)
    assert _snapshot(state) == before
    assert _row_counts(db) == rows
