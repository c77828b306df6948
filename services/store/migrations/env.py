"""Alembic environment of the store schema.

The database URL comes from `config.attributes["database_url"]` when `migrate.py` sets it, otherwise
from StoreSettings (the `DATABASE_URL` environment variable). A caller may instead pass an open
connection in `config.attributes["connection"]` (tests do).

Concurrent runs (two migration jobs started at once) are serialised by a transaction-level advisory
lock taken before Alembic reads the current revision, so the second run sees the first one's result
and does nothing.
"""

from __future__ import annotations

from typing import Final

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text

from services.common.database import metadata
from services.store import schema as _store_schema  # noqa: F401  (declares every table on the metadata)
from services.store.settings import StoreSettings

MIGRATION_LOCK_KEY: Final = 0x6E657773  # "news": any constant shared by every migration run

config = context.config


def _database_url() -> str:
    url = config.attributes.get("database_url")
    return str(url) if url else StoreSettings().database_url


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit the SQL instead of running it (`alembic upgrade --sql`)."""
    context.configure(
        url=_database_url(),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    engine = create_engine(_database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
