"""`newswire topics ensure` on the real broker: topics carry the layout's min.insync.replicas, and with
replication required an unreplicated layout or an existing unreplicated topic is refused."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

from bench.stack import NEWSWIRE
from services.common.topics_admin import MIN_INSYNC_REPLICAS, TopicLayout, UnreplicatedTopics, ensure_topics
from services.contracts.topics import Topics

pytestmark = pytest.mark.kafka


def topics_ensure(kafka_bootstrap: str, prefix: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            NEWSWIRE,
            "topics",
            "ensure",
            "--bootstrap",
            kafka_bootstrap,
            "--prefix",
            prefix,
            "--partitions",
            "1",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def test_created_topics_carry_the_layouts_min_insync_replicas(kafka_bootstrap: str) -> None:
    prefix = f"test-{uuid.uuid4().hex[:10]}."
    assert topics_ensure(kafka_bootstrap, prefix).returncode == 0
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, Topics.named(prefix).raw)]
        )
    finally:
        admin.close()
    ((_, configs),) = described["topic"].items()
    assert configs[MIN_INSYNC_REPLICAS]["value"] == "1"


def test_required_replication_refuses_the_single_broker_layout_and_creates_nothing(
    kafka_bootstrap: str,
) -> None:
    prefix = f"test-{uuid.uuid4().hex[:10]}."
    result = topics_ensure(kafka_bootstrap, prefix, NEWSWIRE_TOPIC_REQUIRE_REPLICATION="true")

    assert result.returncode == 2
    assert "replication factor is 1" in result.stderr
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        assert not {name for name in admin.list_topics() if name.startswith(prefix)}
    finally:
        admin.close()


def test_required_replication_refuses_topics_that_exist_unreplicated(
    kafka_bootstrap: str, topics: Topics
) -> None:
    production = TopicLayout(2, replication_factor=3, min_insync_replicas=2, require_replication=True)

    with pytest.raises(UnreplicatedTopics, match="fewer than 3 replicas") as refused:
        ensure_topics(kafka_bootstrap, topics, production)
    assert topics.raw in str(refused.value)
