"""The example payloads in services/contracts/examples/ are what each hop consumes; every service's
decoding and row building must accept them."""

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from services.common.decode import decode_contract, decode_plain
from services.contracts.models import DeadLetter, EnrichedArticle, EventMessage, RawArticle
from services.contracts.topics import Topics
from services.extract.consumer.batch import decode_raw, outputs_for
from services.store.rows import article_rows

EXAMPLES = Path(__file__).parents[3] / "services" / "contracts" / "examples"


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


@pytest.mark.parametrize(
    ("file_name", "model"),
    [
        ("raw_article.json", RawArticle),
        ("enriched_article.json", EnrichedArticle),
        ("event.json", EventMessage),
        ("dead_letter.json", DeadLetter),
    ],
)
def test_each_example_follows_its_contract(file_name: str, model: type[BaseModel]) -> None:
    decoded = model.model_validate_json(example(file_name))

    assert json.loads(decoded.model_dump_json()) == json.loads(example(file_name))


def test_extract_decodes_the_raw_example() -> None:
    assert decode_raw(example("raw_article.json")).article_id


def test_extract_publishes_the_enriched_example_with_one_message_per_event() -> None:
    article = decode_contract(EnrichedArticle, example("enriched_article.json"))

    messages = outputs_for(article, Topics(), {})

    assert [m.topic for m in messages] == [Topics().enriched] + [Topics().events] * len(article.events)
    events = [EventMessage.model_validate_json(m.value) for m in messages[1:]]
    assert all(event.article_id == article.article_id for event in events)


def test_store_builds_rows_from_the_enriched_example() -> None:
    article = decode_plain(EnrichedArticle, example("enriched_article.json"))

    rows = article_rows(article)

    assert rows.article["article_id"] == article["article_id"]
    assert len(rows.events) == len(article["events"])
