"""Publishing raw articles to Kafka with kafka-python (the thin adapter at the edge of ingest).

The producer is idempotent with `acks=all`, so an acknowledged article is on every in-sync replica and a
producer retry never duplicates it. It is created lazily on first use and re-created after a failed
bootstrap, so ingest starts (and reports not-ready) while Kafka is still down.

Everything here blocks: call it from a worker thread, never from the event loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError, MessageSizeTooLargeError

from services.common.logs import article_log
from services.common.readiness import first_unreachable_reason
from services.contracts.headers import make_headers
from services.contracts.models import RAW_ARTICLE_SCHEMA
from services.ingest.errors import BrokerUnavailable, PayloadTooLarge
from services.ingest.outgoing import OutgoingArticle
from services.ingest.readiness import SharedReadiness
from services.ingest.settings import PublishSettings

log = logging.getLogger(__name__)


class KafkaPublisher:
    """Publishes encoded RawArticles to the raw topic, keyed by article_id, with the schema and
    `ingested_at` headers. Thread-safe (kafka-python's producer is; creation is locked)."""

    def __init__(self, settings: PublishSettings, *, client_id: str = "newswire-ingest") -> None:
        self._settings = settings
        self._client_id = client_id
        self._topic = settings.topics.raw
        self._timeout_s = settings.publish_timeout_s
        self._lock = threading.Lock()
        self._producer: Any = None
        self._closed = False
        self._readiness = SharedReadiness(
            lambda: first_unreachable_reason(settings.kafka_bootstrap_servers, settings.readiness_timeout_s),
            ttl_s=settings.readiness_cache_s,
            directory=settings.metrics_dir,
        )

    @property
    def topic(self) -> str:
        return self._topic

    def publish(self, articles: Sequence[OutgoingArticle]) -> None:
        """Send every article and wait until the broker acknowledged all of them.

        Blocks up to about `publish_timeout_s` (plus the bootstrap when the producer is new). Raises
        BrokerUnavailable on any failure or timeout (some articles may still land later: the ids are
        deterministic, so a client retry is harmless), and at once, without sending, while the broker
        is known to be unreachable (readiness.py); PayloadTooLarge when one article exceeds the message
        size limit.
        """
        if not articles:
            return
        down = self.check_ready()
        if down is not None:
            raise BrokerUnavailable(down)
        producer = self._producer_or_raise()
        deadline = time.monotonic() + self._timeout_s
        try:
            futures = [
                producer.send(
                    self._topic,
                    key=item.article.article_id.encode(),
                    value=item.value,
                    headers=make_headers(RAW_ARTICLE_SCHEMA, item.header_time),
                )
                for item in articles
            ]
            acknowledged = [future.get(timeout=max(0.0, deadline - time.monotonic())) for future in futures]
        except MessageSizeTooLargeError as exc:
            raise PayloadTooLarge(
                f"an article exceeds the message size limit of {self._settings.max_message_bytes} bytes"
            ) from exc
        except KafkaTimeoutError as exc:
            reason = (
                f"Kafka did not acknowledge the articles on {self._topic} "
                f"within {self._timeout_s:g} s ({exc})"
            )
            self._readiness.mark_down(reason)
            self._discard(producer)
            raise BrokerUnavailable(reason) from exc
        except KafkaError as exc:
            self._discard(producer)
            raise BrokerUnavailable(f"Kafka refused the articles: {type(exc).__name__}: {exc}") from exc
        for item, record in zip(articles, acknowledged, strict=True):
            where = article_log(
                item.article.article_id,
                "ingest",
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
            )
            log.info("published", extra=where)

    def _discard(self, producer: Any) -> None:
        """Drop a producer after a failed publish; the next publish starts a fresh one.

        kafka-python's idempotent producer keeps a failed batch's error (a batch that expired while
        the broker was down) and fails every later send with it, so one broker restart longer than
        the publish timeout left a server process answering 503 forever (make chaos found it). Records
        still buffered are abandoned: the client was answered 503 and retries, and the ids are
        deterministic."""
        with self._lock:
            if self._producer is producer:
                self._producer = None
        producer.close(timeout=0)

    def check_ready(self) -> str | None:
        """None when a bootstrap server accepts a TCP connection, else why not; the answer is shared
        by the server processes and reused for `readiness_cache_s` (readiness.py). Blocks up to
        `readiness_timeout_s` per bootstrap server when it probes."""
        if self._closed:
            return "the publisher is closed"
        return self._readiness.reason()

    def close(self) -> None:
        """Flush pending records and close the producer. Blocks up to `publish_timeout_s`. Idempotent."""
        with self._lock:
            self._closed = True
            producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=self._timeout_s)

    def connect(self) -> None:
        """Create the producer now rather than on the first request. Blocks up to the bootstrap
        timeout; raises BrokerUnavailable when Kafka cannot be reached (a later call tries again)."""
        self._producer_or_raise()

    def _producer_or_raise(self) -> Any:
        with self._lock:
            if self._closed:
                raise BrokerUnavailable("the publisher is closed (the service is shutting down)")
            if self._producer is None:
                try:
                    self._producer = KafkaProducer(**producer_config(self._settings, self._client_id))
                except KafkaError as exc:
                    raise BrokerUnavailable(
                        f"cannot reach Kafka at {self._settings.kafka_bootstrap_servers}: {exc}"
                    ) from exc
                log.info("Kafka producer connected to %s", self._settings.kafka_bootstrap_servers)
            return self._producer


def producer_config(settings: PublishSettings, client_id: str) -> dict[str, Any]:
    """The KafkaProducer keyword arguments for `settings`: idempotent, acks=all, and every wait bounded
    by `publish_timeout_s`."""
    timeout_ms = int(settings.publish_timeout_s * 1000)
    return {
        "bootstrap_servers": [s.strip() for s in settings.kafka_bootstrap_servers.split(",") if s.strip()],
        "client_id": client_id,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": settings.linger_ms,
        "batch_size": settings.batch_size,
        "compression_type": settings.compression_type,
        "max_request_size": settings.max_message_bytes,
        "request_timeout_ms": timeout_ms,
        # kafka-python requires delivery >= linger + request; past it a record fails instead of
        # waiting in the accumulator for minutes while the broker is down.
        "delivery_timeout_ms": timeout_ms + settings.linger_ms,
        "max_block_ms": timeout_ms,
        "bootstrap_timeout_ms": timeout_ms,
    }
