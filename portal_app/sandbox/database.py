"""The sandbox's own database: a separate engine and schema, never the portal's."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlmodel import create_engine

from portal_app.sandbox.models import SandboxModel
from portal_app.settings import get_settings


@lru_cache
def get_sandbox_engine() -> Engine:
    """One engine per process for the sandbox's tables, which it creates itself when missing."""
    url = get_settings().sandbox_database
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    # A development tool, not the portal's data: its schema needs no migrations. `checkfirst`
    # makes concurrent first starts of several workers safe enough (a loser retries below).
    _create_schema(engine)
    # Granian forks workers after the parent used the engine: each child opens its own sockets.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return engine


def _create_schema(engine: Engine) -> None:
    try:
        SandboxModel.metadata.create_all(engine)
    except (IntegrityError, ProgrammingError):
        # Another worker created the same tables at the same moment (PostgreSQL's catalogue
        # refuses the second CREATE); what it created is what we wanted.
        SandboxModel.metadata.create_all(engine)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets reads proceed during a write; the busy timeout waits for the one writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
