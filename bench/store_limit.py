"""The store hop alone, against the database's own limit.

* `collect_enriched`: every enriched article the pipeline produced (read back from its topic).
* `multiply`: `copies` renamed copies of them (article and event ids suffixed), so the store has a
  few thousand distinct articles to write; entity ids stay shared, as in real traffic.
* `prefill`: produce them to a store-only enriched topic, before the store worker starts.
* `copy_rate`: the same rows (`services.store.rows`, the store's own row builder) written with one
  raw `COPY` per table in one transaction into the same, empty tables: the database's limit.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import orjson
import psycopg
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from psycopg.types.json import Jsonb

from bench.stack import plain_dsn
from services.common.decode import decode_plain
from services.contracts.models import EnrichedArticle
from services.store.rows import article_rows, merged_entity_rows
from services.store.schema import article_entities, articles, entities, events, mentions

Message = tuple[bytes, bytes, list[tuple[str, bytes]]]  # key, value, headers


def collect_enriched(bootstrap: str, topic: str) -> list[Message]:
    """Every message of `topic`, from the beginning to its current end. Blocks."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        out: list[Message] = []
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=1000).values():
                out.extend((r.key, r.value, list(r.headers)) for r in records)
        return out
    finally:
        consumer.close()


def multiply(messages: Sequence[Message], copies: int) -> list[Message]:
    """`copies` copies of each enriched article, copy k with ids suffixed `-c<k>` (k = 0 included)."""
    out: list[Message] = []
    for k in range(copies):
        for _, value, headers in messages:
            doc: dict[str, Any] = orjson.loads(value)
            doc["article_id"] = f"{doc['article_id']}-c{k}"
            doc["external_id"] = f"{doc.get('external_id')}-c{k}"
            for event in doc.get("events", []):
                event["id"] = f"{event['id']}-c{k}"
            out.append((doc["article_id"].encode(), orjson.dumps(doc), headers))
    return out


def prefill(bootstrap: str, topic: str, messages: Sequence[Message]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=512 * 1024,
                             max_request_size=4 * 1024 * 1024)  # fmt: skip
    try:
        for key, value, headers in messages:
            producer.send(topic, key=key, value=value, headers=headers)
        producer.flush()
    finally:
        producer.close()


def _columns(table: Any, row_keys: Sequence[str]) -> list[str]:
    return [c.name for c in table.columns if c.name in row_keys]


def copy_rate(database_url: str, messages: Sequence[Message]) -> tuple[int, float]:
    """(rows, seconds) to COPY the rows of `messages` into the (empty) store tables in one transaction.
    The rows are built before the clock starts; the clock covers the COPY and the commit."""
    built = [article_rows(decode_plain(EnrichedArticle, value)) for _, value, _ in messages]
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (articles, [dict(r.article) for r in built]),
        (entities, [dict(e) for e in merged_entity_rows(built)]),
        (article_entities, [dict(x) for r in built for x in r.article_entities]),
        (mentions, [dict(x) for r in built for x in r.mentions]),
        (events, [{**x, "attributes": Jsonb(x["attributes"])} for r in built for x in r.events]),
    ]
    prepared: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
    for table, rows in tables:
        if rows:
            names = _columns(table, list(rows[0]))
            prepared.append((table.name, names, [tuple(row[n] for n in names) for row in rows]))
    total = sum(len(values) for _, _, values in prepared)
    with psycopg.connect(plain_dsn(database_url)) as conn:
        started = time.perf_counter()
        with conn.cursor() as cur:
            for name, names, values in prepared:
                with cur.copy(f"COPY {name} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
        conn.commit()
        elapsed = time.perf_counter() - started
    return total, elapsed
