"""Fixtures for the ingest unit tests: an in-memory publisher double and app clients. No server needed."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI

with warnings.catch_warnings():
    # Starlette >= 1.x announces it will want `httpx2` for its TestClient; httpx still works and is what
    # the project pins, so the notice is not actionable here.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

from services.contracts.models import RawArticle
from services.ingest.api import create_app
from services.ingest.errors import IngestError
from services.ingest.outgoing import OutgoingArticle
from services.ingest.settings import IngestSettings

API_KEY = "test-key-0123456789abcdef"
INGESTED_AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


class InMemoryPublisher:
    """Records what it is asked to publish; `failure` makes every publish raise it; `not_ready` is
    what check_ready answers."""

    def __init__(self) -> None:
        self.published: list[RawArticle] = []
        self.calls = 0
        self.failure: IngestError | None = None
        self.not_ready: str | None = None
        self.closed = False

    def publish(self, articles: Sequence[OutgoingArticle]) -> None:
        self.calls += 1
        if self.failure is not None:
            raise self.failure
        self.published.extend(item.article for item in articles)

    def check_ready(self) -> str | None:
        return self.not_ready

    def close(self) -> None:
        self.closed = True


def make_settings(**overrides: object) -> IngestSettings:
    values: dict[str, object] = {
        "env": "prod",
        "api_keys": [API_KEY],
        "kafka_bootstrap_servers": "127.0.0.1:1",
        "compression_type": None,
        **overrides,
    }
    return IngestSettings(**values)  # type: ignore[arg-type]


def make_client(publisher: InMemoryPublisher, **overrides: object) -> TestClient:
    app: FastAPI = create_app(make_settings(**overrides), publisher, clock=lambda: INGESTED_AT)
    return TestClient(app, headers={"X-API-Key": API_KEY}, raise_server_exceptions=False)


@pytest.fixture
def publisher() -> InMemoryPublisher:
    return InMemoryPublisher()


@pytest.fixture
def client(publisher: InMemoryPublisher) -> TestClient:
    return make_client(publisher)
