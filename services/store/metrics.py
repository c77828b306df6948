"""Every Prometheus metric of the store, declared once (default registry, served on the worker's /metrics).

| name | type | labels | observed by |
|---|---|---|---|
| newswire_store_messages_in_total | counter | | worker: messages taken from Kafka |
| newswire_store_batch_size_messages | histogram | | worker: messages per batch |
| newswire_store_batch_write_duration_seconds | histogram | | BatchWriter: one committed transaction |
| newswire_store_rows_written_total | counter | table | BatchWriter: rows inserted or upserted |
| newswire_store_articles_written_total | counter | | BatchWriter: articles stored (new or replaced) |
| newswire_store_articles_skipped_stale_total | counter | | BatchWriter: older extractor versions ignored |
| newswire_store_write_failures_total | counter | reason | worker: failed batch writes |
| newswire_store_dead_letters_total | counter | reason | worker: messages sent to the dead-letter topic |
| newswire_store_end_to_end_latency_seconds | histogram | | worker: ingested_at -> commit, per article |

Label values are closed sets, and every value is pre-initialised at 0 (so `rate`/`increase` see the
first event): `table` is a table name of `schema.py`; `reason` of write failures is "transient" (retried)
or "rejected" (isolated and dead-lettered); `reason` of dead letters is one of `DeadLetterReason`.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from prometheus_client import Counter, Histogram

from services.store.schema import TABLES

WriteFailureReason = Literal["transient", "rejected"]
# decode: not an enriched article; rejected: Postgres refused its rows; refused: the broker refused its
# dead letter's original output (see services.common.delivery).
DeadLetterReason = Literal["decode", "rejected", "refused"]

# Sub-second when the pipeline keeps up, minutes while it catches up after an outage (up to 15 min, so a
# long catch-up reads as such rather than as "over the last bucket").
LATENCY_BUCKETS: Final = (
    0.05,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    1.5,
    2.0,
    3.0,
    5.0,
    7.5,
    10.0,
    15.0,
    20.0,
    30.0,
    45.0,
    60.0,
    90.0,
    120.0,
    180.0,
    300.0,
    600.0,
    900.0,
)
WRITE_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_SIZE_BUCKETS: Final = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)

MESSAGES_IN: Final = Counter(
    "newswire_store_messages_in_total", "Enriched-article messages the store worker took from Kafka."
)
BATCH_SIZE: Final = Histogram(
    "newswire_store_batch_size_messages",
    "Messages per batch handed to the writer.",
    buckets=BATCH_SIZE_BUCKETS,
)
WRITE_DURATION: Final = Histogram(
    "newswire_store_batch_write_duration_seconds",
    "Duration of one batch write, from the first statement to the commit.",
    buckets=WRITE_BUCKETS,
)
ROWS_WRITTEN: Final = Counter(
    "newswire_store_rows_written_total",
    "Rows inserted or upserted in committed transactions, by table.",
    ["table"],
)
ARTICLES_WRITTEN: Final = Counter(
    "newswire_store_articles_written_total",
    "Articles stored by committed transactions (new, or replacing an older or equal extractor version).",
)
ARTICLES_SKIPPED_STALE: Final = Counter(
    "newswire_store_articles_skipped_stale_total",
    "Articles not written because a newer extractor version is stored or later in the same batch.",
)
WRITE_FAILURES: Final = Counter(
    "newswire_store_write_failures_total",
    "Batch writes that did not commit, by reason (transient: retried; rejected: dead-lettered).",
    ["reason"],
)
DEAD_LETTERS: Final = Counter(
    "newswire_store_dead_letters_total",
    "Messages the store sent to the dead-letter topic, by reason.",
    ["reason"],
)
END_TO_END_LATENCY: Final = Histogram(
    "newswire_store_end_to_end_latency_seconds",
    "Time from an article's ingested_at to the commit of the transaction that stored it.",
    buckets=LATENCY_BUCKETS,
)
for _table in TABLES:
    ROWS_WRITTEN.labels(table=_table.name)
for _reason in get_args(WriteFailureReason):
    WRITE_FAILURES.labels(reason=_reason)
for _reason in get_args(DeadLetterReason):
    DEAD_LETTERS.labels(reason=_reason)
