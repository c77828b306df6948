"""Every Prometheus metric of the extract service, declared once, in the default registry (served at
/metrics by the worker). Labels are closed sets, pre-initialised at 0: failure reasons, entity types,
PLOVER types.
The worker updates them in the parent process; pool processes never touch metrics.

| name                                          | type      | labels | what                              |
|-----------------------------------------------|-----------|--------|-----------------------------------|
| newswire_extract_articles_in_total            | counter   |        | raw messages taken from Kafka     |
| newswire_extract_articles_out_total           | counter   |        | enriched articles published       |
| newswire_extract_articles_failed_total        | counter   | reason | articles not enriched             |
| newswire_extract_batch_size_articles          | histogram |        | messages per batch                |
| newswire_extract_batch_duration_seconds       | histogram |        | whole batch: decode to acks       |
| newswire_extract_nlp_batch_duration_seconds   | histogram |        | one batch's NLP in the pool       |
| newswire_extract_entities_total               | counter   | type   | entities in published articles    |
| newswire_extract_events_total                 | counter   | type   | events in published articles      |
| newswire_extract_publish_retries_total        | counter   |        | publish attempts retried (outage) |
| newswire_extract_dead_letters_total           | counter   | reason | messages sent to the DLQ          |
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from prometheus_client import Counter, Histogram

from services.contracts.models import EntityType, PloverType

# Why an article was not enriched (each is also a dead letter): decode (not a raw article), nlp, enrich,
# serialise (a bug on that article), too_large (over its topic's budget), refused (the broker refused it).
FailureReason = Literal["decode", "nlp", "enrich", "serialise", "too_large", "refused"]

_SECONDS_BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

ARTICLES_IN: Final = Counter(
    "newswire_extract_articles_in_total",
    "Raw-article messages taken from Kafka (decodable or not).",
)
ARTICLES_OUT: Final = Counter(
    "newswire_extract_articles_out_total",
    "Enriched articles published.",
)
ARTICLES_FAILED: Final = Counter(
    "newswire_extract_articles_failed_total",
    "Articles that could not be enriched, by reason (decode, nlp, enrich, serialise, too_large, refused).",
    ["reason"],
)
BATCH_SIZE: Final = Histogram(
    "newswire_extract_batch_size_articles",
    "Messages per batch taken from Kafka.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
)
BATCH_DURATION: Final = Histogram(
    "newswire_extract_batch_duration_seconds",
    "Wall time of one batch, from decoding to the broker's acknowledgement of every output.",
    buckets=_SECONDS_BUCKETS,
)
NLP_DURATION: Final = Histogram(
    "newswire_extract_nlp_batch_duration_seconds",
    "Wall time of one batch's NLP (spaCy, linking, events) across the process pool, retries included.",
    buckets=_SECONDS_BUCKETS,
)
ENTITIES: Final = Counter(
    "newswire_extract_entities_total",
    "Entities in published enriched articles (one per real-world entity per article), by type.",
    ["type"],
)
EVENTS: Final = Counter(
    "newswire_extract_events_total",
    "PLOVER events in published enriched articles, by event type.",
    ["type"],
)
PUBLISH_RETRIES: Final = Counter(
    "newswire_extract_publish_retries_total",
    "Publish attempts retried after a transient Kafka error.",
)
DEAD_LETTERS: Final = Counter(
    "newswire_extract_dead_letters_total",
    "Messages sent to the dead-letter topic by extract, by reason "
    "(decode, nlp, enrich, serialise, too_large, refused).",
    ["reason"],
)

# Every closed label value starts at 0, so `rate`/`increase` see the first failure or the first entity.
for _reason in get_args(FailureReason):
    ARTICLES_FAILED.labels(reason=_reason)
    DEAD_LETTERS.labels(reason=_reason)
for _entity_type in EntityType:
    ENTITIES.labels(type=_entity_type.value)
for _event_type in PloverType:
    EVENTS.labels(type=_event_type.value)
