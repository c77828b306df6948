"""The ingest API served by uvicorn on a real socket, publishing to the real Kafka broker.

Each test module run uses its own topic prefix (created up front: the broker may not auto-create) and
its own consumer group. Needs KAFKA_BOOTSTRAP_SERVERS.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
import uvicorn
from kafka import KafkaConsumer

from services.contracts.headers import INGESTED_AT, SCHEMA, header_map, ingested_at_of
from services.contracts.models import RAW_ARTICLE_SCHEMA, RawArticle
from services.contracts.topics import RAW_ARTICLES, Topics
from services.ingest import feed
from services.ingest.api import create_app
from services.ingest.publisher import KafkaPublisher
from services.ingest.settings import IngestSettings

pytestmark = pytest.mark.kafka

API_KEY = "integration-key-0123456789"
SEEDS = Path(__file__).resolve().parents[2] / "samples"


def seed_files() -> list[Path]:
    """The 5 seed articles (the repository's samples/, a copy of shared/seeds)."""
    files = sorted(SEEDS.glob("*.txt"))
    if len(files) != 5:
        pytest.fail(f"expected the 5 seed articles in {SEEDS}, found {len(files)}")
    return files


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RunningApi:
    """The app under uvicorn in a thread, with a real KafkaPublisher; stopped by `stop()`."""

    def __init__(self, settings: IngestSettings) -> None:
        self.publisher = KafkaPublisher(settings)
        config = uvicorn.Config(
            create_app(settings, self.publisher), host="127.0.0.1", port=settings.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{settings.port}"
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.publisher.close()


def settings_for(bootstrap: str, topics: Topics, **overrides: object) -> IngestSettings:
    values: dict[str, object] = {
        "env": "prod",
        "api_keys": [API_KEY],
        "port": free_port(),
        "kafka_bootstrap_servers": bootstrap,
        "topic_prefix": topics.raw.removesuffix(RAW_ARTICLES),
        "publish_timeout_s": 10.0,
        "max_body_bytes": 200_000,
        "readiness_cache_s": 0.0,
        **overrides,
    }
    return IngestSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def api(kafka_bootstrap: str, topics: Topics) -> Iterator[RunningApi]:
    """A server of its own per test, on the test's own (created) topics."""
    running = RunningApi(settings_for(kafka_bootstrap, topics))
    yield running
    running.stop()


@pytest.fixture
def http(api: RunningApi) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=30) as client:
        yield client


def consume(
    bootstrap: str, topic: str, expected: int, timeout_s: float = 30.0
) -> list[tuple[bytes, RawArticle, dict[str, bytes]]]:
    """Every message of `topic` from the beginning, waiting until at least `expected` arrived."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"test-ingest-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    messages = []
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                for message in batch:
                    headers = header_map(message.headers)
                    messages.append((message.key, RawArticle.model_validate_json(message.value), headers))
            if len(messages) >= expected:
                # One more poll so that a surplus (duplicates, stray messages) would be seen too.
                for batch in consumer.poll(timeout_ms=1000).values():
                    messages += [
                        (m.key, RawArticle.model_validate_json(m.value), header_map(m.headers)) for m in batch
                    ]
                break
    finally:
        consumer.close()
    return messages


def test_seed_articles_reach_the_raw_topic_as_text_and_ndjson_with_stable_ids(
    kafka_bootstrap: str, topics: Topics, api: RunningApi, http: httpx.Client
) -> None:
    files = seed_files()
    plain_ids = []
    for path in files:
        response = http.post(
            "/v1/articles",
            content=path.read_bytes(),
            headers={"Content-Type": "text/plain; charset=utf-8", "X-External-Id": path.name},
        )
        assert response.status_code == 202, response.text
        plain_ids += response.json()["article_ids"]

    body = b"".join(
        orjson.dumps({"text": p.read_text(encoding="utf-8"), "external_id": p.name}) + b"\n" for p in files
    )
    response = http.post("/v1/articles", content=body, headers={"Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": 5, "article_ids": plain_ids}

    messages = consume(kafka_bootstrap, topics.raw, expected=10)
    assert len(messages) == 10
    for key, article, headers in messages:
        assert key == article.article_id.encode()
        assert headers[SCHEMA] == RAW_ARTICLE_SCHEMA.encode()
        assert INGESTED_AT in headers
        assert ingested_at_of(headers) == article.ingested_at
    by_external_id = {article.external_id or "": article for _, article, _ in messages}
    assert sorted(by_external_id) == [p.name for p in files]
    assert [by_external_id[p.name].article_id for p in files] == plain_ids
    assert all(article.lang == "fr" and article.source == "unknown" for article in by_external_id.values())
    assert by_external_id["002_ae8007222e3ba56e.txt"].dateline == "Jakarta"
    assert not by_external_id["003_44c57f388506a4d0.txt"].text.endswith("Today")
    assert by_external_id["004_20101a7d1ab6a0b1.txt"].published_at is not None


def test_bad_input_gets_its_documented_status_and_publishes_nothing(
    kafka_bootstrap: str, topics: Topics, api: RunningApi, http: httpx.Client
) -> None:
    def chunked() -> Iterator[bytes]:
        for _ in range(30):
            yield b"x" * 10_000

    cases = [
        (http.post("/v1/articles", content=b"{not json", headers={"Content-Type": "application/json"}), 400),
        (http.post("/v1/articles", content=b"", headers={"Content-Type": "application/json"}), 400),
        (http.post("/v1/articles", content=b"caf\xe9", headers={"Content-Type": "text/plain"}), 400),
        (http.post("/v1/articles", content=b"x" * 200_001, headers={"Content-Type": "text/plain"}), 413),
        (http.post("/v1/articles", content=chunked(), headers={"Content-Type": "text/plain"}), 413),
        (http.post("/v1/articles", content=b"<a/>", headers={"Content-Type": "application/xml"}), 415),
        (http.post("/v1/articles", json=[{"text": "Un texte."}, {"text": 42}]), 422),
        (http.post("/v1/articles", json={"text": "Un texte.", "titel": "x"}), 422),
        (
            http.post(
                "/v1/articles", json={"text": "Un texte."}, headers={"X-API-Key": "wrong-key-0123456789"}
            ),
            401,
        ),
        (http.post("/v1/articles", json={"text": "Un texte."}, headers={"X-API-Key": ""}), 401),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        body = response.json()
        assert set(body) == {"error", "reason", "field"}
        assert body["reason"]
    assert cases[6][0].json()["field"] == "articles[1].text"
    assert cases[7][0].json()["field"] == "titel"

    # Publishing is synchronous: had any refused request published, it would come before this one.
    accepted = http.post("/v1/articles", json={"text": "Un texte accepté.", "external_id": "ok"})
    assert accepted.status_code == 202
    messages = consume(kafka_bootstrap, topics.raw, expected=1)
    assert [article.external_id for _, article, _ in messages] == ["ok"]


def test_ready_and_metrics(api: RunningApi, http: httpx.Client) -> None:
    assert http.get("/healthz").status_code == 200
    assert http.get("/readyz").json() == {"status": "ready"}
    metrics = http.get("/metrics").text
    assert "newswire_ingest_http_requests_total" in metrics


def test_feed_posts_the_seed_folder(kafka_bootstrap: str, topics: Topics, api: RunningApi) -> None:
    code = feed.main([str(SEEDS), "--url", api.url, "--api-key", API_KEY, "--batch", "2", "--quiet"])
    assert code == 0
    messages = consume(kafka_bootstrap, topics.raw, expected=5)
    assert sorted(article.external_id or "" for _, article, _ in messages) == [p.name for p in seed_files()]


def test_feed_exits_non_zero_with_the_servers_reason(
    api: RunningApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.jsonl").write_text('{"text": "Un texte."}\n{"text": ""}\n')
    code = feed.main([str(tmp_path), "--url", api.url, "--api-key", API_KEY, "--quiet"])
    assert code == 1
    assert f"HTTP 422 for {tmp_path / 'bad.jsonl'}:2: articles[1].text: must be a non-empty string" in (
        capsys.readouterr().err
    )


def test_a_closed_broker_port_gives_503_with_a_reason(kafka_bootstrap: str, topics: Topics) -> None:
    closed = f"127.0.0.1:{free_port()}"
    running = RunningApi(settings_for(closed, topics, publish_timeout_s=1.5, readiness_timeout_s=0.5))
    try:
        with httpx.Client(base_url=running.url, headers={"X-API-Key": API_KEY}, timeout=30) as client:
            response = client.post("/v1/articles", json={"text": "Un texte qui ne partira pas."})
            assert response.status_code == 503
            assert response.json()["error"] == "broker_unavailable"
            assert closed in response.json()["reason"]
            assert response.headers["Retry-After"]
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert closed in ready.json()["reason"]
    finally:
        running.stop()
