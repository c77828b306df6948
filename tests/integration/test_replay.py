"""`newswire replay` end to end on the real servers: articles go through the pipeline at the code's
extractor version, the extract worker is replaced by one stamping a newer version, and the replay runs
twice (after a dry run). The scenario runs once per module (`replayed`); each test checks one promise.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient

from bench.stack import NEWSWIRE, Stack
from services.contracts.budget import LARGEST_RECORD_BYTES
from services.contracts.versions import EXTRACTOR_VERSION
from services.store.versions import version_key
from tests.integration.conftest import private_stack

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

SAMPLES = sorted((Path(__file__).parents[2] / "samples").glob("*.txt"))
SOURCE = "replayed-wire"
OTHER_SOURCE = "other-wire"
_major, _minor, *_ = EXTRACTOR_VERSION.split(".")
NEW_VERSION = f"{_major}.{int(_minor) + 1}.0"


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def post(stack: Stack, records: list[dict[str, str]]) -> list[str]:
    body = "\n".join(json.dumps(record) for record in records)
    response = httpx.post(
        f"{stack.ingest_url}/v1/articles",
        content=body.encode(),
        headers={"Content-Type": "application/x-ndjson"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    ids: list[str] = response.json()["article_ids"]
    return ids


def end_offsets(stack: Stack, topic: str) -> dict[TopicPartition, int]:
    consumer = KafkaConsumer(bootstrap_servers=stack.kafka_bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        ends: dict[TopicPartition, int] = consumer.end_offsets(partitions)
        return ends
    finally:
        consumer.close()


def caught_up(stack: Stack, group: str, topic: str) -> bool:
    """Whether `group` committed offsets up to the end of every partition of `topic`."""
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    try:
        committed = admin.list_group_offsets(group).get(group, {})
    finally:
        admin.close()
    ends = end_offsets(stack, topic)
    return bool(ends) and all(
        end == 0 or (tp in committed and committed[tp].offset >= end) for tp, end in ends.items()
    )


def pipeline_idle(stack: Stack) -> bool:
    """Extract consumed every raw message (its outputs acknowledged) and store committed every enriched
    article, in that order."""
    return caught_up(stack, stack.extract_group, stack.topics.raw) and caught_up(
        stack, stack.store_group, stack.topics.enriched
    )


def messages(stack: Stack, topic: str) -> list[tuple[str, bytes]]:
    """(key, value) of every message of `topic` so far."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=5000,
        max_partition_fetch_bytes=LARGEST_RECORD_BYTES,
    )
    try:
        return [(message.key.decode(), message.value) for message in consumer]
    finally:
        consumer.close()


ROW_COUNTS = """
SELECT a.article_id,
       (SELECT count(*) FROM articles x WHERE x.article_id = a.article_id),
       (SELECT count(*) FROM article_entities x WHERE x.article_id = a.article_id),
       (SELECT count(*) FROM mentions x WHERE x.article_id = a.article_id),
       (SELECT count(*) FROM events x WHERE x.article_id = a.article_id)
FROM articles a
"""


def row_counts(stack: Stack) -> dict[str, tuple[int, ...]]:
    """Per stored article: its rows in articles, article_entities, mentions and events."""
    with psycopg.connect(stack.database_url) as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(ROW_COUNTS)}


def versions(stack: Stack) -> dict[str, str]:
    with psycopg.connect(stack.database_url) as conn:
        return dict(conn.execute("SELECT article_id, extractor_version FROM articles").fetchall())


def stored_event_ids(stack: Stack, article_ids: list[str]) -> set[str]:
    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute("SELECT event_id FROM events WHERE article_id = ANY(%s)", (article_ids,))
        return {row[0] for row in rows}


def run_replay(stack: Stack, *args: str) -> dict[str, Any]:
    """Run `newswire replay` as an operator would, in the stack's environment; its JSON summary."""
    result = subprocess.run(
        [NEWSWIRE, "replay", *args], env=stack.environment(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return summary


@dataclass(frozen=True)
class Replayed:
    """What the scenario observed."""

    stack: Stack
    selected: list[str]
    left_out: list[str]
    rows_before: dict[str, tuple[int, ...]]
    rows_after_each_run: list[dict[str, tuple[int, ...]]]
    dry_run: dict[str, Any]
    raw_ends_around_dry_run: tuple[dict[TopicPartition, int], dict[TopicPartition, int]]
    summaries: list[dict[str, Any]]


@pytest.fixture(scope="module")
def replayed(
    kafka_bootstrap: str, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replayed]:
    workdir = tmp_path_factory.mktemp("replay")
    with private_stack(kafka_bootstrap, database_url, workdir, partitions=2) as stack:
        stack.start_ingest()
        stack.start_extract(1)
        stack.start_store()
        samples = [
            {"external_id": path.name, "source": SOURCE, "text": path.read_text(encoding="utf-8")}
            for path in SAMPLES
        ]
        older = post(
            stack, [samples[0] | {"external_id": "older", "text": samples[0]["text"] + "\n\nVeille."}]
        )
        since = datetime.now(UTC)
        selected = post(stack, samples)
        other = post(
            stack, [samples[1] | {"source": OTHER_SOURCE, "text": samples[1]["text"] + "\n\nAutre."}]
        )
        wait_for(
            lambda: len(versions(stack)) == len(SAMPLES) + 2 and pipeline_idle(stack), "the first extraction"
        )
        rows_before = row_counts(stack)

        stack.stop("extract-1")
        stack.extract_env["NEWSWIRE_EXTRACT_EXTRACTOR_VERSION"] = NEW_VERSION
        stack.start_extract(2)

        selection = ["--since", since.isoformat(), "--source", SOURCE, "--batch", "2"]
        raw_before = end_offsets(stack, stack.topics.raw)
        dry_run = run_replay(stack, *selection, "--dry-run")
        raw_after = end_offsets(stack, stack.topics.raw)
        summaries, rows_after_each_run = [], []
        for _ in range(2):
            summaries.append(run_replay(stack, *selection))
            wait_for(lambda: pipeline_idle(stack), "the replay to be extracted and stored")
            rows_after_each_run.append(row_counts(stack))

        yield Replayed(
            stack=stack,
            selected=selected,
            left_out=older + other,
            rows_before=rows_before,
            rows_after_each_run=rows_after_each_run,
            dry_run=dry_run,
            raw_ends_around_dry_run=(raw_before, raw_after),
            summaries=summaries,
        )


def test_the_new_extractor_version_is_newer_than_the_stored_one() -> None:
    assert version_key(NEW_VERSION) > version_key(EXTRACTOR_VERSION)


def test_each_run_re_publishes_exactly_the_selected_articles(replayed: Replayed) -> None:
    assert [summary["articles"] for summary in replayed.summaries] == [len(SAMPLES)] * 2
    assert all(summary["too_large"] == [] for summary in replayed.summaries)


def test_a_dry_run_counts_the_selection_and_sends_nothing(replayed: Replayed) -> None:
    before, after = replayed.raw_ends_around_dry_run

    assert (replayed.dry_run["articles"], replayed.dry_run["dry_run"]) == (len(SAMPLES), True)
    assert after == before


def test_replaying_twice_adds_no_row_to_any_article(replayed: Replayed) -> None:
    for rows_after in replayed.rows_after_each_run:
        assert rows_after == replayed.rows_before
    assert all(counts[0] == 1 for counts in replayed.rows_before.values())


def test_every_replayed_article_is_stored_at_the_new_version_and_the_others_are_untouched(
    replayed: Replayed,
) -> None:
    stored = versions(replayed.stack)

    assert {stored[article_id] for article_id in replayed.selected} == {NEW_VERSION}
    assert {stored[article_id] for article_id in replayed.left_out} == {EXTRACTOR_VERSION}


def test_the_enriched_topic_received_each_replayed_article_at_the_new_version_from_each_run(
    replayed: Replayed,
) -> None:
    found: Counter[tuple[str, str]] = Counter(
        (key, json.loads(value)["extractor_version"])
        for key, value in messages(replayed.stack, replayed.stack.topics.enriched)
    )

    assert all(found[(article_id, NEW_VERSION)] >= 2 for article_id in replayed.selected)
    assert all(found[(article_id, NEW_VERSION)] == 0 for article_id in replayed.left_out)


def test_the_events_topic_received_every_stored_event_of_the_replayed_articles_at_the_new_version(
    replayed: Replayed,
) -> None:
    new_events = {
        key
        for key, value in messages(replayed.stack, replayed.stack.topics.events)
        if json.loads(value)["extractor_version"] == NEW_VERSION
    }

    expected = stored_event_ids(replayed.stack, replayed.selected)
    assert expected
    assert new_events == expected


def test_the_replayed_raw_message_is_byte_for_byte_the_one_ingest_sent(replayed: Replayed) -> None:
    sent: defaultdict[str, list[bytes]] = defaultdict(list)
    for key, value in messages(replayed.stack, replayed.stack.topics.raw):
        sent[key].append(value)

    for article_id in replayed.selected:
        assert len(sent[article_id]) == 3  # ingest's, then one per run
        assert len(set(sent[article_id])) == 1
