"""The sandbox's own tables (prefix `sandbox_`): Stripe objects as JSON documents plus lookups.

They live on their own SQLModel registry and metadata, in the sandbox's own database
(`database.py`), so the portal's metadata, migrations and `alembic check` never see them.
"""

from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class SandboxModel(SQLModel, registry=registry()):
    """The base of every sandbox table: a registry (and metadata) apart from the portal's."""


class SandboxObject(SandboxModel, table=True):
    """One Stripe object: the served JSON document, hidden state, and indexed lookup columns."""

    __tablename__ = "sandbox_object"

    # A monotonic sequence orders lists newest-first even when a test clock stands still.
    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(unique=True, index=True)
    object: str = Field(index=True)
    customer: str | None = Field(default=None, index=True)
    parent: str | None = Field(default=None, index=True)
    status: str | None = Field(default=None, index=True)
    lookup: str | None = Field(default=None, index=True)
    active: bool | None = Field(default=None, index=True)
    due_at: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    hidden: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SandboxEvent(SandboxModel, table=True):
    """A Stripe event and the state of its webhook delivery."""

    __tablename__ = "sandbox_event"

    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(unique=True, index=True)
    type: str = Field(index=True)
    created: int = Field(sa_column=Column(BigInteger, nullable=False))
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", index=True)  # pending | delivered
    attempts: int = 0
    # Real (wall-clock) unix times: delivery happens in the real world, not on a test clock.
    next_attempt_at: float = 0.0
    claimed_until: float = 0.0
    claim_token: str | None = Field(default=None, index=True)
    last_error: str | None = None
    request_id: str | None = None
    idempotency_key: str | None = None


class SandboxIdempotency(SandboxModel, table=True):
    """The stored answer to a write made with an Idempotency-Key, replayed on a repeat."""

    __tablename__ = "sandbox_idempotency"

    key: str = Field(primary_key=True)
    request_hash: str
    status_code: int
    body: str = Field(sa_column=Column(Text, nullable=False))
    created: float


class SandboxFault(SandboxModel, table=True):
    """An injected fault: answer matching requests with 429, 500 or a timeout."""

    __tablename__ = "sandbox_fault"

    id: int | None = Field(default=None, primary_key=True)
    mode: str
    path_prefix: str = "/v1/"
    remaining: int | None = None
    rate: float | None = None
    delay_ms: int = 5000


class SandboxState(SandboxModel, table=True):
    """Small named values shared by every worker: the write lock, the demo flag."""

    __tablename__ = "sandbox_state"

    key: str = Field(primary_key=True)
    value: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
