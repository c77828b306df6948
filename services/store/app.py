"""The store worker: enriched articles in, rows in Postgres.

Chain, per batch of up to `batch_size` messages or `batch_window_s` seconds:
decode -> write the whole batch in one transaction (in a thread, off the event loop) -> send dead letters
-> ack, and only then may faust commit the offsets. A Postgres or Kafka outage is retried until it
ends; a batch the database rejects, or whose rows cannot all be built, is written article by article so
only the bad one is dead-lettered (its dead letter always fits: `services.common.deadletter`).

Batches are pipelined (services.common.consumer): the next batch is decoded and turned into rows on the
event loop while up to `write_concurrency` earlier batches are being written, each in its own transaction,
thread and connection (the database works on them on several cores). Batches are acked in order, each
only after its own transaction and those of the batches before it committed and its dead letters were
acknowledged. Concurrent transactions are safe for the same reasons several store workers are: writes
are idempotent and version-aware, and rows are locked in id order (see writer.py).
"""

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import faust

from services.common.consumer import add_batch_agent
from services.common.deadletter import PoisonMessage, dead_letter, dead_letter_message
from services.common.decode import decode_plain
from services.common.delivery import Deliverer, Delivery
from services.common.heartbeat import Heartbeat
from services.common.logs import at_position, key_of
from services.common.messages import Outgoing, Position
from services.common.retry import retry_transient
from services.common.worker import add_ops_pages, make_app, send_all, worker_main
from services.contracts.headers import ingested_at_of
from services.contracts.models import EnrichedArticle
from services.contracts.plain import PlainDict
from services.contracts.topics import Topics
from services.store import metrics
from services.store.db import make_engine
from services.store.errors import PoisonBatchError, TransientStoreError
from services.store.settings import StoreSettings
from services.store.writer import BatchWriter, PreparedBatch, WriteResult, prepare_batch

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """A decoded batch waiting for its transaction: its rows, or None when they could not all be built
    (the articles are then written one by one, so only the bad ones are dead-lettered)."""

    decoded: list[tuple[Position, PlainDict]] = field(default_factory=list)
    dead: list[Delivery] = field(default_factory=list)
    batch: PreparedBatch | None = None


class StoreHandler:
    """The store worker's `BatchHandler` (services.common.consumer): `complete` returns only when a
    batch's rows are committed and its dead letters acknowledged by the broker."""

    def __init__(
        self,
        app: faust.App,
        settings: StoreSettings,
        topics: Topics,
        writer: BatchWriter,
        heartbeat: Heartbeat,
    ) -> None:
        self._topics = topics
        self._heartbeat = heartbeat
        self._writer = writer
        self._retry = settings.retry_policy
        self._deliverer = Deliverer(
            lambda messages: send_all(app, messages),
            dead_letter=lambda exc, position: self._dead(exc, position, "refused"),
            policy=settings.retry_policy,
            on_retry=lambda exc, delay: heartbeat.batch_progressed(),  # waiting out an outage is alive
        )
        # Not ready while Postgres is failing, so /readyz tells the orchestrator and the ops team.
        self.database_ok = True

    def prepare(self, positions: Sequence[Position]) -> Prepared:
        """Decode a batch and build its rows (CPU, on the loop); undecodable messages become dead letters."""
        metrics.BATCH_SIZE.observe(len(positions))
        metrics.MESSAGES_IN.inc(len(positions))
        prepared = Prepared()
        for position in positions:
            try:
                prepared.decoded.append((position, decode_plain(EnrichedArticle, position.value)))
            except PoisonMessage as exc:
                prepared.dead.append(Delivery(position, (self._dead(exc, position, "decode"),)))
        try:
            prepared.batch = prepare_batch([article for _, article in prepared.decoded])
        except Exception:  # an article whose rows cannot be built: found and dead-lettered one by one
            prepared.batch = None
        return prepared

    async def complete(self, prepared: Prepared) -> None:
        """Write the decoded articles in one transaction and send the dead letters; returns when both
        are durable. Retries outages until they end."""
        decoded, dead = prepared.decoded, prepared.dead
        if decoded:
            try:
                result = None if prepared.batch is None else await self._write(prepared.batch)
            except PoisonBatchError:
                result = None
            if result is None:  # some article is refused: find it
                dead.extend(await self._write_one_by_one(decoded))
            else:
                self._observe(decoded, result)

        await self._deliverer.deliver(dead)

    async def _write(self, batch: PreparedBatch) -> WriteResult:
        def on_retry(exc: BaseException, delay: float) -> None:
            self._heartbeat.batch_progressed()  # waiting out an outage is alive
            self.database_ok = False
            metrics.WRITE_FAILURES.labels(reason="transient").inc()

        result = await retry_transient(
            lambda: asyncio.to_thread(self._writer.write_prepared, batch),
            is_transient=lambda e: isinstance(e, TransientStoreError),
            policy=self._retry,
            on_retry=on_retry,
        )
        self.database_ok = True
        return result

    async def _write_one_by_one(self, decoded: list[tuple[Position, PlainDict]]) -> list[Delivery]:
        dead = []
        for position, article in decoded:
            try:
                batch = prepare_batch([article])
            except PoisonBatchError as exc:
                refused: PoisonMessage | None = PoisonMessage(f"invalid article: {exc}")
            except Exception as exc:  # a bug on one article must not stop the partition
                refused = PoisonMessage(f"rows could not be built: {exc!r}")
            else:
                try:
                    self._observe([(position, article)], await self._write(batch))
                    refused = None
                except PoisonBatchError as exc:
                    refused = PoisonMessage(f"rejected by Postgres: {exc}")
            if refused is not None:
                metrics.WRITE_FAILURES.labels(reason="rejected").inc()
                dead.append(Delivery(position, (self._dead(refused, position, "rejected"),)))
        return dead

    def _observe(self, decoded: list[tuple[Position, PlainDict]], result: WriteResult) -> None:
        committed_at = result.committed_at
        for position, article in decoded:
            ingested_at = ingested_at_of(position.headers) or article["ingested_at"]
            latency = max((committed_at - ingested_at).total_seconds(), 0.0)
            metrics.END_TO_END_LATENCY.observe(latency)
            where = at_position(article["article_id"], "store", position)
            log.info("stored, %.3f s after ingest", latency, extra=where)

    def _dead(
        self, exc: PoisonMessage, position: Position, reason_label: metrics.DeadLetterReason
    ) -> Outgoing:
        where = at_position(key_of(position), "store", position, reason=reason_label)
        log.warning("dead-lettered: %s", exc.reason, extra=where)
        metrics.DEAD_LETTERS.labels(reason=reason_label).inc()
        return dead_letter_message(
            dead_letter("store", exc, position, datetime.now(UTC)), self._topics.deadletter
        )


def build_app(settings: StoreSettings) -> faust.App:
    """The faust app with its consumer (services.common.consumer) and ops pages."""
    topics = Topics.named(settings.topic_prefix)
    app = make_app(settings)
    writer = BatchWriter(make_engine(settings))
    heartbeat = Heartbeat(time.monotonic)
    handler = StoreHandler(app, settings, topics, writer, heartbeat)
    add_ops_pages(
        app,
        settings,
        [lambda: None if handler.database_ok else "PostgreSQL is failing; writes are being retried"],
        heartbeat,
    )
    batch = (settings.batch_size, settings.batch_window_s)
    add_batch_agent(
        app,
        topics.enriched,
        handler,
        settings,
        batch=batch,
        heartbeat=heartbeat,
        max_in_flight=settings.write_concurrency,
    )
    return app


def main(argv: list[str] | None = None) -> int:
    return worker_main(
        argv, prog="newswire store-worker", description=__doc__, settings=StoreSettings, build_app=build_app
    )
