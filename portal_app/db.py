"""The database engine and sessions shared by services, the API and the sandbox."""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, SQLModel, create_engine

from portal_app.settings import get_settings


@lru_cache
def get_engine() -> Engine:
    """One engine per process, built from the configured database URL."""
    settings = get_settings()
    url = settings.database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets page reads proceed while a webhook writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def create_tables() -> None:
    """Create every table the portal and the sandbox own (idempotent)."""
    # Importing the model modules registers their tables with SQLModel's metadata.
    for module in ("portal_app.models", "portal_app.sandbox.models"):
        importlib.import_module(module)
    SQLModel.metadata.create_all(get_engine())
