"""/livez means alive: a store worker idle for longer than its liveness bound stays live (its agent beats
while it waits), one whose agent is wedged on a write that never returns fails /livez with the reason, and
it is live again once the write goes through."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from kafka import KafkaProducer

from bench.stack import Stack, plain_dsn, with_database
from tests.integration.conftest import private_stack
from tests.integration.test_pipeline import count, wait_for
from tests.unit.store.factories import ukraine_appeals_to_nato

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

BOUND_S = 4


@pytest.fixture(scope="module")
def store_only(
    kafka_bootstrap: str, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    bounded = {"NEWSWIRE_STORE_LIVENESS_TIMEOUT_S": str(BOUND_S)}
    workdir = tmp_path_factory.mktemp("liveness")
    with private_stack(kafka_bootstrap, database_url, workdir, partitions=1, store_env=bounded) as stack:
        stack.start_store()
        yield stack


def livez(stack: Stack) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{stack.ports['store']}/livez", timeout=5)


def test_an_idle_agent_stays_live_past_the_bound(store_only: Stack) -> None:
    idle_until = time.monotonic() + BOUND_S * 2
    while time.monotonic() < idle_until:
        assert livez(store_only).status_code == 200
        time.sleep(0.5)


def test_an_agent_wedged_on_a_write_fails_livez_until_the_write_goes_through(
    store_only: Stack, database_owner_url: str
) -> None:
    article = ukraine_appeals_to_nato(f"live-{uuid.uuid4().hex[:8]}")
    # The articles table locked by another session: the store's insert waits (it has no statement timeout).
    owner = with_database(database_owner_url, store_only.database_url.rpartition("/")[2])
    with psycopg.connect(plain_dsn(owner)) as lock:
        lock.execute("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")
        producer = KafkaProducer(bootstrap_servers=store_only.kafka_bootstrap, acks="all")
        producer.send(
            store_only.topics.enriched,
            key=article.article_id.encode(),
            value=article.model_dump_json().encode(),
        )
        producer.flush()
        producer.close()

        wait_for(lambda: livez(store_only).status_code == 503, "/livez to fail", BOUND_S * 5)
        answer = livez(store_only).json()
        assert answer["status"] == "wedged"
        assert "made no progress" in answer["reason"]
        lock.rollback()

    wait_for(lambda: livez(store_only).status_code == 200, "/livez to pass again", 30)
    wait_for(
        lambda: (
            count(
                store_only.database_url,
                "SELECT count(*) FROM articles WHERE article_id = %s",
                article.article_id,
            )
            == 1
        ),
        "the article stored",
        30,
    )
