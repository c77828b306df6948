"""The store's settings: the only place the store reads the environment.

`DATABASE_URL` and `KAFKA_BOOTSTRAP_SERVERS` are read unprefixed (every service shares them); the
rest with the prefix `NEWSWIRE_STORE_` (e.g. `NEWSWIRE_STORE_BATCH_SIZE=1000`). `newswire replay`
reads its own with the prefix `NEWSWIRE_REPLAY_` and reuses the store's and ingest's publishing
settings (`ReplaySettings`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.database import DatabaseUrlSettings, redact_url
from services.common.worker_settings import FAUST_DATA_ROOT, WorkerSettings
from services.ingest.settings import PublishSettings
from services.store.access import DEFAULT_ANALYST_ROLE, DEFAULT_RUNTIME_ROLE


class StoreSettings(WorkerSettings, DatabaseUrlSettings):
    """Frozen settings of the store worker and of the `newswire db` / `newswire summary` commands.

    `repr()` shows the database URL with its password masked; `database_url` itself is the real DSN.
    """

    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_STORE_", frozen=True, populate_by_name=True)

    batch_size: int = Field(default=500, gt=0, description="Most articles written in one transaction")
    batch_window_s: float = Field(
        default=0.05, gt=0, description="Longest wait to fill a batch (short: it adds to end-to-end latency)"
    )
    write_concurrency: int = Field(
        default=2,
        ge=1,
        description="Batches written at once, each in its own transaction and connection (acked in order)",
    )
    runtime_role: str = Field(
        default=DEFAULT_RUNTIME_ROLE,
        description="The store worker's role: `newswire db upgrade` grants it reads and writes, no DDL",
    )
    analyst_role: str = Field(
        default=DEFAULT_ANALYST_ROLE, description="A read-only role `newswire db upgrade` grants SELECT"
    )
    app_id: str = "newswire-store"
    datadir: Path = FAUST_DATA_ROOT / "store"
    web_port: int = Field(default=6068, ge=1, le=65535)
    pool_size: int = Field(default=4, ge=1, description="Connections kept open per process")
    pool_max_overflow: int = Field(default=2, ge=0, description="Extra connections opened under load")
    pool_timeout_s: float = Field(default=30.0, gt=0, description="Wait for a free pooled connection")
    connect_timeout_s: int = Field(default=10, ge=1, description="libpq connect_timeout")

    @model_validator(mode="after")
    def _pool_fits_the_writes(self) -> StoreSettings:
        if self.pool_size + self.pool_max_overflow < self.write_concurrency:
            raise ValueError("pool_size + pool_max_overflow must be >= write_concurrency")
        return self

    @property
    def safe_database_url(self) -> str:
        """`database_url` with the password masked."""
        return redact_url(self.database_url)


class ReplaySettings(BaseSettings):
    """Frozen settings of `newswire replay`: its page size (env `NEWSWIRE_REPLAY_BATCH_SIZE`), and the
    store's and ingest's settings as those services read them, not read a second time: it reads the
    database the store writes (`DATABASE_URL`) and publishes where ingest publishes, with ingest's
    producer (`KAFKA_BOOTSTRAP_SERVERS`, `NEWSWIRE_INGEST_TOPIC_PREFIX`, `NEWSWIRE_INGEST_PUBLISH_TIMEOUT_S`,
    ...)."""

    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_REPLAY_", frozen=True)

    batch_size: int = Field(
        default=200,
        gt=0,
        # A page must be acknowledged within ingest's publish timeout as a whole: 200 typical articles
        # are about a megabyte; lower it for a store of very large ones.
        description="Articles read per query and published per wait for the broker's acknowledgements",
    )
    store: StoreSettings = Field(default_factory=StoreSettings)
    publish: PublishSettings = Field(default_factory=PublishSettings)
