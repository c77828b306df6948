"""The store's settings: the only place the store reads the environment.

`DATABASE_URL` and `KAFKA_BOOTSTRAP_SERVERS` are read unprefixed (every service shares them); the
rest with the prefix `NEWSWIRE_STORE_` (e.g. `NEWSWIRE_STORE_BATCH_SIZE=1000`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final, Self
from urllib.parse import urlsplit, urlunsplit

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.retry import RetryPolicy
from services.contracts.topics import Topics

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


class StoreSettings(BaseSettings):
    """Frozen settings of the store worker and of the `newswire db` / `newswire summary` commands.

    `repr()` shows the database URL with its password masked; `database_url` itself is the real DSN.
    """

    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_STORE_", frozen=True, populate_by_name=True)

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
        repr=False,
        description="SQLAlchemy URL; postgresql:// is normalised to postgresql+psycopg://",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
    )
    topic_prefix: str = Field(default="", description="Namespace for topic names, see Topics.named")
    batch_size: int = Field(default=500, gt=0, description="Most articles written in one transaction")
    batch_window_s: float = Field(default=0.5, gt=0, description="Longest wait to fill a batch")
    app_id: str = Field(default="newswire-store", description="faust app id = Kafka consumer group")
    datadir: Path = Field(default=Path("newswire-store-data"), description="faust's local state directory")
    commit_interval_s: float = Field(default=1.0, gt=0, description="How often acked offsets are committed")
    drain_timeout_s: float = Field(
        default=30.0, gt=0, description="Time to finish the batch in flight on stop"
    )
    topic_partitions: int = Field(default=8, ge=1, description="Partitions of topics the worker creates")
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=6068, ge=1, le=65535, description="The worker's /metrics and health")
    retry_initial_s: float = Field(default=0.5, gt=0, description="First backoff after a transient error")
    retry_max_s: float = Field(default=30.0, gt=0, description="Backoff cap while an outage lasts")
    pool_size: int = Field(default=4, ge=1, description="Connections kept open per process")
    pool_max_overflow: int = Field(default=2, ge=0, description="Extra connections opened under load")
    pool_timeout_s: float = Field(default=30.0, gt=0, description="Wait for a free pooled connection")
    connect_timeout_s: int = Field(default=10, ge=1, description="libpq connect_timeout")

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @model_validator(mode="after")
    def _backoff_bounds(self) -> Self:
        if self.retry_max_s < self.retry_initial_s:
            raise ValueError("retry_max_s must be >= retry_initial_s")
        return self

    def __repr_args__(self) -> Any:
        yield "database_url", redact_url(self.database_url)
        yield from super().__repr_args__()

    @property
    def safe_database_url(self) -> str:
        """`database_url` with the password masked."""
        return redact_url(self.database_url)

    @property
    def topics(self) -> Topics:
        return Topics.named(self.topic_prefix)

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(initial_s=self.retry_initial_s, maximum_s=self.retry_max_s)
