"""The SQLAlchemy engine of the store (psycopg 3)."""

from __future__ import annotations

from sqlalchemy import Engine

from services.common import database
from services.store.settings import StoreSettings

APPLICATION_NAME = "newswire-store"


def make_engine(settings: StoreSettings, *, application_name: str = APPLICATION_NAME) -> Engine:
    """The store's pooled engine (`services.common.database.make_engine`), sized by its settings."""
    return database.make_engine(
        settings.database_url,
        application_name=application_name,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
        pool_timeout_s=settings.pool_timeout_s,
        connect_timeout_s=settings.connect_timeout_s,
    )
