"""The poller's settings: the only place `newswire poll` reads the environment.

Prefix `NEWSWIRE_POLL_` (e.g. `NEWSWIRE_POLL_SOURCES=deploy/poll/sources.yml`); `KAFKA_BOOTSTRAP_SERVERS`
and `DATABASE_URL` are read unprefixed, as every service does. The publishing fields (producer, topic
prefix, size budget) are ingest's `PublishSettings`, read here under the poller's prefix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.database import DatabaseUrlSettings
from services.ingest.settings import MIB, PublishSettings

DEFAULT_WEB_PORT: Final = 6066


class PollSettings(PublishSettings, DatabaseUrlSettings):
    """Frozen settings of `newswire poll`. Per-source values in the sources file win over the defaults
    here (`timeout`, `max_bytes`). `database_url` is where each source's state is kept (the store's
    database and runtime role)."""

    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_POLL_", frozen=True, populate_by_name=True)

    sources: Path = Field(default=Path("sources.yml"), description="The YAML file listing the feeds")
    web_host: str = Field(default="127.0.0.1", description="Interface of /metrics, /healthz, /readyz")
    web_port: int = Field(
        default=DEFAULT_WEB_PORT, ge=1, le=65535, description="Port of /metrics, /healthz, /readyz"
    )
    timeout_s: float = Field(default=20.0, gt=0, description="A whole fetch, redirects and body included")
    max_feed_bytes: int = Field(default=10 * MIB, gt=0, description="Largest feed body read")
    max_page_bytes: int = Field(default=5 * MIB, gt=0, description="Largest linked page read for full text")
    max_redirects: int = Field(default=5, ge=0, description="Redirects followed before giving up")
    max_items_per_poll: int = Field(
        default=500,
        gt=0,
        description="Items of one feed considered per poll (the newest); older ones past it are skipped",
    )
    max_backoff_s: float = Field(default=3600.0, gt=0, description="Longest wait after repeated failures")
    jitter: float = Field(default=0.1, ge=0, lt=1, description="Each wait varies by up to this fraction")
    seen_retention_days: int = Field(
        default=90, gt=0, description="How long an item id is remembered after it was first seen"
    )
    publish_chunk: int = Field(default=100, gt=0, description="Articles sent to Kafka per acknowledged batch")
    stop_timeout_s: float = Field(default=30.0, gt=0, description="Wait for polls in flight at shutdown")
    user_agent: str = Field(
        default="newswire-poll/1 (+https://github.com/newswire)", description="User-Agent of every request"
    )
