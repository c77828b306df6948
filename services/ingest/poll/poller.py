"""One poll of one source, start to end: fetch (conditional), read the feed, keep the items not seen
before, put each through the intake, publish them, then record them and the validators in Postgres.

Publish-then-record is the delivery rule: items are recorded as seen only once Kafka acknowledged them,
so a crash or an outage in between costs a re-publish under the same article ids (the store writes
over them), never a lost item. A failure anywhere is the poll's outcome, logged with its reason,
counted, and answered with a backoff; it never ends the worker. One bad item is refused with its
reason (logged, counted, remembered as refused) and the others go on.
"""

from __future__ import annotations

import asyncio
import logging
import random as random_module
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy.exc import SQLAlchemyError

from services.ingest.errors import (
    ArticleValidationError,
    BrokerUnavailable,
    IngestError,
    PayloadTooLarge,
    PollError,
)
from services.ingest.intake import intake
from services.ingest.outgoing import OutgoingArticle
from services.ingest.poll.feeds import Feed, read_feed
from services.ingest.poll.fetch import Validators, fetch
from services.ingest.poll.fulltext import main_text
from services.ingest.poll.items import FeedItem, article_fields
from services.ingest.poll.metrics import PollMetrics
from services.ingest.poll.ninjs import NinjsReader
from services.ingest.poll.schedule import next_delay
from services.ingest.poll.settings import PollSettings
from services.ingest.poll.sources import Source
from services.ingest.poll.state import PollState, SeenItem, SourceState
from services.ingest.port import ArticlePublisher

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PollReport:
    """What one poll did; `outcome` is its label in newswire_poll_polls_total."""

    source: str
    outcome: str = "ok"
    reason: str | None = None
    bytes: int = 0
    new: int = 0
    duplicate: int = 0
    refused: int = 0
    over_cap: int = 0
    missing_date: int = 0
    missing_link: int = 0
    failures: int = 0
    delay_s: float = 0.0
    seen: list[SeenItem] = field(default_factory=list)

    def line(self) -> str:
        if self.reason is not None:
            return (
                f"poll {self.source}: {self.outcome}: {self.reason}; failure {self.failures} in a row, "
                f"next try in {self.delay_s:.0f} s"
            )
        parts = [f"{self.new} new", f"{self.duplicate} duplicate", f"{self.refused} refused"]
        if self.over_cap:
            parts.append(f"{self.over_cap} over the per-poll cap (left for later polls)")
        if self.missing_date or self.missing_link:
            parts.append(f"{self.missing_date} new without a date, {self.missing_link} without a link")
        return (
            f"poll {self.source}: {self.outcome}, {', '.join(parts)}, {self.bytes} bytes; "
            f"next in {self.delay_s:.0f} s"
        )


class Poller:
    """Polls sources with the given HTTP client, state, publisher and metrics. One poll of a source at a
    time (the worker runs one task per source); different sources may be polled concurrently."""

    def __init__(
        self,
        settings: PollSettings,
        *,
        client: httpx.AsyncClient,
        state: PollState,
        publisher: ArticlePublisher,
        ninjs: NinjsReader,
        metrics: PollMetrics,
        clock: Callable[[], datetime],
        random: Callable[[], float] = random_module.random,
    ) -> None:
        self._settings = settings
        self._client = client
        self._state = state
        self._publisher = publisher
        self._ninjs = ninjs
        self._metrics = metrics
        self._clock = clock
        self._random = random

    async def load(self, source: Source) -> SourceState:
        """The source's stored state (created on first use); its last success, when it had one, is what
        the last-success gauge shows, so a restart does not hide a feed that was already stale.
        Raises SQLAlchemyError."""
        state = await asyncio.to_thread(self._state.load, source)
        if state.last_success_at is not None:
            self._metrics.last_success.labels(source.source).set(state.last_success_at.timestamp())
        return state

    async def poll(self, source: Source) -> PollReport:
        """Poll `source` once. Never raises for a failure of the feed, the broker or the database: the
        report says what happened and how long to wait. Blocks the calling task for the fetch timeout at
        most, plus intake and publishing."""
        started = time.perf_counter()
        polled_at = self._clock()
        report = PollReport(source.source)
        try:
            state = await self.load(source)
            report.failures = state.consecutive_failures
            validators = await self._fetch_and_publish(source, state, report)
            report.failures = 0
            report.delay_s = self._delay(source, 0)
            await asyncio.to_thread(
                self._state.record_success,
                source.source,
                items=report.seen,
                validators=validators,
                outcome=report.outcome,
                polled_at=polled_at,
                next_poll_at=polled_at + timedelta(seconds=report.delay_s),
            )
        except (PollError, BrokerUnavailable, PayloadTooLarge, SQLAlchemyError) as exc:
            await self._failed(source, report, exc, polled_at)
        except Exception as exc:  # a bug, or a library failing in a way not met yet: never end the worker
            log.exception("poll %s: unexpected error", source.source, extra={"source": source.source})
            await self._failed(source, report, exc, polled_at)
        else:
            self._metrics.last_success.labels(source.source).set(polled_at.timestamp())
            self._count_items(source.source, report)
            log.info(report.line(), extra={"source": source.source, "outcome": report.outcome})
        self._metrics.polls.labels(source.source, report.outcome).inc()
        self._metrics.failures.labels(source.source).set(report.failures)
        self._metrics.duration.labels(source.source).observe(time.perf_counter() - started)
        return report

    async def _fetch_and_publish(self, source: Source, state: SourceState, report: PollReport) -> Validators:
        """Fetch, read and publish what is new; the validators to keep for the next poll."""
        fetched = await fetch(
            self._client,
            source.url,
            validators=state.validators,
            timeout_s=source.timeout_s or self._settings.timeout_s,
            max_bytes=source.max_bytes or self._settings.max_feed_bytes,
        )
        if fetched.body is None:
            report.outcome = "not_modified"
            return fetched.validators
        report.bytes = len(fetched.body)
        self._metrics.bytes.labels(source.source).inc(report.bytes)
        feed = await asyncio.to_thread(
            read_feed,
            fetched.body,
            ninjs=self._ninjs,
            url=fetched.url,
            content_type=fetched.content_type,
            max_items=self._settings.max_items_per_poll,
        )
        if feed.warning is not None:
            log.warning(
                "poll %s: the feed is malformed (%s); %d items read anyway",
                source.source,
                feed.warning,
                len(feed.items),
                extra={"source": source.source, "reason": feed.warning},
            )
        await self._publish_new(source, feed, report)
        return fetched.validators

    async def _publish_new(self, source: Source, feed: Feed, report: PollReport) -> None:
        keys = [item.key for item in feed.items] + [item.key for item in feed.refused]
        unseen = await asyncio.to_thread(self._state.unseen, source.source, keys)
        report.over_cap = feed.over_cap
        report.duplicate = len(keys) - len(unseen)  # what a former poll handled, or listed twice here
        for bad in feed.refused:
            if bad.key in unseen:
                unseen.discard(bad.key)
                self._refuse(source, report, bad.key, bad.reason)
        ready: list[tuple[FeedItem, OutgoingArticle]] = []
        for item in feed.items:
            if item.key not in unseen:
                continue
            unseen.discard(item.key)  # a feed listing one item twice publishes it once
            body = await self._full_text(source, item)
            fields = article_fields(item, source=source.source, lang=source.lang, body=body)
            try:
                [outgoing] = await asyncio.to_thread(
                    intake,
                    [fields],
                    batch=False,
                    default_source=source.source,
                    ingested_at=self._clock(),
                    max_message_bytes=self._settings.max_message_bytes,
                )
            except (ArticleValidationError, PayloadTooLarge) as exc:
                self._refuse(source, report, item.key, str(exc))  # "field: reason" for a field
                continue
            ready.append((item, outgoing))
        await self._publish(source, ready, report)

    async def _publish(
        self, source: Source, ready: Sequence[tuple[FeedItem, OutgoingArticle]], report: PollReport
    ) -> None:
        chunk = self._settings.publish_chunk
        for start in range(0, len(ready), chunk):
            part = ready[start : start + chunk]
            try:
                await asyncio.to_thread(self._publisher.publish, [outgoing for _, outgoing in part])
            except PayloadTooLarge:
                # The broker refused one of them: send them one by one so only that one is refused.
                for item, outgoing in part:
                    try:
                        await asyncio.to_thread(self._publisher.publish, [outgoing])
                    except PayloadTooLarge as exc:
                        self._refuse(source, report, item.key, exc.reason)
                    else:
                        self._published(report, item, outgoing)
                continue
            for item, outgoing in part:
                self._published(report, item, outgoing)

    def _published(self, report: PollReport, item: FeedItem, outgoing: OutgoingArticle) -> None:
        report.new += 1
        report.missing_date += item.published_at is None
        report.missing_link += item.link is None
        report.seen.append(SeenItem(item.key, article_id=outgoing.article.article_id))

    def _refuse(self, source: Source, report: PollReport, key: str, reason: str) -> None:
        report.refused += 1
        report.seen.append(SeenItem(key, refused_reason=reason))
        log.warning(
            "poll %s: item %s refused: %s",
            source.source,
            key,
            reason,
            extra={"source": source.source, "stage": "poll", "reason": reason},
        )

    async def _full_text(self, source: Source, item: FeedItem) -> str | None:
        """The linked page's main text, when the source asks for it and the item has only a summary."""
        if not source.fetch_full_text or item.has_full_text or item.link is None:
            return None
        try:
            page = await fetch(
                self._client,
                item.link,
                timeout_s=self._settings.timeout_s,
                max_bytes=self._settings.max_page_bytes,
            )
            text = await asyncio.to_thread(main_text, page.body or b"", url=page.url) if page.body else None
        except PollError as exc:
            text, reason = None, exc.reason
        else:
            reason = "no main text found on the page"
        outcome = "ok" if text else "failed"
        self._metrics.full_text.labels(source.source, outcome).inc()
        if text is None:
            log.warning(
                "poll %s: full text of %s not fetched (%s); the summary is published instead",
                source.source,
                item.link,
                reason,
                extra={"source": source.source, "reason": reason},
            )
        return text

    async def _failed(self, source: Source, report: PollReport, exc: Exception, polled_at: datetime) -> None:
        if isinstance(exc, PollError):
            report.outcome, report.reason = exc.outcome, exc.reason
        elif isinstance(exc, IngestError):
            report.outcome, report.reason = BrokerUnavailable.code, exc.reason
        else:
            report.outcome, report.reason = (
                "state_unavailable",
                f"{type(exc).__name__}: {exc}".splitlines()[0],
            )
        report.failures += 1
        report.delay_s = self._delay(source, report.failures)
        log.warning(
            report.line(), extra={"source": source.source, "outcome": report.outcome, "reason": report.reason}
        )
        try:
            await asyncio.to_thread(
                self._state.record_failure,
                source.source,
                outcome=report.outcome,
                failures=report.failures,
                polled_at=polled_at,
                next_poll_at=polled_at + timedelta(seconds=report.delay_s),
            )
        except SQLAlchemyError as db_exc:
            log.warning(
                "poll %s: the failure could not be recorded either: %s",
                source.source,
                _first_line(db_exc),
                extra={"source": source.source},
            )

    def _count_items(self, source: str, report: PollReport) -> None:
        for outcome in ("new", "duplicate", "refused", "over_cap"):
            self._metrics.items.labels(source, outcome).inc(getattr(report, outcome))
        self._metrics.incomplete.labels(source, "date").inc(report.missing_date)
        self._metrics.incomplete.labels(source, "link").inc(report.missing_link)

    def _delay(self, source: Source, failures: int) -> float:
        return next_delay(
            source.interval_s,
            failures,
            max_backoff_s=self._settings.max_backoff_s,
            jitter=self._settings.jitter,
            random=self._random,
        )


def _first_line(exc: Exception) -> str:
    """`Type: message` cut at its first line (SQLAlchemy appends the statement and a help link)."""
    text = f"{type(exc).__name__}: {exc}"
    return text.splitlines()[0] if text.strip() else type(exc).__name__
