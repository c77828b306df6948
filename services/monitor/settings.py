"""The lag exporter's settings: the only place it reads the environment (prefix `NEWSWIRE_LAG_`, and
`KAFKA_BOOTSTRAP_SERVERS` unprefixed)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.build import commit_field
from services.contracts.topics import Topics
from services.monitor.watched import EXTRACT, STORE, SUBSCRIBER, WatchedGroup


class LagSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_LAG_")

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
        description="Comma-separated host:port list (env KAFKA_BOOTSTRAP_SERVERS, unprefixed)",
    )
    topic_prefix: str = Field(default="", description="Namespace prefix of the topics (as the workers')")
    extract_group: str = Field(
        default="newswire-extract", description="extract's consumer group (its app id)"
    )
    store_group: str = Field(default="newswire-store", description="store's consumer group (its app id)")
    subscribers: dict[str, str] = Field(
        default_factory=dict,
        description='Downstream groups to watch too, as JSON {"group": "topic"} (full topic names)',
    )
    web_host: str = Field(default="127.0.0.1", description="Address of /metrics and /healthz")
    web_port: int = Field(default=9308, ge=1, le=65535, description="Port of /metrics and /healthz")
    timeout_s: float = Field(default=5.0, gt=0, description="Broker request timeout of one scrape's reads")
    record_timeout_s: float = Field(
        default=2.0,
        gt=0,
        description="How long a scrape waits for the oldest unconsumed messages' timestamps",
    )
    commit: str = commit_field()

    def watched(self) -> list[WatchedGroup]:
        topics = Topics.named(self.topic_prefix)
        return [
            WatchedGroup(self.extract_group, topics.raw, EXTRACT),
            WatchedGroup(self.store_group, topics.enriched, STORE),
            *(WatchedGroup(group, topic, SUBSCRIBER) for group, topic in sorted(self.subscribers.items())),
        ]


class AlertLogSettings(BaseSettings):
    """`newswire alert-log`'s settings (prefix `NEWSWIRE_ALERT_LOG_`)."""

    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_ALERT_LOG_")

    host: str = Field(default="127.0.0.1", description="Address Alertmanager posts to")
    port: int = Field(default=19099, ge=1, le=65535, description="Port Alertmanager posts to (POST /alerts)")
