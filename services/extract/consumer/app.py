"""The extract worker: raw articles in, enriched articles and events out.

Chain, per batch of up to `batch_max` messages or `batch_window_s` seconds (services.common.consumer):
`prepare` decodes -> `complete` runs the NLP in the process pool (never on the event loop), enriches,
publishes enriched articles, events and dead letters and waits for the broker's acks -> only then does
the frame ack the batch, and faust may commit its offsets.
Poison messages go to the dead-letter topic (undecodable, failed NLP or enrichment, an output larger
than the size budget or refused by the broker); a Kafka outage while publishing is retried until it ends
(`services.common.delivery`).

Within a batch the NLP runs in pieces of `nlp_batch_size` texts, all submitted at once; each piece is
enriched and its messages sent as soon as it is done, while the NLP processes parse the next pieces.
The handler still returns only when the broker acknowledged every message of the batch.
"""

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import faust

from services.common.consumer import add_batch_agent
from services.common.deadletter import PoisonMessage, dead_letter, dead_letter_message
from services.common.delivery import Deliverer, Delivery, check_fits
from services.common.heartbeat import Heartbeat
from services.common.logs import at_position, key_of
from services.common.messages import Outgoing, Position
from services.common.worker import add_ops_pages, make_app, send_all, worker_main
from services.contracts.budget import topic_limits
from services.contracts.models import EnrichedArticle, RawArticle
from services.contracts.topics import Topics
from services.extract.consumer import metrics
from services.extract.consumer.batch import decode_raw, outputs_for
from services.extract.consumer.pool import NlpPool
from services.extract.enrich import enrich
from services.extract.nlp.dates import DateResolver
from services.extract.nlp.results import Analysis, AnalysisFailure
from services.extract.settings import ExtractSettings

log = logging.getLogger(__name__)


@dataclass
class Decoded:
    """A batch after `prepare`: the articles to analyse, and the dead letters of the undecodable."""

    started: float
    articles: list[tuple[Position, RawArticle]] = field(default_factory=list)
    dead: list[Delivery] = field(default_factory=list)


class ExtractHandler:
    """The extract worker's `BatchHandler` (services.common.consumer): `complete` returns only when
    every output (or the dead letter that replaces it) is acknowledged by the broker."""

    def __init__(
        self, app: faust.App, settings: ExtractSettings, topics: Topics, pool: NlpPool, heartbeat: Heartbeat
    ) -> None:
        self._settings = settings
        self._heartbeat = heartbeat
        self._topics = topics
        self._pool = pool
        self._dates = DateResolver()
        self._limits = topic_limits(topics)
        self._deliverer = Deliverer(
            lambda messages: send_all(app, messages),
            dead_letter=lambda exc, position: self._dead(exc, position, "refused"),
            policy=settings.retry_policy,
            on_retry=self._on_publish_retry,
        )
        self.warm = False

    def _on_publish_retry(self, exc: BaseException, delay: float) -> None:
        metrics.PUBLISH_RETRIES.inc()
        self._heartbeat.batch_progressed()  # waiting out an outage is alive

    async def warm_up(self) -> None:
        """Start the NLP processes and load the model in each before the first batch arrives."""
        if self.warm:
            return
        await self._pool.analyse(["Le président s'est rendu à Paris."] * max(1, self._settings.nlp_processes))
        self.warm = True

    def prepare(self, batch: Sequence[Position]) -> Decoded:
        """Decode the batch (on the loop); what cannot be decoded becomes its dead letter."""
        metrics.BATCH_SIZE.observe(len(batch))
        metrics.ARTICLES_IN.inc(len(batch))
        decoded = Decoded(started=time.perf_counter())
        for position in batch:
            try:
                decoded.articles.append((position, decode_raw(position.value)))
            except PoisonMessage as exc:
                decoded.dead.append(Delivery(position, (self._dead(exc, position, "decode"),)))
        return decoded

    async def complete(self, decoded: Decoded) -> None:
        """NLP in the process pool, enrichment, then every output (or dead letter) produced; returns
        when the broker acknowledged them all."""
        started_nlp = time.perf_counter()
        publishing: list[asyncio.Future[None]] = []
        done = 0
        articles = decoded.articles
        async for results in self._pool.analyse_chunks([raw.text for _, raw in articles]):
            self._heartbeat.batch_progressed()  # a long batch is alive as long as its chunks come back
            piece, done = articles[done : done + len(results)], done + len(results)
            # Sent now; the acks are awaited below, for the whole batch.
            deliveries = self._deliveries(piece, results)
            publishing.append(asyncio.ensure_future(self._deliverer.deliver(deliveries)))
        if articles:
            metrics.NLP_DURATION.observe(time.perf_counter() - started_nlp)
        publishing.append(asyncio.ensure_future(self._deliverer.deliver(decoded.dead)))
        await asyncio.gather(*publishing)
        metrics.BATCH_DURATION.observe(time.perf_counter() - decoded.started)

    def _deliveries(
        self, piece: Sequence[tuple[Position, RawArticle]], results: Sequence[Analysis | AnalysisFailure]
    ) -> list[Delivery]:
        """What each analysed article of `piece` gives: its messages, or its dead letter."""
        deliveries: list[Delivery] = []
        for (position, raw), result in zip(piece, results, strict=True):
            try:
                messages, enriched = self._outputs(position, raw, result)
            except _Failed as failed:
                deliveries.append(Delivery(position, (self._dead(failed.error, position, failed.label),)))
                continue
            deliveries.append(Delivery(position, tuple(messages)))
            where = at_position(raw.article_id, "extract", position)
            log.info(
                "enriched: %d entities, %d events", len(enriched.entities), len(enriched.events), extra=where
            )
            metrics.ARTICLES_OUT.inc()
            for entity in enriched.entities:
                metrics.ENTITIES.labels(type=entity.type.value).inc()
            for event in enriched.events:
                metrics.EVENTS.labels(type=event.type.value).inc()
        return deliveries

    def _outputs(
        self, position: Position, raw: RawArticle, result: Analysis | AnalysisFailure
    ) -> tuple[list[Outgoing], EnrichedArticle]:
        """The messages of one article. Raises _Failed with the reason and metric label when the
        article cannot give any (a bug on one article must not stop the partition either)."""
        if isinstance(result, AnalysisFailure):
            raise _Failed(PoisonMessage(f"nlp failed: {result.reason}"), "nlp")
        try:
            enriched = enrich(
                raw, result, self._dates.resolve, extractor_version=self._settings.extractor_version
            )
        except Exception as exc:
            raise _Failed(PoisonMessage(f"enrich failed: {exc!r}"), "enrich") from exc
        try:
            messages = outputs_for(enriched, self._topics, position.headers)
        except Exception as exc:
            raise _Failed(PoisonMessage(f"serialising failed: {exc!r}"), "serialise") from exc
        try:
            check_fits(messages, self._limits)
        except PoisonMessage as exc:
            raise _Failed(exc, "too_large") from exc
        return messages, enriched

    def _dead(self, exc: PoisonMessage, position: Position, reason_label: metrics.FailureReason) -> Outgoing:
        where = at_position(key_of(position), "extract", position, reason=reason_label)
        log.warning("dead-lettered: %s", exc.reason, extra=where)
        metrics.ARTICLES_FAILED.labels(reason=reason_label).inc()
        metrics.DEAD_LETTERS.labels(reason=reason_label).inc()
        return dead_letter_message(dead_letter("extract", exc, position), self._topics.deadletter)


class _Failed(Exception):
    """One article gives no output: the poison to dead-letter and its metric label."""

    def __init__(self, error: PoisonMessage, label: metrics.FailureReason) -> None:
        super().__init__(error.reason)
        self.error = error
        self.label = label


def build_app(settings: ExtractSettings) -> faust.App:
    """The faust app with its consumer (services.common.consumer) and ops pages."""
    topics = Topics.named(settings.topic_prefix)
    app = make_app(settings)
    pool = NlpPool(settings.spacy_model, processes=settings.nlp_processes, batch_size=settings.nlp_batch_size)
    heartbeat = Heartbeat(time.monotonic)
    handler = ExtractHandler(app, settings, topics, pool, heartbeat)
    add_ops_pages(
        app, settings, [lambda: None if handler.warm else "the NLP model is still loading"], heartbeat
    )
    batch = (settings.batch_max, settings.batch_window_s)
    add_batch_agent(
        app, topics.raw, handler, settings, batch=batch, heartbeat=heartbeat, before=handler.warm_up
    )
    return app


def main(argv: list[str] | None = None) -> int:
    return worker_main(
        argv,
        prog="newswire extract-worker",
        description=__doc__,
        settings=ExtractSettings,
        build_app=build_app,
    )
