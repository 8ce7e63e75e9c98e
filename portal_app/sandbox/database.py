"""The sandbox's own database: a separate engine and schema, never the portal's."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import create_engine

from portal_app.sandbox.models import SandboxModel
from portal_app.settings import get_settings

# Any constant: the same for every process that creates the sandbox's schema.
_SCHEMA_LOCK = 7_202_612


@lru_cache
def get_sandbox_engine() -> Engine:
    """One engine per process for the sandbox's tables, which it creates itself when missing."""
    engine = build_sandbox_engine(get_settings().sandbox_database)
    # Granian forks workers after the parent used the engine: each child opens its own sockets.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return engine


def build_sandbox_engine(url: str) -> Engine:
    """An engine on a sandbox database (SQLite or PostgreSQL URL), its schema created."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    _create_schema(engine)
    return engine


def _create_schema(engine: Engine) -> None:
    """Create the sandbox's tables when missing: a development tool needs no migrations."""
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Instances starting together create the schema one at a time.
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _SCHEMA_LOCK})
            SandboxModel.metadata.create_all(connection)
    except OperationalError:
        # Two processes created one SQLite table at the same moment: the other one won.
        SandboxModel.metadata.create_all(engine)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets reads proceed during a write; the busy timeout waits for the one writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
