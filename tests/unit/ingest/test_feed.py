"""feed.py: batching, posting to the API, retrying 503s, and reporting refusals with their file."""

from pathlib import Path

import httpx
import orjson
import pytest

from services.ingest.errors import BrokerUnavailable
from services.ingest.feed import Batch, FeedClient, FeedError, batches
from services.ingest.files import InputRecord, iter_input_records
from tests.unit.ingest.conftest import API_KEY, InMemoryPublisher, make_client

TEXT = "Les ministres se sont réunis jeudi à Bruxelles pour discuter de l'aide à l'Ukraine."


def record(i: int, **extra: object) -> InputRecord:
    return InputRecord(f"file-{i}.txt", {"text": f"{i}. {TEXT}", **extra})


class TestBatches:
    def test_batches_hold_at_most_n_articles(self) -> None:
        sizes = [
            len(b.records)
            for b in batches(map(record, range(5)), max_articles=2, max_bytes=10**6, source=None)
        ]
        assert sizes == [2, 2, 1]

    def test_batches_hold_at_most_n_bytes_but_never_zero_articles(self) -> None:
        sizes = [
            len(b.records) for b in batches(map(record, range(3)), max_articles=10, max_bytes=10, source=None)
        ]
        assert sizes == [1, 1, 1]

    def test_the_body_is_ndjson_with_the_source_filled_in_where_missing(self) -> None:
        [batch] = batches(
            [record(1), record(2, source="afp")], max_articles=10, max_bytes=10**6, source="files"
        )
        lines = [orjson.loads(line) for line in batch.body.splitlines()]
        assert [line["source"] for line in lines] == ["files", "afp"]


class TestAgainstTheApi:
    def test_files_are_accepted(self, tmp_path: Path) -> None:
        for i in range(3):
            (tmp_path / f"{i:03}.txt").write_text(f"{i}. {TEXT}")
        publisher = InMemoryPublisher()
        feeder = FeedClient(make_client(publisher), api_key=API_KEY, retries=0)
        records = iter_input_records([tmp_path])
        accepted = sum(
            feeder.post(b) for b in batches(records, max_articles=2, max_bytes=10**6, source="files")
        )
        assert accepted == 3
        assert [a.external_id for a in publisher.published] == ["000.txt", "001.txt", "002.txt"]

    def test_a_refused_article_is_reported_with_its_file(self) -> None:
        feeder = FeedClient(make_client(InMemoryPublisher()), api_key=API_KEY, retries=0)
        [batch] = batches(
            [record(0), InputRecord("bad.json[0]", {"text": 3})],
            max_articles=10,
            max_bytes=10**6,
            source=None,
        )
        with pytest.raises(FeedError) as caught:
            feeder.post(batch)
        assert str(caught.value) == "HTTP 422 for bad.json[0]: articles[1].text: must be a non-empty string"

    def test_a_wrong_key_stops_with_the_servers_reason(self) -> None:
        feeder = FeedClient(make_client(InMemoryPublisher()), api_key="wrong-key-0123456789", retries=3)
        [batch] = batches([record(0)], max_articles=10, max_bytes=10**6, source=None)
        with pytest.raises(FeedError, match=r"HTTP 401 .*invalid API key"):
            feeder.post(batch)

    def test_a_broker_outage_is_retried_a_bounded_number_of_times(self) -> None:
        publisher = InMemoryPublisher()
        publisher.failure = BrokerUnavailable("Kafka is down")
        sleeps: list[float] = []
        feeder = FeedClient(make_client(publisher), api_key=API_KEY, retries=4, sleep=sleeps.append)
        [batch] = batches([record(0)], max_articles=10, max_bytes=10**6, source=None)
        with pytest.raises(FeedError, match="gave up after 5 attempts; last error: HTTP 503: Kafka is down"):
            feeder.post(batch)
        assert publisher.calls == 5
        assert sleeps == [0.5, 1.0, 2.0, 4.0]


def test_a_503_then_success_is_accepted() -> None:
    answers = [httpx.Response(503, json={"error": "x", "reason": "down", "field": None}),
               httpx.Response(202, json={"accepted": 1, "article_ids": ["a"]})]  # fmt: skip
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://ingest")
    feeder = FeedClient(client, api_key="k" * 20, retries=2, sleep=lambda _: None)
    assert feeder.post(Batch([record(0)], b"{}\n")) == 1
    assert [r.headers["Content-Type"] for r in seen] == ["application/x-ndjson"] * 2
    assert seen[0].headers["X-API-Key"] == "k" * 20


def test_no_connection_is_retried_then_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://ingest")
    feeder = FeedClient(client, api_key=None, retries=1, sleep=lambda _: None)
    with pytest.raises(FeedError, match="cannot reach the ingest API"):
        feeder.post(Batch([record(0)], b"{}\n"))
