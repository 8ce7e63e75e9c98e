"""Fixtures for the gateway, the mirror and sync: a rolled-back session and Stripe's examples."""

import copy
import json
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from portal_app.db import get_engine

EXAMPLES = next(
    (
        base / "shared" / "stripe-openapi" / "fixtures3.json"
        for base in Path(__file__).resolve().parents[3:5]
        if (base / "shared" / "stripe-openapi" / "fixtures3.json").exists()
    ),
    Path(__file__).resolve().parents[3] / "shared" / "stripe-openapi" / "fixtures3.json",
)

MakeEvent = Callable[..., dict[str, Any]]


@pytest.fixture
def session(db_tables: None) -> Iterator[Session]:
    """A session whose work is rolled back after the test."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture(scope="session")
def stripe_examples() -> dict[str, dict[str, Any]]:
    """Stripe's own example of each object (`../shared/stripe-openapi/fixtures3.json`)."""
    if not EXAMPLES.exists():
        pytest.skip(f"{EXAMPLES} is absent (a clone outside the workspace)")
    return json.loads(EXAMPLES.read_text())["resources"]


@pytest.fixture
def example(stripe_examples: dict[str, dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """A fresh copy of Stripe's example `resource` with a unique id and the given overrides."""

    def build(resource: str, **overrides: Any) -> dict[str, Any]:
        obj = copy.deepcopy(stripe_examples[resource])
        prefix = obj["id"].split("_")[0]
        obj["id"] = f"{prefix}_{secrets.token_hex(6)}"
        obj.update(overrides)
        return obj

    return build


@pytest.fixture
def make_event() -> MakeEvent:
    """An event dict as Stripe posts it, for `obj` at `created` seconds."""

    def build(type_: str, obj: dict[str, Any], *, created: int, event_id: str | None = None):
        return {
            "id": event_id or f"evt_{secrets.token_hex(8)}",
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": created,
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type_,
        }

    return build
