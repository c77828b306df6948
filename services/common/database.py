"""What every service that talks to PostgreSQL shares: the database URL's forms, and the one SQLAlchemy
`MetaData` every table is declared on (the store's in services/store/schema.py, the poller's in
services/ingest/poll/tables.py), so the store's migrations cover the whole database and a test can compare
them with it."""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings
from sqlalchemy import Engine, MetaData, create_engine

DEFAULT_DATABASE_URL: Final = "postgresql+psycopg://newswire:newswire@127.0.0.1:15432/newswire"
_DRIVER: Final = "postgresql+psycopg"
_PLAIN_SCHEMES: Final = frozenset({"postgres", "postgresql"})


def normalise_database_url(url: str) -> str:
    """`postgres://` and `postgresql://` become `postgresql+psycopg://` (psycopg 3, the driver we ship).

    Raises ValueError for any other scheme than those and `postgresql+psycopg`.
    """
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("database URL must look like postgresql://user:password@host:port/dbname")
    if scheme in _PLAIN_SCHEMES:
        return f"{_DRIVER}://{rest}"
    if scheme != _DRIVER:
        raise ValueError(f"unsupported database URL scheme {scheme!r}: use postgresql:// (psycopg 3)")
    return url


def redact_url(url: str) -> str:
    """The URL with its password replaced by `***`, for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Constraint and index names the migrations spell out (op.f) and the metadata derives alike.
metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(
    database_url: str,
    *,
    application_name: str,
    pool_size: int,
    max_overflow: int,
    pool_timeout_s: float = 30.0,
    connect_timeout_s: int = 10,
) -> Engine:
    """A pooled engine for `database_url`. Opens no connection until first used.

    `pool_pre_ping` checks a pooled connection before handing it out, so a connection broken by a
    database restart is replaced instead of failing the next use; `pool_recycle` retires connections
    before server- or proxy-side idle timeouts cut them. `application_name` shows in pg_stat_activity.
    """
    return create_engine(
        database_url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout_s,
        pool_recycle=1800,
        connect_args={"connect_timeout": connect_timeout_s, "application_name": application_name},
    )


class DatabaseUrlSettings(BaseSettings):
    """The `database_url` setting of every service that talks to PostgreSQL, read from `DATABASE_URL`
    (unprefixed, whatever the service's prefix), normalised to psycopg 3. `repr()` shows it with the
    password masked; `database_url` itself is the real DSN."""

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
        repr=False,
        description="SQLAlchemy URL; postgresql:// is normalised to postgresql+psycopg://",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    def __repr_args__(self) -> Any:
        yield "database_url", redact_url(self.database_url)
        yield from super().__repr_args__()
