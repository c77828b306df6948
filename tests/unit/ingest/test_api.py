"""api.py, against an in-memory publisher: what each request is answered, and what gets published."""

import asyncio
from collections.abc import Iterator

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from services.ingest.articles import ACCEPTED_FIELDS
from services.ingest.errors import BrokerUnavailable, PayloadTooLarge
from services.ingest.parsing import ACCEPTED_TYPES, TEXT_FIELD_SOURCES
from tests.unit.ingest.conftest import API_KEY, INGESTED_AT, InMemoryPublisher, make_client

ARTICLE = (
    "Les alliés promettent une aide à l'Ukraine\n\nJAKARTA - Les ministres de l'OTAN se sont réunis "
    "jeudi pour discuter de l'aide militaire.\nToday"
)


def error_of(response: httpx.Response) -> dict[str, object]:
    body: dict[str, object] = response.json()
    assert set(body) == {"error", "reason", "field"}
    return body


TEXT_PLAIN = {"Content-Type": "text/plain"}


class TestAccepted:
    def test_one_json_article_is_published_then_answered_202(
        self, client: TestClient, publisher: InMemoryPublisher
    ) -> None:
        response = client.post("/v1/articles", json={"text": ARTICLE, "external_id": "a1", "source": "afp"})
        assert response.status_code == 202
        [article] = publisher.published
        assert response.json() == {"accepted": 1, "article_ids": [article.article_id]}
        assert article.external_id == "a1"
        assert article.source == "afp"
        assert article.dateline == "Jakarta"
        assert article.ingested_at == INGESTED_AT
        assert not article.text.endswith("Today")

    def test_a_batch_is_published_in_one_call_in_order(
        self, client: TestClient, publisher: InMemoryPublisher
    ) -> None:
        body = b"".join(orjson.dumps({"text": f"Article {i}. {ARTICLE}"}) + b"\n" for i in range(3))
        response = client.post("/v1/articles", content=body, headers={"Content-Type": "application/x-ndjson"})
        assert response.status_code == 202
        assert response.json()["article_ids"] == [a.article_id for a in publisher.published]
        assert publisher.calls == 1
        assert len(publisher.published) == 3

    def test_plain_text_with_metadata_headers(self, client: TestClient, publisher: InMemoryPublisher) -> None:
        response = client.post(
            "/v1/articles?source=afp",
            content=ARTICLE.encode(),
            headers={"Content-Type": "text/plain; charset=utf-8", "X-External-Id": "004.txt"},
        )
        assert response.status_code == 202
        [article] = publisher.published
        assert (article.external_id, article.source) == ("004.txt", "afp")
        assert article.title == "Les alliés promettent une aide à l'Ukraine"
        assert article.lang == "fr"

    def test_the_same_article_twice_gets_the_same_id(self, client: TestClient) -> None:
        first = client.post("/v1/articles", json={"text": ARTICLE}).json()["article_ids"]
        second = client.post(
            "/v1/articles", content=ARTICLE.encode(), headers={"Content-Type": "text/plain"}
        ).json()
        assert first == second["article_ids"]

    def test_a_bearer_token_is_accepted_too(self, publisher: InMemoryPublisher) -> None:
        client = make_client(publisher)
        response = client.post(
            "/v1/articles",
            json={"text": ARTICLE},
            headers={"X-API-Key": "", "Authorization": f"Bearer {API_KEY}"},
        )
        assert response.status_code == 202

    def test_dev_without_keys_needs_no_key(self, publisher: InMemoryPublisher) -> None:
        client = make_client(publisher, env="dev", api_keys=[])
        assert (
            client.post("/v1/articles", json={"text": ARTICLE}, headers={"X-API-Key": ""}).status_code == 202
        )


class TestRefused:
    def test_no_key_is_401_and_nothing_is_read_or_published(self, publisher: InMemoryPublisher) -> None:
        client = make_client(publisher)
        response = client.post("/v1/articles", json={"text": ARTICLE}, headers={"X-API-Key": ""})
        assert response.status_code == 401
        assert error_of(response)["error"] == "unauthorized"
        assert "WWW-Authenticate" in response.headers
        assert publisher.calls == 0

    def test_a_wrong_key_is_401(self, client: TestClient) -> None:
        response = client.post("/v1/articles", json={"text": ARTICLE}, headers={"X-API-Key": "x" * 24})
        assert response.status_code == 401
        assert error_of(response)["reason"] == "invalid API key"

    def test_malformed_json_is_400(self, client: TestClient) -> None:
        response = client.post("/v1/articles", content=b"{", headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert error_of(response)["error"] == "malformed_body"

    def test_an_unsupported_content_type_is_415(self, client: TestClient) -> None:
        response = client.post("/v1/articles", content=b"<a/>", headers={"Content-Type": "application/xml"})
        assert response.status_code == 415

    def test_a_bad_field_in_a_batch_is_422_naming_it_and_nothing_is_published(
        self, client: TestClient, publisher: InMemoryPublisher
    ) -> None:
        response = client.post("/v1/articles", json=[{"text": ARTICLE}] * 3 + [{"text": ""}])
        assert response.status_code == 422
        assert error_of(response) == {
            "error": "invalid_article",
            "reason": "must be a non-empty string",
            "field": "articles[3].text",
        }
        assert publisher.calls == 0

    @pytest.mark.parametrize("url", ["http://[::1", "http://\uff03@x.org", "http://x.org:99999999/"])
    def test_a_url_the_parser_refuses_is_422_on_url_whichever_way_it_comes(
        self, client: TestClient, publisher: InMemoryPublisher, url: str
    ) -> None:
        answers = [
            client.post("/v1/articles", json={"text": ARTICLE, "url": url}),
            client.post("/v1/articles", params={"url": url}, content=ARTICLE.encode(), headers=TEXT_PLAIN),
        ]
        if url.isascii():  # HTTP header values are Latin-1: the client cannot send the others
            answers.append(
                client.post("/v1/articles", content=ARTICLE.encode(), headers={**TEXT_PLAIN, "X-Url": url})
            )
        assert [(a.status_code, a.json()["field"]) for a in answers] == [(422, "url")] * len(answers)
        assert publisher.published == []

    def test_a_declared_body_over_the_limit_is_413(self, publisher: InMemoryPublisher) -> None:
        client = make_client(publisher, max_body_bytes=100)
        response = client.post("/v1/articles", json={"text": "x" * 200})
        assert response.status_code == 413
        assert error_of(response)["error"] == "payload_too_large"

    def test_a_streamed_body_over_the_limit_is_413(self, publisher: InMemoryPublisher) -> None:
        client = make_client(publisher, max_body_bytes=100)

        def chunks() -> Iterator[bytes]:
            yield b'{"text": "'
            for _ in range(10):
                yield b"x" * 20
            yield b'"}'

        response = client.post("/v1/articles", content=chunks(), headers={"Content-Type": "application/json"})
        assert "content-length" not in {k.lower() for k in response.request.headers}
        assert response.status_code == 413

    def test_too_many_articles_is_413(self, publisher: InMemoryPublisher) -> None:
        client = make_client(publisher, max_articles_per_request=2)
        assert client.post("/v1/articles", json=[{"text": ARTICLE}] * 3).status_code == 413

    def test_an_article_over_the_message_size_is_413(self, publisher: InMemoryPublisher) -> None:
        client = make_client(publisher, max_message_bytes=2000)
        assert client.post("/v1/articles", json={"text": "Texte. " * 400}).status_code == 413
        assert publisher.calls == 0

    def test_broker_down_is_503_with_reason_and_retry_after(
        self, client: TestClient, publisher: InMemoryPublisher
    ) -> None:
        publisher.failure = BrokerUnavailable("Kafka did not acknowledge the articles within 1 s")
        response = client.post("/v1/articles", json={"text": ARTICLE})
        assert response.status_code == 503
        assert error_of(response) == {
            "error": "broker_unavailable",
            "reason": "Kafka did not acknowledge the articles within 1 s",
            "field": None,
        }
        assert response.headers["Retry-After"] == "5"

    def test_a_publisher_size_refusal_is_413(self, client: TestClient, publisher: InMemoryPublisher) -> None:
        publisher.failure = PayloadTooLarge("too big for Kafka")
        assert client.post("/v1/articles", json={"text": ARTICLE}).status_code == 413

    def test_an_unexpected_publisher_crash_is_503_never_202(
        self, client: TestClient, publisher: InMemoryPublisher
    ) -> None:
        publisher.failure = RuntimeError("bug")  # type: ignore[assignment]
        response = client.post("/v1/articles", json={"text": ARTICLE})
        assert response.status_code == 503
        assert error_of(response)["error"] == "broker_unavailable"

    @pytest.mark.parametrize(
        ("method", "path", "status"), [("GET", "/nope", 404), ("GET", "/v1/articles", 405)]
    )
    def test_framework_errors_use_the_same_shape(
        self, client: TestClient, method: str, path: str, status: int
    ) -> None:
        response = client.request(method, path)
        assert response.status_code == status
        assert error_of(response)["field"] is None


class TestOperations:
    def test_healthz(self, client: TestClient) -> None:
        assert client.get("/healthz").json() == {"status": "ok"}

    def test_readyz_follows_the_publisher(self, client: TestClient, publisher: InMemoryPublisher) -> None:
        assert client.get("/readyz").status_code == 200
        publisher.not_ready = "no Kafka bootstrap server reachable"
        response = client.get("/readyz")
        assert response.status_code == 503
        assert error_of(response)["reason"] == "no Kafka bootstrap server reachable"

    def test_metrics_count_requests_by_route_and_status(self, client: TestClient) -> None:
        client.post("/v1/articles", json={"text": ""})
        text = client.get("/metrics").text
        assert 'newswire_ingest_http_requests_total{method="POST",route="/v1/articles",status="422"}' in text
        assert 'newswire_ingest_articles_rejected_total{reason="invalid_article"}' in text

    def test_a_client_that_disconnects_mid_body_is_not_a_server_error(
        self, client: TestClient, publisher: InMemoryPublisher
    ) -> None:
        chunks: list[Message] = [
            {"type": "http.request", "body": b'{"text": "Les minis', "more_body": True},
            {"type": "http.disconnect"},
        ]
        answered: list[Message] = []

        async def receive() -> Message:
            return chunks.pop(0)

        async def send(message: Message) -> None:
            answered.append(message)

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": "/v1/articles", "raw_path": b"/v1/articles", "root_path": "",
            "query_string": b"", "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
            "headers": [(b"content-type", b"application/json"), (b"x-api-key", API_KEY.encode())],
        }  # fmt: skip
        asyncio.run(client.app(scope, receive, send))  # type: ignore[arg-type]

        assert answered[0]["status"] == 499
        assert publisher.published == []
        metrics = client.get("/metrics").text
        assert 'route="/v1/articles",status="499"' in metrics
        assert 'route="/v1/articles",status="500"' not in metrics

    def test_publish_duration_is_observed_by_outcome(self, client: TestClient) -> None:
        client.post("/v1/articles", json={"text": ARTICLE})
        assert 'newswire_ingest_publish_duration_seconds_count{outcome="ok"}' in client.get("/metrics").text

    def test_accepted_articles_are_counted(self, client: TestClient) -> None:
        def accepted() -> float:
            for line in client.get("/metrics").text.splitlines():
                if line.startswith("newswire_ingest_articles_accepted_total "):
                    return float(line.split()[1])
            raise AssertionError("metric missing")

        before = accepted()
        client.post("/v1/articles", json=[{"text": ARTICLE}, {"text": ARTICLE + " Suite."}])
        assert accepted() == before + 2


class TestDescription:
    def test_the_api_description_is_served_in_dev_and_not_in_prod(self, publisher: InMemoryPublisher) -> None:
        dev = make_client(publisher, env="dev")
        prod = make_client(publisher)
        forced = make_client(publisher, docs=True)

        assert dev.get("/openapi.json").status_code == 200
        assert [prod.get(path).status_code for path in ("/openapi.json", "/docs", "/redoc")] == [404] * 3
        assert forced.get("/openapi.json").status_code == 200

    def test_every_body_answer_and_text_plain_field_of_post_is_documented(
        self, publisher: InMemoryPublisher
    ) -> None:
        operation = (
            make_client(publisher, env="dev").get("/openapi.json").json()["paths"]["/v1/articles"]["post"]
        )

        bodies = operation["requestBody"]["content"]
        article = bodies["application/json"]["schema"]["oneOf"][0]
        assert set(bodies) == set(ACCEPTED_TYPES)
        assert set(article["properties"]) == set(ACCEPTED_FIELDS)
        assert {"202", "400", "401", "413", "415", "422", "503"} <= set(operation["responses"])
        documented = {(p["in"], p["name"]) for p in operation["parameters"]}
        assert {("header", header) for _, header in TEXT_FIELD_SOURCES} <= documented
        assert {("query", field) for field, _ in TEXT_FIELD_SOURCES} <= documented
