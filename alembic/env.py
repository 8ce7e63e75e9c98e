"""Alembic's entry point: the portal's metadata and database URL, batch mode on SQLite.

`portal_app.db.migrate()` runs this with its own connection (and without touching logging);
the `alembic` command line runs it with a connection made from the portal's settings.
"""

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text
from sqlalchemy.types import TypeDecorator

from portal_app.db import portal_metadata
from portal_app.settings import get_settings

# Any constant works: it only has to be the same for every process that migrates.
MIGRATION_LOCK_ID = 7_202_611

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _render_item(kind: str, obj: Any, _context: Any) -> str | bool:
    # The portal's own wrapping types (UTCDateTime) are stored as what they wrap, so the
    # migrations name the plain SQLAlchemy type and never import the portal's code.
    if (
        kind == "type"
        and isinstance(obj, TypeDecorator)
        and type(obj).__module__.startswith("portal_app")
    ):
        return f"sa.{obj.impl!r}"
    return False


def _run(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=portal_metadata(),
        compare_type=True,
        render_item=_render_item,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=is_sqlite,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Workers and instances starting together migrate one at a time; the others
            # then find the schema at head and do nothing.
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        context.run_migrations()


def run_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(
        url=get_settings().database_url,
        target_metadata=portal_metadata(),
        literal_binds=True,
        render_as_batch=get_settings().database_url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate through the caller's connection, or one made from the settings."""
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    engine = create_engine(get_settings().database_url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
