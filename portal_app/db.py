"""The portal's database engine and sessions (the sandbox has its own: `sandbox/database.py`)."""

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData, event
from sqlmodel import Session, SQLModel, create_engine

from portal_app.settings import PROJECT_ROOT, get_settings


@lru_cache
def get_engine() -> Engine:
    """One engine per process, built from the configured database URL."""
    engine = _build_engine()
    # Granian forks its workers from a process that has already used the engine (the app
    # migrates on import): each child must open its own connections, never share the
    # parent's sockets, or PostgreSQL sees two processes talking on one connection.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return engine


def _build_engine() -> Engine:
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


def portal_metadata() -> MetaData:
    """Every table the portal owns, as one SQLModel metadata (the sandbox's are on their own)."""
    # Importing the model module registers its tables with SQLModel's metadata.
    importlib.import_module("portal_app.models")
    return SQLModel.metadata


def alembic_config() -> Config:
    """Alembic's configuration for this project (alembic.ini beside the package)."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    # The app's logging stays as it is when migrations run inside it.
    config.attributes["configure_logger"] = False
    return config


def migrate() -> None:
    """Upgrade the schema to the newest migration (idempotent; concurrent starts are safe)."""
    config = alembic_config()
    with get_engine().begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def create_tables() -> None:
    """Bring the schema up to date; the same as `migrate()`, under the name callers use."""
    migrate()
