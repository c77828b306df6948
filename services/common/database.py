"""What every service that talks to PostgreSQL shares: the database URL's forms, and the one SQLAlchemy
`MetaData` every table is declared on (the store's in services/store/schema.py, the poller's in
services/ingest/poll/tables.py), so the store's migrations cover the whole database and a test can compare
them with it."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import MetaData

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
