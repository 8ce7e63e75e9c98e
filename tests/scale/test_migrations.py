"""The Alembic migrations: they build exactly the schema the models describe, and undo it.

The check that compares a migrated database with the models fails whenever someone changes a
model without adding a migration (`alembic revision --autogenerate -m "..."`).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from scale_support import scratch_database, skip_unless_postgres
from sqlalchemy import Engine, create_engine, inspect, pool

from portal_app.db import alembic_config, portal_metadata
from portal_app.sandbox.database import build_sandbox_engine
from portal_app.sandbox.models import SandboxModel


def _upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, portal_metadata()))


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """An engine on an empty PostgreSQL database made for this test."""
    skip_unless_postgres()
    with scratch_database() as url:
        engine = create_engine(url, poolclass=pool.NullPool)
        yield engine
        engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty SQLite file."""
    engine = create_engine(f"sqlite:///{tmp_path / 'schema.db'}", poolclass=pool.NullPool)
    yield engine
    engine.dispose()


def test_there_is_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"the migrations branch: {heads}; merge them (alembic merge heads)"


def test_sqlite_migrated_to_head_matches_the_models(sqlite_engine: Engine) -> None:
    _upgrade(sqlite_engine)
    assert _differences(sqlite_engine) == []


def test_upgrading_twice_changes_nothing(sqlite_engine: Engine) -> None:
    _upgrade(sqlite_engine)
    _upgrade(sqlite_engine)
    with sqlite_engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == _head()


@pytest.mark.services
def test_postgres_from_empty_to_head_and_back_to_base(postgres_engine: Engine) -> None:
    _upgrade(postgres_engine)
    with postgres_engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == _head()
    assert set(portal_metadata().tables) <= set(inspect(postgres_engine).get_table_names())
    assert _differences(postgres_engine) == []

    _downgrade(postgres_engine, "base")
    assert inspect(postgres_engine).get_table_names() == ["alembic_version"]


def test_no_sandbox_table_in_the_portals_schema() -> None:
    """The sandbox is a separate Stripe: its tables are on their own metadata, never migrated."""
    assert not [t for t in portal_metadata().tables if t.startswith("sandbox")]
    assert set(SandboxModel.metadata.tables).isdisjoint(portal_metadata().tables)


def test_upgrading_drops_the_sandbox_tables_of_an_older_database(sqlite_engine: Engine) -> None:
    _upgrade(sqlite_engine, "0001")
    assert "sandbox_object" in inspect(sqlite_engine).get_table_names()
    _upgrade(sqlite_engine)
    assert not [t for t in inspect(sqlite_engine).get_table_names() if t.startswith("sandbox")]
    assert _differences(sqlite_engine) == []


@pytest.mark.services
def test_the_sandbox_creates_its_schema_in_its_own_postgres_database() -> None:
    skip_unless_postgres()
    with scratch_database() as url:
        engine = build_sandbox_engine(url)
        try:
            build_sandbox_engine(url).dispose()  # a second start finds the schema there
            assert set(inspect(engine).get_table_names()) == set(SandboxModel.metadata.tables)
        finally:
            engine.dispose()
