"""Settings every faust worker has (Kafka, topics, web server, commit and retry policy). Each worker's own
settings class inherits these and sets its env prefix and defaults (`app_id`, `web_port`, `datadir`)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings

from services.common.build import commit_field
from services.common.retry import RetryPolicy
from services.common.topics_admin import TopicLayout
from services.contracts.topics import Topics

FAUST_DATA_ROOT = Path.home() / ".cache" / "newswire" / "faust"


class WorkerSettings(BaseSettings):
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
        description="Comma-separated host:port list (env KAFKA_BOOTSTRAP_SERVERS, unprefixed)",
    )
    topic_prefix: str = Field(
        default="", description="Namespace prefix of every topic (tests, parallel stacks)"
    )
    topic_partitions: int = Field(default=4, ge=1, description="Partitions of the topics the worker creates")
    # Unprefixed: every service that may create the topics must agree (as `newswire topics ensure`).
    topic_replication_factor: int = Field(
        default=1,
        ge=1,
        validation_alias=AliasChoices("NEWSWIRE_TOPIC_REPLICATION_FACTOR", "topic_replication_factor"),
        description="Replicas of each partition of the topics (env NEWSWIRE_TOPIC_REPLICATION_FACTOR)",
    )
    topic_min_insync_replicas: int = Field(
        default=1,
        ge=1,
        validation_alias=AliasChoices("NEWSWIRE_TOPIC_MIN_INSYNC_REPLICAS", "topic_min_insync_replicas"),
        description="min.insync.replicas of the topics (env NEWSWIRE_TOPIC_MIN_INSYNC_REPLICAS)",
    )
    topic_require_replication: bool = Field(
        default=False,
        validation_alias=AliasChoices("NEWSWIRE_TOPIC_REQUIRE_REPLICATION", "topic_require_replication"),
        description="Refuse to start on unreplicated topics (env NEWSWIRE_TOPIC_REQUIRE_REPLICATION)",
    )
    app_id: str = Field(description="faust app id = Kafka consumer group")
    datadir: Path = Field(description="faust's local state directory")
    web_host: str = Field(default="127.0.0.1", description="Address of /metrics, /healthz, /readyz")
    web_port: int = Field(ge=1, le=65535, description="Port of /metrics, /healthz, /readyz")
    commit_interval_s: float = Field(default=1.0, gt=0, description="How often acked offsets are committed")
    drain_timeout_s: float = Field(
        default=30.0, gt=0, description="Time to finish the batch in flight on stop"
    )
    session_timeout_s: float = Field(
        default=10.0,
        ge=6.0,  # the broker's default group.min.session.timeout.ms
        description="A member silent this long is dropped and its partitions move to the others",
    )
    heartbeat_interval_s: float = Field(default=3.0, gt=0, description="How often a member says it lives")
    rebalance_grace_s: float = Field(
        default=30.0, gt=0, description="How long /readyz tolerates having no assignment after a revocation"
    )
    liveness_timeout_s: float = Field(
        default=300.0,
        gt=0,
        description="/livez fails once the consumer agent has not turned for this long (a batch, an idle "
        "wait, a retry each turn it; model loading takes up to a minute)",
    )
    readiness_timeout_s: float = Field(
        default=1.0, gt=0, description="TCP connect timeout of /readyz's broker check, per bootstrap server"
    )
    commit: str = commit_field()
    retry_initial_s: float = Field(default=0.5, gt=0, description="First backoff after a transient error")
    retry_max_s: float = Field(
        # Low, so a worker notices within seconds that an outage ended (30 s made the store resume
        # up to 30 s after PostgreSQL was back: make chaos).
        default=5.0,
        gt=0,
        description="Backoff cap while an outage lasts",
    )

    @model_validator(mode="after")
    def _backoff_bounds(self) -> Self:
        if self.retry_max_s < self.retry_initial_s:
            raise ValueError("retry_max_s must be >= retry_initial_s")
        if self.heartbeat_interval_s * 3 > self.session_timeout_s:
            raise ValueError("heartbeat_interval_s must be at most a third of session_timeout_s")
        return self

    @property
    def topics(self) -> Topics:
        """The topic names under `topic_prefix`."""
        return Topics.named(self.topic_prefix)

    @property
    def topic_layout(self) -> TopicLayout:
        return TopicLayout(
            self.topic_partitions,
            self.topic_replication_factor,
            self.topic_min_insync_replicas,
            self.topic_require_replication,
        )

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(initial_s=self.retry_initial_s, maximum_s=self.retry_max_s)
