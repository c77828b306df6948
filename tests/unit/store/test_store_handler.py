"""The store worker's batch handler: rows are built while decoding, before the transaction; an
article whose rows cannot be built is dead-lettered and the rest of its batch is still written.

The writer here records the batches it is given (the database side is specified by the integration
tests of `BatchWriter`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

import orjson
import pytest

from services.common.heartbeat import Heartbeat
from services.common.messages import Outgoing, Position
from services.contracts.models import EnrichedArticle
from services.contracts.topics import Topics
from services.store import app as store_app
from services.store.app import StoreHandler
from services.store.settings import StoreSettings
from services.store.writer import PreparedBatch, RowCounts, WriteResult
from tests.unit.store.factories import event, ukraine_appeals_to_nato

TOPICS = Topics.named("")


class RecordingWriter:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def write_prepared(self, batch: PreparedBatch) -> WriteResult:
        ids = tuple(rows.article_id for rows in batch.rows)
        self.batches.append(list(ids))
        now = dt.datetime.now(dt.UTC)
        return WriteResult(batch.articles_in, len(ids), 0, batch.superseded, RowCounts(), ids, (), now)


def positions_of(values: Sequence[bytes]) -> list[Position]:
    return [
        Position(topic=TOPICS.enriched, partition=0, offset=offset, key=None, value=value, headers={})
        for offset, value in enumerate(values)
    ]


def as_bytes(article: EnrichedArticle) -> bytes:
    return article.model_dump_json().encode()


def names_unknown_entity(article_id: str) -> bytes:
    """A valid EnrichedArticle whose event names an actor that is none of its entities."""
    doc = orjson.loads(as_bytes(ukraine_appeals_to_nato(article_id)))
    doc["events"] = [orjson.loads(event(f"{article_id}:ev9", actor="per:nobody").model_dump_json())]
    return orjson.dumps(doc)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[Outgoing]:
    outbox: list[Outgoing] = []

    async def send_all(app: Any, messages: Sequence[Outgoing]) -> None:
        outbox.extend(messages)

    monkeypatch.setattr(store_app, "send_all", send_all)
    return outbox


def handler(writer: RecordingWriter) -> StoreHandler:
    return StoreHandler(object(), StoreSettings(), TOPICS, writer, Heartbeat(time.monotonic))  # type: ignore[arg-type]


def test_prepare_decodes_and_builds_the_rows_without_writing() -> None:
    writer = RecordingWriter()
    prepared = handler(writer).prepare(
        positions_of([as_bytes(ukraine_appeals_to_nato("a2")), as_bytes(ukraine_appeals_to_nato("a1"))])
    )

    assert prepared.batch is not None
    assert [rows.article_id for rows in prepared.batch.rows] == ["a1", "a2"]
    assert len(prepared.batch.rows[0].events) == 1
    assert writer.batches == []


def test_complete_writes_the_whole_batch_in_one_transaction(sent: list[Outgoing]) -> None:
    writer = RecordingWriter()
    store = handler(writer)
    values = [as_bytes(ukraine_appeals_to_nato("a1")), as_bytes(ukraine_appeals_to_nato("a2"))]

    asyncio.run(store.complete(store.prepare(positions_of(values))))

    assert writer.batches == [["a1", "a2"]]
    assert sent == []


def test_an_article_whose_rows_cannot_be_built_is_dead_lettered_and_the_others_are_written(
    sent: list[Outgoing],
) -> None:
    writer = RecordingWriter()
    store = handler(writer)
    values = [as_bytes(ukraine_appeals_to_nato("a1")), names_unknown_entity("bad"), b"{not json"]

    prepared = store.prepare(positions_of(values))
    asyncio.run(store.complete(prepared))

    assert prepared.batch is None
    assert writer.batches == [["a1"]]
    assert [m.topic for m in sent] == [TOPICS.deadletter, TOPICS.deadletter]
    undecodable, invalid = sorted((orjson.loads(m.value)["reason"] for m in sent), reverse=True)
    assert undecodable.startswith("not a EnrichedArticle")
    assert invalid.startswith("invalid article: ")
    assert "per:nobody" in invalid
