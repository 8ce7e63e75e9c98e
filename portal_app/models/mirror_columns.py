"""Column types and the common fields every mirrored Stripe object carries."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def from_unix(seconds: int | None) -> datetime | None:
    """A Stripe timestamp (Unix seconds) as an aware UTC datetime."""
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


class MirrorRow(SQLModel):
    """Fields shared by every mirror table: Stripe's id plus what sync needs to converge.

    `stripe_updated` and `stripe_rank` order snapshots of one object: a snapshot older than
    the stored one is ignored, so late or repeated webhooks cannot roll a row back.
    """

    id: str = Field(primary_key=True)
    created: datetime | None = Field(default=None, sa_type=UTCDateTime)
    stripe_updated: int = 0
    stripe_rank: int = 0
    deleted: bool = False
    raw: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
