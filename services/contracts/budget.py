"""The one size budget every hop shares, so that what ingest accepts fits through every later hop.

    ingest refuses (413) a RawArticle whose JSON exceeds    RAW_ARTICLE_BYTES          (1 000 000 B)
    raw topic, ingest producer, extract consumer            RAW_TOPIC_BYTES            (1 MiB)
    enriched topic, extract producer, store consumer        ENRICHED_TOPIC_BYTES       (8 MiB)
    events topic                                            EVENT_TOPIC_BYTES          (1 MiB)
    dead-letter topic                                       DEADLETTER_TOPIC_BYTES     (1 MiB)
    a dead letter carries its original whole up to          DEADLETTER_INLINE_BYTES    (256 KiB)

An enriched article is the raw one plus its entities, mentions and events: 1.3-1.7 times the raw JSON on
real copy (an 844 KB French text gave 1.34 MB), so the enriched topic allows eight times the largest
raw article. A text that would still outgrow it (nothing but names, each a mention) is dead-lettered
by extract with its reason; it never reaches the producer. A dead letter is bounded whatever it
carries: above `DEADLETTER_INLINE_BYTES` the original is replaced by its size, sha256, a head of
`DEADLETTER_HEAD_BYTES` and its topic/partition/offset (`services.common.deadletter`).

The topics are created with these `max.message.bytes` (`services.common.topics_admin`), the producers
use the same limits as `max_request_size`, and the consumers fetch up to the largest of them per
partition. Pure constants: no Kafka import.
"""

from __future__ import annotations

from typing import Final

from services.contracts.topics import Topics

KIB: Final = 1024
MIB: Final = 1024 * KIB

RAW_ARTICLE_BYTES: Final = 1_000_000
# Key and headers travel next to the value; ingest keeps this much of the topic's limit for them.
RECORD_OVERHEAD_BYTES: Final = 16 * KIB
RAW_TOPIC_BYTES: Final = MIB
ENRICHED_TOPIC_BYTES: Final = 8 * MIB
EVENT_TOPIC_BYTES: Final = MIB
DEADLETTER_TOPIC_BYTES: Final = MIB
DEADLETTER_INLINE_BYTES: Final = 256 * KIB
DEADLETTER_HEAD_BYTES: Final = 4 * KIB
# The largest record any of our consumers may meet, fetched whole per partition.
LARGEST_RECORD_BYTES: Final = max(
    RAW_TOPIC_BYTES, ENRICHED_TOPIC_BYTES, EVENT_TOPIC_BYTES, DEADLETTER_TOPIC_BYTES
)


def topic_limits(topics: Topics) -> dict[str, int]:
    """`max.message.bytes` of each topic of `topics`."""
    return {
        topics.raw: RAW_TOPIC_BYTES,
        topics.enriched: ENRICHED_TOPIC_BYTES,
        topics.events: EVENT_TOPIC_BYTES,
        topics.deadletter: DEADLETTER_TOPIC_BYTES,
    }


def record_bytes(key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]) -> int:
    """An upper bound of the size a record takes in a batch: its key, value and headers, plus framing."""
    framing = 64 + 16 * len(headers)
    return len(key or b"") + len(value) + sum(len(name) + len(data) for name, data in headers) + framing
