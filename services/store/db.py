"""The SQLAlchemy engine of the store (psycopg 3)."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine

from services.store.settings import StoreSettings

APPLICATION_NAME = "newswire-store"


def make_engine(settings: StoreSettings, *, application_name: str = APPLICATION_NAME) -> Engine:
    """A pooled engine for `settings.database_url`. Opens no connection until first used.

    `pool_pre_ping` checks a pooled connection before handing it out, so a connection broken by a
    database restart is replaced instead of failing the next batch; `pool_recycle` retires connections
    before server- or proxy-side idle timeouts cut them. `application_name` shows in pg_stat_activity.
    """
    return create_engine(
        settings.database_url,
        pool_pre_ping=True,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
        pool_timeout=settings.pool_timeout_s,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": settings.connect_timeout_s,
            "application_name": application_name,
        },
    )
