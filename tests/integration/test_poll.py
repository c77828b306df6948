"""`newswire poll` against a real HTTP server on 127.0.0.1 (feed_server.py), the real Kafka broker and a
fresh PostgreSQL database: real feed shapes are published once, restarts neither re-publish nor miss
items, and every bad case of a feed source ends in an outcome, a log line and a metric, never a crash."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, create_engine, select

from services.contracts.models import RawArticle
from services.contracts.topics import RAW_ARTICLES, Topics
from services.ingest.poll.metrics import PollMetrics
from services.ingest.poll.ninjs import NinjsReader
from services.ingest.poll.poller import Poller, PollReport
from services.ingest.poll.settings import PollSettings
from services.ingest.poll.sources import Source
from services.ingest.poll.state import PollState, make_engine
from services.ingest.poll.tables import poll_items, poll_sources
from services.ingest.poll.worker import http_client
from services.ingest.publisher import KafkaPublisher
from tests.integration.conftest import create_database, drop_database
from tests.integration.feed_server import FIXTURES, HUGE_BYTES, FeedServer, serve_feeds

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    yield from serve_feeds()


@pytest.fixture
def poll_database(database_url: str) -> Iterator[str]:
    url = create_database(database_url)
    yield url
    drop_database(url)


@dataclass
class Harness:
    """The poller's real parts, wired as `newswire poll` wires them, with a registry of its own."""

    settings: PollSettings
    engine: Engine
    state: PollState
    publisher: KafkaPublisher
    registry: CollectorRegistry
    metrics: PollMetrics

    def poll(self, source: Source) -> PollReport:
        async def once() -> PollReport:
            async with http_client(self.settings) as client:
                poller = Poller(
                    self.settings,
                    client=client,
                    state=self.state,
                    publisher=self.publisher,
                    ninjs=NinjsReader.load(),
                    metrics=self.metrics,
                    clock=lambda: datetime.now(UTC),
                    random=lambda: 0.5,
                )
                return await poller.poll(source)

        return asyncio.run(once())

    def close(self) -> None:
        self.publisher.close()
        self.engine.dispose()

    def sample(self, name: str, **labels: str) -> float:
        value = self.registry.get_sample_value(name, labels)
        return 0.0 if value is None else value


def harness(settings: PollSettings) -> Harness:
    registry = CollectorRegistry()
    metrics = PollMetrics(registry)
    engine = make_engine(settings.database_url)
    return Harness(settings, engine, PollState(engine), KafkaPublisher(settings), registry, metrics)


@pytest.fixture
def settings(kafka_bootstrap: str, topics: Topics, poll_database: str) -> PollSettings:
    return PollSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topics.raw.removesuffix(RAW_ARTICLES),
        database_url=poll_database,
        timeout_s=3.0,
        max_items_per_poll=50,
    )


@pytest.fixture
def poller(settings: PollSettings) -> Iterator[Harness]:
    running = harness(settings)
    yield running
    running.close()


def source(feeds: FeedServer, path: str, name: str | None = None, **fields: object) -> Source:
    return Source.model_validate(
        {"url": feeds.url + path, "source": name or path.strip("/").replace("/", "-"), **fields}
    )


def published(settings: PollSettings, expected: int, timeout_s: float = 20.0) -> list[RawArticle]:
    """Every article on the raw topic, waiting for at least `expected`, then once more for any surplus."""
    consumer = KafkaConsumer(
        settings.topics.raw,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"test-poll-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    articles: list[RawArticle] = []
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and len(articles) < expected:
            for batch in consumer.poll(timeout_ms=500).values():
                articles += [RawArticle.model_validate_json(m.value) for m in batch]
        for batch in consumer.poll(timeout_ms=1000).values():
            articles += [RawArticle.model_validate_json(m.value) for m in batch]
    finally:
        consumer.close()
    return articles


def stored_source(settings: PollSettings, name: str) -> dict[str, object]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(poll_sources).where(poll_sources.c.source == name)).one()
            return dict(row._mapping)
    finally:
        engine.dispose()


def refused_reasons(settings: PollSettings, name: str) -> list[str]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            query = select(poll_items.c.refused_reason).where(
                poll_items.c.source == name, poll_items.c.refused_reason.is_not(None)
            )
            return list(conn.execute(query).scalars())
    finally:
        engine.dispose()


# --- real feed shapes ------------------------------------------------------------------------------


def test_a_newspaper_rss_an_atom_feed_and_ninjs_feeds_are_published_with_their_fields(
    feeds: FeedServer, poller: Harness, settings: PollSettings
) -> None:
    journal = source(feeds, "/local/journal.rss.xml", "journal", lang="fr", fetch_full_text=True)
    atom = source(feeds, "/fixtures/wikinews.atom.xml", "wikinews")
    ninjs2 = source(feeds, "/fixtures/agency.ninjs.json", "agency")
    ninjs1 = source(feeds, "/fixtures/agency-1x.ninjs.json", "agency-1x")

    reports = [poller.poll(s) for s in (journal, atom, ninjs2, ninjs1)]

    assert [(r.outcome, r.new, r.refused) for r in reports] == [
        ("ok", 3, 0),
        ("ok", 2, 0),
        ("ok", 1, 1),
        ("ok", 1, 0),
    ]
    articles = published(settings, 7)
    assert len(articles) == 7
    by_source = {a.source: a for a in articles}
    journal_article = next(a for a in articles if a.source == "journal" and "Burundi" in (a.title or ""))
    # The feed carries one paragraph; the page's main text (trafilatura) is what was published.
    assert "Depuis le 26 avril" in journal_article.text  # the page's second paragraph
    assert "Les plus lus" not in journal_article.text
    assert "Mentions légales" not in journal_article.text
    assert journal_article.url == f"{feeds.url}/pages/burundi-tentative-coup-etat.html"
    assert journal_article.published_at == datetime(2015, 5, 13, 16, 32, 10, tzinfo=UTC)
    assert journal_article.external_id == journal_article.url  # the RSS guid
    assert by_source["wikinews"].lang == "fr"
    assert (by_source["wikinews"].url or "").startswith("https://fr.wikinews.org/")
    assert by_source["agency"].external_id == "urn:newsml:agence.example:20100108:100108-99-1"
    assert "<p>" not in by_source["agency"].text
    assert poller.sample("newswire_poll_full_text_total", source="journal", outcome="ok") == 3
    assert refused_reasons(settings, "agency") == [
        'ninjs item 1: versioncreated: "hier soir" is not a "date-time"'
    ]
    assert poller.sample("newswire_poll_items_total", source="agency", outcome="refused") == 1


def test_a_second_poll_sends_the_validators_and_an_unchanged_feed_costs_a_304(
    feeds: FeedServer, poller: Harness, settings: PollSettings
) -> None:
    atom = source(feeds, "/fixtures/wikinews.atom.xml", "atom-304")
    assert poller.poll(atom).new == 2

    again = poller.poll(atom)

    assert (again.outcome, again.new) == ("not_modified", 0)
    last = feeds.state.requests_to("/fixtures/wikinews.atom.xml")[-1]
    assert last.headers.get("if-none-match") == stored_source(settings, "atom-304")["etag"]
    assert "if-modified-since" in last.headers
    assert len(published(settings, 2)) == 2
    assert poller.sample("newswire_poll_polls_total", source="atom-304", outcome="not_modified") == 1


def test_after_a_restart_only_items_never_seen_are_published(
    feeds: FeedServer, settings: PollSettings
) -> None:
    mutable = source(feeds, "/mutable", "mutable")
    rss = (FIXTURES / "journal.rss.xml").read_bytes()
    feeds.state.mutable = rss
    first = harness(settings)
    assert first.poll(mutable).new == 3
    first.close()
    # The feed gains an item while the poller is down; a new process (same database) picks up from there.
    extra = (
        "<item><title>Nouvelle dépêche</title><guid>mutable-4</guid>"
        "<description>Le Parlement a adopté jeudi la loi de finances après un débat.</description></item>"
    )
    feeds.state.mutable = rss.replace(b"</channel>", extra.encode() + b"</channel>")
    second = harness(settings)

    report = second.poll(mutable)

    second.close()
    assert (report.new, report.duplicate, report.missing_link) == (1, 3, 1)
    assert sorted(a.external_id or "" for a in published(settings, 4))[-1] == "mutable-4"
    assert len(published(settings, 4)) == 4


def test_a_restarted_poller_shows_the_stored_last_success_of_a_source_that_now_fails(
    feeds: FeedServer, settings: PollSettings
) -> None:
    first = harness(settings)
    first.poll(source(feeds, "/fixtures/wikinews.atom.xml", "flaky"))
    first.close()
    succeeded_at = stored_source(settings, "flaky")["last_success_at"]
    assert isinstance(succeeded_at, datetime)
    second = harness(settings)

    report = second.poll(source(feeds, "/status/503", "flaky"))

    second.close()
    assert report.outcome == "http_5xx"
    # So NewswireFeedStale counts from the real last success, not from the restart.
    assert (
        second.sample("newswire_poll_last_success_timestamp_seconds", source="flaky")
        == succeeded_at.timestamp()
    )


def test_items_are_remembered_only_once_kafka_acknowledged_them(
    feeds: FeedServer, settings: PollSettings
) -> None:
    atom = source(feeds, "/fixtures/wikinews.atom.xml", "atom-outage")
    broker_down = harness(
        settings.model_copy(update={"kafka_bootstrap_servers": f"127.0.0.1:{closed_port()}"})
    )

    failed = broker_down.poll(atom)
    broker_down.close()

    assert (failed.outcome, failed.new, failed.failures) == ("broker_unavailable", 0, 1)
    assert stored_source(settings, "atom-outage")["etag"] is None  # so the next poll gets the whole feed
    back = harness(settings)
    recovered = back.poll(atom)
    back.close()
    assert (recovered.outcome, recovered.new, recovered.failures) == ("ok", 2, 0)
    assert len(published(settings, 2)) == 2


# --- every bad case: an outcome, a log line, a metric, a backoff; never an exception ---------------


@pytest.mark.parametrize(
    ("path", "outcome", "says"),
    [
        ("/fixtures/not-a-feed.html", "malformed", "not a feed"),
        ("/status/404", "http_4xx", "404"),
        ("/status/410", "http_4xx", "410"),
        ("/status/500", "http_5xx", "500"),
        ("/status/503", "http_5xx", "503"),
        ("/slow", "timeout", "within 3 s"),
        ("/loop", "too_many_redirects", "redirect"),
        ("/huge", "too_large", "exceeds the cap"),
    ],
)
def test_a_bad_source_ends_in_its_outcome_a_log_line_a_metric_and_a_backoff(
    feeds: FeedServer,
    poller: Harness,
    settings: PollSettings,
    caplog: pytest.LogCaptureFixture,
    path: str,
    outcome: str,
    says: str,
) -> None:
    bad = source(feeds, path, "bad", interval="60s")
    caplog.set_level(logging.WARNING, logger="services.ingest.poll")

    first = poller.poll(bad)
    second = poller.poll(bad)

    assert (first.outcome, first.failures, second.failures) == (outcome, 1, 2)
    assert says.lower() in (first.reason or "").lower()
    assert first.delay_s == 120
    assert second.delay_s == 240
    assert any(says.lower() in record.getMessage().lower() for record in caplog.records)
    assert poller.sample("newswire_poll_polls_total", source="bad", outcome=outcome) == 2
    assert poller.sample("newswire_poll_consecutive_failures", source="bad") == 2
    stored = stored_source(settings, "bad")
    assert (stored["last_outcome"], stored["consecutive_failures"]) == (outcome, 2)


def test_a_huge_feed_is_refused_before_it_is_held_in_memory(feeds: FeedServer, poller: Harness) -> None:
    report = poller.poll(source(feeds, "/huge", "huge"))

    assert report.outcome == "too_large"
    assert poller.sample("newswire_poll_bytes_total", source="huge") == 0
    assert f"cap of {10 * 1024 * 1024} bytes" in (report.reason or "")
    assert HUGE_BYTES > 10 * 1024 * 1024


def test_an_unreachable_source_is_an_outcome_too(poller: Harness) -> None:
    gone = Source(url=f"http://127.0.0.1:{closed_port()}/rss", source="gone")

    report = poller.poll(gone)

    assert (report.outcome, report.failures) == ("unreachable", 1)
    assert "ConnectError" in (report.reason or "")


def test_a_malformed_feed_still_read_is_published_with_a_warning(
    feeds: FeedServer, poller: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="services.ingest.poll")

    report = poller.poll(source(feeds, "/fixtures/malformed.rss.xml", "malformed"))

    assert (report.outcome, report.new) == ("ok", 1)
    assert any("malformed" in r.getMessage() and "undefined entity" in r.getMessage() for r in caplog.records)


def test_a_feed_of_ten_thousand_items_is_cut_to_the_newest_per_poll(
    feeds: FeedServer, poller: Harness
) -> None:
    many = source(feeds, "/many", "many")

    first = poller.poll(many)
    second = poller.poll(many)

    assert (first.outcome, first.new, first.over_cap) == ("ok", 50, 9_950)
    assert (second.new, second.duplicate) == (0, 50)
    assert poller.sample("newswire_poll_items_total", source="many", outcome="over_cap") == 2 * 9_950


def test_items_without_dates_or_links_are_published_and_counted_and_an_empty_one_refused(
    feeds: FeedServer, poller: Harness, settings: PollSettings
) -> None:
    report = poller.poll(source(feeds, "/fixtures/undated.rss.xml", "undated"))

    assert (report.new, report.refused, report.missing_date, report.missing_link) == (2, 1, 2, 2)
    assert poller.sample("newswire_poll_items_incomplete_total", source="undated", missing="date") == 2
    assert poller.sample("newswire_poll_items_incomplete_total", source="undated", missing="link") == 2
    assert refused_reasons(settings, "undated") == ["text: must be a non-empty string"]
    assert all(a.published_at is None and a.url is None for a in published(settings, 2))


def test_an_item_listed_twice_in_one_feed_is_published_once(
    feeds: FeedServer, poller: Harness, settings: PollSettings
) -> None:
    item = "<item><guid>twice</guid><description>Le ministre a démissionné mardi soir.</description></item>"
    feeds.state.mutable = f'<rss version="2.0"><channel><title>t</title>{item}{item}</channel></rss>'.encode()

    report = poller.poll(source(feeds, "/mutable", "twice"))

    assert (report.new, report.duplicate) == (1, 1)
    assert len(published(settings, 1)) == 1


def test_redirects_within_the_limit_are_followed(feeds: FeedServer, poller: Harness) -> None:
    report = poller.poll(source(feeds, "/redirect-to/agency-1x.ninjs.json", "moved"))

    assert (report.outcome, report.new) == ("ok", 1)


# --- the worker process ---------------------------------------------------------------------------


def test_the_worker_process_polls_serves_its_metrics_and_stops_on_sigterm(
    feeds: FeedServer, settings: PollSettings, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.yml"
    sources.write_text(
        "sources:\n"
        f"  - {{url: '{feeds.url}/fixtures/wikinews.atom.xml', source: wikinews, interval: 1h}}\n"
        f"  - {{url: '{feeds.url}/status/503', source: down, interval: 1h}}\n"
    )
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "NEWSWIRE_POLL_TOPIC_PREFIX": settings.topic_prefix,
        "NEWSWIRE_POLL_SOURCES": str(sources),
        "NEWSWIRE_POLL_WEB_PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "poll"], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        metrics = wait_for_metric(
            f"http://127.0.0.1:{port}/metrics",
            'newswire_poll_polls_total{outcome="ok",source="wikinews"} 1.0',
        )
        assert 'newswire_poll_polls_total{outcome="http_5xx",source="down"} 1.0' in metrics
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
        assert len(published(settings, 2)) == 2
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert '"message": "poll wikinews: ok, 2 new' in stderr


def wait_for_metric(url: str, line: str, timeout_s: float = 60.0) -> str:
    deadline = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < deadline:
        try:
            text = httpx.get(url).text
        except httpx.HTTPError:
            text = ""
        if line in text:
            return text
        time.sleep(0.5)
    raise AssertionError(f"{line!r} not in {url} after {timeout_s} s:\n{text}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


closed_port = free_port
