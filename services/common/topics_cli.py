"""`newswire topics ensure`: create the project's Kafka topics (idempotent)."""

import argparse
import sys

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.topics_admin import TopicLayout, UnreplicatedTopics, ensure_topics
from services.contracts.topics import Topics


class TopicsSettings(BaseSettings):
    """Where and how to create the topics; flags override these."""

    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_TOPIC_", frozen=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
    )
    prefix: str = ""
    partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1, description="Replicas of each partition (prod: 3)")
    min_insync_replicas: int = Field(default=1, ge=1, description="Replicas acks=all waits for (prod: 2)")
    require_replication: bool = Field(
        default=False, description="Refuse a layout or existing topics that one lost broker would hurt (prod)"
    )


def main(argv: list[str] | None = None) -> int:
    settings = TopicsSettings()
    parser = argparse.ArgumentParser(prog="newswire topics")
    sub = parser.add_subparsers(dest="action", required=True)
    ensure = sub.add_parser("ensure", help="create missing topics")
    ensure.add_argument("--bootstrap", default=settings.kafka_bootstrap_servers)
    ensure.add_argument("--prefix", default=settings.prefix)
    ensure.add_argument("--partitions", type=int, default=settings.partitions)
    args = parser.parse_args(argv)
    topics = Topics.named(args.prefix)
    layout = TopicLayout(
        args.partitions,
        settings.replication_factor,
        settings.min_insync_replicas,
        settings.require_replication,
    )
    try:
        ensure_topics(args.bootstrap, topics, layout)
    except UnreplicatedTopics as exc:
        print(f"newswire topics ensure: refused: {exc}", file=sys.stderr)
        return 2
    print("\n".join(topics.all()))
    return 0
