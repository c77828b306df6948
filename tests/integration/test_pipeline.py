"""End to end on the real servers: HTTP -> ingest -> Kafka -> extract -> Kafka -> store -> Postgres."""

import base64
import hashlib
import json
import subprocess
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

from bench.corpus import largest_accepted_text, paragraph_pool
from bench.stack import NEWSWIRE, Stack
from services.common.topics_admin import MAX_MESSAGE_BYTES
from services.contracts.budget import (
    RAW_ARTICLE_BYTES,
    RAW_TOPIC_BYTES,
    topic_limits,
)
from services.contracts.headers import make_headers
from services.contracts.models import RAW_ARTICLE_SCHEMA, DeadLetter, RawArticle
from services.ingest.articles import raw_article_from_text
from services.ingest.outgoing import MESSAGE_OVERHEAD_BYTES
from services.monitor.broker import BrokerReader
from services.monitor.lag import partition_lag
from services.monitor.watched import EXTRACT, STORE, WatchedGroup

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

SAMPLES = sorted((Path(__file__).parents[2] / "samples").glob("*.txt"))


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def count(url: str, sql: str, *params: object) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql, params).fetchone()
        assert row is not None
        return int(row[0])


def post_samples(stack: Stack) -> list[str]:
    body = "\n".join(
        json.dumps({"external_id": path.name, "source": "samples", "text": path.read_text(encoding="utf-8")})
        for path in SAMPLES
    )
    response = httpx.post(
        f"{stack.ingest_url}/v1/articles",
        content=body.encode(),
        headers={"Content-Type": "application/x-ndjson"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    ids: list[str] = response.json()["article_ids"]
    return ids


def table_counts(url: str, article_ids: list[str]) -> dict[str, int]:
    return {
        "articles": count(url, "SELECT count(*) FROM articles WHERE article_id = ANY(%s)", article_ids),
        "mentions": count(url, "SELECT count(*) FROM mentions WHERE article_id = ANY(%s)", article_ids),
        "events": count(url, "SELECT count(*) FROM events WHERE article_id = ANY(%s)", article_ids),
        "entities": count(url, "SELECT count(*) FROM entities"),
    }


def store_caught_up(stack: Stack) -> bool:
    """Whether the store worker committed offsets up to the end of every enriched-topic partition."""
    topic = stack.topics.enriched
    consumer = KafkaConsumer(bootstrap_servers=stack.kafka_bootstrap)
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        ends = consumer.end_offsets(partitions)
        committed = admin.list_group_offsets(stack.store_group).get(stack.store_group, {})
        return bool(ends) and all(
            end == 0 or (tp in committed and committed[tp].offset >= end) for tp, end in ends.items()
        )
    finally:
        consumer.close()
        admin.close()


def test_sample_articles_posted_over_http_land_in_postgres_with_entities_and_events(stack: Stack) -> None:
    ids = post_samples(stack)

    assert len(set(ids)) == len(SAMPLES)
    wait_for(
        lambda: table_counts(stack.database_url, ids)["articles"] == len(SAMPLES), "articles in Postgres"
    )
    counts = table_counts(stack.database_url, ids)
    assert counts["mentions"] > 0
    assert counts["events"] > 0
    assert counts["entities"] > 0


def test_posting_the_same_articles_again_adds_no_rows(stack: Stack) -> None:
    first_ids = post_samples(stack)
    wait_for(lambda: store_caught_up(stack), "store to consume the first delivery")
    before = table_counts(stack.database_url, first_ids)

    second_ids = post_samples(stack)
    assert second_ids == first_ids
    wait_for(lambda: store_caught_up(stack), "store to consume the re-delivery")

    assert table_counts(stack.database_url, first_ids) == before


def test_a_malformed_raw_message_is_dead_lettered_and_the_next_good_one_is_stored(stack: Stack) -> None:
    now = datetime.now(UTC)
    good = raw_article_from_text(
        "Grève à Marseille\n\nLes dockers du port de Marseille ont entamé une grève lundi.",
        external_id="dlq-good-1",
        source="test",
        ingested_at=now,
    )
    malformed = b'{"article_id": "x", "text": '
    producer = KafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all")
    bad_meta = producer.send(stack.topics.raw, key=b"bad-1", value=malformed, partition=0).get(timeout=10)
    producer.send(
        stack.topics.raw,
        key=good.article_id.encode(),
        value=good.model_dump_json().encode(),
        headers=make_headers(RAW_ARTICLE_SCHEMA, now),
        partition=0,
    ).get(timeout=10)
    producer.close()

    wait_for(
        lambda: (
            count(stack.database_url, "SELECT count(*) FROM articles WHERE article_id = %s", good.article_id)
            == 1
        ),
        "the good article in Postgres",
    )
    consumer = KafkaConsumer(
        stack.topics.deadletter,
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
    )
    letters = [DeadLetter.model_validate_json(message.value) for message in consumer]
    consumer.close()
    ours = [
        letter for letter in letters if letter.offset == bad_meta.offset and letter.topic == stack.topics.raw
    ]
    assert len(ours) == 1
    letter = ours[0]
    assert letter.stage == "extract"
    assert "RawArticle" in letter.reason
    assert base64.b64decode(letter.original) == malformed
    assert letter.partition == 0
    assert letter.key == "bad-1"


def test_the_largest_article_ingest_accepts_goes_through_every_hop_into_postgres(stack: Stack) -> None:
    text = largest_accepted_text(paragraph_pool(), RAW_ARTICLE_BYTES - MESSAGE_OVERHEAD_BYTES)
    one_more = text + "\n\nUn paragraphe de plus, qui dépasse la limite de taille des messages." * 40

    too_large = httpx.post(
        f"{stack.ingest_url}/v1/articles", json={"text": one_more, "lang": "fr"}, timeout=60
    )
    response = httpx.post(
        f"{stack.ingest_url}/v1/articles",
        json={"text": text, "external_id": "largest", "source": "test", "lang": "fr"},
        timeout=60,
    )

    assert too_large.status_code == 413, too_large.text
    assert response.status_code == 202, response.text
    [article_id] = response.json()["article_ids"]
    wait_for(
        lambda: (
            count(stack.database_url, "SELECT count(*) FROM articles WHERE article_id = %s", article_id) == 1
        ),
        "the largest article in Postgres",
        timeout_s=300,
    )
    assert count(stack.database_url, "SELECT count(*) FROM mentions WHERE article_id = %s", article_id) > 1000


def dead_letters_for(stack: Stack, offset: int, partition: int) -> list[DeadLetter]:
    """The dead letters of the raw message at `partition`/`offset`."""
    return [
        letter
        for letter in stack.dead_letters()
        if (letter.topic, letter.partition, letter.offset) == (stack.topics.raw, partition, offset)
    ]


def test_a_large_raw_message_bypassing_ingest_with_a_nul_is_dead_lettered_by_pointer_at_extract(
    stack: Stack,
) -> None:
    now = datetime.now(UTC)
    pool = paragraph_pool()
    body = "\n\n".join(pool[i % len(pool)] for i in range(1500))[:540_000]
    valid = RawArticle(
        article_id=f"nul-{uuid.uuid4().hex}", source="test", text=body, lang="fr", ingested_at=now
    )
    # PostgreSQL cannot store U+0000; a producer that bypasses ingest can still send it.
    poison = valid.model_dump_json().replace('"text":"', '"text":"\\u0000', 1).encode()
    good = raw_article_from_text(
        "Grève à Lyon\n\nLes conducteurs de bus de Lyon ont entamé une grève mardi.",
        external_id=f"after-nul-{uuid.uuid4().hex}",
        source="test",
        ingested_at=now,
    )
    producer = KafkaProducer(
        bootstrap_servers=stack.kafka_bootstrap, acks="all", max_request_size=RAW_TOPIC_BYTES
    )
    sent = [
        producer.send(
            stack.topics.raw, key=key, value=value, headers=make_headers(RAW_ARTICLE_SCHEMA, now), partition=1
        ).get(timeout=10)
        for key, value in (
            (valid.article_id.encode(), poison),
            (good.article_id.encode(), good.model_dump_json().encode()),
        )
    ]
    producer.close()

    wait_for(
        lambda: (
            count(stack.database_url, "SELECT count(*) FROM articles WHERE article_id = %s", good.article_id)
            == 1
        ),
        "the article after the poison in Postgres",
        timeout_s=180,
    )
    wait_for(lambda: bool(dead_letters_for(stack, sent[0].offset, 1)), "the poison's dead letter")
    [letter] = dead_letters_for(stack, sent[0].offset, 1)
    assert letter.stage == "extract"
    assert "text" in letter.reason
    assert letter.original_truncated
    assert letter.original_bytes == len(poison)
    assert letter.original_sha256 == hashlib.sha256(poison).hexdigest()
    assert (
        count(stack.database_url, "SELECT count(*) FROM articles WHERE article_id = %s", valid.article_id)
        == 0
    )


def test_every_topic_is_created_with_its_size_budget(stack: Stack) -> None:
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    try:
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in stack.topics.all()],
            config_filter="all",
        )
    finally:
        admin.close()

    found = {name: int(configs[MAX_MESSAGE_BYTES]["value"]) for name, configs in described["topic"].items()}
    assert found == topic_limits(stack.topics)


def test_the_workers_ops_ports_listen_on_the_configured_host_only(stack: Stack) -> None:
    for name in ("extract-1", "store"):
        port = stack.ports[name]
        process = psutil.Process(stack.pids()[name])
        listening = {c.laddr.ip for c in process.net_connections("inet") if c.status == psutil.CONN_LISTEN}
        bound = {c.laddr.ip for c in process.net_connections("inet") if c.laddr.port == port}

        assert bound == {"127.0.0.1"}, (name, bound)
        assert "0.0.0.0" not in listening


def test_the_broker_reports_no_lag_for_either_hop_once_everything_is_stored(stack: Stack) -> None:
    post_samples(stack)
    wait_for(lambda: store_caught_up(stack), "store to commit everything")
    watched = [
        WatchedGroup(stack.extract_group, stack.topics.raw, EXTRACT),
        WatchedGroup(stack.store_group, stack.topics.enriched, STORE),
    ]
    reader = BrokerReader(stack.kafka_bootstrap, timeout_s=10.0, record_timeout_s=5.0)

    def lags() -> dict[tuple[str, int], tuple[int, float]]:
        return {
            (state.watched.hop, lag.partition): (lag.messages, lag.seconds)
            for state in reader.read(watched)
            for lag in (partition_lag(offsets, time.time()) for offsets in state.partitions)
        }

    try:
        wait_for(lambda: set(lags().values()) == {(0, 0.0)}, "lag 0", 30)
        assert set(lags()) == {(hop, p) for hop in (EXTRACT, STORE) for p in (0, 1)}
    finally:
        reader.close()


def test_one_article_can_be_traced_through_every_hop_from_the_logs(stack: Stack) -> None:
    text = f"{SAMPLES[0].read_text(encoding='utf-8')}\n\nDépêche {uuid.uuid4().hex}."  # posted once only
    response = httpx.post(
        f"{stack.ingest_url}/v1/articles", json={"source": "trace", "text": text}, timeout=30
    )
    assert response.status_code == 202, response.text
    (article_id,) = response.json()["article_ids"]
    logs = ["--logs", str(stack.workdir)]

    def traced() -> str:
        result = subprocess.run([NEWSWIRE, "trace", article_id, *logs], capture_output=True, text=True)
        return result.stdout

    # The store logs its line once the transaction committed: the three hops are there now.
    wait_for(lambda: "store" in traced(), "the store's line", 60)
    lines = traced().splitlines()

    assert [line.split()[1] for line in lines] == ["ingest", "extract", "store"]
    assert stack.topics.raw in lines[0]
    assert stack.topics.enriched in lines[2]
