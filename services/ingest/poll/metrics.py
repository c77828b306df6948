"""Every Prometheus metric of `newswire poll`, declared once, in the registry the worker is given.
Label `source` is the sources file's name for a feed (a handful, never per item); the closed sets of
outcomes are pre-initialised per source at start, so `increase` sees the first failure.

| name                                              | type      | labels           |
|---------------------------------------------------|-----------|------------------|
| newswire_poll_polls_total                         | counter   | source, outcome  |
| newswire_poll_duration_seconds                    | histogram | source           |
| newswire_poll_items_total                         | counter   | source, outcome  |
| newswire_poll_items_incomplete_total              | counter   | source, missing  |
| newswire_poll_bytes_total                         | counter   | source           |
| newswire_poll_full_text_total                     | counter   | source, outcome  |
| newswire_poll_last_success_timestamp_seconds      | gauge     | source           |
| newswire_poll_interval_seconds                    | gauge     | source           |
| newswire_poll_consecutive_failures                | gauge     | source           |
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# What one poll ends in: the PollError outcomes, the broker and the database failing, and a bug (internal).
POLL_OUTCOMES: Final = (
    "ok",
    "not_modified",
    "malformed",
    "timeout",
    "too_large",
    "too_many_redirects",
    "unreachable",
    "http_4xx",
    "http_5xx",
    "broker_unavailable",
    "state_unavailable",
    "internal",
)
ITEM_OUTCOMES: Final = ("new", "duplicate", "refused", "over_cap")
MISSING_PARTS: Final = ("date", "link")
FULL_TEXT_OUTCOMES: Final = ("ok", "failed")


class PollMetrics:
    """The poller's metrics in `registry`."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.polls: Final = Counter(
            "newswire_poll_polls_total",
            "Polls of a feed, by source and outcome (ok, not_modified, or why it failed).",
            ["source", "outcome"],
            registry=registry,
        )
        self.duration: Final = Histogram(
            "newswire_poll_duration_seconds",
            "Time of one poll of a feed: fetch, parse, intake, publish and state, by source.",
            ["source"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
            registry=registry,
        )
        self.items: Final = Counter(
            "newswire_poll_items_total",
            "Feed items by source and outcome: new (published), duplicate (seen before), refused (by the "
            "intake, with a log line saying why) and over_cap (past the per-poll item cap, left for later).",
            ["source", "outcome"],
            registry=registry,
        )
        self.incomplete: Final = Counter(
            "newswire_poll_items_incomplete_total",
            "New feed items published without a date or a link, by source and what was missing.",
            ["source", "missing"],
            registry=registry,
        )
        self.bytes: Final = Counter(
            "newswire_poll_bytes_total",
            "Feed body bytes read (decoded), by source; 304 answers read none.",
            ["source"],
            registry=registry,
        )
        self.full_text: Final = Counter(
            "newswire_poll_full_text_total",
            "Linked pages fetched for their main text (sources with fetch_full_text), by outcome; on "
            "failure the item's summary is published instead.",
            ["source", "outcome"],
            registry=registry,
        )
        self.last_success: Final = Gauge(
            "newswire_poll_last_success_timestamp_seconds",
            "Unix time of the source's last successful poll (ok or not_modified), as recorded in Postgres "
            "(so it survives restarts); the worker's start time for a source that never had one.",
            ["source"],
            registry=registry,
        )
        self.interval: Final = Gauge(
            "newswire_poll_interval_seconds",
            "The source's configured poll interval (for the feed-stale alert).",
            ["source"],
            registry=registry,
        )
        self.failures: Final = Gauge(
            "newswire_poll_consecutive_failures",
            "Consecutive failed polls of the source (0 after a success); the backoff doubles with each.",
            ["source"],
            registry=registry,
        )

    def declare(self, sources: Iterable[tuple[str, float]]) -> None:
        """Expose every (source, outcome) series at 0 and each source's interval."""
        for source, interval_s in sources:
            for outcome in POLL_OUTCOMES:
                self.polls.labels(source, outcome)
            for outcome in ITEM_OUTCOMES:
                self.items.labels(source, outcome)
            for missing in MISSING_PARTS:
                self.incomplete.labels(source, missing)
            for outcome in FULL_TEXT_OUTCOMES:
                self.full_text.labels(source, outcome)
            self.bytes.labels(source)
            self.interval.labels(source).set(interval_s)
