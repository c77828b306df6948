"""Failover on the real broker: a killed worker's partitions move to a live one within seconds."""

import os
import signal
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from kafka import KafkaProducer

from bench.stack import Stack, wait_group_members
from services.contracts.headers import make_headers
from services.contracts.models import ENRICHED_ARTICLE_SCHEMA, EnrichedArticle
from tests.integration.conftest import private_stack
from tests.integration.test_pipeline import count, wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

PARTITIONS = 4
TAKEOVER_LIMIT_S = 20.0


@pytest.fixture
def two_stores(
    kafka_bootstrap: str, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("failover")
    with private_stack(kafka_bootstrap, database_url, workdir, partitions=PARTITIONS) as running:
        running.start_store(1)
        running.start_store(2)
        wait_group_members(kafka_bootstrap, running.store_group, 2)
        yield running


def enriched_articles(partitions: int) -> list[EnrichedArticle]:
    return [
        EnrichedArticle(
            article_id=f"failover-{partition}-{uuid.uuid4().hex[:8]}",
            source="test",
            text="Les dockers du port de Marseille ont entamé une grève lundi.",
            ingested_at=datetime.now(UTC),
            extractor_version="1.0.0",
            entities=[],
            events=[],
        )
        for partition in range(partitions)
    ]


def test_a_killed_store_workers_partitions_are_consumed_by_the_survivor_within_20_s(
    two_stores: Stack,
) -> None:
    articles = enriched_articles(PARTITIONS)  # one per partition: half of them belonged to the killed one
    ids = [article.article_id for article in articles]
    producer = KafkaProducer(bootstrap_servers=two_stores.kafka_bootstrap, acks="all")

    os.kill(two_stores.pids()["store-2"], signal.SIGKILL)
    killed_at = time.monotonic()
    for partition, article in enumerate(articles):
        producer.send(
            two_stores.topics.enriched,
            key=article.article_id.encode(),
            value=article.model_dump_json().encode(),
            headers=make_headers(ENRICHED_ARTICLE_SCHEMA, article.ingested_at),
            partition=partition,
        ).get(timeout=10)
    producer.close()
    wait_for(
        lambda: (
            count(two_stores.database_url, "SELECT count(*) FROM articles WHERE article_id = ANY(%s)", ids)
            == PARTITIONS
        ),
        "every partition's article stored by the survivor",
        timeout_s=90,
    )
    takeover_s = time.monotonic() - killed_at

    assert takeover_s <= TAKEOVER_LIMIT_S, f"the survivor took {takeover_s:.1f} s"
    survivor = httpx.get(f"http://127.0.0.1:{two_stores.ports['store']}/readyz", timeout=5)
    assert survivor.json() == {"ready": True}
