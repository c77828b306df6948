"""The lag exporter reads consumer-group lag from the real broker: it sees a group with no live member fall
behind (the case a worker's own gauge cannot report), in messages and in seconds."""

from __future__ import annotations

import time

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from services.contracts.topics import Topics
from services.monitor.broker import BrokerReader
from services.monitor.collector import lag_families
from services.monitor.watched import EXTRACT, STORE, WatchedGroup

pytestmark = pytest.mark.kafka

AGE_S = 120.0


def produce(bootstrap: str, topic: str, count: int, stamp_ms: int) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for i in range(count):
        producer.send(topic, value=b"x%d" % i, partition=0, timestamp_ms=stamp_ms + i)
    producer.flush()
    producer.close()


def commit(bootstrap: str, group: str, topic: str, offset: int) -> None:
    """Commit `offset` in partition 0 as `group`, then leave: the group is left with no member."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    consumer.commit({TopicPartition(topic, 0): OffsetAndMetadata(offset, "", -1)})
    consumer.close()


def test_a_group_without_members_is_reported_behind_in_messages_and_seconds(
    kafka_bootstrap: str, topics: Topics
) -> None:
    stamp_ms = int((time.time() - AGE_S) * 1000)
    produce(kafka_bootstrap, topics.raw, 5, stamp_ms)
    extract = WatchedGroup(f"{topics.raw}-extract", topics.raw, EXTRACT)
    store = WatchedGroup(f"{topics.raw}-store", topics.enriched, STORE)
    commit(kafka_bootstrap, extract.group, topics.raw, 2)

    reader = BrokerReader(kafka_bootstrap, timeout_s=10.0, record_timeout_s=5.0)
    try:
        states = reader.read([extract, store])
    finally:
        reader.close()
    families = {f.name: f for f in lag_families(states, time.time())}

    def value(name: str, group: str, partition: str = "0") -> float:
        return next(
            s.value
            for s in families[name].samples
            if s.labels["group"] == group and s.labels.get("partition", partition) == partition
        )

    assert value("newswire_consumer_group_lag_messages", extract.group) == 3
    # The oldest unconsumed message is the third one (offset 2), stamped AGE_S seconds ago.
    assert AGE_S - 1 <= value("newswire_consumer_group_lag_seconds", extract.group) <= AGE_S + 30
    assert value("newswire_consumer_group_members", extract.group) == 0
    # Partitions the group never committed in count from the log start; the store's topic is empty.
    assert value("newswire_consumer_group_lag_messages", extract.group, partition="1") == 0
    assert value("newswire_consumer_group_lag_messages", store.group) == 0
